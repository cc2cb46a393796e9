/* The noise study of gsinv residual: one estimate per noise level, with the same seed. */
#pragma once

#include "gsinv/io.h"
#include "gsinv/residual_app.h"

/* Noise levels at the most (-gs_obs_noise_sweep). */
enum { GS_RESIDUAL_NOISE_SWEEP_MAX = 64 };

/* theta_hat per sigma, and its relative errors (GSResidualRelativeErrors) when the truth is known. */
typedef struct {
  PetscInt  n;
  PetscBool has_truth;
  PetscReal sigma[GS_RESIDUAL_NOISE_SWEEP_MAX], theta[GS_RESIDUAL_NOISE_SWEEP_MAX][GS_NPARAM], rel[GS_RESIDUAL_NOISE_SWEEP_MAX][GS_NPARAM];
} GSResidualNoiseSweep;

/* One GSResidualEstimate per sigma[s] (the noise of obs replaced, all else kept: common random numbers
   across sigma); truth may be NULL (unknown). Stops, as GSResidualEstimate does, at the first estimate
   that does not identify theta. Collective. */
PetscErrorCode GSResidualNoiseSweepRun(GSModel m, const GSResidualData *data, const GSObservation *obs, PetscInt n, const PetscReal sigma[], const double *truth, GSResidualNoiseSweep *sweep);

/* Prints the table on rank 0 (relative errors when the truth is known, else theta_hat); nothing when n is 0. Collective. */
PetscErrorCode GSResidualNoiseSweepPrint(MPI_Comm comm, const GSResidualNoiseSweep *sweep);

/* Writes /residual/noise_sweep/sigma, theta [n][4] and, with the truth, relative_error [n][4];
   nothing when n is 0. Collective. */
PetscErrorCode GSResidualNoiseSweepWrite(const GSResidualNoiseSweep *sweep, GSOutput *out);
