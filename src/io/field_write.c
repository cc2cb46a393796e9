/* One field of a DMDA state written straight from each rank's patch into a [ny][nx] dataset, in row
   pieces, collectively: no natural-order copy and no whole field on any rank. */
#include "gsinv/io/h5file.h"

/* Rows per piece: about 8 MiB of one field. */
static PetscInt PieceRows(const GSGrid *grid)
{
  return PetscMax(1, (PetscInt)(8 * 1048576.0 / (sizeof(double) * PetscMax(grid->xm, 1))));
}

/* Creates group `path` if missing (every rank: metadata is collective). */
static PetscErrorCode EnsureGroup(hid_t file, const char *path)
{
  htri_t exists;
  hid_t  group;

  PetscFunctionBeginUser;
  exists = H5Lexists(file, path, H5P_DEFAULT);
  GSH5Call(exists);
  if (exists) PetscFunctionReturn(0);
  group = H5Gcreate2(file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Call(group);
  GSH5Call(H5Gclose(group));
  PetscFunctionReturn(0);
}

/* Rows [row, row + count) of the owned patch of component c of x into the dataset: a [ny][nx]
   field (ndims 2) or time index t of a [T][ny][nx] series (ndims 3). */
static PetscErrorCode WritePiece(const GSGrid *grid, hid_t dset, hid_t dxpl, int ndims, hsize_t t, const PetscScalar *x, int c, PetscInt row,
                                 PetscInt count, double *buffer)
{
  hsize_t start[3] = {t, (hsize_t)(grid->ys + row), (hsize_t)grid->xs}, size[3] = {1, (hsize_t)count, (hsize_t)grid->xm};
  hid_t   file_space, mem_space;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < count; j++)
    for (PetscInt i = 0; i < grid->xm; i++) buffer[j * grid->xm + i] = x[grid->ncomp * ((row + j) * grid->xm + i) + c];
  file_space = H5Dget_space(dset);
  GSH5Call(file_space);
  mem_space = H5Screate_simple(2, size + 1, NULL);
  GSH5Call(mem_space);
  if (count > 0) GSH5Call(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start + 3 - ndims, NULL, size + 3 - ndims, NULL));
  else {
    GSH5Call(H5Sselect_none(file_space));
    GSH5Call(H5Sselect_none(mem_space));
  }
  GSH5Call(H5Dwrite(dset, H5T_NATIVE_DOUBLE, mem_space, file_space, dxpl, buffer));
  GSH5Call(H5Sclose(mem_space));
  GSH5Call(H5Sclose(file_space));
  PetscFunctionReturn(0);
}

/* Every rank's patch of component c of X into the dataset, collectively, in pieces of about 8 MiB. */
static PetscErrorCode WritePieces(const GSGrid *grid, hid_t dset, int ndims, hsize_t t, Vec X, int c)
{
  const PetscInt     rows   = PieceRows(grid);
  PetscInt           pieces = (grid->ym + rows - 1) / rows, most;
  hid_t              dxpl;
  const PetscScalar *x;
  double            *buffer;

  PetscFunctionBeginUser;
  dxpl = H5Pcreate(H5P_DATASET_XFER);
  GSH5Call(dxpl);
  GSH5Call(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE));
  /* collective: every rank writes as many pieces as the rank with the most */
  PetscCallMPI(MPI_Allreduce(&pieces, &most, 1, MPIU_INT, MPI_MAX, grid->comm));
  PetscCall(PetscMalloc1(PetscMin(rows, grid->ym) * grid->xm + 1, &buffer));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt p = 0; p < most; p++)
    PetscCall(WritePiece(grid, dset, dxpl, ndims, t, x, c, p * rows, PetscMax(0, PetscMin(rows, grid->ym - p * rows)), buffer));
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(PetscFree(buffer));
  GSH5Call(H5Pclose(dxpl));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldWrite(GSOutput *out, const GSGrid *grid, const char *group, const char *name, Vec X, int c)
{
  const hsize_t dims[2] = {(hsize_t)grid->ny, (hsize_t)grid->nx};
  char          path[PETSC_MAX_PATH_LEN];
  hid_t         file, space, dset;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5GetFileId(out->viewer, &file));
  PetscCall(EnsureGroup(file, group));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", group, name));
  space = H5Screate_simple(2, dims, NULL);
  GSH5Call(space);
  /* a file being continued holds the field of the interrupted run: it is replaced */
  if (H5Lexists(file, path, H5P_DEFAULT) > 0) GSH5Call(H5Ldelete(file, path, H5P_DEFAULT));
  dset = H5Dcreate2(file, path, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Call(dset);
  PetscCall(WritePieces(grid, dset, 2, 0, X, c));
  GSH5Call(H5Dclose(dset));
  GSH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

/* A new [1][ny][nx] series that grows along its first axis, in chunks of one step and about 8 MiB,
   marked as PETSc marks its time series ("timestepping" = 1), so PETSc's VecLoad reads it too. */
static PetscErrorCode CreateSeries(hid_t file, const GSGrid *grid, const char *path, hid_t *dset)
{
  const hsize_t dims[3] = {1, (hsize_t)grid->ny, (hsize_t)grid->nx}, most[3] = {H5S_UNLIMITED, dims[1], dims[2]};
  const hsize_t chunk[3] = {1, (hsize_t)PetscMin(grid->ny, PetscMax(1, 1048576 / grid->nx)), dims[2]};
  const int     one      = 1;
  hid_t         space, dcpl, scalar, attr;

  PetscFunctionBeginUser;
  space = H5Screate_simple(3, dims, most);
  GSH5Call(space);
  dcpl = H5Pcreate(H5P_DATASET_CREATE);
  GSH5Call(dcpl);
  GSH5Call(H5Pset_chunk(dcpl, 3, chunk));
  *dset = H5Dcreate2(file, path, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  GSH5Call(*dset);
  scalar = H5Screate(H5S_SCALAR);
  GSH5Call(scalar);
  attr = H5Acreate2(*dset, "timestepping", H5T_STD_I32LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Call(attr);
  GSH5Call(H5Awrite(attr, H5T_NATIVE_INT, &one));
  GSH5Call(H5Aclose(attr));
  GSH5Call(H5Sclose(scalar));
  GSH5Call(H5Pclose(dcpl));
  GSH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldAppend(GSOutput *out, const GSGrid *grid, const char *group, const char *name, PetscInt t, Vec X, int c)
{
  const hsize_t dims[3] = {(hsize_t)t + 1, (hsize_t)grid->ny, (hsize_t)grid->nx};
  char          path[PETSC_MAX_PATH_LEN];
  hid_t         file, dset = H5I_INVALID_HID;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5GetFileId(out->viewer, &file));
  PetscCall(EnsureGroup(file, group));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", group, name));
  if (t == 0) PetscCall(CreateSeries(file, grid, path, &dset));
  else {
    dset = H5Dopen2(file, path, H5P_DEFAULT);
    GSH5Call(dset);
    GSH5Call(H5Dset_extent(dset, dims));
  }
  PetscCall(WritePieces(grid, dset, 3, (hsize_t)t, X, c));
  GSH5Call(H5Dclose(dset));
  PetscFunctionReturn(0);
}
