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
  GSModel            m     = g->model;
  const GSPatch     *patch = GSModelGetPatch(m);
  const PetscScalar *xa, *la;
  PetscScalar       *ln;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(g->event_jac, 0, 0, 0, 0));
  PetscCall(VecGetArrayWrite(lambda_next, &ln));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArrayRead(lambda, &la));
  GSAdjointEulerStepPeriodic(GSModelGetParams(m), patch->inv_h2, GSRunGetDt(g->run), (int)patch->nx, (int)patch->ny, (const GSField *)xa,
                             (const GSField *)la, (GSField *)ln, mu);
  PetscCall(VecRestoreArrayRead(lambda, &la));
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(VecRestoreArrayWrite(lambda_next, &ln));
  PetscCall(PetscLogEventEnd(g->event_jac, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Several ranks: the same from ghosted arrays (x, lambda) into the owned part of the ghosted
   lambda_next, then lambda_next's ghosts. mu gets this rank's share. */
static PetscErrorCode AdjointStepPatch(GSGradient g, const PetscScalar *x, const PetscScalar *lambda, PetscScalar *lambda_next, double mu[GS_NPARAM])
{
  GSModel        m     = g->model;
  const GSPatch *patch = GSModelGetPatch(m);
  const PetscInt first = patch->first_owned;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(g->event_jac, 0, 0, 0, 0));
  GSAdjointEulerStepGhosted(GSModelGetParams(m), patch->inv_h2, GSRunGetDt(g->run), (int)patch->xm, (int)patch->ym, (int)patch->gxm,
                            (const GSField *)x + first, (const GSField *)lambda + first, (GSField *)lambda_next + first, mu);
  PetscCall(PetscLogEventEnd(g->event_jac, 0, 0, 0, 0));
  PetscCall(PetscLogEventBegin(g->event_halo, 0, 0, 0, 0));
  PetscCall(GSHaloExchange(GSModelGetHalo(m), lambda_next));
  PetscCall(PetscLogEventEnd(g->event_halo, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The fused route's state holders: on one rank global vectors, on several ghosted arrays; segment[0]
   is the schedule's current state, segment[1 ..] a recomputed segment (at least two buffers, for
   advancing). lambda lives in two buffers that swap each step. */
typedef struct {
  GSGradient   g;
  PetscInt     steps, first;
  Vec          spare;        /* one rank: segment[0]'s own buffer while a memory slot stands in for it */
  Vec          lambda, next; /* one rank */
  PetscScalar *la, *lb;      /* several ranks */
  double      *mu;
} Fused;

/* On several ranks the first two buffers are the model's ghosted work pair, idle once the forward
   run is over (two states fewer); the rest, and all of them on one rank, are the gradient's own. */
static PetscErrorCode EnsureSegment(GSGradient g)
{
  const PetscInt whole = GSModelGetPatch(g->model)->whole_grid, need = PetscMax(g->plan.length, 2);

  PetscFunctionBeginUser;
  if (g->segment && g->segment_capacity >= need) PetscFunctionReturn(0);
  PetscCall(GSGradientDestroySegment(g));
  if (!whole) PetscCall(GSModelEnsureLocalWork(g->model, PETSC_TRUE));
  PetscCall(PetscCalloc1(need, &g->segment));
  g->segment_capacity = need;
  g->segment_borrowed = whole ? 0 : 2;
  if (!whole) g->segment[0] = GSModelGetLocalX(g->model), g->segment[1] = GSModelGetLocalY(g->model);
  for (PetscInt i = g->segment_borrowed; i < need; i++) PetscCall(VecDuplicate(whole ? g->X : GSModelGetLocalX(g->model), &g->segment[i]));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientDestroySegment(GSGradient g)
{
  PetscFunctionBeginUser;
  for (PetscInt i = g->segment_borrowed; i < g->segment_capacity; i++) PetscCall(VecDestroy(&g->segment[i]));
  PetscCall(PetscFree(g->segment));
  g->segment_capacity = g->segment_borrowed = 0;
  PetscFunctionReturn(0);
}

/* to := one step from `from` (two of the segment's states). */
static PetscErrorCode StepInto(GSGradient g, Vec from, Vec to)
{
  GSStepStats        unused;
  const PetscScalar *x;
  PetscScalar       *y;

  PetscFunctionBeginUser;
  if (GSModelGetPatch(g->model)->whole_grid) {
    PetscCall(GSModelEulerStep(g->model, GSRunGetDt(g->run), from, to, &unused));
    PetscFunctionReturn(0);
  }
  PetscCall(VecGetArrayRead(from, &x));
  PetscCall(VecGetArray(to, &y));
  PetscCall(GSModelEulerStepLocal(g->model, GSRunGetDt(g->run), x, y, &unused));
  PetscCall(VecRestoreArray(to, &y));
  PetscCall(VecRestoreArrayRead(from, &x));
  PetscFunctionReturn(0);
}

/* One rank: segment[0] gets its own buffer back from a memory slot that stood in for it. */
static void GiveBack(Fused *f)
{
  if (f->spare) f->g->segment[0] = f->spare, f->spare = NULL;
}

/* One rank: a memory slot becomes segment[0] by pointer, without a copy (the reversal only reads
   segment[0]; an advance steps out of it into the segment's own buffers). Several ranks: a memory
   slot goes straight into the ghosted state; a disk slot passes through g->lambda, idle while the
   reversal runs (lambda lives in the ghosted pair until the end). */
static int FusedRestore(void *ctx, int slot)
{
  Fused       *f = ctx;
  GSGradient   g = f->g;
  Vec          global;
  PetscScalar *x;

  PetscFunctionBeginUser;
  PetscCall(GSCheckpointSlotGlobal(g, slot, g->X, &global));
  if (GSModelGetPatch(g->model)->whole_grid) {
    GiveBack(f);
    if (global) f->spare = g->segment[0], g->segment[0] = global;
    else PetscCall(GSCheckpointLoad(g, slot, g->segment[0]));
  } else {
    if (!global) {
      PetscCall(GSCheckpointLoad(g, slot, g->lambda));
      global = g->lambda;
    }
    PetscCall(VecGetArray(g->segment[0], &x));
    PetscCall(GSModelGlobalToGhosted(g->model, global, x));
    PetscCall(VecRestoreArray(g->segment[0], &x));
  }
  PetscFunctionReturn(0);
}

static int FusedStore(void *ctx, int slot)
{
  Fused             *f = ctx;
  GSGradient         g = f->g;
  const PetscScalar *x;
  Vec                global;

  PetscFunctionBeginUser;
  if (GSModelGetPatch(g->model)->whole_grid) PetscCall(GSCheckpointStore(g, slot, g->segment[0]));
  else {
    PetscCall(GSCheckpointSlotGlobal(g, slot, g->X, &global));
    PetscCall(VecGetArrayRead(g->segment[0], &x));
    PetscCall(GSModelOwnedToGlobal(g->model, x, global ? global : g->lambda));
    PetscCall(VecRestoreArrayRead(g->segment[0], &x));
    if (!global) PetscCall(GSCheckpointStore(g, slot, g->lambda));
  }
  PetscFunctionReturn(0);
}

/* The current state segment[0] moves count segments forward, stepping between the segment's own
   two buffers (never into a memory slot standing in for segment[0]); the result is segment[0]. */
static int FusedAdvance(void *ctx, int64_t from, int64_t count)
{
  Fused         *f = ctx;
  GSGradient     g = f->g;
  const PetscInt n = (PetscInt)count * g->plan.length;
  Vec            own[2], cur = g->segment[0];
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  (void)from;
  if (n < 1) PetscFunctionReturn(0);
  own[0] = g->segment[1], own[1] = f->spare ? f->spare : g->segment[0];
  PetscCall(PetscTime(&t0));
  for (PetscInt i = 0; i < n; i++) {
    PetscCall(StepInto(g, cur, own[i % 2]));
    cur = own[i % 2];
  }
  g->segment[0] = cur, g->segment[1] = cur == own[0] ? own[1] : own[0], f->spare = NULL;
  PetscCall(PetscTime(&t1));
  g->times.recompute += t1 - t0;
  g->times.recompute_steps += n;
  g->times.schedule_advances += count;
  PetscFunctionReturn(0);
}

static PetscErrorCode BackwardStep(Fused *f, PetscInt i)
{
  GSGradient         g = f->g;
  const PetscScalar *x;
  PetscScalar       *t;
  Vec                v;

  PetscFunctionBeginUser;
  if (GSModelGetPatch(g->model)->whole_grid) {
    PetscCall(AdjointStepWhole(g, g->segment[i], f->lambda, f->next, f->mu));
    v = f->lambda, f->lambda = f->next, f->next = v;
  } else {
    PetscCall(VecGetArrayRead(g->segment[i], &x));
    PetscCall(AdjointStepPatch(g, x, f->la, f->lb, f->mu));
    PetscCall(VecRestoreArrayRead(g->segment[i], &x));
    t = f->la, f->la = f->lb, f->lb = t;
  }
  g->times.backward_steps++;
  PetscFunctionReturn(0);
}

/* The current state is the segment's start: recompute the segment whole, then sweep back through
   it to `first`. */
static PetscErrorCode ReverseSegment(Fused *f, PetscInt segment)
{
  GSGradient     g     = f->g;
  const PetscInt start = segment * g->plan.length, count = PetscMin(g->plan.length, f->steps - start);
  PetscLogDouble t0, t1, t2;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  for (PetscInt i = 1; i < count; i++) PetscCall(StepInto(g, g->segment[i - 1], g->segment[i]));
  g->times.recompute_steps += count - 1;
  PetscCall(PetscTime(&t1));
  for (PetscInt i = count - 1; i >= PetscMax(0, f->first - start); i--) PetscCall(BackwardStep(f, i));
  PetscCall(PetscTime(&t2));
  g->times.recompute += t1 - t0;
  g->times.backward += t2 - t1;
  PetscFunctionReturn(0);
}

static int FusedReverse(void *ctx, int64_t segment)
{
  Fused *f = ctx;

  if ((segment + 1) * f->g->plan.length <= f->first) return GS_SCHEDULE_DONE;
  return ReverseSegment(f, (PetscInt)segment);
}

/* One rank: lambda in g->lambda and g->lambda_next; it ends in g->lambda. */
static PetscErrorCode ReverseWhole(GSGradient g, Fused *f, const GSCheckpointActions *actions)
{
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (!g->lambda_next) PetscCall(VecDuplicate(g->lambda, &g->lambda_next));
  f->lambda = g->lambda, f->next = g->lambda_next;
  ierr = GSCheckpointReverse(g, f->steps, actions);
  GiveBack(f); /* also on failure: the segment must own its buffers when it is destroyed */
  PetscCall(ierr);
  if (f->lambda != g->lambda) PetscCall(VecCopy(f->lambda, g->lambda));
  PetscFunctionReturn(0);
}

/* Several ranks: lambda in two ghosted arrays; its owned part ends in g->lambda. */
static PetscErrorCode ReversePatch(GSGradient g, Fused *f, const GSCheckpointActions *actions)
{
  GSModel      m = g->model;
  PetscScalar *a, *b;

  PetscFunctionBeginUser;
  if (!g->lambda_local) PetscCall(GSModelCreateLocalVector(m, &g->lambda_local));
  if (!g->lambda_local_next) PetscCall(GSModelCreateLocalVector(m, &g->lambda_local_next));
  PetscCall(VecGetArray(g->lambda_local, &a));
  PetscCall(VecGetArray(g->lambda_local_next, &b));
  PetscCall(GSModelGlobalToGhosted(m, g->lambda, a));
  f->la = a, f->lb = b;
  PetscCall(GSCheckpointReverse(g, f->steps, actions));
  PetscCall(GSModelOwnedToGlobal(m, f->la, g->lambda));
  PetscCall(VecRestoreArray(g->lambda_local_next, &b));
  PetscCall(VecRestoreArray(g->lambda_local, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode GSGradientAdjointEuler(GSGradient g, Vec X0, GSGradientResult *r)
{
  double              mu[GS_NPARAM] = {0, 0, 0, 0};
  PetscInt            first;
  Fused               f;
  GSCheckpointActions actions = {FusedRestore, FusedStore, FusedAdvance, FusedReverse, &f};

  PetscFunctionBeginUser;
  PetscCall(GSGradientForwardCheckpointed(g, X0, r, &first));
  if (!GSRunReasonIsValid(r->reason)) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(g->event_adjoint, 0, 0, 0, 0));
  PetscCall(EnsureSegment(g));
  PetscCall(PetscMemzero(&f, sizeof(f)));
  f.g = g, f.steps = r->steps, f.first = first, f.mu = mu;
  if (GSModelGetPatch(g->model)->whole_grid) PetscCall(ReverseWhole(g, &f, &actions));
  else PetscCall(ReversePatch(g, &f, &actions));
  PetscCallMPI(MPI_Allreduce(mu, r->grad, GS_NPARAM, MPI_DOUBLE, MPI_SUM, GSModelGetComm(g->model)));
  PetscCall(PetscLogEventEnd(g->event_adjoint, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
