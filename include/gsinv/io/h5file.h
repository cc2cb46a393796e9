/* Parallel HDF5 files of gsinv: one schema for every subcommand, written under a temporary name. */
#pragma once

#include <hdf5.h>
#include <petscviewerhdf5.h>

#include "gsinv/io/grid.h"
#include "gsinv/physics/kernels.h"
#include "gsinv/physics/noise.h"

/* Version of the file layout, written as the root attribute "format_version". */
#define GS_FORMAT_VERSION 1

/* The cause of this rank's last HDF5 failure, from HDF5's error stack (errno may be stale): "disk
   full", "quota exceeded", the system error text, or HDF5's innermost message. Clears the stack.
   Not collective. */
void GSH5FailureCause(char *buf, size_t len);
/* GSH5FailureCause, and "disk full" also when less than 1 MiB is free where `file` lies (MPI-IO
   reports a full disk as a plain I/O error). Not collective. */
void GSH5FailureCauseOf(const char *file, char *buf, size_t len);

/* Raises an error naming the file, the object (dataset, attribute or group path; either may be
   NULL), the HDF5 call and the cause of its failure. Not collective. */
PetscErrorCode GSH5Fail(const char *file, const char *object, const char *call);

/* Fails on a negative HDF5 status with a message naming file, object, call and cause. */
#define GSH5Check(call, file, object) \
  do { \
    if ((call) < 0) return GSH5Fail(file, object, #call); \
  } while (0)
#define GSH5Call(call) GSH5Check(call, NULL, NULL)

/* Every rank of comm learns whether any rank failed (ierr != 0) in an operation on `file` described
   by `what`; then all fail with the message of the lowest failing rank, which names the file and
   the cause (disk full, quota exceeded, ...). A failing rank gives up waiting after 5 s (others may
   be blocked in a collective call it left) and fails alone. Collective. */
PetscErrorCode GSAgree(MPI_Comm comm, PetscErrorCode ierr, const char *file, const char *what);

/* The PETSc log event GSIO (-log_view) around file writing. Not collective. */
PetscErrorCode GSIOEvent(PetscLogEvent *event);

/* An output file: written as PATH.partial and renamed to PATH by GSOutputClose. */
typedef struct {
  MPI_Comm    comm;
  char        path[PETSC_MAX_PATH_LEN];
  char        partial[PETSC_MAX_PATH_LEN + 16];
  PetscViewer viewer;
} GSOutput;

/* Checks (rank 0) that the directory of path is writable; the message names option and path.
   Collective. */
PetscErrorCode GSOutputCheckWritable(MPI_Comm comm, const char *option, const char *path);

/* Checks that the directory of path is writable (error naming option and path otherwise) and
   opens path.partial for collective writing. Collective. */
PetscErrorCode GSOutputOpen(MPI_Comm comm, const char *option, const char *path, GSOutput *out);
/* Opens a copy of the existing file path, path.partial, to add to it (a run that continues where
   an interrupted one stopped): path itself stays as it is until GSOutputClose replaces it. A copy
   that fails (disk full, ...) names option, file and cause. Collective. */
PetscErrorCode GSOutputOpenToContinue(MPI_Comm comm, const char *option, const char *path, GSOutput *out);
/* Closes the file and renames it to its final name. Collective. */
PetscErrorCode GSOutputClose(GSOutput *out);
/* Closes and removes the partial file (after an error). Collective. */
PetscErrorCode GSOutputAbandon(GSOutput *out);
/* Reserves disk space (rank 0, posix_fallocate) for `bytes` more of `object` and its metadata
   before a collective write, so that a full disk or an exceeded quota stops every rank together
   with a message naming the file and the size. Collective. */
PetscErrorCode GSOutputReserve(GSOutput *out, const char *object, double bytes);
/* GSAgree for an operation on out (ierr: this rank's result); the message names the partial file
   and `object`. Collective. */
PetscErrorCode GSOutputAgree(GSOutput *out, PetscErrorCode ierr, const char *object);
/* Error path, all ranks failed together: closes every output still open (HDF5 objects, then the
   file), removes its partial file. Collective on each output's communicator; never fails. */
void GSOutputAbandonAll(void);
/* Error path, this rank failed alone (the job is aborted next): removes the partial files of the
   outputs still open, without HDF5 or MPI calls. Not collective. */
void GSOutputRemovePartials(void);

/* Turns HDF5's own printing of its error stack off (once, after MPI starts): gsinv's checked calls
   report the cause themselves. Not collective. */
void GSH5SilenceErrorStack(void);

/* Root attributes that say what produced a file: format version, subcommand, theta, h, grid, seed,
   TS type, dt, options string, PETSc version, git revision. Collective. */
PetscErrorCode GSOutputWriteProvenance(GSOutput *out, const char *subcommand, const GSGrid *grid, const GSParams *params, PetscInt64 seed,
                                       const char *ts_type, PetscReal dt);
/* Root attributes of the seeded initial recipe for outputs without a settings description
   (gradcheck, bench): -gs_sample, -gs_init_noise, -gs_init_block, -gs_init_sampler. Collective. */
PetscErrorCode GSOutputWriteRecipe(GSOutput *out, const GSInitialRecipe *recipe);

/* Scalar and small-array attributes on an object (path "/" for the root). Collective. */
PetscErrorCode GSH5WriteAttributeReal(GSOutput *out, const char *obj, const char *name, PetscReal value);
PetscErrorCode GSH5WriteAttributeInt(GSOutput *out, const char *obj, const char *name, PetscInt64 value);
PetscErrorCode GSH5WriteAttributeString(GSOutput *out, const char *obj, const char *name, const char *value);
PetscErrorCode GSH5WriteAttributeInts(GSOutput *out, const char *obj, const char *name, PetscInt n, const PetscInt64 *values);

/* A small dataset (rank <= 3, at most a few MB) written by rank 0 from data valid on rank 0;
   groups in the path are created. Collective. */
PetscErrorCode GSH5WriteRealArray(GSOutput *out, const char *path, int rank, const hsize_t *dims, const PetscReal *data);
PetscErrorCode GSH5WriteIntArray(GSOutput *out, const char *path, int rank, const hsize_t *dims, const PetscInt64 *data);

/* Writes component c (0: u, 1: v) of X as the float64 dataset group/name [ny][nx]: each rank writes
   its own patch, collectively, in pieces of about 8 MiB (no natural-order copy, no whole field on
   one rank); the group is created if missing. Collective. */
PetscErrorCode GSFieldWrite(GSOutput *out, const GSGrid *grid, const char *group, const char *name, Vec X, int c);
/* The same as time index t of the series group/name [T][ny][nx] (t = 0 creates it, chunked by
   step; each later t extends it by one). Collective. */
PetscErrorCode GSFieldAppend(GSOutput *out, const GSGrid *grid, const char *group, const char *name, PetscInt t, Vec X, int c);

/* Writes the two fields of X as group/u and group/v, each [ny][nx] in natural order. Collective. */
PetscErrorCode GSStateWrite(GSOutput *out, const GSGrid *grid, const char *group, Vec X);

/* Reads /state/u and /state/v of an HDF5 file into X on any decomposition; a missing or
   unreadable file, missing dataset or wrong shape stops with a message naming option and file. */
PetscErrorCode GSStateRead(const GSGrid *grid, const char *option, const char *path, Vec X);

/* A time series of states appended to /snapshots/{u,v} [T][ny][nx], steps kept for /snapshots/step. */
typedef struct {
  GSOutput     *out;
  const GSGrid *grid;
  PetscInt      count, capacity;
  PetscInt64   *steps;
} GSSnapshots;

PetscErrorCode GSSnapshotsAppend(GSSnapshots *snaps, PetscInt step, Vec X);
/* Writes /snapshots/step (when there are snapshots). Collective. */
PetscErrorCode GSSnapshotsWriteSteps(GSSnapshots *snaps);
PetscErrorCode GSSnapshotsDestroy(GSSnapshots *snaps);

/* Fields for an XDMF sidecar, every dataset cut into slices by GSXdmfAddSlices: one field per
   dataset (count 0, datasets [ny][nx]) or count fields per dataset (stacks), shown as a temporal
   collection at times[] or, without times, as a spatial collection of tiles in rows of columns
   (0: about square), every field in the XY plane with spacing h. A temporal collection may end
   with one more time step, at last_time, read from the [ny][nx] datasets last[] (e.g. the final
   state when it was not a snapshot): Xdmf3 shows only the series when a file has one. */
typedef struct {
  const char      *name;
  PetscInt         nfields;
  const char      *fields[2], *datasets[2];
  PetscInt         count, nx, ny, columns;
  PetscReal        h;
  const PetscReal *times;
  const char      *last[2];
  PetscReal        last_time;
} GSXdmfSet;

/* Makes every 2-D field of a dataset ([ny][nx] or a stack [..][ny][nx], the last two dimensions
   the field) its own [1][ny][nx] dataset, a virtual view /xdmf<dataset>/<i> (i in C order), since
   ParaView's default XDMF reader cannot read hyperslabs and its v2 reader wants the topology's
   rank; call before GSOutputClose. Returns the number of fields. Collective. */
PetscErrorCode GSXdmfAddSlices(GSOutput *out, const char *dataset, PetscInt *count);

/* Writes an XDMF sidecar (PATH with .h5 replaced by .xmf) for ParaView describing the sets, which
   XDMF (v2) and Xdmf3 readers open alike. Rank 0 writes; written under a temporary name and
   renamed. Collective. */
PetscErrorCode GSXdmfWrite(MPI_Comm comm, const char *h5_path, PetscInt nsets, const GSXdmfSet *sets);
