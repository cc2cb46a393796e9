/* Output files: temporary name and rename, provenance attributes, small datasets from rank 0. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gsinv/io.h"
#include "gsinv_version.h"

/* Rank 0 checks that the directory of path exists and is writable; every rank learns the answer. */
PetscErrorCode GSOutputCheckWritable(MPI_Comm comm, const char *option, const char *path)
{
  PetscMPIInt rank;
  int         err = 0;
  char        dir[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscStrncpy(dir, path, sizeof(dir)));
  if (rank == 0 && access(dirname(dir), W_OK | X_OK) != 0) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCall(PetscStrncpy(dir, path, sizeof(dir)));
  PetscCheck(!err, comm, PETSC_ERR_USER_INPUT, "%s %s: cannot write to directory '%s' (%s)", option, path, dirname(dir), strerror(err));
  PetscFunctionReturn(0);
}

PetscErrorCode GSIOEvent(PetscLogEvent *event)
{
  static PetscLogEvent io = 0;

  PetscFunctionBeginUser;
  if (!io) PetscCall(PetscLogEventRegister("GSIO", PETSC_VIEWER_CLASSID, &io));
  *event = io;
  PetscFunctionReturn(0);
}

/* A partial file left by a killed run is removed (a new file, not a truncation of one that a dying
   process may still hold locked). */
