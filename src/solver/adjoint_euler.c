/* The adjoint of forward Euler without the TS machinery: after a checkpointed forward run, each
   segment's states are recomputed with the fused Euler sweep and the adjoint steps
   lambda_n = lambda_{n+1} + dt J(x_n)^T lambda_{n+1}, mu += dt Jp(x_n)^T lambda_{n+1} are one fused
   sweep each. The same recursion TSAdjoint applies to RK 1fe (tested equal); used whenever the
   forward run takes the fast path. On one rank the sweeps wrap around the grid; on several the
   segment's states and lambda live in ghosted arrays and only patch edges travel (GSHalo). */
#include "gradient_impl.h"

/* One rank: lambda_next = lambda + dt J(x)^T lambda; mu += dt Jp(x)^T lambda. */
static PetscErrorCode AdjointStepWhole(GSGradient g, Vec x, Vec lambda, Vec lambda_next, double mu[GS_NPARAM])
{
  GSModel            m = g->model;
  const PetscScalar *xa, *la;
  PetscScalar       *ln;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(m->event_jac, 0, 0, 0, 0));
  PetscCall(VecGetArrayWrite(lambda_next, &ln));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArrayRead(lambda, &la));
  GSAdjointEulerStepPeriodic(&m->params, m->inv_h2, g->run->dt, (int)m->nx, (int)m->ny, (const GSField *)xa, (const GSField *)la, (GSField *)ln, mu);
  PetscCall(VecRestoreArrayRead(lambda, &la));
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(VecRestoreArrayWrite(lambda_next, &ln));
  PetscCall(PetscLogEventEnd(m->event_jac, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Several ranks: the same from ghosted arrays (x, lambda) into the owned part of the ghosted
   lambda_next, then lambda_next's ghosts. mu gets this rank's share. */
static PetscErrorCode AdjointStepPatch(GSGradient g, const PetscScalar *x, const PetscScalar *lambda, PetscScalar *lambda_next, double mu[GS_NPARAM])
{
  GSModel        m     = g->model;
  const PetscInt first = GSModelFirstOwned(m);

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(m->event_jac, 0, 0, 0, 0));
  GSAdjointEulerStepGhosted(&m->params, m->inv_h2, g->run->dt, (int)m->xm, (int)m->ym, (int)m->gxm, (const GSField *)x + first, (const GSField *)lambda + first, (GSField *)lambda_next + first, mu);
  PetscCall(PetscLogEventEnd(m->event_jac, 0, 0, 0, 0));
  PetscCall(PetscLogEventBegin(m->event_halo, 0, 0, 0, 0));
  PetscCall(GSHaloExchange(m->halo, lambda_next));
  PetscCall(PetscLogEventEnd(m->event_halo, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* One rank: x_{start+1} ... x_{start+count-1} from the checkpoint x_start into g->segment[1..]
   (the checkpoint itself stands for x_start). */
static PetscErrorCode RecomputeSegmentWhole(GSGradient g, PetscInt start, PetscInt count)
{
  GSStepStats unused;

  PetscFunctionBeginUser;
  if (!g->segment && g->stride > 1) PetscCall(VecDuplicateVecs(g->X, g->stride, &g->segment));
  for (PetscInt i = 1; i < count; i++) PetscCall(GSModelEulerStep(g->model, g->run->dt, i == 1 ? g->checkpoints[start / g->stride] : g->segment[i - 1], g->segment[i], &unused));
  PetscFunctionReturn(0);
}

/* Several ranks: x_start ... x_{start+count-1} into the ghosted g->segment[0..]. */
static PetscErrorCode RecomputeSegmentPatch(GSGradient g, PetscInt start, PetscInt count)
{
  GSModel            m = g->model;
  GSStepStats        unused;
  const PetscScalar *x;
  PetscScalar       *y;

  PetscFunctionBeginUser;
  if (!g->segment) PetscCall(VecDuplicateVecs(m->xlocal, g->stride, &g->segment));
  PetscCall(DMGlobalToLocal(m->da, g->checkpoints[start / g->stride], INSERT_VALUES, g->segment[0]));
  for (PetscInt i = 1; i < count; i++) {
    PetscCall(VecGetArrayRead(g->segment[i - 1], &x));
    PetscCall(VecGetArray(g->segment[i], &y));
    PetscCall(GSModelEulerStepLocal(m, g->run->dt, x, y, &unused));
    PetscCall(VecRestoreArray(g->segment[i], &y));
    PetscCall(VecRestoreArrayRead(g->segment[i - 1], &x));
  }
  PetscFunctionReturn(0);
}

/* lambda's two buffers of a sweep: global vectors on one rank, ghosted arrays on several. */
typedef struct {
  Vec          lambda, next;
  PetscScalar *la, *lb;
} SweepState;

static PetscErrorCode StepWhole(GSGradient g, PetscInt start, PetscInt i, SweepState *s, double mu[GS_NPARAM])
{
  Vec t;

  PetscFunctionBeginUser;
  PetscCall(AdjointStepWhole(g, i ? g->segment[i] : g->checkpoints[start / g->stride], s->lambda, s->next, mu));
  t = s->lambda, s->lambda = s->next, s->next = t;
  PetscFunctionReturn(0);
}

static PetscErrorCode StepPatch(GSGradient g, PetscInt start, PetscInt i, SweepState *s, double mu[GS_NPARAM])
{
  const PetscScalar *x;
  PetscScalar       *t;

  PetscFunctionBeginUser;
  (void)start;
  PetscCall(VecGetArrayRead(g->segment[i], &x));
  PetscCall(AdjointStepPatch(g, x, s->la, s->lb, mu));
  PetscCall(VecRestoreArrayRead(g->segment[i], &x));
  t = s->la, s->la = s->lb, s->lb = t;
  PetscFunctionReturn(0);
}

/* The backward sweeps over the segments, last first, back to step `first`; times each phase. */
static PetscErrorCode Sweep(GSGradient g, PetscInt n, PetscInt first, PetscErrorCode (*recompute)(GSGradient, PetscInt, PetscInt), PetscErrorCode (*step)(GSGradient, PetscInt, PetscInt, SweepState *, double *), SweepState *s, double mu[GS_NPARAM])
{
  PetscFunctionBeginUser;
  for (PetscInt start = ((n - 1) / g->stride) * g->stride; start >= 0 && start + g->stride > first; start -= g->stride) {
    const PetscInt count = PetscMin(g->stride, n - start);
    PetscLogDouble t0, t1, t2;

    PetscCall(PetscTime(&t0));
    PetscCall(recompute(g, start, count));
    PetscCall(PetscTime(&t1));
    for (PetscInt i = count - 1; i >= PetscMax(0, first - start); i--) {
      PetscCall(step(g, start, i, s, mu));
      g->times.backward_steps++;
    }
    PetscCall(PetscTime(&t2));
    g->times.recompute += t1 - t0;
    g->times.backward += t2 - t1;
  }
  PetscFunctionReturn(0);
}

/* One rank: lambda in g->lambda and g->lambda_next; it ends in g->lambda. */
static PetscErrorCode SweepWhole(GSGradient g, PetscInt n, PetscInt first, double mu[GS_NPARAM])
{
  SweepState s = {NULL, NULL, NULL, NULL};

  PetscFunctionBeginUser;
  if (!g->lambda_next) PetscCall(VecDuplicate(g->lambda, &g->lambda_next));
  s.lambda = g->lambda, s.next = g->lambda_next;
  PetscCall(Sweep(g, n, first, RecomputeSegmentWhole, StepWhole, &s, mu));
  if (s.lambda != g->lambda) PetscCall(VecCopy(s.lambda, g->lambda));
  PetscFunctionReturn(0);
}

/* Several ranks: lambda in two ghosted arrays; its owned part ends in g->lambda. */
static PetscErrorCode SweepPatch(GSGradient g, PetscInt n, PetscInt first, double mu[GS_NPARAM])
{
  GSModel      m = g->model;
  SweepState   s = {NULL, NULL, NULL, NULL};
  PetscScalar *a, *b;

  PetscFunctionBeginUser;
  if (!g->lambda_local) PetscCall(DMCreateLocalVector(m->da, &g->lambda_local));
  if (!g->lambda_local_next) PetscCall(DMCreateLocalVector(m->da, &g->lambda_local_next));
  PetscCall(DMGlobalToLocal(m->da, g->lambda, INSERT_VALUES, g->lambda_local));
  PetscCall(VecGetArray(g->lambda_local, &a));
  PetscCall(VecGetArray(g->lambda_local_next, &b));
  s.la = a, s.lb = b;
  PetscCall(Sweep(g, n, first, RecomputeSegmentPatch, StepPatch, &s, mu));
  PetscCall(GSModelOwnedToGlobal(m, s.la, g->lambda));
  PetscCall(VecRestoreArray(g->lambda_local_next, &b));
  PetscCall(VecRestoreArray(g->lambda_local, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientAdjointEuler(GSGradient g, Vec X0, GSGradientResult *r)
{
  double   mu[GS_NPARAM] = {0, 0, 0, 0};
  PetscInt first;

  PetscFunctionBeginUser;
  PetscCall(GSGradientForwardCheckpointed(g, X0, r, &first));
  if (!GSRunReasonIsValid(r->reason)) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(g->event_adjoint, 0, 0, 0, 0));
  if (g->model->whole_grid) PetscCall(SweepWhole(g, r->steps, first, mu));
  else PetscCall(SweepPatch(g, r->steps, first, mu));
  PetscCallMPI(MPI_Allreduce(mu, r->grad, GS_NPARAM, MPI_DOUBLE, MPI_SUM, g->model->comm));
  PetscCall(PetscLogEventEnd(g->event_adjoint, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
