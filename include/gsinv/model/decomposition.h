/* GSDecomposition: how the ranks of a communicator share a periodic nx x ny grid (a process grid
   of px x py rectangular patches), chosen exactly as PETSc's DMDA chooses it, so that the model
   steps without building the DMDA and builds it, when a TS needs one, with the same patches. */
#pragma once

#include <petscsys.h>

typedef struct {
  PetscMPIInt px, py;                   /* ranks along x and y; rank = column + px * row */
  PetscInt   *lx, *ly;                  /* cells in each column (px) and each row (py) of patches */
  PetscInt    xs, ys, xm, ym;           /* this rank's patch: first cell and extent */
  PetscMPIInt west, east, south, north; /* the ranks owning the neighbouring patches (periodic; itself when alone in a direction) */
} GSDecomposition;

/* Splits nx x ny cells over the ranks of comm. px, py: the ranks along x and y, or PETSC_DECIDE
   (both: as square a process grid as the ranks allow, the longer side of the grid getting more).
   Every rank gets at least one cell in each direction; widths differ by at most one cell, the
   wider patches first. Refuses (PETSC_ERR_USER_INPUT, naming -da_processors_x/y) a split that
   cannot be made. Collective. */
PetscErrorCode GSDecompositionCreate(MPI_Comm comm, PetscInt nx, PetscInt ny, PetscInt px, PetscInt py, GSDecomposition *d);
PetscErrorCode GSDecompositionDestroy(GSDecomposition *d);
