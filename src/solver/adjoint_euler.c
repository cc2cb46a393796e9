/* The adjoint of forward Euler without the TS machinery: after a checkpointed forward run, each
   segment's states are recomputed with the fused Euler sweep and the adjoint steps
   lambda_n = lambda_{n+1} + dt J(x_n)^T lambda_{n+1}, mu += dt Jp(x_n)^T lambda_{n+1} are one fused
   sweep each. The same recursion TSAdjoint applies to RK 1fe (tested equal); used whenever the
   forward run takes the fast path. */
#include "gradient_impl.h"

/* lambda_next = lambda + dt J(x)^T lambda; mu (this rank's share) += dt Jp(x)^T lambda. */
static PetscErrorCode AdjointStep(GSGradient g, Vec x, Vec lambda, Vec lambda_next, double mu[GS_NPARAM])
{
  GSModel            m = g->model;
  const PetscScalar *xa, *la;
  PetscScalar       *ln;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(m->event_jac, 0, 0, 0, 0));
  PetscCall(VecGetArrayWrite(lambda_next, &ln));
  if (m->whole_grid) {
    PetscCall(VecGetArrayRead(x, &xa));
    PetscCall(VecGetArrayRead(lambda, &la));
    GSAdjointEulerStepPeriodic(&m->params, m->inv_h2, g->run->dt, (int)m->nx, (int)m->ny, (const GSField *)xa, (const GSField *)la, (GSField *)ln, mu);
    PetscCall(VecRestoreArrayRead(lambda, &la));
    PetscCall(VecRestoreArrayRead(x, &xa));
  } else {
    const PetscInt offset = (m->ys - m->gys) * m->gxm + (m->xs - m->gxs);
    PetscCall(DMGlobalToLocal(m->da, lambda, INSERT_VALUES, g->lambda_local));
    PetscCall(VecGetArrayRead(x, &xa));
    PetscCall(VecGetArrayRead(g->lambda_local, &la));
    GSAdjointEulerStepGhosted(&m->params, m->inv_h2, g->run->dt, (int)m->xm, (int)m->ym, (int)m->gxm, (const GSField *)xa, (const GSField *)la + offset, (GSField *)ln, mu);
    PetscCall(VecRestoreArrayRead(g->lambda_local, &la));
    PetscCall(VecRestoreArrayRead(x, &xa));
  }
  PetscCall(VecRestoreArrayWrite(lambda_next, &ln));
  PetscCall(PetscLogEventEnd(m->event_jac, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Recomputes x_{start+1} ... x_{start+count-1} from the checkpoint x_start into g->segment[1..]. */
static PetscErrorCode RecomputeSegment(GSGradient g, PetscInt start, PetscInt count)
{
  GSStepStats unused;

  PetscFunctionBeginUser;
  if (!g->segment && g->stride > 1) PetscCall(VecDuplicateVecs(g->X, g->stride, &g->segment));
  for (PetscInt i = 1; i < count; i++) PetscCall(GSModelEulerStep(g->model, g->run->dt, i == 1 ? g->checkpoints[start / g->stride] : g->segment[i - 1], g->segment[i], &unused));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientAdjointEuler(GSGradient g, Vec X0, GSGradientResult *r)
{
  double   mu[GS_NPARAM] = {0, 0, 0, 0};
  PetscInt n, first;
  Vec      lambda, next, t;

  PetscFunctionBeginUser;
  PetscCall(GSGradientForwardCheckpointed(g, X0, r, &first));
  if (!GSRunReasonIsValid(r->reason)) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(g->event_adjoint, 0, 0, 0, 0));
  if (!g->lambda_next) PetscCall(VecDuplicate(g->lambda, &g->lambda_next));
  if (!g->lambda_local) PetscCall(DMCreateLocalVector(g->model->da, &g->lambda_local));
  n      = r->steps;
  lambda = g->lambda, next = g->lambda_next;
  for (PetscInt start = ((n - 1) / g->stride) * g->stride; start >= 0 && start + g->stride > first; start -= g->stride) {
    const PetscInt count = PetscMin(g->stride, n - start);
    PetscLogDouble t0, t1, t2;

    PetscCall(PetscTime(&t0));
    PetscCall(RecomputeSegment(g, start, count));
    PetscCall(PetscTime(&t1));
    for (PetscInt i = count - 1; i >= PetscMax(0, first - start); i--) {
      PetscCall(AdjointStep(g, i ? g->segment[i] : g->checkpoints[start / g->stride], lambda, next, mu));
      t = lambda, lambda = next, next = t;
      g->times.backward_steps++;
    }
    PetscCall(PetscTime(&t2));
    g->times.recompute += t1 - t0;
    g->times.backward += t2 - t1;
  }
  if (lambda != g->lambda) PetscCall(VecCopy(lambda, g->lambda));
  PetscCallMPI(MPI_Allreduce(mu, r->grad, GS_NPARAM, MPI_DOUBLE, MPI_SUM, g->model->comm));
  PetscCall(PetscLogEventEnd(g->event_adjoint, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
