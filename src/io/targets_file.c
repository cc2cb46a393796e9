/* Reading target files (rank 0, plain HDF5 hyperslabs) and gathering fields for writing them. */
#include <math.h>
#include <string.h>

#include "gsinv/io/field_input.h"
#include "gsinv/io/residual_input.h"
#include "gsinv/io/settings.h"
#include "gsinv/io/targets_file.h"

/* Checks /targets/v of path: floats [N][ny][nx] with N, ny, nx > 0 (0: any size). Collective. */
static PetscErrorCode InspectTargets(MPI_Comm comm, const char *option, const char *path, PetscInt nx, PetscInt ny, hsize_t dims[GS_MAX_DIMS])
{
  const GSDatasetSpec spec = {"/targets/v", "[N][ny][nx] (N targets; -da_grid_y, -da_grid_x)", 3, {0, (hsize_t)ny, (hsize_t)nx}, {1, 1, 1},
                              PETSC_FALSE};
  hsize_t             found[1][GS_MAX_DIMS];

  PetscFunctionBeginUser;
  PetscCall(GSInputInspect(comm, option, path, 1, &spec, found));
  PetscCall(PetscArraycpy(dims, found[0], GS_MAX_DIMS));
  PetscFunctionReturn(0);
}

/* Rank 0: a root or /targets attribute as int64 or double; *found false when absent or unreadable. */
static void ReadAttribute(hid_t file, const char *obj, const char *name, hid_t type, void *value, PetscBool *found)
{
  hid_t o    = H5Lexists(file, obj, H5P_DEFAULT) > 0 || !strcmp(obj, "/") ? H5Oopen(file, obj, H5P_DEFAULT) : -1;
  hid_t attr = o >= 0 && H5Aexists(o, name) > 0 ? H5Aopen(o, name, H5P_DEFAULT) : -1;

  *found = (PetscBool)(attr >= 0 && H5Aread(attr, type, value) >= 0);
  if (attr >= 0) (void)H5Aclose(attr);
  if (o >= 0) (void)H5Oclose(o);
}

PetscErrorCode GSTargetsInfo(MPI_Comm comm, const char *option, const char *path, PetscInt *count, PetscInt *seed, PetscInt *sample0)
{
  hsize_t     dims[GS_MAX_DIMS] = {0, 0, 0};
  PetscInt    info[2]           = {-1, -1};
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(InspectTargets(comm, option, path, 0, 0, dims));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    hid_t     file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int64_t   v[2] = {-1, -1};
    PetscBool found;
    if (file >= 0) {
      ReadAttribute(file, "/targets", "seed", H5T_NATIVE_INT64, &v[0], &found);
      ReadAttribute(file, "/targets", "sample0", H5T_NATIVE_INT64, &v[1], &found);
      (void)H5Fclose(file);
    }
    info[0] = (PetscInt)v[0], info[1] = (PetscInt)v[1];
  }
  PetscCallMPI(MPI_Bcast(info, 2, MPIU_INT, 0, comm));
  *count = (PetscInt)dims[0], *seed = info[0], *sample0 = info[1];
  PetscFunctionReturn(0);
}

/* Rank 0: target `index` into v (natural order); a message if the read fails or a value is not finite. */
static void ReadTarget(const char *option, const char *path, const hsize_t dims[3], PetscInt index, PetscScalar *v, char *msg, size_t len)
{
  const hsize_t start[3] = {(hsize_t)index, 0, 0}, count[3] = {1, dims[1], dims[2]}, n = dims[1] * dims[2];
  hid_t         file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), dset = -1, fspace = -1, mspace = -1;
  char          cause[320];

  if (file >= 0) dset = H5Dopen2(file, "/targets/v", H5P_DEFAULT);
  if (dset >= 0) fspace = H5Dget_space(dset);
  if (fspace >= 0) mspace = H5Screate_simple(1, &n, NULL);
  if (mspace < 0 || H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
      H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, v) < 0) {
    GSH5FailureCauseOf(path, cause, sizeof(cause));
    (void)PetscSNPrintf(msg, len, "%s %s: cannot read target %" PetscInt_FMT " of dataset /targets/v: %s", option, path, index, cause);
  }
  for (hsize_t k = 0; k < n && !msg[0]; k++)
    if (!isfinite((double)v[k]))
      (void)PetscSNPrintf(msg, len, "%s %s: dataset /targets/v holds %g at [%" PetscInt_FMT "][%llu][%llu], expected finite values", option, path,
                          (double)v[k], index, (unsigned long long)(k / dims[2]), (unsigned long long)(k % dims[2]));
  if (mspace >= 0) (void)H5Sclose(mspace);
  if (fspace >= 0) (void)H5Sclose(fspace);
  if (dset >= 0) (void)H5Dclose(dset);
  if (file >= 0) (void)H5Fclose(file);
}

