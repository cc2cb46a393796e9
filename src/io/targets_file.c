/* Reading target files (rank 0, plain HDF5 hyperslabs) and gathering fields for writing them. */
#include <string.h>

#include "gsinv/io.h"
#include "gsinv/targets.h"

/* Rank 0 opens path and /targets/v; the first problem is broadcast and stops every rank. */
static PetscErrorCode OpenTargets(MPI_Comm comm, const char *option, const char *path, hid_t *file, hid_t *dset, hsize_t dims[3])
{
  PetscMPIInt rank;
  char        msg[PETSC_MAX_PATH_LEN + 160] = "";

  PetscFunctionBeginUser;
  *file = *dset = -1;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    *file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (*file < 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s %s: cannot read it as an HDF5 file", option, path));
    else if (H5Lexists(*file, "/targets", H5P_DEFAULT) <= 0 || H5Lexists(*file, "/targets/v", H5P_DEFAULT) <= 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s %s: no /targets/v (make one with gsinv targets)", option, path));
    else {
      hid_t space;
      *dset = H5Dopen2(*file, "/targets/v", H5P_DEFAULT);
      space = H5Dget_space(*dset);
      if (H5Sget_simple_extent_ndims(space) != 3) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s %s: /targets/v must be [N][ny][nx]", option, path));
      else H5Sget_simple_extent_dims(space, dims, NULL);
      H5Sclose(space);
    }
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(dims, 3 * sizeof(hsize_t), MPI_BYTE, 0, comm));
  if (msg[0] && rank == 0) {
    if (*dset >= 0) H5Dclose(*dset);
    if (*file >= 0) H5Fclose(*file);
  }
  PetscCheck(!msg[0], comm, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscFunctionReturn(0);
}

static void ReadIntAttribute(hid_t file, const char *name, PetscInt *value)
{
  hid_t   root = H5Gopen2(file, "/targets", H5P_DEFAULT);
  int64_t v    = -1;

  if (root >= 0 && H5Aexists(root, name) > 0) {
    hid_t attr = H5Aopen(root, name, H5P_DEFAULT);
    H5Aread(attr, H5T_NATIVE_INT64, &v);
    H5Aclose(attr);
  }
  if (root >= 0) H5Gclose(root);
  *value = (PetscInt)v;
}

PetscErrorCode GSTargetsInfo(MPI_Comm comm, const char *option, const char *path, PetscInt *count, PetscInt *seed, PetscInt *sample0)
{
  hid_t       file, dset;
  hsize_t     dims[3] = {0, 0, 0};
  PetscInt    info[2] = {-1, -1};
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(OpenTargets(comm, option, path, &file, &dset, dims));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    ReadIntAttribute(file, "seed", &info[0]);
    ReadIntAttribute(file, "sample0", &info[1]);
    H5Dclose(dset);
    H5Fclose(file);
  }
  PetscCallMPI(MPI_Bcast(info, 2, MPIU_INT, 0, comm));
  *count = (PetscInt)dims[0], *seed = info[0], *sample0 = info[1];
  PetscFunctionReturn(0);
}

PetscErrorCode GSTargetsReadV(GSModel m, const char *option, const char *path, PetscInt index, PetscScalar *v)
{
  hid_t       file, dset;
  hsize_t     dims[3] = {0, 0, 0};
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(OpenTargets(m->comm, option, path, &file, &dset, dims));
  PetscCheck(dims[1] == (hsize_t)m->ny && dims[2] == (hsize_t)m->nx, m->comm, PETSC_ERR_USER_INPUT, "%s %s: targets are %llu x %llu, the grid is %" PetscInt_FMT " x %" PetscInt_FMT " (-da_grid_x, -da_grid_y)", option, path, (unsigned long long)dims[2], (unsigned long long)dims[1], m->nx, m->ny);
  PetscCheck(index >= 0 && (hsize_t)index < dims[0], m->comm, PETSC_ERR_USER_INPUT, "%s %s: no target %" PetscInt_FMT " (it has %llu)", option, path, index, (unsigned long long)dims[0]);
  PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
  if (rank == 0) {
    hsize_t start[3] = {(hsize_t)index, 0, 0}, count[3] = {1, dims[1], dims[2]}, mdims = dims[1] * dims[2];
    hid_t   fspace = H5Dget_space(dset), mspace = H5Screate_simple(1, &mdims, NULL);
    GSH5Call(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL));
    GSH5Call(H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, v));
    H5Sclose(mspace);
    H5Sclose(fspace);
    H5Dclose(dset);
    H5Fclose(file);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelGatherField(GSModel m, Vec X, PetscInt component, PetscScalar *out)
{
  Vec                field, natural, zero;
  VecScatter         scatter;
  const PetscScalar *a;
  PetscMPIInt        rank;

  PetscFunctionBeginUser;
  PetscCall(DMGetGlobalVector(m->da_scalar, &field));
  PetscCall(VecStrideGather(X, component, field, INSERT_VALUES));
  PetscCall(DMDACreateNaturalVector(m->da_scalar, &natural));
  PetscCall(DMDAGlobalToNaturalBegin(m->da_scalar, field, INSERT_VALUES, natural));
  PetscCall(DMDAGlobalToNaturalEnd(m->da_scalar, field, INSERT_VALUES, natural));
  PetscCall(VecScatterCreateToZero(natural, &scatter, &zero));
  PetscCall(VecScatterBegin(scatter, natural, zero, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter, natural, zero, INSERT_VALUES, SCATTER_FORWARD));
  PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
  if (rank == 0) {
    PetscCall(VecGetArrayRead(zero, &a));
    PetscCall(PetscArraycpy(out, a, m->nx * m->ny));
    PetscCall(VecRestoreArrayRead(zero, &a));
  }
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(VecDestroy(&zero));
  PetscCall(VecDestroy(&natural));
  PetscCall(DMRestoreGlobalVector(m->da_scalar, &field));
  PetscFunctionReturn(0);
}

PetscErrorCode GSTargetsTheta(MPI_Comm comm, const char *option, const char *path, double theta[GS_NPARAM])
{
  hid_t       file, dset;
  hsize_t     dims[3];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(OpenTargets(comm, option, path, &file, &dset, dims));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    for (int q = 0; q < GS_NPARAM; q++) {
      theta[q] = NAN;
      if (H5Aexists(file, GSParamNames[q]) > 0) {
        hid_t attr = H5Aopen(file, GSParamNames[q], H5P_DEFAULT);
        H5Aread(attr, H5T_NATIVE_DOUBLE, &theta[q]);
        H5Aclose(attr);
      }
    }
    H5Dclose(dset);
    H5Fclose(file);
  }
  PetscCallMPI(MPI_Bcast(theta, GS_NPARAM, MPI_DOUBLE, 0, comm));
  PetscFunctionReturn(0);
}
