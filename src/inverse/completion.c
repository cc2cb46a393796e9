/* Data completion on the DMDA: unobserved field values and theta from the steady residual loss, by TAO. */
#include <math.h>

#include "gsinv/inverse/completion.h"
#include "gsinv/physics/residual.h"
#include "gsinv/physics/stencil.h"

/* The optimiser's unknowns P: the rank's owned cells of the state (u, v interleaved, as the dof-2
   DMDA stores them), then, on rank 0 only, theta in units of theta_start (s_q = theta_q / theta_start_q,
   so that every entry is O(1)). Observed values are held fixed by a zero gradient: LMVM then never
   moves them (its two-loop recursion keeps zero components zero). */
struct _p_GSCompletion {
  GSModel     m;
  Tao         tao;
  PetscMPIInt rank;
  PetscInt    nfield;           /* 2 xm ym: the owned state entries of P */
  Vec         P, G0;            /* unknowns; a gradient-shaped work vector */
  Vec         mask;             /* 1 on the unknowns that move, 0 on the observed values */
  Vec         dmasked;          /* P-shaped work vector of the Hessian product */
  Vec         X, R;             /* the state and a residual-shaped vector (dof-2 DMDA, global) */
  Vec         ylocal;           /* ghosted residual-shaped vector */
  Vec         dfield, dlocal;   /* the state part of a direction, and its ghosted copy */
  Vec         xlin, xlin_local; /* the Hessian's linearisation state, and its ghosted copy */
  GSParams    plin;             /* and its theta */
  Mat         H;                /* MatShell: the Gauss-Newton Hessian */
  double      theta_start[GS_NPARAM];
};

PetscErrorCode GSCompletionCreate(GSModel m, GSCompletion *comp)
{
  const GSPatch *patch = GSModelGetPatch(m);
  GSCompletion   c;
  PetscBool      test;
  KSP            ksp;
  PC             pc;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&c));
  c->m = m;
  PetscCallMPI(MPI_Comm_rank(GSModelGetComm(m), &c->rank));
  c->nfield = 2 * patch->xm * patch->ym;
  PetscCall(TaoCreate(GSModelGetComm(m), &c->tao));
  PetscCall(TaoSetType(c->tao, TAONLS));
  /* The Hessian is a MatShell: no factorisation preconditioner (override with -gs_complete_tao_nls_pc_type). */
  PetscCall(TaoGetKSP(c->tao, &ksp));
  if (ksp) {
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCNONE));
  }
  PetscCall(TaoSetOptionsPrefix(c->tao, "gs_complete_"));
  /* The loss falls from ~1e-4 to round-off (~1e-20) at an exact steady state: stop on the absolute gradient only. */
  PetscCall(TaoSetTolerances(c->tao, 1e-15, 0.0, 0.0));
  PetscCall(TaoSetMaximumIterations(c->tao, 20000));
  PetscCall(TaoSetMaximumFunctionEvaluations(c->tao, 100000));
  PetscCall(TaoSetFromOptions(c->tao));
  /* TaoSolve reads the gradient test late: mark it read so the unused-option check accepts it. */
  PetscCall(PetscOptionsHasName(NULL, "gs_complete_", "-tao_test_gradient", &test));
  PetscCall(PetscOptionsHasName(NULL, "gs_complete_", "-tao_test_hessian", &test));
  *comp = c;
  PetscFunctionReturn(0);
}

PetscErrorCode GSCompletionDestroy(GSCompletion *comp)
{
  GSCompletion c = *comp;

  PetscFunctionBeginUser;
  if (!c) PetscFunctionReturn(0);
  PetscCall(TaoDestroy(&c->tao));
  PetscCall(VecDestroy(&c->P));
  PetscCall(VecDestroy(&c->G0));
  PetscCall(VecDestroy(&c->mask));
  PetscCall(VecDestroy(&c->X));
  PetscCall(VecDestroy(&c->R));
  PetscCall(VecDestroy(&c->ylocal));
  PetscCall(VecDestroy(&c->dmasked));
  PetscCall(VecDestroy(&c->dfield));
  PetscCall(VecDestroy(&c->dlocal));
  PetscCall(VecDestroy(&c->xlin));
  PetscCall(VecDestroy(&c->xlin_local));
  PetscCall(MatDestroy(&c->H));
  PetscCall(PetscFree(*comp));
  PetscFunctionReturn(0);
}

