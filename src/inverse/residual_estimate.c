/* Residual estimator on the DMDA: observe the data, one pass with halo-exchanged Laplacians, reduce the sums. */
#include "gsinv/io/field_input.h"
#include "gsinv/physics/noise.h"
#include "gsinv/inverse/residual_estimate.h"
#include "gsinv/physics/stencil.h"

/* Streams of the observation noise, apart from the recipe's (0, 1) and the mask's (GSResidualCellObserved). */
enum { STREAM_NOISE_U = 8, STREAM_NOISE_V = 9 };

/* A cell is used when it and its 4 neighbours are observed. */
static PetscBool CellUsed(const GSObservation *obs, PetscInt nx, PetscInt ny, PetscInt i, PetscInt j)
{
  const int di[5] = {0, -1, 1, 0, 0}, dj[5] = {0, 0, 0, -1, 1};

  for (int k = 0; k < 5; k++)
    if (!GSResidualCellObserved((uint64_t)obs->seed, obs->fraction, nx, ny, i + di[k], j + dj[k])) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* Fills the ghosted work vector and returns its first owned cell (restore with VecRestoreArrayRead). */
static PetscErrorCode HaloExchange(GSModel m, Vec X, const PetscScalar **xl, const GSField **xin)
{
  PetscFunctionBeginUser;
  PetscCall(GSModelEnsureLocalWork(m, PETSC_FALSE));
  PetscCall(GSModelGlobalToLocal(m, X, GSModelGetLocalX(m)));
  PetscCall(VecGetArrayRead(GSModelGetLocalX(m), xl));
  *xin = (const GSField *)*xl + GSModelGetPatch(m)->first_owned;
  PetscFunctionReturn(0);
}

/* One pass of the 5-point filter x <- x + lap(x)/8 (h-free: weights 1/2 centre, 1/8 neighbours). */
static PetscErrorCode SmoothOnce(GSModel m, Vec X)
{
  const GSPatch     *patch = GSModelGetPatch(m);
  const GSField     *xin;
  const PetscScalar *xl;
  PetscScalar       *xa;
  GSField           *y;

  PetscFunctionBeginUser;
  PetscCall(HaloExchange(m, X, &xl, &xin));
  PetscCall(VecGetArrayWrite(X, &xa));
  y = (GSField *)xa;
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, xin, {
    y[idx].u = c.u + 0.125 * GSLaplacian(c.u, w.u, e.u, s.u, n.u, 1.0);
    y[idx].v = c.v + 0.125 * GSLaplacian(c.v, w.v, e.v, s.v, n.v, 1.0);
  });
  PetscCall(VecRestoreArrayWrite(X, &xa));
  PetscCall(VecRestoreArrayRead(GSModelGetLocalX(m), &xl));
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualObserve(GSModel m, const GSObservation *obs, PetscInt snapshot, Vec X)
{
  const GSPatch *patch = GSModelGetPatch(m);
  PetscScalar   *xa;

  PetscFunctionBeginUser;
  if (obs->noise > 0) {
    PetscCall(VecGetArray(X, &xa));
    GSField *x = (GSField *)xa;
    for (PetscInt j = 0; j < patch->ym; j++) {
      for (PetscInt i = 0; i < patch->xm; i++) {
        const int64_t cell = (int64_t)(patch->ys + j) * patch->nx + (patch->xs + i);
        GSField      *c    = &x[j * patch->xm + i];
        if (obs->fields == GS_OBS_FIELDS_UV) c->u += obs->noise * GSNoiseNormal((uint64_t)obs->seed, snapshot, cell, STREAM_NOISE_U);
        c->v += obs->noise * GSNoiseNormal((uint64_t)obs->seed, snapshot, cell, STREAM_NOISE_V);
      }
    }
    PetscCall(VecRestoreArray(X, &xa));
  }
  for (PetscInt pass = 0; pass < obs->smooth; pass++) PetscCall(SmoothOnce(m, X));
  PetscFunctionReturn(0);
}

/* The v-rows only: [-v, -v, 0, lap v] theta = x_t.v - u v^2 (u enters through the reaction only). */
static void SumsAddVRow(GSResidualSums *sums, GSField x, double lap_u, double lap_v, GSField x_t)
{
  const GSParams no_params = {0.0, 0.0, 0.0, 0.0};
  const double   b_v       = x_t.v - GSReaction(&no_params, x).v;
  double         dfu[GS_NPARAM], dfv[GS_NPARAM];

  GSParamDerivativePoint(x, lap_u, lap_v, dfu, dfv);
  for (int i = 0; i < GS_NPARAM; i++) {
    for (int j = 0; j < GS_NPARAM; j++) sums->ata[GS_NPARAM * i + j] += dfv[i] * dfv[j];
    sums->atb[i] += dfv[i] * b_v;
  }
  sums->btb += b_v * b_v;
  sums->ncells += 1.0;
}

PetscErrorCode GSResidualAddCells(GSModel m, const GSObservation *obs, Vec X, Vec Xnext, PetscReal dt_pair, GSResidualSums *local)
{
  const GSPatch     *patch = GSModelGetPatch(m);
  const GSField     *xin, *xn = NULL;
  const PetscScalar *xl, *xna = NULL;
  const double       inv_dt = Xnext ? 1.0 / dt_pair : 0.0, inv_h2 = patch->inv_h2;
  const PetscInt     xm = patch->xm, xs = patch->xs, ys = patch->ys, nx = patch->nx, ny = patch->ny;
  const PetscBool    v_only = (PetscBool)(obs->fields == GS_OBS_FIELDS_V);

  PetscFunctionBeginUser;
  if (obs->method == GS_RESIDUAL_METHOD_WEAK) {
    PetscCall(GSResidualWeakAddCells(m, obs, X, Xnext, dt_pair, local));
    PetscFunctionReturn(0);
  }
  PetscCall(HaloExchange(m, X, &xl, &xin));
  if (Xnext) {
    PetscCall(VecGetArrayRead(Xnext, &xna));
    xn = (const GSField *)xna;
  }
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, xin, {
    const PetscInt gi = xs + (PetscInt)(idx % (size_t)xm), gj = ys + (PetscInt)(idx / (size_t)xm);
    if (CellUsed(obs, nx, ny, gi, gj)) {
      const double  lap_u = GSLaplacian(c.u, w.u, e.u, s.u, n.u, inv_h2), lap_v = GSLaplacian(c.v, w.v, e.v, s.v, n.v, inv_h2);
      const GSField x_t = {xn ? (xn[idx].u - c.u) * inv_dt : 0.0, xn ? (xn[idx].v - c.v) * inv_dt : 0.0};
      if (v_only) SumsAddVRow(local, c, lap_u, lap_v, x_t);
      else GSResidualSumsAddCell(local, c, lap_u, lap_v, x_t);
    }
  });
  if (Xnext) PetscCall(VecRestoreArrayRead(Xnext, &xna));
  PetscCall(VecRestoreArrayRead(GSModelGetLocalX(m), &xl));
  PetscFunctionReturn(0);
}

