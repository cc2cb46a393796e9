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

/* Rows [row, row + count) of the owned patch of component c of x into the dataset. */
static PetscErrorCode WritePiece(const GSGrid *grid, hid_t dset, hid_t dxpl, const PetscScalar *x, int c, PetscInt row, PetscInt count,
                                 double *buffer)
{
  hsize_t start[2] = {(hsize_t)(grid->ys + row), (hsize_t)grid->xs}, size[2] = {(hsize_t)count, (hsize_t)grid->xm};
  hid_t   file_space, mem_space;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < count; j++)
    for (PetscInt i = 0; i < grid->xm; i++) buffer[j * grid->xm + i] = x[grid->ncomp * ((row + j) * grid->xm + i) + c];
  file_space = H5Dget_space(dset);
  GSH5Call(file_space);
  mem_space = H5Screate_simple(2, size, NULL);
  GSH5Call(mem_space);
  if (count > 0) GSH5Call(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, size, NULL));
  else {
    GSH5Call(H5Sselect_none(file_space));
    GSH5Call(H5Sselect_none(mem_space));
  }
  GSH5Call(H5Dwrite(dset, H5T_NATIVE_DOUBLE, mem_space, file_space, dxpl, buffer));
  GSH5Call(H5Sclose(mem_space));
  GSH5Call(H5Sclose(file_space));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldWrite(GSOutput *out, const GSGrid *grid, const char *group, const char *name, Vec X, int c)
{
  const PetscInt     rows    = PieceRows(grid);
  const hsize_t      dims[2] = {(hsize_t)grid->ny, (hsize_t)grid->nx};
  PetscInt           pieces  = (grid->ym + rows - 1) / rows, most;
  char               path[PETSC_MAX_PATH_LEN];
  hid_t              file, space, dset, dxpl;
  const PetscScalar *x;
  double            *buffer;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5GetFileId(out->viewer, &file));
  PetscCall(EnsureGroup(file, group));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", group, name));
  space = H5Screate_simple(2, dims, NULL);
  GSH5Call(space);
  dset = H5Dcreate2(file, path, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  GSH5Call(dset);
  dxpl = H5Pcreate(H5P_DATASET_XFER);
  GSH5Call(dxpl);
  GSH5Call(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE));
  /* collective: every rank writes as many pieces as the rank with the most */
  PetscCallMPI(MPI_Allreduce(&pieces, &most, 1, MPIU_INT, MPI_MAX, grid->comm));
  PetscCall(PetscMalloc1(PetscMin(rows, grid->ym) * grid->xm + 1, &buffer));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt p = 0; p < most; p++)
    PetscCall(WritePiece(grid, dset, dxpl, x, c, p * rows, PetscMax(0, PetscMin(rows, grid->ym - p * rows)), buffer));
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(PetscFree(buffer));
  GSH5Call(H5Pclose(dxpl));
  GSH5Call(H5Dclose(dset));
  GSH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}
