/* Output files: temporary name and rename, provenance attributes, small datasets from rank 0. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gsinv/core/events.h"
#include "gsinv/io/h5file.h"
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
  if (!io) PetscCall(GSLogEventGet(GS_EVENT_IO, &io));
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

/* Outputs open on this rank, so that an error path can close them collectively (an HDF5 file left
   open is flushed at exit, after MPI is gone: a crash or a hang). viewer is NULL once its destroy
   failed: the file is then closed directly. */
typedef struct {
  PetscBool   used;
  MPI_Comm    comm;
  PetscViewer viewer;
  hid_t       file;
  double      planned; /* bytes the file will need so far: what GSOutputReserve was told, and metadata */
  char        partial[PETSC_MAX_PATH_LEN + 16];
} OpenOutput;

static OpenOutput open_outputs[8];

static OpenOutput *Find(const char *partial)
{
  for (size_t i = 0; i < sizeof(open_outputs) / sizeof(open_outputs[0]); i++)
    if (open_outputs[i].used && !strcmp(open_outputs[i].partial, partial)) return &open_outputs[i];
  return NULL;
}

static void Register(const GSOutput *out)
{
  for (size_t i = 0; i < sizeof(open_outputs) / sizeof(open_outputs[0]); i++) {
    OpenOutput *o = &open_outputs[i];
    if (o->used) continue;
    o->used = PETSC_TRUE, o->comm = out->comm, o->viewer = out->viewer, o->planned = 0;
    if (PetscViewerHDF5GetFileId(out->viewer, &o->file)) o->file = -1;
    (void)PetscStrncpy(o->partial, out->partial, sizeof(o->partial));
    return;
  }
}

/* Rank 0 empties the partial file, so that on a full disk HDF5 can still flush its metadata; all
   close the viewer (or the file, if the viewer cannot be destroyed), collectively; rank 0 removes
   the file. */
static void CloseQuietly(OpenOutput *o)
{
  PetscMPIInt rank = 0;
  hid_t       objects[64];
  ssize_t n = o->file >= 0 ? H5Fget_obj_ids(o->file, H5F_OBJ_LOCAL | H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR, 64, objects)
                           : 0;

  for (ssize_t i = 0; i < n; i++) (void)H5Oclose(objects[i]);
  (void)MPI_Comm_rank(o->comm, &rank);
  if (rank == 0 && truncate(o->partial, 0)) { /* nothing to free */
  }
  (void)MPI_Barrier(o->comm);
  if ((!o->viewer || PetscViewerDestroy(&o->viewer)) && o->file >= 0 && H5Iis_valid(o->file) > 0) (void)H5Fclose(o->file);
  if (rank == 0) (void)remove(o->partial);
  o->used = PETSC_FALSE;
}

void GSOutputAbandonAll(void)
{
  for (size_t i = 0; i < sizeof(open_outputs) / sizeof(open_outputs[0]); i++)
    if (open_outputs[i].used) CloseQuietly(&open_outputs[i]);
}

void GSOutputRemovePartials(void)
{
  for (size_t i = 0; i < sizeof(open_outputs) / sizeof(open_outputs[0]); i++)
    if (open_outputs[i].used) (void)remove(open_outputs[i].partial);
}

PetscErrorCode GSOutputOpen(MPI_Comm comm, const char *option, const char *path, GSOutput *out)
{
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(out, sizeof(*out)));
  PetscCheck(path && path[0], comm, PETSC_ERR_USER_INPUT, "%s: an output file name is required", option);
  PetscCall(GSOutputCheckWritable(comm, option, path));
  out->comm = comm;
  PetscCall(PetscStrncpy(out->path, path, sizeof(out->path)));
  PetscCall(PetscSNPrintf(out->partial, sizeof(out->partial), "%s.partial", path));
  PetscCall(RemoveStalePartial(comm, out->partial));
  ierr = PetscViewerHDF5Open(comm, out->partial, FILE_MODE_WRITE, &out->viewer);
  PetscCall(GSAgree(comm, ierr, out->partial, "cannot create it"));
  PetscCall(PetscViewerHDF5SetCollective(out->viewer, PETSC_TRUE));
  Register(out);
  PetscFunctionReturn(0);
}

/* Rank 0 copies path to partial (an error number on failure, 0 on success). */
static int CopyFile(const char *path, const char *partial)
{
  static char buf[1 << 20];
  int         in = open(path, O_RDONLY), out = in < 0 ? -1 : open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0644), err = 0;

  if (in < 0 || out < 0) err = errno;
  while (!err) {
    ssize_t got = read(in, buf, sizeof(buf));
    if (got == 0) break;
    if (got < 0) {
      if (errno != EINTR) err = errno;
      continue;
    }
    for (ssize_t done = 0; !err && done < got;) {
      ssize_t put = write(out, buf + done, (size_t)(got - done));
      if (put >= 0) done += put;
      else if (errno != EINTR) err = errno;
    }
  }
  if (out >= 0 && close(out) && !err) err = errno;
  if (in >= 0) close(in);
  if (err) (void)unlink(partial);
  return err;
}

