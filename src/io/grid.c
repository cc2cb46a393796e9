/* GSGrid, and one field moved between the patches and rank 0 in natural order (for the losses and
   target files, which work on the whole field there). */
#include <string.h>

#include "gsinv/io/grid.h"

GSGrid GSGridMake(MPI_Comm comm, PetscInt ncomp, PetscInt nx, PetscInt ny, PetscInt xs, PetscInt ys, PetscInt xm, PetscInt ym, PetscReal h)
{
  GSGrid grid = {comm, ncomp, nx, ny, xs, ys, xm, ym, h};
  return grid;
}

/* patch[j][i] := component c of this rank's cells (gather), or the reverse. */
static void CopyPatch(const GSGrid *grid, PetscScalar *x, PetscInt c, PetscScalar *patch, PetscBool to_patch)
{
  const PetscInt n = grid->xm * grid->ym;

  for (PetscInt k = 0; k < n; k++) {
    if (to_patch) patch[k] = x[grid->ncomp * k + c];
    else x[grid->ncomp * k + c] = patch[k];
  }
}

/* The place of rank r's patch in a natural-order [ny][nx] array: an MPI subarray type. */
static PetscErrorCode PatchType(const GSGrid *grid, const PetscInt corners[4], MPI_Datatype *type)
{
  const int sizes[2] = {(int)grid->ny, (int)grid->nx}, sub[2] = {(int)corners[3], (int)corners[2]}, start[2] = {(int)corners[1], (int)corners[0]};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Type_create_subarray(2, sizes, sub, start, MPI_ORDER_C, MPIU_SCALAR, type));
  PetscCallMPI(MPI_Type_commit(type));
  PetscFunctionReturn(0);
}

/* Rank 0's own patch between `whole` and `patch`. */
static void OwnPatch(const GSGrid *grid, PetscScalar *whole, PetscScalar *patch, PetscBool gather)
{
  for (PetscInt j = 0; j < grid->ym; j++) {
    PetscScalar *row = whole + (size_t)(grid->ys + j) * grid->nx + grid->xs, *packed = patch + (size_t)j * grid->xm;
    if (gather) memcpy(row, packed, sizeof(PetscScalar) * (size_t)grid->xm);
    else memcpy(packed, row, sizeof(PetscScalar) * (size_t)grid->xm);
  }
}

/* Rank 0 receives (gather) or sends (scatter) every other rank's patch in place in `whole`; the
   other ranks send or receive their packed patch. */
static PetscErrorCode ExchangePatches(const GSGrid *grid, PetscScalar *whole, PetscScalar *patch, PetscBool gather)
{
  const PetscInt mine[4] = {grid->xs, grid->ys, grid->xm, grid->ym};
  PetscMPIInt    rank, size, tag = 1729;
  PetscInt      *corners = NULL;
  MPI_Request   *requests;
  MPI_Datatype  *types;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(grid->comm, &rank));
  PetscCallMPI(MPI_Comm_size(grid->comm, &size));
  if (rank == 0) PetscCall(PetscMalloc1(4 * size, &corners));
  PetscCallMPI(MPI_Gather(mine, 4, MPIU_INT, corners, 4, MPIU_INT, 0, grid->comm));
  if (rank != 0) {
    const PetscMPIInt n = (PetscMPIInt)(grid->xm * grid->ym);
    if (gather) PetscCallMPI(MPI_Send(patch, n, MPIU_SCALAR, 0, tag, grid->comm));
    else PetscCallMPI(MPI_Recv(patch, n, MPIU_SCALAR, 0, tag, grid->comm, MPI_STATUS_IGNORE));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc2(size, &requests, size, &types));
  for (PetscMPIInt r = 0; r < size; r++) {
    PetscCall(PatchType(grid, corners + 4 * r, &types[r]));
    if (r == 0) {
      requests[0] = MPI_REQUEST_NULL;
      OwnPatch(grid, whole, patch, gather);
    } else if (gather) PetscCallMPI(MPI_Irecv(whole, 1, types[r], r, tag, grid->comm, &requests[r]));
    else PetscCallMPI(MPI_Isend(whole, 1, types[r], r, tag, grid->comm, &requests[r]));
  }
  PetscCallMPI(MPI_Waitall(size, requests, MPI_STATUSES_IGNORE));
  for (PetscMPIInt r = 0; r < size; r++) PetscCallMPI(MPI_Type_free(&types[r]));
  PetscCall(PetscFree2(requests, types));
  PetscCall(PetscFree(corners));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldGather(const GSGrid *grid, Vec X, PetscInt component, PetscScalar *out)
{
  PetscScalar *patch, *x;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(grid->xm * grid->ym, &patch));
  PetscCall(VecGetArrayRead(X, (const PetscScalar **)&x));
  CopyPatch(grid, x, component, patch, PETSC_TRUE);
  PetscCall(VecRestoreArrayRead(X, (const PetscScalar **)&x));
  PetscCall(ExchangePatches(grid, out, patch, PETSC_TRUE));
  PetscCall(PetscFree(patch));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldScatter(const GSGrid *grid, const PetscScalar *in, PetscInt component, Vec X)
{
  PetscScalar *patch, *x;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(grid->xm * grid->ym, &patch));
  PetscCall(ExchangePatches(grid, (PetscScalar *)in, patch, PETSC_FALSE));
  PetscCall(VecGetArray(X, &x));
  CopyPatch(grid, x, component, patch, PETSC_FALSE);
  PetscCall(VecRestoreArray(X, &x));
  PetscCall(PetscFree(patch));
  PetscFunctionReturn(0);
}