/* Reads snapshot t of the input into X (each rank its own patch). */
static PetscErrorCode ReadSnapshot(GSModel m, const GSResidualData *data, PetscInt t, Vec X)
{
  PetscFunctionBeginUser;
  PetscCall(GSFieldRead(GSModelGetGrid(m), "-gs_input", data->path, "/snapshots/u", t, 0, X));
  PetscCall(GSFieldRead(GSModelGetGrid(m), "-gs_input", data->path, "/snapshots/v", t, 1, X));
  PetscFunctionReturn(0);
}

/* Streams the pairs: each snapshot is read and observed once, and kept for the next pair. */
static PetscErrorCode AddTransientPairs(GSModel m, const GSResidualData *data, const GSObservation *obs, GSResidualSums *local)
{
  Vec X, Xnext, swap;

  PetscFunctionBeginUser;
  PetscCall(GSModelCreateGlobalVector(m, &X));
  PetscCall(GSModelCreateGlobalVector(m, &Xnext));
  PetscCall(ReadSnapshot(m, data, data->first_pair, X));
  PetscCall(GSResidualObserve(m, obs, data->first_pair, X));
  for (PetscInt t = data->first_pair; t < data->nsnap - 1; t++) {
    const PetscReal dt_pair = data->dt * (PetscReal)(data->steps[t + 1] - data->steps[t]);
    PetscCall(ReadSnapshot(m, data, t + 1, Xnext));
    PetscCall(GSResidualObserve(m, obs, t + 1, Xnext));
    PetscCall(GSResidualAddCells(m, obs, X, Xnext, dt_pair, local));
    swap  = X;
    X     = Xnext;
    Xnext = swap;
  }
  PetscCall(VecDestroy(&Xnext));
  PetscCall(VecDestroy(&X));
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualEstimateSums(GSModel m, const GSResidualData *data, const GSObservation *obs, GSResidualSums *sums)
{
  PetscFunctionBeginUser;
  GSResidualSumsZero(sums);
  if (data->form == GS_RESIDUAL_FORM_STEADY) {
    Vec X;
    PetscCall(GSModelCreateGlobalVector(m, &X));
    PetscCall(GSStateRead(GSModelGetGrid(m), "-gs_input", data->path, X));
    PetscCall(GSResidualObserve(m, obs, 0, X));
    PetscCall(GSResidualAddCells(m, obs, X, NULL, 0.0, sums));
    PetscCall(VecDestroy(&X));
  } else PetscCall(AddTransientPairs(m, data, obs, sums));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, GS_RESIDUAL_NSUMS, MPI_DOUBLE, MPI_SUM, GSModelGetComm(m)));
  PetscFunctionReturn(0);
}

