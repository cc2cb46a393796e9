/* The input file of gsinv residual: attributes, dataset grid, and the options the model takes from it. */
#include "gsinv/io/field_input.h"
#include "gsinv/core/options.h"
#include "gsinv/io/residual_input.h"

herr_t GSH5ReadAttributeString(hid_t obj, const char *name, char *buf, size_t len)
{
  hid_t  attr = H5Aopen(obj, name, H5P_DEFAULT), file_type = attr < 0 ? -1 : H5Aget_type(attr), type = H5Tcopy(H5T_C_S1);
  herr_t status = file_type < 0 ? -1 : 0;

  buf[0] = 0;
  if (status >= 0) H5Tset_cset(type, H5Tget_cset(file_type));
  if (status >= 0 && H5Tis_variable_str(file_type) > 0) {
    char *value = NULL;
    H5Tset_size(type, H5T_VARIABLE);
    status = H5Aread(attr, type, &value);
    if (status >= 0 && value) (void)PetscStrncpy(buf, value, len);
    if (value) H5free_memory(value);
  } else if (status >= 0) {
    H5Tset_size(type, len);
    status = H5Aread(attr, type, buf);
  }
  buf[len - 1] = 0;
  H5Tclose(type);
  if (file_type >= 0) H5Tclose(file_type);
  if (attr >= 0) H5Aclose(attr);
  return status;
}

static herr_t ReadAttributeReal(hid_t file, const char *name, double *value, PetscBool *found)
{
  hid_t  attr;
  herr_t status;

  *found = PETSC_FALSE;
  if (H5Aexists(file, name) <= 0) return 0;
  attr   = H5Aopen(file, name, H5P_DEFAULT);
  status = attr < 0 ? -1 : H5Aread(attr, H5T_NATIVE_DOUBLE, value);
  if (attr >= 0) H5Aclose(attr);
  *found = (PetscBool)(status >= 0);
  return status;
}

/* Rank 0: h, dt, the truth, ts_type (attributes that may be absent); or a message saying what is wrong. */
static void InspectInput(const char *option, const char *path, GSResidualInput *info, char *msg, size_t len)
{
  hid_t     file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  PetscBool found;
  int       ntruth = 0;

  if (file < 0) {
    (void)PetscSNPrintf(msg, len, "%s %s: cannot read it as an HDF5 file", option, path);
    return;
  }
  (void)ReadAttributeReal(file, "h", &info->h, &info->has_h);
  (void)ReadAttributeReal(file, "dt", &info->dt, &info->has_dt);
  for (int q = 0; q < GS_NPARAM; q++) {
    (void)ReadAttributeReal(file, GSParamNames[q], &info->truth[q], &found);
    ntruth += found;
  }
  info->has_truth = (PetscBool)(ntruth == GS_NPARAM);
  (void)PetscStrncpy(info->ts_type, "unknown", sizeof(info->ts_type));
  if (H5Aexists(file, "ts_type") > 0 && GSH5ReadAttributeString(file, "ts_type", info->ts_type, sizeof(info->ts_type)) < 0)
    (void)PetscStrncpy(info->ts_type, "unknown", sizeof(info->ts_type));
  H5Fclose(file);
}

/* Checks a user-given option against the file's value, or gives the option the file's value. */
static PetscErrorCode AgreeIntOption(MPI_Comm comm, const char *name, PetscInt from_file, const char *option, const char *path)
{
  PetscInt  value;
  PetscBool set;
  char      text[32];

  PetscFunctionBeginUser;
  PetscCall(GSOptionsCheckInt(comm, name, 1, PETSC_MAX_INT));
  PetscCall(PetscOptionsGetInt(NULL, NULL, name, &value, &set));
  PetscCheck(!set || value == from_file, comm, PETSC_ERR_USER_INPUT,
             "%s %" PetscInt_FMT " disagrees with %s %s, whose grid has %" PetscInt_FMT " (omit %s: the grid comes from the file)", name, value,
             option, path, from_file, name);
  PetscCall(PetscSNPrintf(text, sizeof(text), "%" PetscInt_FMT, from_file));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, name, text));
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualInputPrepare(MPI_Comm comm, const char *option, const char *path, GSResidualForm form, GSResidualInput *info)
{
  struct {
    GSResidualInput info;
    char            msg[PETSC_MAX_PATH_LEN + 256];
  } inspected;
  PetscMPIInt         rank;
  PetscBool           h_set;
  char                text[64];
  const GSDatasetSpec steady    = {"/state/u", "[ny][nx] (written by gsinv simulate)", 2, {0}, {0}, PETSC_FALSE};
  const GSDatasetSpec transient = {"/snapshots/v", "[T][ny][nx] (written by gsinv simulate -gs_snapshot_every 1)", 3, {0}, {2, 0, 0}, PETSC_FALSE};
  hsize_t             dims[1][GS_MAX_DIMS];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&inspected, sizeof(inspected)));
  PetscCall(GSInputInspect(comm, option, path, 1, form == GS_RESIDUAL_FORM_STEADY ? &steady : &transient, dims));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) InspectInput(option, path, &inspected.info, inspected.msg, sizeof(inspected.msg));
  PetscCallMPI(MPI_Bcast(&inspected, (PetscMPIInt)sizeof(inspected), MPI_BYTE, 0, comm));
  PetscCheck(!inspected.msg[0], comm, PETSC_ERR_USER_INPUT, "%s", inspected.msg);
  *info    = inspected.info;
  info->ny = (PetscInt)dims[0][form == GS_RESIDUAL_FORM_STEADY ? 0 : 1];
  info->nx = (PetscInt)dims[0][form == GS_RESIDUAL_FORM_STEADY ? 1 : 2];
  PetscCall(AgreeIntOption(comm, "-da_grid_x", info->nx, option, path));
  PetscCall(AgreeIntOption(comm, "-da_grid_y", info->ny, option, path));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-gs_h", &h_set));
  if (!h_set && info->has_h) {
    PetscCall(PetscSNPrintf(text, sizeof(text), "%.17g", info->h));
    PetscCall(PetscOptionsSetValue(NULL, "-gs_h", text));
  }
  PetscCheck(form == GS_RESIDUAL_FORM_STEADY || (info->has_dt && info->dt > 0), comm, PETSC_ERR_USER_INPUT,
             "%s %s: the transient form needs the positive root attribute 'dt' of the scheme that wrote the snapshots", option, path);
  PetscFunctionReturn(0);
}