PetscErrorCode GSOutputOpenToContinue(MPI_Comm comm, const char *option, const char *path, GSOutput *out)
{
  PetscMPIInt    rank;
  int            err = 0;
  struct stat    st;
  double         size = 0;
  PetscErrorCode ierr;
  OpenOutput    *o;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(out, sizeof(*out)));
  PetscCall(GSOutputCheckWritable(comm, option, path));
  out->comm = comm;
  PetscCall(PetscStrncpy(out->path, path, sizeof(out->path)));
  PetscCall(PetscSNPrintf(out->partial, sizeof(out->partial), "%s.partial", path));
  PetscCall(RemoveStalePartial(comm, out->partial));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    err = CopyFile(path, out->partial);
    if (!err && !stat(out->partial, &st)) size = (double)st.st_size;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "%s %s: cannot copy it to %s to continue it: %s", option, path, out->partial,
             err == ENOSPC ? "disk full" : (err == EDQUOT ? "quota exceeded" : strerror(err)));
  PetscCallMPI(MPI_Bcast(&size, 1, MPI_DOUBLE, 0, comm));
  ierr = PetscViewerHDF5Open(comm, out->partial, FILE_MODE_APPEND, &out->viewer);
  PetscCall(GSAgree(comm, ierr, out->partial, "cannot open it to continue it"));
  PetscCall(PetscViewerHDF5SetCollective(out->viewer, PETSC_TRUE));
  Register(out);
  if ((o = Find(out->partial))) o->planned = size;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetFile(GSOutput *out, hid_t *file)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5GetFileId(out->viewer, file));
  PetscFunctionReturn(0);
}

/* Rank 0 allocates disk space for what the file will need once `bytes` more of `object` are written
   (the sizes announced so far, 4 KiB of metadata for each, and 128 KiB for the metadata HDF5 keeps in
   memory until it flushes), so that a full disk stops every rank here, together, and never inside a
   collective HDF5 write or close that one rank would leave (the others would wait for ever). HDF5
   then writes into space the file already owns and truncates the file to its real end on closing. */