/* Stops unless the fit identifies what the observed fields can identify: all of theta from u and v,
   F + k and Dv (rank 2) from v alone. */
static PetscErrorCode FitCheck(MPI_Comm comm, const GSObservation *obs, GSResidualStatus status, const GSResidualFit *fit)
{
  const int     expected = obs->fields == GS_OBS_FIELDS_V ? 2 : GS_NPARAM;
  const double *vec      = fit->eigvec;

  PetscFunctionBeginUser;
  PetscCheck(status != GS_RESIDUAL_ERR_EMPTY, comm, PETSC_ERR_USER_INPUT,
             "no cell is used: -gs_obs_fraction %g leaves no cell observed together with its 4 neighbours", (double)obs->fraction);
  PetscCheck(status != GS_RESIDUAL_ERR_NONFINITE, comm, PETSC_ERR_USER_INPUT,
             "-gs_input: the data contain NaN or Inf (an invalid run?): no estimate");
  PetscCheck(status == GS_RESIDUAL_OK || status == GS_RESIDUAL_ERR_RANK_DEFICIENT, comm, PETSC_ERR_LIB, "GSResidualSolve failed with status %d",
             (int)status);
  PetscCheck(fit->rank > 0, comm, PETSC_ERR_USER_INPUT, "the data cannot identify theta: rank 0 of A^T A (trivial state: every theta fits)");
  PetscCheck(
    fit->rank >= expected, comm, PETSC_ERR_USER_INPUT,
    "the data cannot identify theta: rank %d of A^T A, %d needed; e.g. theta + t (%.3g, %.3g, %.3g, %.3g) fits as well for every t (eigenvalues %.3e %.3e %.3e %.3e)",
    fit->rank, expected, vec[GS_NPARAM * 0 + GS_NPARAM - 1], vec[GS_NPARAM * 1 + GS_NPARAM - 1], vec[GS_NPARAM * 2 + GS_NPARAM - 1],
    vec[GS_NPARAM * 3 + GS_NPARAM - 1], fit->eigval[0], fit->eigval[1], fit->eigval[2], fit->eigval[3]);
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualEstimate(GSModel m, const GSResidualData *data, const GSObservation *obs, GSResidualSums *sums, GSResidualFit *fit)
{
  PetscFunctionBeginUser;
  PetscCall(GSResidualEstimateSums(m, data, obs, sums));
  PetscCall(FitCheck(GSModelGetComm(m), obs, GSResidualSolve(sums, fit), fit));
  PetscFunctionReturn(0);
}

void GSResidualRelativeErrors(const GSObservation *obs, const double theta[GS_NPARAM], const double truth[GS_NPARAM], double rel[GS_NPARAM])
{
  for (int q = 0; q < GS_NPARAM; q++) rel[q] = (theta[q] - truth[q]) / truth[q];
  if (obs->fields == GS_OBS_FIELDS_V) {
    const double fk  = truth[GS_PARAM_F] + truth[GS_PARAM_K];
    rel[GS_PARAM_F]  = (theta[GS_PARAM_F] + theta[GS_PARAM_K] - fk) / fk;
    rel[GS_PARAM_K]  = 0.0;
    rel[GS_PARAM_DU] = 0.0;
  }
}

PetscErrorCode GSResidualDataSetUp(GSModel m, const char *option, PetscInt pairs, GSResidualData *data)
{
  PetscFunctionBeginUser;
  data->nsnap      = 0;
  data->steps      = NULL;
  data->first_pair = 0;
  if (data->form == GS_RESIDUAL_FORM_STEADY) PetscFunctionReturn(0);
  PetscCall(GSSnapshotsInspect(GSModelGetGrid(m), option, data->path, &data->nsnap, &data->steps));
  for (PetscInt t = 0; t + 1 < data->nsnap; t++)
    PetscCheck(data->steps[t + 1] > data->steps[t], GSModelGetComm(m), PETSC_ERR_USER_INPUT,
               "%s %s: /snapshots/step is not increasing at snapshot %" PetscInt_FMT, option, data->path, t);
  PetscCheck(pairs >= 0 && pairs <= data->nsnap - 1, GSModelGetComm(m), PETSC_ERR_USER_INPUT,
             "-gs_residual_pairs %" PetscInt_FMT " must be in [0, %" PetscInt_FMT "] (0: all pairs of the %" PetscInt_FMT " snapshots)", pairs,
             data->nsnap - 1, data->nsnap);
  data->first_pair = pairs ? data->nsnap - 1 - pairs : 0;
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualDataDestroy(GSResidualData *data)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(data->steps));
  PetscFunctionReturn(0);
}
