/* Gradient routes on one GSRun: adjoint with checkpoints, forward sensitivities, differences,
   and the implicit-function gradient at a steady state. */
#include <petscksp.h>

#include "gsinv/core/events.h"
#include "gradient_impl.h"
#include "gsinv/core/options.h"

static PetscErrorCode GSGradientOptions(GSGradient g)
{
  const GSPatch *patch     = GSModelGetPatch(g->model);
  MPI_Comm       comm      = GSModelGetComm(g->model);
  PetscReal      cache_mib = 4, memory_mib = 512, disk_mib = 16384;
  double         local;

  PetscFunctionBeginUser;
  g->window      = 0;
  g->stride      = 0;
  g->disk_dir[0] = 0;
  PetscOptionsBegin(comm, NULL, "Gradients", "GSGradient");
  PetscCall(GSOptionsInt("-gs_adjoint_window", "Back-propagate through the last K steps only (0: all)", "GSGradientCreate", g->window, &g->window,
                         NULL));
  PetscCall(GSOptionsReal(
    "-gs_checkpoint_memory",
    "MiB per rank the adjoint's checkpoints and segment buffer may take: a cap, never exceeded (binomial recomputation when the states do not all fit)",
    "GSGradientCreate", memory_mib, &memory_mib, NULL));
  PetscCall(GSOptionsReal("-gs_checkpoint_cache",
                          "MiB per rank a recomputed segment of states should fit in (about the last-level cache share of a core)",
                          "GSGradientCreate", cache_mib, &cache_mib, NULL));
  PetscCall(GSOptionsInt("-gs_checkpoint_stride",
                         "Steps per recomputed segment (0: chosen from -ts_max_steps, -gs_checkpoint_cache and -gs_checkpoint_memory)",
                         "GSGradientCreate", g->stride, &g->stride, NULL));
  PetscCall(PetscOptionsString("-gs_checkpoint_dir",
                               "Folder for a second level of checkpoints on disk (node-local disk or burst buffer; one unlinked file per rank)",
                               "GSGradientCreate", g->disk_dir, g->disk_dir, sizeof(g->disk_dir), NULL));
  PetscCall(GSOptionsReal("-gs_checkpoint_disk", "MiB per rank the checkpoints under -gs_checkpoint_dir may take", "GSGradientCreate", disk_mib,
                          &disk_mib, NULL));
  PetscOptionsEnd();
  PetscCheck(g->window >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_adjoint_window %" PetscInt_FMT " must be >= 0", g->window);
  PetscCheck(g->stride >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_checkpoint_stride %" PetscInt_FMT " must be >= 0", g->stride);
  PetscCheck(cache_mib >= 0 && PetscIsNormalReal(cache_mib + 1), comm, PETSC_ERR_USER_INPUT, "-gs_checkpoint_cache %g must be finite and >= 0",
             (double)cache_mib);
  PetscCheck(memory_mib > 0 && PetscIsNormalReal(memory_mib), comm, PETSC_ERR_USER_INPUT, "-gs_checkpoint_memory %g must be finite and > 0",
             (double)memory_mib);
  PetscCheck(disk_mib >= 0 && PetscIsNormalReal(disk_mib + 1), comm, PETSC_ERR_USER_INPUT, "-gs_checkpoint_disk %g must be finite and >= 0",
             (double)disk_mib);
  if (g->disk_dir[0]) {
    PetscBool dir;
    PetscCall(PetscTestDirectory(g->disk_dir, 'w', &dir));
    PetscCheck(dir, comm, PETSC_ERR_USER_INPUT, "-gs_checkpoint_dir %s is not a writable folder", g->disk_dir);
  }
  local = 2.0 * sizeof(PetscScalar) * patch->xm * patch->ym;
  PetscCallMPI(MPI_Allreduce(&local, &g->state_bytes, 1, MPI_DOUBLE, MPI_MAX, comm));
  g->cache_bytes  = cache_mib * 1048576.0;
  g->memory_bytes = memory_mib * 1048576.0;
  g->disk_bytes   = disk_mib * 1048576.0;
  PetscFunctionReturn(0);
}

/* The discrete adjoint is the derivative of the map actually computed: implicit steps must be
   solved far below the differences of interest (unless the user set the tolerances). */
static PetscErrorCode TightenImplicitSolves(TS ts)
{
  SNES      snes;
  KSP       ksp;
  PetscBool snes_set, ksp_set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-snes_rtol", &snes_set));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ksp_rtol", &ksp_set));
  PetscCall(TSGetSNES(ts, &snes));
  PetscCall(SNESGetKSP(snes, &ksp));
  if (!snes_set) PetscCall(SNESSetTolerances(snes, 1e-15, 1e-13, PETSC_DEFAULT, PETSC_DEFAULT, PETSC_DEFAULT));
  if (!ksp_set) PetscCall(KSPSetTolerances(ksp, 1e-13, 1e-16, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientCreate(GSRun run, GSFieldLoss loss, GSGradient *out)
{
  GSGradient g;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&g));
  g->run     = run;
  g->model   = GSRunGetModel(run);
  g->loss    = loss;
  g->disk_fd = -1;
  PetscCall(GSGradientOptions(g));
  PetscCall(TSSetRHSJacobianP(GSRunGetTS(run), GSModelGetJacobianP(g->model), GSModelRHSJacobianP, g->model));
  PetscCall(TightenImplicitSolves(GSRunGetTS(run)));
  PetscCall(GSModelCreateGlobalVector(g->model, &g->X));
  PetscCall(VecDuplicate(g->X, &g->lambda));
  PetscCall(MatCreateVecs(GSModelGetJacobianP(g->model), &g->mu, NULL));
  PetscCall(GSLogEventGet(GS_EVENT_ADJOINT, &g->event_adjoint));
  PetscCall(GSLogEventGet(GS_EVENT_JACOBIAN, &g->event_jac));
  PetscCall(GSLogEventGet(GS_EVENT_HALO, &g->event_halo));
  *out = g;
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientDestroy(GSGradient *grad)
{
  GSGradient g = *grad;

  PetscFunctionBeginUser;
  if (!g) PetscFunctionReturn(0);
  PetscCall(VecDestroy(&g->X));
  PetscCall(VecDestroy(&g->G));
  PetscCall(VecDestroy(&g->lambda));
  PetscCall(VecDestroy(&g->mu));
  PetscCall(VecDestroy(&g->lambda_next));
  PetscCall(VecDestroy(&g->lambda_local));
  PetscCall(VecDestroy(&g->lambda_local_next));
  PetscCall(GSGradientDestroySegment(g));
  for (PetscInt i = 0; i < g->slot_capacity; i++) PetscCall(VecDestroy(&g->slot[i]));
  PetscCall(PetscFree(g->slot));
  PetscCall(VecDestroy(&g->current));
  PetscCall(GSCheckpointPlanDestroy(g));
  PetscCall(PetscFree(g));
  *grad = NULL;
  PetscFunctionReturn(0);
}

/* dL/dX for the routes that keep it beside lambda (forward sensitivities, implicit): the adjoint
   routes put it straight into lambda and never hold this state. */
PetscErrorCode GSGradientEnsureLossGradient(GSGradient g)
{
  PetscFunctionBeginUser;
  if (!g->G) PetscCall(VecDuplicate(g->X, &g->G));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientGetMemoryCap(GSGradient g, double *cap_mib, double *least_mib)
{
  PetscFunctionBeginUser;
  *cap_mib   = g->memory_bytes / 1048576.0;
  *least_mib = GS_CHECKPOINT_LEAST_STATES * g->state_bytes / 1048576.0;
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientSetWindow(GSGradient g, PetscInt window)
{
  PetscFunctionBeginUser;
  g->window = window;
  PetscFunctionReturn(0);
}

GSRun GSGradientGetRun(GSGradient g)
{
  return g->run;
}

Vec GSGradientFinalState(GSGradient g)
{
  return g->X;
}

PetscInt GSGradientGetWindow(GSGradient g)
{
  return g->window;
}

PetscErrorCode GSGradientFixSteps(GSGradient g, PetscInt steps)
{
  PetscFunctionBeginUser;
  if (steps > 0 && !g->fixed) {
    g->saved_tol = GSRunGetSteadyTol(g->run);
    PetscCall(TSGetMaxSteps(GSRunGetTS(g->run), &g->saved_max_steps));
    g->fixed = PETSC_TRUE;
  }
  if (steps > 0) {
    GSRunSetSteadyTol(g->run, 0.0);
    PetscCall(TSSetMaxSteps(GSRunGetTS(g->run), steps));
  } else if (g->fixed) {
    GSRunSetSteadyTol(g->run, g->saved_tol);
    PetscCall(TSSetMaxSteps(GSRunGetTS(g->run), g->saved_max_steps));
    g->fixed = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientLoss(GSGradient g, Vec X0, GSGradientResult *r)
{
  PetscFunctionBeginUser;
  PetscCall(GSGradientSetTrajectory(g, PETSC_FALSE));
  PetscCall(GSGradientForwardAndLoss(g, X0, r, NULL));
  PetscFunctionReturn(0);
}

/* Checkpointed adjoint with PETSc's public API: the forward run keeps the segment starts the
   schedule asks for (all of them when they fit -gs_checkpoint_memory: one extra forward run; else a
   binomial schedule, the least recomputation for the slots there are); the reversal recomputes one
   segment at a time with all its states, last first, carrying lambda and accumulating mu. Any number
   of steps works: a run to a steady state thins its checkpoints online. */
PetscErrorCode GSGradientAdjoint(GSGradient g, Vec X0, GSGradientResult *r)
{
  PetscBool fast;

  PetscFunctionBeginUser;
  PetscCall(GSRunFastPathApplies(g->run, &fast));
  if (fast) PetscCall(GSGradientAdjointEuler(g, X0, r));
  else PetscCall(GSGradientAdjointTS(g, X0, r));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientGetTimes(GSGradient g, GSGradientTimes *times)
{
  PetscFunctionBeginUser;
  *times = g->times;
  PetscFunctionReturn(0);
}

/* (2/N) sum over cells of dv/dtheta_p dv/dtheta_q: the pixel loss's Gauss-Newton matrix. */
static PetscErrorCode GaussNewton(GSGradient g, Mat S, PetscReal gn[GS_NPARAM * GS_NPARAM])
{
  const GSPatch     *patch = GSModelGetPatch(g->model);
  const PetscScalar *a;
  PetscInt           lda, nlocal;
  PetscReal          local[GS_NPARAM * GS_NPARAM] = {0};
  const PetscReal    ncells                       = (PetscReal)patch->nx * patch->ny;

  PetscFunctionBeginUser;
  PetscCall(MatGetLocalSize(S, &nlocal, NULL));
  PetscCall(MatDenseGetLDA(S, &lda));
  PetscCall(MatDenseGetArrayRead(S, &a));
  for (int p = 0; p < GS_NPARAM; p++)
    for (int q = 0; q < GS_NPARAM; q++)
      for (PetscInt c = 1; c < nlocal; c += 2) local[p * GS_NPARAM + q] += a[p * lda + c] * a[q * lda + c];
  PetscCall(MatDenseRestoreArrayRead(S, &a));
  PetscCallMPI(MPI_Allreduce(local, gn, GS_NPARAM * GS_NPARAM, MPIU_REAL, MPIU_SUM, GSModelGetComm(g->model)));
  for (int k = 0; k < GS_NPARAM * GS_NPARAM; k++) gn[k] *= 2.0 / ncells;
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientForward(GSGradient g, Vec X0, GSGradientResult *r, PetscReal gn[GS_NPARAM * GS_NPARAM])
{
  TS        ts = GSRunGetTS(g->run);
  Mat       S, Jp, A = NULL;
  DM        da;
  PetscInt  nlocal;
  PetscBool explicit_rk;

  PetscFunctionBeginUser;
  /* TSForward of theta methods adds J to dense matrices: it needs the assembled Jacobian. */
  PetscCall(PetscObjectTypeCompare((PetscObject)ts, TSRK, &explicit_rk));
  if (!explicit_rk) {
    PetscCall(GSModelGetDM(g->model, &da));
    PetscCall(DMCreateMatrix(da, &A));
    PetscCall(TSSetRHSJacobian(ts, A, A, GSModelRHSJacobianAssembled, g->model));
  }
  PetscCall(GSGradientSetTrajectory(g, PETSC_FALSE));
  PetscCall(VecGetLocalSize(g->X, &nlocal));
  PetscCall(MatCreateDense(GSModelGetComm(g->model), nlocal, PETSC_DECIDE, PETSC_DETERMINE, GS_NPARAM, NULL, &S));
  PetscCall(MatDuplicate(S, MAT_DO_NOT_COPY_VALUES, &Jp));
  PetscCall(MatZeroEntries(S));
  PetscCall(TSSetRHSJacobianP(ts, Jp, GSModelRHSJacobianPDense, g->model));
  if (!explicit_rk) PetscCall(TSSetIJacobianP(ts, Jp, NULL, NULL));
  PetscCall(TSForwardSetSensitivities(ts, GS_NPARAM, S));
  GSRunRequireTS(g->run, PETSC_TRUE);
  PetscCall(GSGradientEnsureLossGradient(g));
  PetscCall(GSGradientForwardAndLoss(g, X0, r, g->G));
  GSRunRequireTS(g->run, PETSC_FALSE);
  if (GSRunReasonIsValid(r->reason)) {
    for (int q = 0; q < GS_NPARAM; q++) {
      Vec col;
      PetscCall(MatDenseGetColumnVecRead(S, q, &col));
      PetscCall(VecDot(col, g->G, &r->grad[q]));
      PetscCall(MatDenseRestoreColumnVecRead(S, q, &col));
    }
    if (gn) PetscCall(GaussNewton(g, S, gn));
  }
  PetscCall(TSForwardReset(ts));
  PetscCall(TSSetRHSJacobianP(ts, GSModelGetJacobianP(g->model), GSModelRHSJacobianP, g->model));
  if (A) {
    PetscCall(TSSetRHSJacobian(ts, GSModelGetJacobian(g->model), GSModelGetJacobian(g->model), GSModelRHSJacobian, g->model));
    PetscCall(TSSetIJacobianP(ts, GSModelGetJacobianP(g->model), NULL, NULL));
  }
  PetscCall(MatDestroy(&S));
  PetscCall(MatDestroy(&Jp));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientFiniteDifference(GSGradient g, Vec X0, PetscReal h, GSGradientResult *r)
{
  const GSParams   base = *GSModelGetParams(g->model);
  double           theta[GS_NPARAM];
  GSGradientResult plus, minus, center;

  PetscFunctionBeginUser;
  PetscCall(GSGradientLoss(g, X0, &center));
  GSParamsToArray(&base, theta);
  for (int q = 0; q < GS_NPARAM; q++) {
    const PetscReal step = h * PetscMax(PetscAbsReal(theta[q]), 1e-3);
    double          tp[GS_NPARAM], tm[GS_NPARAM];
    GSParams        p;
    for (int s = 0; s < GS_NPARAM; s++) tp[s] = tm[s] = theta[s];
    tp[q] += step;
    tm[q] -= step;
    p = GSParamsFromArray(tp);
    PetscCall(GSModelSetParams(g->model, &p));
    PetscCall(GSGradientLoss(g, X0, &plus));
    p = GSParamsFromArray(tm);
    PetscCall(GSModelSetParams(g->model, &p));
    PetscCall(GSGradientLoss(g, X0, &minus));
    r->grad[q] = (plus.loss - minus.loss) / (tp[q] - tm[q]);
    if (!GSRunReasonIsValid(plus.reason) || !GSRunReasonIsValid(minus.reason))
      center.reason = GSRunReasonIsValid(plus.reason) ? minus.reason : plus.reason;
  }
  PetscCall(GSModelSetParams(g->model, &base));
  r->loss   = center.loss;
  r->reason = center.reason;
  r->steps  = center.steps;
  PetscFunctionReturn(0);
}