void GSCompletionThetaStart(const GSResidualFit *fit, double theta_start[GS_NPARAM])
{
  const double paper[GS_NPARAM] = {0.05, 0.05, 0.1269, 0.1269};

  for (int q = 0; q < GS_NPARAM; q++) theta_start[q] = fit->rank == GS_NPARAM ? fit->theta[q] : paper[q];
  if (fit->rank == GS_NPARAM || fit->rank < 2) return;
  /* From v alone the fit identifies F + k (its F and k slots share it) and Dv. */
  theta_start[GS_PARAM_F] = theta_start[GS_PARAM_K] = 0.5 * (fit->theta[GS_PARAM_F] + fit->theta[GS_PARAM_K]);
  theta_start[GS_PARAM_DV]                          = fit->theta[GS_PARAM_DV];
}

/* Copies the state part of P into X (a dof-2 DMDA vector) and gives every rank P's theta part
   times theta_start. Collective. */
static PetscErrorCode Unpack(GSCompletion c, Vec P, Vec X, double theta[GS_NPARAM])
{
  const PetscScalar *p;
  PetscScalar       *x;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(P, &p));
  PetscCall(VecGetArrayWrite(X, &x));
  PetscCall(PetscArraycpy(x, p, c->nfield));
  if (c->rank == 0)
    for (int q = 0; q < GS_NPARAM; q++) theta[q] = c->theta_start[q] * PetscRealPart(p[c->nfield + q]);
  PetscCall(VecRestoreArrayWrite(X, &x));
  PetscCall(VecRestoreArrayRead(P, &p));
  PetscCallMPI(MPI_Bcast(theta, GS_NPARAM, MPI_DOUBLE, 0, GSModelGetComm(c->m)));
  PetscFunctionReturn(0);
}

/* The first owned cell of a ghosted dof-2 array. */
static const GSField *FirstOwned(GSModel m, const PetscScalar *local)
{
  return (const GSField *)local + GSModelGetPatch(m)->first_owned;
}

/* out = (2/N) J^T y, masked, for y (residual-shaped, in Y) at the state x (ghosted xin, owned
   state): the field part through the ghosted y, the theta part (in units of theta_start) reduced. */
static PetscErrorCode ApplyJacobianTranspose(GSCompletion comp, const GSParams *p, const GSField *xin, const GSField *state, Vec Y, Vec out)
{
  GSModel            m     = comp->m;
  const GSPatch     *patch = GSModelGetPatch(m);
  const double       scale = 2.0 / ((double)patch->nx * (double)patch->ny), inv_h2 = patch->inv_h2;
  double             t[GS_NPARAM];
  const PetscScalar *ya, *yl;
  PetscScalar       *oa;
  GSField           *o;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(Y, &ya));
  GSParamGradientGhosted(inv_h2, (int)patch->xm, (int)patch->ym, (int)patch->gxm, xin, (const GSField *)ya, t);
  PetscCall(VecRestoreArrayRead(Y, &ya));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, t, GS_NPARAM, MPI_DOUBLE, MPI_SUM, GSModelGetComm(m)));
  PetscCall(GSModelGlobalToLocal(m, Y, comp->ylocal));
  PetscCall(VecGetArrayRead(comp->ylocal, &yl));
  PetscCall(VecGetArrayWrite(out, &oa));
  o = (GSField *)oa;
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, FirstOwned(m, yl), {
    double a[2][2];
    GSReactionJacobian(p, state[idx], a);
    o[idx] = GSJacobianTransposePoint(p, inv_h2, a, c, w, e, s, n);
    o[idx].u *= scale;
    o[idx].v *= scale;
  });
  if (comp->rank == 0)
    for (int q = 0; q < GS_NPARAM; q++) oa[comp->nfield + q] = scale * t[q] * comp->theta_start[q];
  PetscCall(VecRestoreArrayWrite(out, &oa));
  PetscCall(VecRestoreArrayRead(comp->ylocal, &yl));
  PetscCall(VecPointwiseMult(out, out, comp->mask));
  PetscFunctionReturn(0);
}