static PetscErrorCode RemoveStalePartial(MPI_Comm comm, const char *partial)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) (void)unlink(partial);
  PetscCallMPI(MPI_Barrier(comm));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOutputOpen(MPI_Comm comm, const char *option, const char *path, GSOutput *out)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(out, sizeof(*out)));
  PetscCheck(path && path[0], comm, PETSC_ERR_USER_INPUT, "%s: an output file name is required", option);
  PetscCall(GSOutputCheckWritable(comm, option, path));
  out->comm = comm;
  PetscCall(PetscStrncpy(out->path, path, sizeof(out->path)));
  PetscCall(PetscSNPrintf(out->partial, sizeof(out->partial), "%s.partial", path));
  PetscCall(RemoveStalePartial(comm, out->partial));
  PetscCall(PetscViewerHDF5Open(comm, out->partial, FILE_MODE_WRITE, &out->viewer));
  PetscCall(PetscViewerHDF5SetCollective(out->viewer, PETSC_TRUE));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOutputClose(GSOutput *out)
{
  PetscMPIInt   rank;
  int           err = 0;
  PetscLogEvent io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&io));
  PetscCall(PetscLogEventBegin(io, 0, 0, 0, 0));
  PetscCall(PetscViewerDestroy(&out->viewer));
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  if (rank == 0 && rename(out->partial, out->path) != 0) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, out->comm));
  PetscCheck(!err, out->comm, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s (%s)", out->partial, out->path, strerror(err));
  PetscCall(PetscLogEventEnd(io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOutputAbandon(GSOutput *out)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (!out->viewer) PetscFunctionReturn(0);
  PetscCall(PetscViewerDestroy(&out->viewer));
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  if (rank == 0) (void)remove(out->partial);
  PetscFunctionReturn(0);
}

static PetscErrorCode GetFile(GSOutput *out, hid_t *file)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5GetFileId(out->viewer, file));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteAttribute(GSOutput *out, const char *obj, const char *name, hid_t type, hid_t space, const void *value)
{
  hid_t file, o, attr;

  PetscFunctionBeginUser;
  PetscCall(GetFile(out, &file));
  o = H5Oopen(file, obj, H5P_DEFAULT);
  GSH5Call(o);
  if (H5Aexists(o, name) > 0) GSH5Call(H5Adelete(o, name));
  attr = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Call(attr);
  GSH5Call(H5Awrite(attr, type, value));
  GSH5Call(H5Aclose(attr));
  GSH5Call(H5Oclose(o));
  PetscFunctionReturn(0);
}

PetscErrorCode GSH5WriteAttributeReal(GSOutput *out, const char *obj, const char *name, PetscReal value)
{
  hid_t  space = H5Screate(H5S_SCALAR);
  double v     = (double)value;

  PetscFunctionBeginUser;
  PetscCall(WriteAttribute(out, obj, name, H5T_NATIVE_DOUBLE, space, &v));
  GSH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

PetscErrorCode GSH5WriteAttributeInt(GSOutput *out, const char *obj, const char *name, PetscInt64 value)
{
  PetscFunctionBeginUser;
  PetscCall(GSH5WriteAttributeInts(out, obj, name, 0, &value));
  PetscFunctionReturn(0);
}

/* n == 0 writes a scalar attribute. */
PetscErrorCode GSH5WriteAttributeInts(GSOutput *out, const char *obj, const char *name, PetscInt n, const PetscInt64 *values)
{
  hsize_t dims  = (hsize_t)n;
  hid_t   space = n ? H5Screate_simple(1, &dims, NULL) : H5Screate(H5S_SCALAR);
  int64_t buf[16];

  PetscFunctionBeginUser;
  PetscCheck(n <= 16, PETSC_COMM_SELF, PETSC_ERR_SUP, "at most 16 values in an attribute");
  for (PetscInt i = 0; i < PetscMax(n, 1); i++) buf[i] = (int64_t)values[i];
  PetscCall(WriteAttribute(out, obj, name, H5T_NATIVE_INT64, space, buf));
  GSH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

PetscErrorCode GSH5WriteAttributeString(GSOutput *out, const char *obj, const char *name, const char *value)
{
  hid_t type  = H5Tcopy(H5T_C_S1);
  hid_t space = H5Screate(H5S_SCALAR);

  PetscFunctionBeginUser;
  GSH5Call(H5Tset_size(type, strlen(value) + 1));
  GSH5Call(H5Tset_strpad(type, H5T_STR_NULLTERM));
  PetscCall(WriteAttribute(out, obj, name, type, space, value));
  GSH5Call(H5Sclose(space));
  GSH5Call(H5Tclose(type));
  PetscFunctionReturn(0);
}

/* Creates every missing group on the way to the last component of path. Collective. */
static PetscErrorCode EnsureParentGroups(hid_t file, const char *path)
{
  char buf[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(buf, path, sizeof(buf)));
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
      hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      GSH5Call(g);
      GSH5Call(H5Gclose(g));
    }
    *p = '/';
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteArray(GSOutput *out, const char *path, hid_t type, int rank_dims, const hsize_t *dims, const void *data)
{
  hid_t         file, space, dset;
  PetscMPIInt   rank;
  PetscLogEvent io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&io));
  PetscCall(PetscLogEventBegin(io, 0, 0, 0, 0));
  PetscCall(GetFile(out, &file));
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  PetscCall(EnsureParentGroups(file, path));
  if (H5Lexists(file, path, H5P_DEFAULT) > 0) GSH5Call(H5Ldelete(file, path, H5P_DEFAULT));
  space = rank_dims ? H5Screate_simple(rank_dims, dims, NULL) : H5Screate(H5S_SCALAR);
  GSH5Call(space);
  dset = H5Dcreate2(file, path, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Call(dset);
  if (rank != 0) GSH5Call(H5Sselect_none(space));
  GSH5Call(H5Dwrite(dset, type, space, space, H5P_DEFAULT, data));
  GSH5Call(H5Dclose(dset));
  GSH5Call(H5Sclose(space));
  PetscCall(PetscLogEventEnd(io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSH5WriteRealArray(GSOutput *out, const char *path, int rank, const hsize_t *dims, const PetscReal *data)
{
  PetscFunctionBeginUser;
  PetscCall(WriteArray(out, path, H5T_NATIVE_DOUBLE, rank, dims, data));
  PetscFunctionReturn(0);
}

PetscErrorCode GSH5WriteIntArray(GSOutput *out, const char *path, int rank, const hsize_t *dims, const PetscInt64 *data)
{
  PetscFunctionBeginUser;
  PetscCall(WriteArray(out, path, H5T_NATIVE_INT64, rank, dims, data));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOutputWriteProvenance(GSOutput *out, const char *subcommand, GSModel m, PetscInt64 seed, const char *ts_type, PetscReal dt)
{
  char       *options, petsc_version[128];
  PetscInt64  grid[2] = {m->ny, m->nx};
  const char *names[GS_NPARAM];
  double      theta[GS_NPARAM];

  PetscFunctionBeginUser;
  GSParamsToArray(&m->params, theta);
  for (int q = 0; q < GS_NPARAM; q++) names[q] = GSParamNames[q];
  PetscCall(GSH5WriteAttributeInt(out, "/", "format_version", GS_FORMAT_VERSION));
  PetscCall(GSH5WriteAttributeString(out, "/", "subcommand", subcommand));
  for (int q = 0; q < GS_NPARAM; q++) PetscCall(GSH5WriteAttributeReal(out, "/", names[q], theta[q]));
  PetscCall(GSH5WriteAttributeReal(out, "/", "h", m->h));
  PetscCall(GSH5WriteAttributeReal(out, "/", "dt", dt));
  PetscCall(GSH5WriteAttributeInts(out, "/", "grid", 2, grid));
  PetscCall(GSH5WriteAttributeInt(out, "/", "seed", seed));
  PetscCall(GSH5WriteAttributeString(out, "/", "ts_type", ts_type));
  PetscCall(PetscOptionsGetAll(NULL, &options));
  PetscCall(GSH5WriteAttributeString(out, "/", "options", options));
  PetscCall(PetscFree(options));
  PetscCall(PetscGetVersion(petsc_version, sizeof(petsc_version)));
  PetscCall(GSH5WriteAttributeString(out, "/", "petsc_version", petsc_version));
  PetscCall(GSH5WriteAttributeString(out, "/", "git_revision", GS_GIT_REVISION));
  PetscCall(GSH5WriteAttributeString(out, "/", "gsinv_version", GS_VERSION));
  PetscFunctionReturn(0);
}
