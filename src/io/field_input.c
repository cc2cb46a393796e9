/* Input fields from any HDF5 writer (gsinv, h5py, NumPy, HDF5 tools): plain float datasets checked and read per rank. */
#include <math.h>
#include <string.h>

#include "gsinv/io/field_input.h"

/* "[2][3]" into buf. */
static void FormatDims(int ndims, const hsize_t *dims, char *buf, size_t len)
{
  size_t used = 0;

  buf[0] = 0;
  for (int d = 0; d < ndims && used < len; d++) used += (size_t)snprintf(buf + used, len - used, "[%llu]", (unsigned long long)dims[d]);
}

/* What the type is, in words; "" for floating point. */
static void DescribeNonFloat(hid_t type, char *buf, size_t len)
{
  const H5T_class_t cls  = H5Tget_class(type);
  const size_t      bits = 8 * H5Tget_size(type);

  buf[0] = 0;
  if (cls == H5T_FLOAT) return;
  if (cls == H5T_INTEGER) snprintf(buf, len, "%zu-bit integers", bits);
  else if (cls == H5T_STRING) snprintf(buf, len, "strings");
  else if (cls == H5T_COMPOUND) snprintf(buf, len, "compound records");
  else snprintf(buf, len, "non-numeric data (HDF5 type class %d)", (int)cls);
}

/* Checks one open dataset; a message saying what was found and what is expected, or "". */
static void CheckDataset(hid_t dset, const GSDatasetSpec *spec, hsize_t dims[GS_MAX_DIMS], char *msg, size_t len)
{
  hid_t space = H5Dget_space(dset), type = H5Dget_type(dset);
  int   ndims = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  char  found[96], expected[96], what[64];

  msg[0] = 0;
  memset(dims, 0, GS_MAX_DIMS * sizeof(hsize_t));
  if (ndims >= 0 && ndims <= GS_MAX_DIMS) (void)H5Sget_simple_extent_dims(space, dims, NULL);
  FormatDims(ndims > 0 && ndims <= GS_MAX_DIMS ? ndims : 0, dims, found, sizeof(found));
  expected[0] = 0;
  for (int d = 0; d < spec->ndims; d++)
    if (spec->dims[d]) { /* "= [*][24][32]" when some sizes are known, 0 standing for any */
      expected[0] = '=', expected[1] = ' ';
      FormatDims(spec->ndims, spec->dims, expected + 2, sizeof(expected) - 2);
      for (char *p = expected; (p = strstr(p, "[0]")); p++) memcpy(p, "[*]", 3);
      break;
    }
  DescribeNonFloat(type, what, sizeof(what));
  if (space < 0 || type < 0 || ndims < 0) snprintf(msg, len, "cannot read the dataset's shape or type");
  else if (what[0] && !spec->integer)
    snprintf(msg, len, "holds %s, expected floating point (float64 or float32) %s %s", what, spec->layout, expected);
  else if (spec->integer && H5Tget_class(type) != H5T_INTEGER)
    snprintf(msg, len, "holds %s, expected integers %s", what[0] ? what : "floating point", expected);
  else if (ndims != spec->ndims)
    snprintf(msg, len, "has %d dimension%s %s, expected %d: %s %s", ndims, ndims == 1 ? "" : "s", found, spec->ndims, spec->layout, expected);
  for (int d = 0; d < spec->ndims && !msg[0]; d++) {
    if (!dims[d]) snprintf(msg, len, "is empty %s, expected %s %s", found, spec->layout, expected);
    else if (spec->dims[d] && dims[d] != spec->dims[d]) snprintf(msg, len, "is %s, expected %s %s", found, spec->layout, expected);
    else if (dims[d] < spec->min_dims[d])
      snprintf(msg, len, "is %s, expected %s with at least %llu along dimension %d", found, spec->layout, (unsigned long long)spec->min_dims[d],
               d + 1);
  }
  if (type >= 0) (void)H5Tclose(type);
  if (space >= 0) (void)H5Sclose(space);
}

/* Opens path read-only on this rank; a message if it is not an HDF5 file. */
static hid_t OpenRead(const char *option, const char *path, char *msg, size_t len)
{
  const htri_t is_hdf5 = H5Fis_hdf5(path);
  hid_t        file    = is_hdf5 > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  char         cause[320];

  if (file >= 0) return file;
  if (is_hdf5 == 0) snprintf(msg, len, "%s %s: not an HDF5 file", option, path);
  else {
    GSH5FailureCause(cause, sizeof(cause));
    snprintf(msg, len, "%s %s: cannot open it as an HDF5 file: %s", option, path, cause);
  }
  return file;
}