PetscErrorCode GSOutputReserve(GSOutput *out, const char *object, double bytes)
{
  const double slack = 131072;
  OpenOutput  *o     = Find(out->partial);
  PetscMPIInt  rank;
  int          err = 0;
  double       need;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  if (o) o->planned += bytes + 4096;
  need = (o ? o->planned : bytes) + slack;
  if (rank == 0) {
    int fd = open(out->partial, O_RDWR); /* glibc's fallback where fallocate is unsupported reads too */
    err    = fd < 0 ? errno : posix_fallocate(fd, 0, (off_t)need);
    if (fd >= 0) close(fd);
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, out->comm));
  PetscCheck(err != ENOSPC, out->comm, PETSC_ERR_FILE_WRITE, "%s: cannot write %s: disk full (the file needs %.3g MB)", out->partial, object,
             need / 1e6);
  PetscCheck(err != EDQUOT, out->comm, PETSC_ERR_FILE_WRITE, "%s: cannot write %s: quota exceeded (the file needs %.3g MB)", out->partial, object,
             need / 1e6);
  PetscCheck(!err || err == EOPNOTSUPP || err == EINVAL || err == ENOSYS, out->comm, PETSC_ERR_FILE_WRITE, "%s: cannot write %s: %s", out->partial,
             object, strerror(err));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOutputAgree(GSOutput *out, PetscErrorCode ierr, const char *object)
{
  char what[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(what, sizeof(what), "cannot write %s", object));
  PetscCall(GSAgree(out->comm, ierr, out->partial, what));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOutputClose(GSOutput *out)
{
  PetscMPIInt    rank;
  int            err = 0;
  PetscLogEvent  io;
  PetscErrorCode ierr;
  OpenOutput    *o = Find(out->partial);

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&io));
  PetscCall(PetscLogEventBegin(io, 0, 0, 0, 0));
  PetscCall(GSOutputReserve(out, "its metadata", 0));
  ierr = PetscViewerDestroy(&out->viewer);
  if (o && ierr) o->viewer = NULL; /* half destroyed: the error path closes the file itself */
  else if (o) o->used = PETSC_FALSE;
  out->viewer = NULL;
  PetscCall(GSAgree(out->comm, ierr, out->partial, "cannot close it"));
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  if (rank == 0 && rename(out->partial, out->path) != 0) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, out->comm));
  PetscCheck(!err, out->comm, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s (%s)", out->partial, out->path, strerror(err));
  PetscCall(PetscLogEventEnd(io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOutputAbandon(GSOutput *out)
{
  OpenOutput *o = Find(out->partial);

  PetscFunctionBeginUser;
  if (o) CloseQuietly(o);
  out->viewer = NULL;
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteAttributeLocal(GSOutput *out, const char *obj, const char *name, hid_t type, hid_t space, const void *value)
{
  hid_t file, o, attr;

  PetscFunctionBeginUser;
  PetscCall(GetFile(out, &file));
  GSH5Check(space, out->partial, name);
  o = H5Oopen(file, obj, H5P_DEFAULT);
  GSH5Check(o, out->partial, obj);
  if (H5Aexists(o, name) > 0) GSH5Check(H5Adelete(o, name), out->partial, name);
  attr = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Check(attr, out->partial, name);
  GSH5Check(H5Awrite(attr, type, value), out->partial, name);
  GSH5Check(H5Aclose(attr), out->partial, name);
  GSH5Check(H5Oclose(o), out->partial, obj);
  PetscFunctionReturn(0);
}

/* Every rank writes the attribute (HDF5 metadata is collective); all fail together. */
static PetscErrorCode WriteAttribute(GSOutput *out, const char *obj, const char *name, hid_t type, hid_t space, const void *value)
{
  char what[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(what, sizeof(what), "attribute %s of %s", name, obj));
  PetscCall(GSOutputAgree(out, WriteAttributeLocal(out, obj, name, type, space, value), what));
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
  GSH5Check(type, out->partial, name);
  GSH5Check(H5Tset_size(type, strlen(value) + 1), out->partial, name);
  GSH5Check(H5Tset_strpad(type, H5T_STR_NULLTERM), out->partial, name);
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
      GSH5Check(g, NULL, buf);
      GSH5Check(H5Gclose(g), NULL, buf);
    }
    *p = '/';
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteArrayLocal(GSOutput *out, const char *path, hid_t type, int rank_dims, const hsize_t *dims, const void *data)
{
  hid_t       file, space, dset;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(GetFile(out, &file));
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  PetscCall(EnsureParentGroups(file, path));
  if (H5Lexists(file, path, H5P_DEFAULT) > 0) GSH5Check(H5Ldelete(file, path, H5P_DEFAULT), out->partial, path);
  space = rank_dims ? H5Screate_simple(rank_dims, dims, NULL) : H5Screate(H5S_SCALAR);
  GSH5Check(space, out->partial, path);
  dset = H5Dcreate2(file, path, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Check(dset, out->partial, path);
  if (rank != 0) GSH5Check(H5Sselect_none(space), out->partial, path);
  GSH5Check(H5Dwrite(dset, type, space, space, H5P_DEFAULT, data), out->partial, path);
  GSH5Check(H5Dclose(dset), out->partial, path);
  GSH5Check(H5Sclose(space), out->partial, path);
  PetscFunctionReturn(0);
}

static double Count(int rank_dims, const hsize_t *dims)
{
  double n = 1;

  for (int d = 0; d < rank_dims; d++) n *= (double)dims[d];
  return n;
}

/* Rank 0 writes the data (the others take part in the collective metadata calls); all fail together. */
static PetscErrorCode WriteArray(GSOutput *out, const char *path, hid_t type, int rank_dims, const hsize_t *dims, const void *data)
{
  PetscLogEvent io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&io));
  PetscCall(PetscLogEventBegin(io, 0, 0, 0, 0));
  PetscCall(GSOutputReserve(out, path, (double)H5Tget_size(type) * Count(rank_dims, dims)));
  PetscCall(GSOutputAgree(out, WriteArrayLocal(out, path, type, rank_dims, dims, data), path));
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

PetscErrorCode GSOutputWriteProvenance(GSOutput *out, const char *subcommand, const GSGrid *grid, const GSParams *params, PetscInt64 seed,
                                       const char *ts_type, PetscReal dt)
{
  char       *options, petsc_version[128];
  PetscInt64  shape[2] = {grid->ny, grid->nx};
  const char *names[GS_NPARAM];
  double      theta[GS_NPARAM];

  PetscFunctionBeginUser;
  GSParamsToArray(params, theta);
  for (int q = 0; q < GS_NPARAM; q++) names[q] = GSParamNames[q];
  PetscCall(GSH5WriteAttributeInt(out, "/", "format_version", GS_FORMAT_VERSION));
  PetscCall(GSH5WriteAttributeString(out, "/", "subcommand", subcommand));
  for (int q = 0; q < GS_NPARAM; q++) PetscCall(GSH5WriteAttributeReal(out, "/", names[q], theta[q]));
  PetscCall(GSH5WriteAttributeReal(out, "/", "h", grid->h));
  PetscCall(GSH5WriteAttributeReal(out, "/", "dt", dt));
  PetscCall(GSH5WriteAttributeInts(out, "/", "grid", 2, shape));
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

PetscErrorCode GSOutputWriteRecipe(GSOutput *out, const GSInitialRecipe *recipe)
{
  PetscFunctionBeginUser;
  PetscCall(GSH5WriteAttributeInt(out, "/", "-gs_sample", recipe->sample));
  PetscCall(GSH5WriteAttributeReal(out, "/", "-gs_init_noise", recipe->noise));
  PetscCall(GSH5WriteAttributeInt(out, "/", "-gs_init_block", recipe->block));
  PetscCall(GSH5WriteAttributeString(out, "/", "-gs_init_sampler", GSNoiseSamplers[recipe->sampler]));
  PetscFunctionReturn(0);
}
