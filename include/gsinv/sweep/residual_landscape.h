/* The closed-form residual landscape: the residual loss on a 1-D or 2-D grid of theta, from the sums of one pass. */
#pragma once

#include "gsinv/io/h5file.h"
#include "gsinv/physics/residual.h"
#include "gsinv/sweep/sweep.h"

/* Points per axis at the most (the bound of a -gs_like axis, which rank 0 reads and broadcasts). */
enum { GS_RESIDUAL_LANDSCAPE_MAX_POINTS = 4096 };

/* 1 or 2 parameters (GS_PARAM_*) and their grid values; the others are fixed at base. */
typedef struct {
  PetscInt   naxes, param[2], n[2];
  PetscReal *values[2];
  PetscReal  base[GS_NPARAM];
  PetscReal *loss; /* [n1][n0], axis0 fastest */
} GSResidualLandscape;

/* The grid values of the sweep axes (-gs_axes, -gs_lo, -gs_hi, -gs_n of gsinv landscape); stops when
   an axis has more than GS_RESIDUAL_LANDSCAPE_MAX_POINTS points. Collective. */
PetscErrorCode GSResidualLandscapeFromAxes(MPI_Comm comm, const GSSweepAxes *axes, GSResidualLandscape *l);

/* The exact grid values of a landscape file `path`, given by `option`: /landscape/axis0 and optionally
   /landscape/axis1, each with a 'name' attribute among F, k, Du, Dv. Rank 0 reads, every rank gets
   them; stops with a message naming option when the file does not have them. Collective. */
PetscErrorCode GSResidualLandscapeFromFile(MPI_Comm comm, const char *option, const char *path, GSResidualLandscape *l);

/* The closed-form loss at every grid point from the sums. Parameters off the axes are fixed at the
   values given (-gs_F, -gs_k, -gs_Du, -gs_Dv: reads which were given), else at theta_hat. Not collective. */
PetscErrorCode GSResidualLandscapeEvaluate(GSResidualLandscape *l, const GSResidualSums *sums, const double theta_hat[GS_NPARAM],
                                           const GSParams *given);

/* Writes /residual_landscape: axis0 (and axis1) with their 'name', loss [n1][n0], base. Collective. */
PetscErrorCode GSResidualLandscapeWrite(const GSResidualLandscape *l, GSOutput *out);
PetscErrorCode GSResidualLandscapeDestroy(GSResidualLandscape *l);