/* Y = J d for a packed direction d at the state x (ghosted xin, owned state). Collective. */
static PetscErrorCode ApplyJacobian(GSCompletion comp, const GSParams *p, const GSField *xin, const GSField *state, Vec D, Vec Y)
{
  GSModel            m      = comp->m;
  const GSPatch     *patch  = GSModelGetPatch(m);
  const double       inv_h2 = patch->inv_h2;
  double             dtheta[GS_NPARAM];
  const PetscScalar *dl;
  PetscScalar       *ya;
  GSField           *y;

  PetscFunctionBeginUser;
  PetscCall(Unpack(comp, D, comp->dfield, dtheta)); /* dtheta = theta_start * ds */
  PetscCall(GSModelGlobalToLocal(m, comp->dfield, comp->dlocal));
  PetscCall(VecGetArrayRead(comp->dlocal, &dl));
  PetscCall(VecGetArrayWrite(Y, &ya));
  y = (GSField *)ya;
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, FirstOwned(m, dl), {
    double a[2][2];
    GSReactionJacobian(p, state[idx], a);
    y[idx] = GSJacobianPoint(p, inv_h2, a, c, w, e, s, n);
  });
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, xin, {
    double dfu[GS_NPARAM], dfv[GS_NPARAM];
    GSParamDerivativePoint(c, GSLaplacian(c.u, w.u, e.u, s.u, n.u, inv_h2), GSLaplacian(c.v, w.v, e.v, s.v, n.v, inv_h2), dfu, dfv);
    for (int q = 0; q < GS_NPARAM; q++) y[idx].u += dfu[q] * dtheta[q], y[idx].v += dfv[q] * dtheta[q];
  });
  PetscCall(VecRestoreArrayWrite(Y, &ya));
  PetscCall(VecRestoreArrayRead(comp->dlocal, &dl));
  PetscFunctionReturn(0);
}

/* L = mean over cells of |f(x; theta)|^2 (the steady residual is the RHS) and its gradient (2/N) J^T f. */
static PetscErrorCode CompletionObjective(Tao tao, Vec P, PetscReal *loss, Vec G, void *ctx)
{
  GSCompletion       comp   = (GSCompletion)ctx;
  GSModel            m      = comp->m;
  const GSPatch     *patch  = GSModelGetPatch(m);
  const double       inv_h2 = patch->inv_h2;
  double             theta[GS_NPARAM], sum = 0;
  const PetscScalar *xl, *xa;
  PetscScalar       *ra;
  const GSField     *xin;
  GSField           *res;
  GSParams           p;

  PetscFunctionBeginUser;
  (void)tao;
  PetscCall(Unpack(comp, P, comp->X, theta));
  p = GSParamsFromArray(theta);
  PetscCall(GSModelEnsureLocalWork(m, PETSC_FALSE));
  PetscCall(GSModelGlobalToLocal(m, comp->X, GSModelGetLocalX(m)));
  PetscCall(VecGetArrayRead(GSModelGetLocalX(m), &xl));
  xin = FirstOwned(m, xl);
  PetscCall(VecGetArrayWrite(comp->R, &ra));
  res = (GSField *)ra;
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, xin, {
    res[idx] = GSRHSPoint(&p, inv_h2, c, w, e, s, n);
    sum += res[idx].u * res[idx].u + res[idx].v * res[idx].v;
  });
  PetscCall(VecRestoreArrayWrite(comp->R, &ra));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM, GSModelGetComm(m)));
  *loss = sum / ((double)patch->nx * (double)patch->ny);
  PetscCall(VecGetArrayRead(comp->X, &xa));
  PetscCall(ApplyJacobianTranspose(comp, &p, xin, (const GSField *)xa, comp->R, G));
  PetscCall(VecRestoreArrayRead(comp->X, &xa));
  PetscCall(VecRestoreArrayRead(GSModelGetLocalX(m), &xl));
  PetscFunctionReturn(0);
}

/* The Gauss-Newton Hessian (2/N) J^T J is linearised at P: exact at a zero residual, always
   positive semi-definite. */
static PetscErrorCode CompletionHessian(Tao tao, Vec P, Mat H, Mat Hpre, void *ctx)
{
  GSCompletion comp = (GSCompletion)ctx;
  double       theta[GS_NPARAM];

  PetscFunctionBeginUser;
  (void)tao, (void)H, (void)Hpre;
  PetscCall(Unpack(comp, P, comp->xlin, theta));
  comp->plin = GSParamsFromArray(theta);
  PetscCall(GSModelGlobalToLocal(comp->m, comp->xlin, comp->xlin_local));
  PetscFunctionReturn(0);
}

