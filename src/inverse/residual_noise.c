/* The noise study of gsinv residual: the estimate repeated per noise level by the strong and the weak form, its table and its HDF5 layout. */
#include "gsinv/inverse/residual_noise.h"

PetscErrorCode GSResidualNoiseSweepRun(GSModel m, const GSResidualData *data, const GSObservation *obs, PetscInt n, const PetscReal sigma[],
                                       const double *truth, GSResidualNoiseSweep *sweep)
{
  GSObservation  noisy = *obs;
  GSResidualSums sums;
  GSResidualFit  fit;

  PetscFunctionBeginUser;
  PetscCheck(n >= 0 && n <= GS_RESIDUAL_NOISE_SWEEP_MAX, GSModelGetComm(m), PETSC_ERR_ARG_OUTOFRANGE, "%" PetscInt_FMT " noise levels: at most %d", n,
             GS_RESIDUAL_NOISE_SWEEP_MAX);
  PetscCall(PetscMemzero(sweep, sizeof(*sweep)));
  sweep->n         = n;
  sweep->has_truth = (PetscBool)(truth != NULL);
  sweep->method    = obs->method;
  sweep->both      = (PetscBool)(obs->fraction >= 1);
  noisy.sigma_used = NULL;
  for (PetscInt s = 0; s < n; s++) {
    noisy.noise = sweep->sigma[s] = sigma[s];
    for (int method = 0; method < 2; method++) {
      if (!sweep->both && method != (int)obs->method) continue;
      noisy.method = (GSResidualMethod)method;
      PetscCall(GSResidualEstimate(m, data, &noisy, &sums, &fit));
      for (int q = 0; q < GS_NPARAM; q++) sweep->theta_by[method][s][q] = fit.theta[q];
      if (truth) GSResidualRelativeErrors(&noisy, fit.theta, truth, sweep->rel_by[method][s]);
    }
    for (int q = 0; q < GS_NPARAM; q++) {
      sweep->theta[s][q] = sweep->theta_by[obs->method][s][q];
      sweep->rel[s][q]   = sweep->rel_by[obs->method][s][q];
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualNoiseSweepPrint(MPI_Comm comm, const GSResidualNoiseSweep *sweep)
{
  static const char *names[2] = {"strong", "weak"};

  PetscFunctionBeginUser;
  if (!sweep->n) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(comm, "noise study      sigma    form         F            k            Du           Dv%s\n",
                        sweep->has_truth ? "   (relative errors)" : "   (theta_hat)"));
  for (PetscInt s = 0; s < sweep->n; s++) {
    for (int method = 0; method < 2; method++) {
      if (!sweep->both && method != (int)sweep->method) continue;
      const PetscReal *v = sweep->has_truth ? sweep->rel_by[method][s] : sweep->theta_by[method][s];
      PetscCall(PetscPrintf(comm, "            %11.3e  %-6s  %+.4e  %+.4e  %+.4e  %+.4e\n", sweep->sigma[s], names[method], v[0], v[1], v[2], v[3]));
    }
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
  if (!sweep->both) PetscFunctionReturn(0);
  PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/theta_strong", 2, dims, &sweep->theta_by[GS_RESIDUAL_METHOD_STRONG][0][0]));
  PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/theta_weak", 2, dims, &sweep->theta_by[GS_RESIDUAL_METHOD_WEAK][0][0]));
  if (sweep->has_truth) {
    PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/relative_error_strong", 2, dims, &sweep->rel_by[GS_RESIDUAL_METHOD_STRONG][0][0]));
    PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/relative_error_weak", 2, dims, &sweep->rel_by[GS_RESIDUAL_METHOD_WEAK][0][0]));
  }
  PetscFunctionReturn(0);
}
