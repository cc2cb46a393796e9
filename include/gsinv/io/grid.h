/* GSGrid: what io needs to know of a distributed grid (the DMDA and this rank's patch), so that io
   reads and writes fields without knowing the objects that compute them. */
#pragma once

#include <petscdmda.h>

typedef struct {
  MPI_Comm  comm;
  DM        da;             /* the state: ncomp fields per cell */
  PetscInt  ncomp;          /* fields per cell, interleaved in da's vectors */
  PetscInt  nx, ny;         /* cells along x and y (datasets are [ny][nx]) */
  PetscInt  xs, ys, xm, ym; /* this rank's patch: first cell and extent */
  PetscReal h;              /* cell spacing */
} GSGrid;

/* Fills grid from a DMDA with ncomp fields per cell; h the spacing. Not collective. */
PetscErrorCode GSGridFromDMDA(DM da, PetscReal h, GSGrid *grid);

/* One field (component 0: u, 1: v) of X in natural order on rank 0 (out: nx*ny values there,
   ignored elsewhere): every rank sends its patch, rank 0 receives each straight into its place.
   Collective. */
PetscErrorCode GSFieldGather(const GSGrid *grid, Vec X, PetscInt component, PetscScalar *out);
/* The reverse: component `component` of X := in (natural order, nx*ny values on rank 0, ignored
   elsewhere); the other components are untouched. Collective. */
PetscErrorCode GSFieldScatter(const GSGrid *grid, const PetscScalar *in, PetscInt component, Vec X);
