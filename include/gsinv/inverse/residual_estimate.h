/* The residual estimator on the DMDA: observation model, one distributed pass, the reduced normal-equation sums. */
#pragma once

#include "gsinv/model/model.h"
#include "gsinv/physics/residual.h"

/* Which rows of A enter the fit: both fields, or the v-rows only (u unobserved). */
typedef enum { GS_OBS_FIELDS_UV = 0, GS_OBS_FIELDS_V = 1 } GSObsFields;

/* How the residual is measured: pointwise at every cell (strong), or integrated against test functions (weak). */
typedef enum { GS_RESIDUAL_METHOD_STRONG = 0, GS_RESIDUAL_METHOD_WEAK = 1 } GSResidualMethod;

/* How the data are observed before the fit. Every random draw is a counter-based hash of
   (seed, snapshot, global cell, stream), so the result does not depend on the decomposition. */
typedef struct {
  PetscReal        noise;    /* -gs_obs_noise: standard deviation of additive Gaussian noise (0) */
  PetscReal        fraction; /* -gs_obs_fraction: probability that a cell is observed (1) */
  GSObsFields      fields;   /* -gs_obs_fields uv|v */
  PetscInt         smooth;   /* -gs_obs_smooth: passes of the 5-point filter (c + lap/8) before the Laplacians (0) */
  PetscInt64       seed;     /* -gs_seed */
  GSResidualMethod method;   /* -gs_residual_method strong|weak */
  PetscReal        sigma;    /* -gs_residual_sigma: noise level of the weak form's bias correction (< 0: estimated from the data) */
  PetscInt         weak_radius, weak_spacing, weak_power; /* -gs_weak_radius, -gs_weak_spacing, -gs_weak_power */
  PetscReal       *sigma_used;                            /* if not NULL: the weak form leaves (sigma_u, sigma_v) of its last snapshot here */
} GSObservation;

/* The data of one estimate: where they are read from and which snapshot pairs are used. */
typedef struct {
  char           path[PETSC_MAX_PATH_LEN];
  GSResidualForm form;
  PetscReal      dt;         /* time step of the scheme that wrote the snapshots */
  PetscInt       nsnap;      /* snapshots in the file (transient) */
  PetscInt64    *steps;      /* their step numbers (nsnap, valid on every rank) */
  PetscInt       first_pair; /* pairs (first_pair, first_pair + 1), ..., (nsnap - 2, nsnap - 1) are used */
} GSResidualData;

/* Applies the observation model to the owned cells of X in place: noise keyed by `snapshot`
   (on v only when obs->fields is v: u then stands for its ideal completion), then obs->smooth
   passes of the periodic filter. Collective (halo exchange per smoothing pass). */
PetscErrorCode GSResidualObserve(GSModel m, const GSObservation *obs, PetscInt snapshot, Vec X);

/* Adds the residual rows of every used cell of the observed X to this rank's sums: x_t is
   (Xnext - X)/dt_pair, or 0 when Xnext is NULL. A cell is used when it and its 4 neighbours are
   observed (obs->fraction). Collective (halo exchange of X). */
PetscErrorCode GSResidualAddCells(GSModel m, const GSObservation *obs, Vec X, Vec Xnext, PetscReal dt_pair, GSResidualSums *local);

/* The weak form of GSResidualAddCells: the rows of every test function, summed over ranks (one
   reduction, together with the finest-scale content that estimates the noise), are added to the
   normal equations of rank 0's `local` (other ranks add nothing). Stops when the test functions do
   not fit the grid. Collective. */
PetscErrorCode GSResidualWeakAddCells(GSModel m, const GSObservation *obs, Vec X, Vec Xnext, PetscReal dt_pair, GSResidualSums *local);

/* One pass over the data: reads the state or the snapshot pairs into the decomposition of m,
   accumulates and reduces the sums over all ranks (every rank gets the global sums). Collective. */
PetscErrorCode GSResidualEstimateSums(GSModel m, const GSResidualData *data, const GSObservation *obs, GSResidualSums *sums);

/* One estimate: GSResidualEstimateSums, then the solve; stops with a message when no cell is used,
   the data are not finite, or the fit does not identify what the observed fields can identify (all
   of theta from u and v, F + k and Dv from v alone). Collective. */
PetscErrorCode GSResidualEstimate(GSModel m, const GSResidualData *data, const GSObservation *obs, GSResidualSums *sums, GSResidualFit *fit);

/* Relative errors (theta - truth) / truth; from v alone (obs->fields v), that of F + k in slot F and
   that of Dv, with the unidentifiable slots k and Du set to 0. Not collective. */
void GSResidualRelativeErrors(const GSObservation *obs, const double theta[GS_NPARAM], const double truth[GS_NPARAM], double rel[GS_NPARAM]);

/* Reads the step numbers and the count of /snapshots of data->path (rank 0, broadcast), checks the
   [T][ny][nx] shape against m, and sets the pairs: the last `pairs` ones (0: all). Collective. */
PetscErrorCode GSResidualDataSetUp(GSModel m, const char *option, PetscInt pairs, GSResidualData *data);
PetscErrorCode GSResidualDataDestroy(GSResidualData *data);
