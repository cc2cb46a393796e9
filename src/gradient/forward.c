/* The forward runs of the gradient routes: the loss of the final state, and the checkpointed run the adjoints go back through. */
#include "gradient_impl.h"

/* Whether TS keeps every state of a run, with its stages (for RK 1fe the one stage is the state
   itself: keeping it avoids recomputing each step on the way back), for the adjoint of that run. */
PetscErrorCode GSGradientSetTrajectory(GSGradient g, PetscBool on)
{
  TS           ts = GSRunGetTS(g->run);
  TSTrajectory tj;

  PetscFunctionBeginUser;
  PetscCall(TSRemoveTrajectory(ts));
  if (!on) PetscFunctionReturn(0);
  PetscCall(TSSetSaveTrajectory(ts));
  PetscCall(TSGetTrajectory(ts, &tj));
  PetscCall(TSTrajectorySetType(tj, ts, TSTRAJECTORYMEMORY));
  PetscCall(TSTrajectorySetSolutionOnly(tj, PETSC_FALSE));
  PetscFunctionReturn(0);
}

/* Forward run from X0 into g->X and the loss of the final state (with dL/dX into G if asked). */
PetscErrorCode GSGradientForwardAndLoss(GSGradient g, Vec X0, GSGradientResult *r, Vec G)
{
  PetscFunctionBeginUser;
  PetscCall(VecCopy(X0, g->X));
  PetscCall(GSRunSolve(g->run, g->X));
  r->reason = GSRunGetReason(g->run);
  r->steps  = GSRunGetSteps(g->run);
  for (int q = 0; q < GS_NPARAM; q++) r->grad[q] = 0.0;
  PetscCall(GSFieldLossEvaluate(g->loss, GSFieldLossGetType(g->loss), g->X, &r->loss, G));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientForwardCheckpointed(GSGradient g, Vec X0, GSGradientResult *r, PetscInt *first)
{
  PetscLogDouble t0, t1;
  PetscInt       max_steps;

  PetscFunctionBeginUser;
  g->times = (GSGradientTimes){0, 0, 0, 0, 0, 0, 0, 0, 0};
  PetscCall(PetscTime(&t0));
  PetscCall(TSGetMaxSteps(GSRunGetTS(g->run), &max_steps));
  /* a run to a steady state has no length known in advance */
  PetscCall(GSCheckpointPlanSetUp(g, GSRunGetSteadyTol(g->run) > 0 ? 0 : max_steps));
  PetscCall(GSGradientSetTrajectory(g, PETSC_FALSE));
  PetscCall(GSRunSetSnapshot(g->run, g->plan.length, GSGradientStoreCheckpoint, g));
  PetscCall(GSGradientForwardAndLoss(g, X0, r, g->lambda));
  PetscCall(GSRunSetSnapshot(g->run, 0, NULL, NULL));
  *first = g->window > 0 ? PetscMax(0, r->steps - g->window) : 0;
  PetscCall(PetscTime(&t1));
  g->times.forward           = t1 - t0;
  g->times.schedule_advances = g->plan.nchain ? g->plan.chain[g->plan.nchain - 1] : 0;
  g->times.segment_length    = g->plan.length;
  g->times.memory_slots      = g->plan.memory_slots;
  g->times.disk_slots        = g->plan.slots - g->plan.memory_slots;
  PetscFunctionReturn(0);
}

PetscErrorCode GSParamVecToArray(MPI_Comm comm, Vec p, PetscReal out[GS_NPARAM])
{
  const PetscScalar *a;
  PetscInt           n;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(p, &n));
  PetscCall(VecGetArrayRead(p, &a));
  for (PetscInt q = 0; q < n; q++) out[q] = a[q];
  PetscCall(VecRestoreArrayRead(p, &a));
  PetscCallMPI(MPI_Bcast(out, GS_NPARAM, MPIU_REAL, 0, comm));
  PetscFunctionReturn(0);
}