/* y = mask (2/N) J^T J (mask d) + (1 - mask) d: the observed values' block is the identity. */
static PetscErrorCode CompletionHessianMult(Mat H, Vec d, Vec y)
{
  GSCompletion       comp;
  const PetscScalar *xl, *xa;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(H, &comp));
  PetscCall(VecPointwiseMult(comp->dmasked, d, comp->mask));
  PetscCall(VecGetArrayRead(comp->xlin_local, &xl));
  PetscCall(VecGetArrayRead(comp->xlin, &xa));
  PetscCall(ApplyJacobian(comp, &comp->plin, FirstOwned(comp->m, xl), (const GSField *)xa, comp->dmasked, comp->R));
  PetscCall(ApplyJacobianTranspose(comp, &comp->plin, FirstOwned(comp->m, xl), (const GSField *)xa, comp->R, y));
  PetscCall(VecRestoreArrayRead(comp->xlin, &xa));
  PetscCall(VecRestoreArrayRead(comp->xlin_local, &xl));
  PetscCall(VecAXPY(y, 1.0, d));
  PetscCall(VecAXPY(y, -1.0, comp->dmasked));
  PetscFunctionReturn(0);
}

/* Fills mask (1: unobserved, completed) and P's state part from the observed X: unobserved values
   start at the mean of the field's observed values, or 1 when the field is not observed at all. */
static PetscErrorCode CompletionStart(GSCompletion comp, const GSObservation *obs, Vec X, double *completed)
{
  GSModel            m     = comp->m;
  const GSPatch     *patch = GSModelGetPatch(m);
  const PetscScalar *x;
  PetscScalar       *mk, *p;
  double             sums[4] = {0}, mean[2]; /* observed sum and count of u, of v */

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, &x));
  PetscCall(VecGetArrayWrite(comp->mask, &mk));
  for (PetscInt j = 0; j < patch->ym; j++) {
    for (PetscInt i = 0; i < patch->xm; i++) {
      const PetscInt  cell     = j * patch->xm + i;
      const PetscBool observed = (PetscBool)GSResidualCellObserved((uint64_t)obs->seed, obs->fraction, patch->nx, patch->ny, patch->xs + i,
                                                                   patch->ys + j);
      const PetscBool seen[2]  = {(PetscBool)(observed && obs->fields == GS_OBS_FIELDS_UV), observed};
      for (int f = 0; f < 2; f++) {
        mk[2 * cell + f] = seen[f] ? 0.0 : 1.0;
        if (seen[f]) sums[2 * f] += PetscRealPart(x[2 * cell + f]), sums[2 * f + 1] += 1.0;
      }
    }
  }
  if (comp->rank == 0)
    for (int q = 0; q < GS_NPARAM; q++) mk[comp->nfield + q] = 1.0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, 4, MPI_DOUBLE, MPI_SUM, GSModelGetComm(m)));
  for (int f = 0; f < 2; f++) mean[f] = sums[2 * f + 1] > 0 ? sums[2 * f] / sums[2 * f + 1] : 1.0;
  *completed = 2.0 * (double)patch->nx * (double)patch->ny - sums[1] - sums[3];
  PetscCall(VecGetArrayWrite(comp->P, &p));
  for (PetscInt k = 0; k < comp->nfield; k++) p[k] = PetscRealPart(mk[k]) > 0 ? mean[k % 2] : x[k];
  if (comp->rank == 0)
    for (int q = 0; q < GS_NPARAM; q++) p[comp->nfield + q] = 1.0;
  PetscCall(VecRestoreArrayWrite(comp->P, &p));
  PetscCall(VecRestoreArrayWrite(comp->mask, &mk));
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscFunctionReturn(0);
}

/* Max and RMS of the completed values against the file's values there. Collective. */
static PetscErrorCode CompletionFieldError(GSCompletion comp, Vec Xfile, GSCompletionResult *res)
{
  const PetscScalar *x, *t, *mk;
  double             err[2] = {0, 0}; /* max, sum of squares */

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(comp->X, &x));
  PetscCall(VecGetArrayRead(Xfile, &t));
  PetscCall(VecGetArrayRead(comp->mask, &mk));
  for (PetscInt k = 0; k < comp->nfield; k++) {
    if (PetscRealPart(mk[k]) == 0) continue;
    const double d = PetscAbsReal(PetscRealPart(x[k] - t[k]));
    err[0]         = PetscMax(err[0], d);
    err[1] += d * d;
  }
  PetscCall(VecRestoreArrayRead(comp->mask, &mk));
  PetscCall(VecRestoreArrayRead(Xfile, &t));
  PetscCall(VecRestoreArrayRead(comp->X, &x));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &err[0], 1, MPI_DOUBLE, MPI_MAX, GSModelGetComm(comp->m)));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &err[1], 1, MPI_DOUBLE, MPI_SUM, GSModelGetComm(comp->m)));
  res->error_max = err[0];
  res->error_rms = res->completed > 0 ? sqrt(err[1] / res->completed) : 0.0;
  PetscFunctionReturn(0);
}