PetscErrorCode GSTargetsReadV(const GSGrid *grid, const char *option, const char *path, PetscInt index, PetscScalar *v)
{
  hsize_t     dims[GS_MAX_DIMS] = {0, 0, 0};
  PetscMPIInt rank;
  char        msg[GS_INPUT_MSG_LEN] = "";

  PetscFunctionBeginUser;
  PetscCall(InspectTargets(grid->comm, option, path, grid->nx, grid->ny, dims));
  PetscCheck(index >= 0 && (hsize_t)index < dims[0], grid->comm, PETSC_ERR_USER_INPUT, "%s %s: no target %" PetscInt_FMT " (it has %llu)", option,
             path, index, (unsigned long long)dims[0]);
  PetscCallMPI(MPI_Comm_rank(grid->comm, &rank));
  if (rank == 0) ReadTarget(option, path, dims, index, v, msg, sizeof(msg));
  PetscCall(GSInputAgree(grid->comm, msg));
  PetscFunctionReturn(0);
}

PetscErrorCode GSTargetsTheta(MPI_Comm comm, const char *option, const char *path, double theta[GS_NPARAM])
{
  hsize_t     dims[GS_MAX_DIMS] = {0, 0, 0};
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(InspectTargets(comm, option, path, 0, 0, dims));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    for (int q = 0; q < GS_NPARAM; q++) {
      PetscBool found = PETSC_FALSE;
      if (file >= 0) ReadAttribute(file, "/", GSParamNames[q], H5T_NATIVE_DOUBLE, &theta[q], &found);
      if (!found) theta[q] = NAN;
    }
    if (file >= 0) (void)H5Fclose(file);
  }
  PetscCallMPI(MPI_Bcast(theta, GS_NPARAM, MPI_DOUBLE, 0, comm));
  PetscFunctionReturn(0);
}

/* Rank 0: the first recipe setting the file records and recipe does not share, as a message. A file
   that records the noise but no sampler was made before -gs_init_sampler existed: Box-Muller. */
static void CompareRecipe(const char *option, const char *path, const GSInitialRecipe *recipe, char *msg, size_t len)
{
  hid_t     file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  double    noise;
  int64_t   block;
  char      sampler[32] = "";
  PetscBool has_noise = PETSC_FALSE, has_block = PETSC_FALSE;

  if (file < 0) return; /* InspectTargets has opened it: cannot happen but for a race */
  ReadAttribute(file, "/", "-gs_init_noise", H5T_NATIVE_DOUBLE, &noise, &has_noise);
  ReadAttribute(file, "/", "-gs_init_block", H5T_NATIVE_INT64, &block, &has_block);
  if (H5Aexists(file, "-gs_init_sampler") > 0) (void)GSH5ReadAttributeString(file, "-gs_init_sampler", sampler, sizeof(sampler));
  else if (has_noise) (void)PetscStrncpy(sampler, GSSettingsEarlierValue("-gs_init_sampler"), sizeof(sampler));
  (void)H5Fclose(file);
  if (has_noise && noise != recipe->noise)
    (void)PetscSNPrintf(msg, len, "%s %s was made with -gs_init_noise %g, this run has %g", option, path, noise, recipe->noise);
  else if (has_block && block != recipe->block)
    (void)PetscSNPrintf(msg, len, "%s %s was made with -gs_init_block %lld, this run has %d", option, path, (long long)block, recipe->block);
  else if (sampler[0] && strcmp(sampler, GSNoiseSamplers[recipe->sampler]))
    (void)PetscSNPrintf(msg, len, "%s %s was made with -gs_init_sampler %s, this run has %s", option, path, sampler,
                        GSNoiseSamplers[recipe->sampler]);
}

PetscErrorCode GSTargetsCheckRecipe(MPI_Comm comm, const char *option, const char *path, const GSInitialRecipe *recipe, const char *why)
{
  PetscMPIInt rank;
  char        msg[GS_INPUT_MSG_LEN] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) CompareRecipe(option, path, recipe, msg, sizeof(msg));
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, comm));
  PetscCheck(!msg[0], comm, PETSC_ERR_USER_INPUT, "%s: %s", msg, why);
  PetscFunctionReturn(0);
}