/* Opens the dataset `name` of file (missing groups are missing datasets); a message otherwise. */
static hid_t OpenDataset(hid_t file, const char *option, const char *path, const GSDatasetSpec *spec, char *msg, size_t len)
{
  char  partial[PETSC_MAX_PATH_LEN];
  hid_t dset;

  (void)PetscStrncpy(partial, spec->name, sizeof(partial));
  for (char *p = partial + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (H5Lexists(file, partial, H5P_DEFAULT) <= 0) break;
    *p = '/';
  }
  dset = H5Lexists(file, partial, H5P_DEFAULT) > 0 && H5Lexists(file, spec->name, H5P_DEFAULT) > 0 ? H5Dopen2(file, spec->name, H5P_DEFAULT) : -1;
  if (dset < 0)
    snprintf(msg, len, "%s %s: no dataset %s (expected %s %s)", option, path, spec->name, spec->integer ? "integers" : "float64 or float32",
             spec->layout);
  return dset;
}

PetscErrorCode GSInputAgree(MPI_Comm comm, const char *msg)
{
  PetscMPIInt rank, size, bad, first;
  char        buf[GS_INPUT_MSG_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  bad = msg[0] ? rank : size;
  PetscCallMPI(MPI_Allreduce(&bad, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) PetscFunctionReturn(0);
  (void)PetscStrncpy(buf, msg, sizeof(buf));
  PetscCallMPI(MPI_Bcast(buf, sizeof(buf), MPI_CHAR, first, comm));
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", buf);
}

PetscErrorCode GSInputInspect(MPI_Comm comm, const char *option, const char *path, PetscInt n, const GSDatasetSpec specs[],
                              hsize_t dims[][GS_MAX_DIMS])
{
  PetscMPIInt rank;
  char        msg[GS_INPUT_MSG_LEN] = "";

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(dims, (size_t)n * sizeof(dims[0])));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    hid_t file = OpenRead(option, path, msg, sizeof(msg));
    for (PetscInt k = 0; k < n && file >= 0 && !msg[0]; k++) {
      hid_t dset = OpenDataset(file, option, path, &specs[k], msg, sizeof(msg));
      char  why[GS_INPUT_MSG_LEN / 2];
      if (dset < 0) break;
      CheckDataset(dset, &specs[k], dims[k], why, sizeof(why));
      if (why[0]) snprintf(msg, sizeof(msg), "%s %s: dataset %s %s", option, path, specs[k].name, why);
      (void)H5Dclose(dset);
    }
    if (file >= 0) (void)H5Fclose(file);
  }
  PetscCall(GSInputAgree(comm, msg));
  PetscCallMPI(MPI_Bcast(dims, (PetscMPIInt)(n * GS_MAX_DIMS * sizeof(hsize_t)), MPI_BYTE, 0, comm));
  PetscFunctionReturn(0);
}

/* This rank's patch [ys, ys + ym) x [xs, xs + xm) of slice `index` (or the whole 2-D dataset, index
   < 0) as doubles (float32 is converted by HDF5); a message if the read fails or a value is not
   finite. */
static void ReadPatch(const GSGrid *grid, const char *option, const char *path, const char *name, PetscInt index, double *patch, char *msg,
                      size_t len)
{
  const int     nd       = index < 0 ? 2 : 3;
  const hsize_t start[3] = {(hsize_t)index, (hsize_t)grid->ys, (hsize_t)grid->xs}, count[3] = {1, (hsize_t)grid->ym, (hsize_t)grid->xm};
  const hsize_t n    = (hsize_t)(grid->xm * grid->ym);
  hid_t         file = OpenRead(option, path, msg, len), dset = -1, fspace = -1, mspace = -1;
  char          cause[320];

  if (file >= 0) dset = H5Dopen2(file, name, H5P_DEFAULT);
  if (dset >= 0) fspace = H5Dget_space(dset);
  if (fspace >= 0) mspace = H5Screate_simple(1, &n, NULL);
  if (file >= 0 && (mspace < 0 || H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start + 3 - nd, NULL, count + 3 - nd, NULL) < 0 ||
                    H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, patch) < 0)) {
    GSH5FailureCauseOf(path, cause, sizeof(cause));
    snprintf(msg, len, "%s %s: cannot read dataset %s: %s", option, path, name, cause);
  }
  for (hsize_t k = 0; k < n && !msg[0]; k++) {
    if (isfinite(patch[k])) continue;
    if (index < 0)
      snprintf(msg, len, "%s %s: dataset %s holds %g at [%llu][%llu], expected finite values", option, path, name, patch[k],
               (unsigned long long)(grid->ys + (PetscInt)(k / (hsize_t)grid->xm)),
               (unsigned long long)(grid->xs + (PetscInt)(k % (hsize_t)grid->xm)));
    else
      snprintf(msg, len, "%s %s: dataset %s holds %g at [%" PetscInt_FMT "][%llu][%llu], expected finite values", option, path, name, patch[k], index,
               (unsigned long long)(grid->ys + (PetscInt)(k / (hsize_t)grid->xm)),
               (unsigned long long)(grid->xs + (PetscInt)(k % (hsize_t)grid->xm)));
  }
  if (mspace >= 0) (void)H5Sclose(mspace);
  if (fspace >= 0) (void)H5Sclose(fspace);
  if (dset >= 0) (void)H5Dclose(dset);
  if (file >= 0) (void)H5Fclose(file);
}

