/* The process grid and the patch ranges of a periodic 2-D grid, made without a DMDA. */
#include <math.h>

#include "gsinv/model/decomposition.h"

/* The process grid for `size` ranks when neither side is given: the column count nearest to
   sqrt(nx size / ny) that divides size (counting down), with the longer side of the grid split
   into more patches. */
static void SquareProcessGrid(PetscInt nx, PetscInt ny, PetscMPIInt size, PetscMPIInt *px, PetscMPIInt *py)
{
  PetscMPIInt m = (PetscMPIInt)(0.5 + sqrt((double)nx * (double)size / (double)ny)), n = size;

  if (m < 1) m = 1;
  for (; m > 0; m--) {
    n = size / m;
    if (m * n == size) break;
  }
  if (nx > ny && m < n) {
    const PetscMPIInt t = m;
    m                   = n;
    n                   = t;
  }
  *px = m;
  *py = n;
}

/* Widths of `parts` consecutive ranges over `cells` cells: the first cells % parts get one more. */
static PetscErrorCode SplitRange(PetscInt cells, PetscMPIInt parts, PetscInt **widths)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(parts, widths));
  for (PetscMPIInt i = 0; i < parts; i++) (*widths)[i] = cells / parts + (cells % parts > i);
  PetscFunctionReturn(0);
}

static PetscErrorCode ChooseProcessGrid(MPI_Comm comm, PetscInt nx, PetscInt ny, PetscInt px, PetscInt py, GSDecomposition *d)
{
  PetscMPIInt size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(px == PETSC_DECIDE || (px >= 1 && size % px == 0), comm, PETSC_ERR_USER_INPUT,
             "-da_processors_x %" PetscInt_FMT " must divide the %d ranks", px, size);
  PetscCheck(py == PETSC_DECIDE || (py >= 1 && size % py == 0), comm, PETSC_ERR_USER_INPUT,
             "-da_processors_y %" PetscInt_FMT " must divide the %d ranks", py, size);
  if (px == PETSC_DECIDE && py == PETSC_DECIDE) SquareProcessGrid(nx, ny, size, &d->px, &d->py);
  else {
    d->px = (PetscMPIInt)(px != PETSC_DECIDE ? px : size / py);
    d->py = (PetscMPIInt)(py != PETSC_DECIDE ? py : size / px);
  }
  PetscCheck(d->px * d->py == size, comm, PETSC_ERR_USER_INPUT, "-da_processors_x %d -da_processors_y %d: their product must be the %d ranks", d->px,
             d->py, size);
  PetscCheck(d->px <= nx && d->py <= ny, comm, PETSC_ERR_USER_INPUT,
             "-da_grid_x %" PetscInt_FMT " -da_grid_y %" PetscInt_FMT ": a %d x %d process grid leaves ranks without cells (use fewer ranks, or set "
             "-da_processors_x/-da_processors_y)",
             nx, ny, d->px, d->py);
  PetscFunctionReturn(0);
}

PetscErrorCode GSDecompositionCreate(MPI_Comm comm, PetscInt nx, PetscInt ny, PetscInt px, PetscInt py, GSDecomposition *d)
{
  PetscMPIInt rank, col, row;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(d, sizeof(*d)));
  PetscCall(ChooseProcessGrid(comm, nx, ny, px, py, d));
  PetscCall(SplitRange(nx, d->px, &d->lx));
  PetscCall(SplitRange(ny, d->py, &d->ly));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  col   = rank % d->px;
  row   = rank / d->px;
  d->xm = d->lx[col];
  d->ym = d->ly[row];
  for (PetscMPIInt i = 0; i < col; i++) d->xs += d->lx[i];
  for (PetscMPIInt j = 0; j < row; j++) d->ys += d->ly[j];
  d->west  = row * d->px + (col + d->px - 1) % d->px;
  d->east  = row * d->px + (col + 1) % d->px;
  d->south = ((row + d->py - 1) % d->py) * d->px + col;
  d->north = ((row + 1) % d->py) * d->px + col;
  PetscFunctionReturn(0);
}

PetscErrorCode GSDecompositionDestroy(GSDecomposition *d)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(d->lx));
  PetscCall(PetscFree(d->ly));
  PetscFunctionReturn(0);
}
