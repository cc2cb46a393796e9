/* The implicit-function (steady-state) gradient: dL/dtheta = -lambda^T df/dtheta with
   J^T lambda = dL/dX at a steady state X, J = df/dX. On a periodic pattern J is (nearly) singular
   along the two translation modes dX/dx, dX/dy: the pattern can slide, and where it sits is not a
   function of theta. dL/dX is projected off those modes before the solve (the solvability
   condition of J^T lambda = g is g orthogonal to the null space of J), and the share removed is
   reported. */
#include <petscksp.h>

#include "gradient_impl.h"
#include "gsinv/physics/stencil.h"

/* Central differences of X in x and y: the generators of translations. */
static PetscErrorCode TranslationModes(GSModel m, Vec X, Vec modes[2])
{
  const GSPatch     *patch = GSModelGetPatch(m);
  const PetscScalar *xl;
  PetscScalar       *tx, *ty;

  PetscFunctionBeginUser;
  PetscCall(GSModelEnsureLocalWork(m, PETSC_FALSE));
  PetscCall(GSModelGlobalToLocal(m, X, GSModelGetLocalX(m)));
  PetscCall(VecGetArrayRead(GSModelGetLocalX(m), &xl));
  PetscCall(VecGetArrayWrite(modes[0], &tx));
  PetscCall(VecGetArrayWrite(modes[1], &ty));
  const GSField *xin = (const GSField *)xl + patch->first_owned;
  GSField       *fx = (GSField *)tx, *fy = (GSField *)ty;
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, xin, {
    fx[idx] = (GSField){0.5 * (e.u - w.u), 0.5 * (e.v - w.v)};
    fy[idx] = (GSField){0.5 * (n.u - s.u), 0.5 * (n.v - s.v)};
  });
  PetscCall(VecRestoreArrayWrite(modes[1], &ty));
  PetscCall(VecRestoreArrayWrite(modes[0], &tx));
  PetscCall(VecRestoreArrayRead(GSModelGetLocalX(m), &xl));
  PetscFunctionReturn(0);
}

/* Removes from G its components along the (orthonormalised) modes; returns |removed| / |G|. */
static PetscErrorCode ProjectOff(Vec modes[2], Vec G, PetscReal *fraction)
{
  PetscReal   norm_before, norm_after, len;
  PetscScalar dot;

  PetscFunctionBeginUser;
  PetscCall(VecNorm(G, NORM_2, &norm_before));
  for (int k = 0; k < 2; k++) {
    for (int j = 0; j < k; j++) {
      PetscCall(VecDot(modes[k], modes[j], &dot));
      PetscCall(VecAXPY(modes[k], -dot, modes[j]));
    }
    PetscCall(VecNormalize(modes[k], &len));
    if (len == 0) continue;
    PetscCall(VecDot(G, modes[k], &dot));
    PetscCall(VecAXPY(G, -dot, modes[k]));
  }
  PetscCall(VecNorm(G, NORM_2, &norm_after));
  *fraction = norm_before > 0 ? PetscSqrtReal(PetscMax(norm_before * norm_before - norm_after * norm_after, 0)) / norm_before : 0;
  PetscFunctionReturn(0);
}

/* J^T lambda = rhs with the assembled Jacobian at the state: a direct solve by default (LU, MUMPS
   in parallel), since the near-null translation modes defeat unpreconditioned Krylov methods;
   -gs_implicit_ksp_type, -gs_implicit_pc_type ... change it. */
static PetscErrorCode SolveTranspose(GSGradient g, Vec X, Vec rhs, GSImplicitInfo *info)
{
  KSP                ksp;
  Mat                A;
  DM                 da;
  KSPConvergedReason reason;
  PC                 pc;
  PetscMPIInt        size;

  PetscFunctionBeginUser;
  PetscCall(GSModelGetDM(g->model, &da));
  PetscCall(DMCreateMatrix(da, &A));
  PetscCall(GSModelAssembleJacobian(g->model, X, A));
  PetscCall(KSPCreate(GSModelGetComm(g->model), &ksp));
  PetscCall(KSPSetOptionsPrefix(ksp, "gs_implicit_"));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetType(ksp, KSPPREONLY));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCLU));
  PetscCallMPI(MPI_Comm_size(GSModelGetComm(g->model), &size));
  if (size > 1) PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KSPSolveTranspose(ksp, rhs, g->lambda));
  PetscCall(KSPGetIterationNumber(ksp, &info->iterations));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  info->converged = (PetscBool)(reason > 0);
  PetscCall(KSPDestroy(&ksp));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientImplicit(GSGradient g, Vec X, GSGradientResult *r, GSImplicitInfo *info)
{
  GSModel m = g->model;
  Vec     modes[2];

  PetscFunctionBeginUser;
  PetscCall(GSGradientEnsureLossGradient(g));
  PetscCall(GSFieldLossEvaluate(g->loss, GSFieldLossGetType(g->loss), X, &r->loss, g->G));
  PetscCall(GSModelRHSFunction(NULL, 0, X, g->lambda, m));
  PetscCall(VecNorm(g->lambda, NORM_INFINITY, &info->residual));
  PetscCall(GSModelSetLinearisationState(m, X));
  PetscCall(VecDuplicate(X, &modes[0]));
  PetscCall(VecDuplicate(X, &modes[1]));
  PetscCall(TranslationModes(m, X, modes));
  PetscCall(ProjectOff(modes, g->G, &info->null_fraction));
  PetscCall(SolveTranspose(g, X, g->G, info));
  PetscCall(MatMultTranspose(GSModelGetJacobianP(m), g->lambda, g->mu));
  PetscCall(VecScale(g->mu, -1.0));
  PetscCall(GSParamVecToArray(GSModelGetComm(m), g->mu, r->grad));
  PetscCall(VecDestroy(&modes[0]));
  PetscCall(VecDestroy(&modes[1]));
  PetscFunctionReturn(0);
}
