/* The noise study of gsinv residual: one estimate per noise level, with the same seed. */
#pragma once

#include "gsinv/io/h5file.h"
#include "gsinv/inverse/residual_estimate.h"

/* Noise levels at the most (-gs_obs_noise_sweep). */
enum { GS_RESIDUAL_NOISE_SWEEP_MAX = 64 };

/* theta_hat per sigma, and its relative errors (GSResidualRelativeErrors) when the truth is known:
   by both forms side by side (theta_by[GS_RESIDUAL_METHOD_*]) and by the chosen one (theta, rel). */
typedef struct {
  PetscInt         n;
  PetscBool        has_truth;
  GSResidualMethod method;
  PetscBool        both; /* both forms (not with -gs_obs_fraction < 1, which the weak form refuses) */
  PetscReal        sigma[GS_RESIDUAL_NOISE_SWEEP_MAX], theta[GS_RESIDUAL_NOISE_SWEEP_MAX][GS_NPARAM], rel[GS_RESIDUAL_NOISE_SWEEP_MAX][GS_NPARAM];
  PetscReal        theta_by[2][GS_RESIDUAL_NOISE_SWEEP_MAX][GS_NPARAM], rel_by[2][GS_RESIDUAL_NOISE_SWEEP_MAX][GS_NPARAM];
} GSResidualNoiseSweep;

/* Two GSResidualEstimate per sigma[s], strong and weak form (the noise of obs replaced, all else kept:
   common random numbers across sigma and forms); truth may be NULL (unknown). Stops, as GSResidualEstimate does, at the first estimate
   that does not identify theta. Collective. */
PetscErrorCode GSResidualNoiseSweepRun(GSModel m, const GSResidualData *data, const GSObservation *obs, PetscInt n, const PetscReal sigma[],
                                       const double *truth, GSResidualNoiseSweep *sweep);

/* Prints the table on rank 0 (relative errors when the truth is known, else theta_hat); nothing when n is 0. Collective. */
PetscErrorCode GSResidualNoiseSweepPrint(MPI_Comm comm, const GSResidualNoiseSweep *sweep);

/* Writes /residual/noise_sweep/sigma, theta [n][4] (the chosen form), theta_strong, theta_weak and, with
   the truth, relative_error, relative_error_strong, relative_error_weak [n][4];
   nothing when n is 0. Collective. */
PetscErrorCode GSResidualNoiseSweepWrite(const GSResidualNoiseSweep *sweep, GSOutput *out);
