/* The adjoint of any TS scheme: PETSc's TSAdjoint over the segments of the checkpoint schedule. */
#include "gradient_impl.h"

/* The TS route's schedule actions: the current state in g->current; a segment is recomputed by TS
   with every state kept, then TSAdjoint runs back through its steps from `first` on. */
typedef struct {
  GSGradient g;
  PetscInt   steps, first;
} TSRoute;

static int TSRestore(void *ctx, int slot)
{
  TSRoute *c = ctx;
  return GSCheckpointLoad(c->g, slot, c->g->current);
}

static int TSStore(void *ctx, int slot)
{
  TSRoute *c = ctx;
  return GSCheckpointStore(c->g, slot, c->g->current);
}

static PetscErrorCode TSAdvance(GSGradient g, PetscInt count, PetscBool keep)
{
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  GSRunSetSteadyTol(g->run, 0.0);
  PetscCall(TSSetMaxSteps(GSRunGetTS(g->run), count));
  PetscCall(GSGradientSetTrajectory(g, keep));
  GSRunRequireTS(g->run, keep);
  PetscCall(GSRunSolve(g->run, g->current));
  GSRunRequireTS(g->run, PETSC_FALSE);
  PetscCall(PetscTime(&t1));
  g->times.recompute += t1 - t0;
  g->times.recompute_steps += count;
  PetscFunctionReturn(0);
}

static int TSAdvanceSegments(void *ctx, int64_t from, int64_t count)
{
  TSRoute *c = ctx;
  (void)from;
  c->g->times.schedule_advances += count;
  return TSAdvance(c->g, (PetscInt)count * c->g->plan.length, PETSC_FALSE);
}

static PetscErrorCode TSReverseSegment(TSRoute *c, PetscInt segment)
{
  GSGradient     g     = c->g;
  const PetscInt start = segment * g->plan.length, count = PetscMin(g->plan.length, c->steps - start);
  const PetscInt back = start + count - PetscMax(start, c->first);
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(TSAdvance(g, count, PETSC_TRUE));
  PetscCall(PetscTime(&t0));
  PetscCall(TSSetCostGradients(GSRunGetTS(g->run), 1, &g->lambda, &g->mu));
  PetscCall(TSAdjointSetSteps(GSRunGetTS(g->run), back));
  PetscCall(TSAdjointSolve(GSRunGetTS(g->run)));
  PetscCall(GSGradientSetTrajectory(g, PETSC_FALSE));
  PetscCall(PetscTime(&t1));
  g->times.backward += t1 - t0;
  g->times.backward_steps += back;
  PetscFunctionReturn(0);
}

static int TSReverse(void *ctx, int64_t segment)
{
  TSRoute *c = ctx;
  if ((segment + 1) * c->g->plan.length <= c->first) return GS_SCHEDULE_DONE;
  return TSReverseSegment(c, (PetscInt)segment);
}

/* The TS route: TSAdjoint over the segments of the checkpoint schedule. */
PetscErrorCode GSGradientAdjointTS(GSGradient g, Vec X0, GSGradientResult *r)
{
  PetscInt            first, max_steps;
  PetscBool           quiet = GSRunGetQuiet(g->run);
  PetscReal           tol   = GSRunGetSteadyTol(g->run);
  TSRoute             route;
  GSCheckpointActions actions = {TSRestore, TSStore, TSAdvanceSegments, TSReverse, &route};

  PetscFunctionBeginUser;
  PetscCall(GSGradientForwardCheckpointed(g, X0, r, &first));
  if (!GSRunReasonIsValid(r->reason)) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(g->event_adjoint, 0, 0, 0, 0));
  if (!g->current) PetscCall(VecDuplicate(g->X, &g->current));
  route = (TSRoute){g, r->steps, first};
  PetscCall(VecSet(g->mu, 0.0));
  PetscCall(TSGetMaxSteps(GSRunGetTS(g->run), &max_steps));
  GSRunSetQuiet(g->run, PETSC_TRUE);
  PetscCall(GSCheckpointReverse(g, r->steps, &actions));
  PetscCall(TSSetMaxSteps(GSRunGetTS(g->run), max_steps));
  GSRunSetSteadyTol(g->run, tol);
  GSRunSetQuiet(g->run, quiet);
  PetscCall(PetscLogEventEnd(g->event_adjoint, 0, 0, 0, 0));
  PetscCall(GSParamVecToArray(GSModelGetComm(g->model), g->mu, r->grad));
  PetscFunctionReturn(0);
}