static PetscErrorCode CompletionSetUpVectors(GSCompletion comp)
{
  GSModel m = comp->m;

  PetscFunctionBeginUser;
  if (comp->P) PetscFunctionReturn(0);
  PetscCall(VecCreateMPI(GSModelGetComm(m), comp->nfield + (comp->rank == 0 ? GS_NPARAM : 0), PETSC_DETERMINE, &comp->P));
  PetscCall(VecDuplicate(comp->P, &comp->G0));
  PetscCall(VecDuplicate(comp->P, &comp->mask));
  PetscCall(GSModelCreateGlobalVector(m, &comp->X));
  PetscCall(VecDuplicate(comp->X, &comp->R));
  PetscCall(VecDuplicate(comp->P, &comp->dmasked));
  PetscCall(GSModelCreateLocalVector(m, &comp->ylocal));
  PetscCall(VecDuplicate(comp->ylocal, &comp->dlocal));
  PetscCall(VecDuplicate(comp->ylocal, &comp->xlin_local));
  PetscCall(VecDuplicate(comp->X, &comp->dfield));
  PetscCall(VecDuplicate(comp->X, &comp->xlin));
  {
    PetscInt nlocal;
    PetscCall(VecGetLocalSize(comp->P, &nlocal));
    PetscCall(MatCreateShell(GSModelGetComm(m), nlocal, nlocal, PETSC_DETERMINE, PETSC_DETERMINE, comp, &comp->H));
    PetscCall(MatShellSetOperation(comp->H, MATOP_MULT, (void (*)(void))CompletionHessianMult));
    PetscCall(MatSetOption(comp->H, MAT_SYMMETRIC, PETSC_TRUE));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSCompletionSolve(GSCompletion comp, const char *path, const GSObservation *obs, const double theta_start[GS_NPARAM],
                                 const double *truth, GSCompletionResult *res)
{
  GSModel   m = comp->m;
  Vec       Xfile, Xobs;
  double    start, theta[GS_NPARAM];
  PetscReal loss;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(res, sizeof(*res)));
  for (int q = 0; q < GS_NPARAM; q++)
    PetscCheck(theta_start[q] > 0 && PetscIsNormalReal(theta_start[q]), GSModelGetComm(m), PETSC_ERR_USER_INPUT,
               "-gs_complete: the starting %s = %g must be positive (the fit from the observed data gave it)", GSParamNames[q], theta_start[q]);
  PetscCall(CompletionSetUpVectors(comp));
  PetscCall(PetscArraycpy(comp->theta_start, theta_start, GS_NPARAM));
  PetscCall(PetscArraycpy(res->theta_start, theta_start, GS_NPARAM));
  PetscCall(GSModelCreateGlobalVector(m, &Xfile));
  PetscCall(VecDuplicate(Xfile, &Xobs));
  PetscCall(GSStateRead(GSModelGetGrid(m), "-gs_input", path, Xfile));
  PetscCall(VecCopy(Xfile, Xobs));
  PetscCall(GSResidualObserve(m, obs, 0, Xobs));
  PetscCall(CompletionStart(comp, obs, Xobs, &res->completed));
  PetscCheck(res->completed > 0, GSModelGetComm(m), PETSC_ERR_USER_INPUT,
             "-gs_complete: nothing to complete (every value is observed): hide u with -gs_obs_fields v or cells with -gs_obs_fraction < 1");
  PetscCall(CompletionObjective(comp->tao, comp->P, &loss, comp->G0, comp));
  res->loss_start = loss;
  PetscCall(TaoSetSolution(comp->tao, comp->P));
  PetscCall(TaoSetObjectiveAndGradient(comp->tao, NULL, CompletionObjective, comp));
  PetscCall(TaoSetHessian(comp->tao, comp->H, comp->H, CompletionHessian, comp));
  PetscCallMPI(MPI_Barrier(GSModelGetComm(m)));
  start = MPI_Wtime();
  PetscCall(TaoSolve(comp->tao));
  res->seconds = MPI_Wtime() - start;
  PetscCall(TaoGetSolutionStatus(comp->tao, &res->iterations, &loss, NULL, NULL, NULL, &res->reason));
  PetscCall(CompletionObjective(comp->tao, comp->P, &loss, comp->G0, comp));
  res->loss = loss;
  PetscCall(Unpack(comp, comp->P, comp->X, theta));
  for (int q = 0; q < GS_NPARAM; q++) res->theta[q] = theta[q];
  res->has_truth = (PetscBool)(truth != NULL);
  for (int q = 0; q < GS_NPARAM && truth; q++) res->rel[q] = (theta[q] - truth[q]) / truth[q];
  PetscCall(CompletionFieldError(comp, Xfile, res));
  PetscCall(VecDestroy(&Xobs));
  PetscCall(VecDestroy(&Xfile));
  PetscFunctionReturn(0);
}

PetscErrorCode GSCompletionPrint(MPI_Comm comm, const GSCompletionResult *res)
{
  const double *t = res->theta, *rel = res->rel;

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "completion start F = %.6g  k = %.6g  Du = %.6g  Dv = %.6g  (loss %.3e)\n", res->theta_start[0], res->theta_start[1],
                        res->theta_start[2], res->theta_start[3], res->loss_start));
  PetscCall(PetscPrintf(comm, "completion      F = %.12g  k = %.12g  Du = %.12g  Dv = %.12g\n", t[0], t[1], t[2], t[3]));
  if (res->has_truth)
    PetscCall(PetscPrintf(comm, "completion relative error  F %+.3e  k %+.3e  Du %+.3e  Dv %+.3e\n", rel[0], rel[1], rel[2], rel[3]));
  PetscCall(PetscPrintf(comm,
                        "completion: %.0f values completed, error against the input file max %.3e rms %.3e; loss %.3e; %" PetscInt_FMT
                        " iterations, %s, %.3f s\n",
                        res->completed, res->error_max, res->error_rms, res->loss, res->iterations, TaoConvergedReasons[res->reason], res->seconds));
  PetscFunctionReturn(0);
}

