/* GSGrid: what io needs to know of a distributed grid (its size and this rank's patch), so that io
   reads and writes fields without knowing the objects that compute them. */
#pragma once

#include <petscvec.h>

typedef struct {
  MPI_Comm  comm;
  PetscInt  ncomp;          /* fields per cell, interleaved in the state's vectors */
  PetscInt  nx, ny;         /* cells along x and y (datasets are [ny][nx]) */
  PetscInt  xs, ys, xm, ym; /* this rank's patch: first cell and extent */
  PetscReal h;              /* cell spacing */
} GSGrid;

/* A grid of nx x ny cells with ncomp fields per cell and spacing h, of which this rank owns the
   patch of xm x ym cells from (xs, ys). Not collective. */
GSGrid GSGridMake(MPI_Comm comm, PetscInt ncomp, PetscInt nx, PetscInt ny, PetscInt xs, PetscInt ys, PetscInt xm, PetscInt ym, PetscReal h);

/* One field (component 0: u, 1: v) of X in natural order on rank 0 (out: nx*ny values there,
   ignored elsewhere): every rank sends its patch, rank 0 receives each straight into its place.
   Collective. */
PetscErrorCode GSFieldGather(const GSGrid *grid, Vec X, PetscInt component, PetscScalar *out);
/* The reverse: component `component` of X := in (natural order, nx*ny values on rank 0, ignored
   elsewhere); the other components are untouched. Collective. */
PetscErrorCode GSFieldScatter(const GSGrid *grid, const PetscScalar *in, PetscInt component, Vec X);
