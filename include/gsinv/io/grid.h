/* GSGrid: what io needs to know of a distributed grid (the DMs and this rank's patch), so that io
   reads and writes fields without knowing the objects that compute them. */
#pragma once

#include <petscdmda.h>

typedef struct {
  MPI_Comm  comm;
  DM        da;             /* the state: ncomp fields per cell */
  DM        da_scalar;      /* one field, the same decomposition */
  PetscInt  ncomp;          /* fields per cell, interleaved in da's vectors */
  PetscInt  nx, ny;         /* cells along x and y (datasets are [ny][nx]) */
  PetscInt  xs, ys, xm, ym; /* this rank's patch: first cell and extent */
  PetscReal h;              /* cell spacing */
} GSGrid;

/* Fills grid from a DMDA with ncomp fields per cell and its one-field twin; h the spacing.
   Not collective. */
PetscErrorCode GSGridFromDMDA(DM da, DM da_scalar, PetscReal h, GSGrid *grid);