PetscErrorCode GSCompletionWrite(GSOutput *out, const GSCompletionResult *res)
{
  hsize_t    four = GS_NPARAM, two = 2;
  PetscInt64 iterations = res->iterations, reason = res->reason;
  PetscReal  error[2] = {res->error_max, res->error_rms}, loss[2] = {res->loss_start, res->loss};

  PetscFunctionBeginUser;
  PetscCall(GSH5WriteRealArray(out, "/residual/completion/theta", 1, &four, res->theta));
  PetscCall(GSH5WriteRealArray(out, "/residual/completion/theta_start", 1, &four, res->theta_start));
  if (res->has_truth) PetscCall(GSH5WriteRealArray(out, "/residual/completion/relative_error", 1, &four, res->rel));
  PetscCall(GSH5WriteRealArray(out, "/residual/completion/field_error", 1, &two, error));
  PetscCall(
    GSH5WriteAttributeString(out, "/residual/completion/field_error", "definition",
                             "[max, rms] over the completed values of |completed - input file's value| (the truth when the file is a simulation)"));
  PetscCall(GSH5WriteRealArray(out, "/residual/completion/loss", 1, &two, loss));
  PetscCall(GSH5WriteAttributeString(out, "/residual/completion/loss", "definition", "[start, end] mean over all cells of r_u^2 + r_v^2"));
  PetscCall(GSH5WriteRealArray(out, "/residual/completion/completed", 0, NULL, &res->completed));
  PetscCall(GSH5WriteIntArray(out, "/residual/completion/iterations", 0, NULL, &iterations));
  PetscCall(GSH5WriteIntArray(out, "/residual/completion/reason", 0, NULL, &reason));
  PetscCall(GSH5WriteAttributeString(out, "/residual/completion/reason", "name", TaoConvergedReasons[res->reason]));
  PetscCall(GSH5WriteRealArray(out, "/residual/completion/seconds", 0, NULL, &res->seconds));
  PetscFunctionReturn(0);
}
