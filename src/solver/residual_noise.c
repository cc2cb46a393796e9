/* The noise study of gsinv residual: the estimate repeated per noise level, its table and its HDF5 layout. */
#include "gsinv/residual_noise.h"

PetscErrorCode GSResidualNoiseSweepRun(GSModel m, const GSResidualData *data, const GSObservation *obs, PetscInt n, const PetscReal sigma[], const double *truth, GSResidualNoiseSweep *sweep)
{
  GSObservation  noisy = *obs;
  GSResidualSums sums;
  GSResidualFit  fit;

  PetscFunctionBeginUser;
  PetscCheck(n >= 0 && n <= GS_RESIDUAL_NOISE_SWEEP_MAX, m->comm, PETSC_ERR_ARG_OUTOFRANGE, "%" PetscInt_FMT " noise levels: at most %d", n, GS_RESIDUAL_NOISE_SWEEP_MAX);
  PetscCall(PetscMemzero(sweep, sizeof(*sweep)));
  sweep->n         = n;
  sweep->has_truth = (PetscBool)(truth != NULL);
  for (PetscInt s = 0; s < n; s++) {
    noisy.noise = sweep->sigma[s] = sigma[s];
    PetscCall(GSResidualEstimate(m, data, &noisy, &sums, &fit));
    for (int q = 0; q < GS_NPARAM; q++) sweep->theta[s][q] = fit.theta[q];
    if (truth) GSResidualRelativeErrors(&noisy, fit.theta, truth, sweep->rel[s]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualNoiseSweepPrint(MPI_Comm comm, const GSResidualNoiseSweep *sweep)
{
  PetscFunctionBeginUser;
  if (!sweep->n) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(comm, "noise study      sigma        F            k            Du           Dv%s\n", sweep->has_truth ? "   (relative errors)" : "   (theta_hat)"));
  for (PetscInt s = 0; s < sweep->n; s++) {
    const PetscReal *v = sweep->has_truth ? sweep->rel[s] : sweep->theta[s];
    PetscCall(PetscPrintf(comm, "            %11.3e  %+.4e  %+.4e  %+.4e  %+.4e\n", sweep->sigma[s], v[0], v[1], v[2], v[3]));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualNoiseSweepWrite(const GSResidualNoiseSweep *sweep, GSOutput *out)
{
  hsize_t dims[2] = {(hsize_t)sweep->n, GS_NPARAM};

  PetscFunctionBeginUser;
  if (!sweep->n) PetscFunctionReturn(0);
  PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/sigma", 1, dims, sweep->sigma));
  PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/theta", 2, dims, &sweep->theta[0][0]));
  if (sweep->has_truth) PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/relative_error", 2, dims, &sweep->rel[0][0]));
  PetscFunctionReturn(0);
}
