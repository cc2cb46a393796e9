/* Fields in HDF5: /state/{u,v} [ny][nx] in natural order, snapshots as a [T][ny][nx] series. */
#include <string.h>

#include "gsinv/io.h"

/* Splits X into its two fields as vectors of the scalar DMDA named "u" and "v". */
static PetscErrorCode SplitFields(GSModel m, Vec X, Vec fields[2])
{
  static const char *names[2] = {"u", "v"};

  PetscFunctionBeginUser;
  for (int c = 0; c < 2; c++) {
    PetscCall(DMGetGlobalVector(m->da_scalar, &fields[c]));
    PetscCall(PetscObjectSetName((PetscObject)fields[c], names[c]));
    PetscCall(VecStrideGather(X, c, fields[c], INSERT_VALUES));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode RestoreFields(GSModel m, Vec fields[2])
{
  PetscFunctionBeginUser;
  for (int c = 0; c < 2; c++) PetscCall(DMRestoreGlobalVector(m->da_scalar, &fields[c]));
  PetscFunctionReturn(0);
}

/* The ranks agree after each collective write: a rank that failed in one must not leave the
   others waiting in the next. */
static PetscErrorCode ViewFields(GSOutput *out, const char *group, Vec fields[2])
{
  char object[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5PushGroup(out->viewer, group));
  for (int c = 0; c < 2; c++) {
    PetscInt n;
    PetscCall(PetscSNPrintf(object, sizeof(object), "%s/%s", group, c ? "v" : "u"));
    PetscCall(VecGetSize(fields[c], &n));
    PetscCall(GSOutputReserve(out, object, 8.0 * (double)n));
    PetscCall(GSOutputAgree(out, VecView(fields[c], out->viewer), object));
  }
  PetscCall(PetscViewerHDF5PopGroup(out->viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode GSStateWrite(GSOutput *out, GSModel m, const char *group, Vec X)
{
  Vec           fields[2];
  PetscLogEvent io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&io));
  PetscCall(PetscLogEventBegin(io, 0, 0, 0, 0));
  PetscCall(SplitFields(m, X, fields));
  PetscCall(ViewFields(out, group, fields));
  PetscCall(RestoreFields(m, fields));
  PetscCall(PetscLogEventEnd(io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Rank 0 checks that path holds 2-D datasets /state/u and /state/v of shape [ny][nx]; the message
   of the first failure is broadcast so that every rank stops with it. */
static PetscErrorCode CheckStateFile(GSModel m, const char *option, const char *path)
{
  PetscMPIInt rank;
  char        msg[PETSC_MAX_PATH_LEN + 256] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
  if (rank == 0) {
    hid_t file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (file < 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s %s: cannot read it as an HDF5 file", option, path));
    for (int c = 0; c < 2 && file >= 0 && !msg[0]; c++) {
      const char *name = c ? "/state/v" : "/state/u";
      hsize_t     dims[3] = {0, 0, 0};
      hid_t       dset    = H5Lexists(file, "/state", H5P_DEFAULT) > 0 && H5Lexists(file, name, H5P_DEFAULT) > 0 ? H5Dopen2(file, name, H5P_DEFAULT) : -1;
      if (dset < 0) {
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s %s: no dataset %s", option, path, name));
        break;
      }
      hid_t space = H5Dget_space(dset);
      int   ndims = H5Sget_simple_extent_ndims(space);
      if (ndims >= 1 && ndims <= 3) H5Sget_simple_extent_dims(space, dims, NULL);
      if (ndims != 2 || dims[0] != (hsize_t)m->ny || dims[1] != (hsize_t)m->nx)
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s %s: %s has %d dimensions [%llu][%llu]..., expected [%" PetscInt_FMT "][%" PetscInt_FMT "] (-da_grid_y, -da_grid_x)", option, path, name, ndims, (unsigned long long)dims[0], (unsigned long long)dims[1], m->ny, m->nx));
      H5Sclose(space);
      H5Dclose(dset);
    }
    if (file >= 0) H5Fclose(file);
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, m->comm));
  PetscCheck(!msg[0], m->comm, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscFunctionReturn(0);
}

PetscErrorCode GSStateRead(GSModel m, const char *option, const char *path, Vec X)
{
  PetscViewer viewer;
  Vec         fields[2];

  PetscFunctionBeginUser;
  PetscCall(CheckStateFile(m, option, path));
  PetscCall(PetscViewerHDF5Open(m->comm, path, FILE_MODE_READ, &viewer));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/state"));
  PetscCall(SplitFields(m, X, fields));
  for (int c = 0; c < 2; c++) {
    PetscCall(VecLoad(fields[c], viewer));
    PetscCall(VecStrideScatter(fields[c], c, X, INSERT_VALUES));
  }
  PetscCall(RestoreFields(m, fields));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode ViewSnapshot(GSSnapshots *snaps, Vec fields[2])
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5PushTimestepping(snaps->out->viewer));
  PetscCall(PetscViewerHDF5SetTimestep(snaps->out->viewer, snaps->count));
  PetscCall(ViewFields(snaps->out, "/snapshots", fields));
  PetscCall(PetscViewerHDF5PopTimestepping(snaps->out->viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSnapshotsAppend(GSSnapshots *snaps, PetscInt step, Vec X)
{
  Vec fields[2];

  PetscFunctionBeginUser;
  if (snaps->count == snaps->capacity) {
    PetscInt64 *grown;
    snaps->capacity = PetscMax(64, 2 * snaps->capacity);
    PetscCall(PetscMalloc1(snaps->capacity, &grown));
    if (snaps->count) PetscCall(PetscArraycpy(grown, snaps->steps, snaps->count));
    PetscCall(PetscFree(snaps->steps));
    snaps->steps = grown;
  }
  PetscCall(SplitFields(snaps->model, X, fields));
  PetscCall(ViewSnapshot(snaps, fields));
  PetscCall(RestoreFields(snaps->model, fields));
  snaps->steps[snaps->count++] = step;
  PetscFunctionReturn(0);
}

PetscErrorCode GSSnapshotsWriteSteps(GSSnapshots *snaps)
{
  hsize_t n = (hsize_t)snaps->count;

  PetscFunctionBeginUser;
  if (snaps->count) PetscCall(GSH5WriteIntArray(snaps->out, "/snapshots/step", 1, &n, snaps->steps));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSnapshotsDestroy(GSSnapshots *snaps)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(snaps->steps));
  snaps->count = snaps->capacity = 0;
  PetscFunctionReturn(0);
}