PetscErrorCode GSFieldRead(const GSGrid *grid, const char *option, const char *path, const char *name, PetscInt index, PetscInt component, Vec X)
{
  char         msg[GS_INPUT_MSG_LEN] = "";
  double      *patch;
  PetscScalar *x;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(grid->xm * grid->ym + 1, &patch));
  ReadPatch(grid, option, path, name, index, patch, msg, sizeof(msg));
  PetscCall(GSInputAgree(grid->comm, msg));
  PetscCall(VecGetArray(X, &x));
  for (PetscInt k = 0; k < grid->xm * grid->ym; k++) x[grid->ncomp * k + component] = patch[k];
  PetscCall(VecRestoreArray(X, &x));
  PetscCall(PetscFree(patch));
  PetscFunctionReturn(0);
}

PetscErrorCode GSInputReadInts(MPI_Comm comm, const char *option, const char *path, const char *name, PetscInt n, PetscInt64 *values)
{
  PetscMPIInt rank;
  char        msg[GS_INPUT_MSG_LEN] = "", cause[320];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    hid_t file = OpenRead(option, path, msg, sizeof(msg)), dset = file >= 0 ? H5Dopen2(file, name, H5P_DEFAULT) : -1;
    if (file >= 0 && (dset < 0 || H5Dread(dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)) {
      GSH5FailureCauseOf(path, cause, sizeof(cause));
      snprintf(msg, sizeof(msg), "%s %s: cannot read dataset %s: %s", option, path, name, cause);
    }
    if (dset >= 0) (void)H5Dclose(dset);
    if (file >= 0) (void)H5Fclose(file);
  }
  PetscCall(GSInputAgree(comm, msg));
  PetscCallMPI(MPI_Bcast(values, (PetscMPIInt)n, MPIU_INT64, 0, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSnapshotsInspect(const GSGrid *grid, const char *option, const char *path, PetscInt *nsnap, PetscInt64 **steps)
{
  const GSDatasetSpec specs[3] = {
    {"/snapshots/u", "[T][ny][nx] (T >= 2 snapshots; -da_grid_y, -da_grid_x)", 3, {0, (hsize_t)grid->ny, (hsize_t)grid->nx}, {2, 0, 0}, PETSC_FALSE},
    {"/snapshots/v", "[T][ny][nx] (T >= 2 snapshots; -da_grid_y, -da_grid_x)", 3, {0, (hsize_t)grid->ny, (hsize_t)grid->nx}, {2, 0, 0}, PETSC_FALSE},
    {"/snapshots/step", "[T] (the step number of each snapshot)", 1, {0}, {2}, PETSC_TRUE},
  };
  hsize_t dims[3][GS_MAX_DIMS];

  PetscFunctionBeginUser;
  PetscCall(GSInputInspect(grid->comm, option, path, 3, specs, dims));
  PetscCheck(dims[0][0] == dims[1][0] && dims[1][0] == dims[2][0], grid->comm, PETSC_ERR_USER_INPUT,
             "%s %s: /snapshots/u, /snapshots/v and /snapshots/step hold %llu, %llu and %llu snapshots: expected the same number T", option, path,
             (unsigned long long)dims[0][0], (unsigned long long)dims[1][0], (unsigned long long)dims[2][0]);
  *nsnap = (PetscInt)dims[0][0];
  PetscCall(PetscMalloc1(*nsnap, steps));
  PetscCall(GSInputReadInts(grid->comm, option, path, "/snapshots/step", *nsnap, *steps));
  PetscFunctionReturn(0);
}
