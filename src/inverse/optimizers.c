/* The inversion's optimisers: any TAO method, or the paper's SGD with its learning-rate
   safeguard; both report every iteration to the monitor as it finishes. */
#include <petsctao.h>
#include <petsctime.h>

#include "inversion_impl.h"
#include "gsinv/physics/safeguard.h"

static PetscErrorCode Report(GSInversion inv, GSIterationRecord *rec)
{
  PetscLogDouble now;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  rec->wall_time = now - inv->start;
  if (inv->monitor) PetscCall(inv->monitor(inv, rec, inv->monitor_ctx));
  PetscFunctionReturn(0);
}

static double Norm(const double g[GS_NPARAM])
{
  double s = 0;
  for (int q = 0; q < GS_NPARAM; q++) s += g[q] * g[q];
  return PetscSqrtReal(s);
}

/* Loss and gradient in the raw variables at raw. */
static PetscErrorCode EvaluateRaw(GSInversion inv, const double raw[GS_NPARAM], PetscInt it, PetscBool gradient, double theta[GS_NPARAM],
                                  double *loss, double graw[GS_NPARAM], PetscBool *valid)
{
  double dtheta[GS_NPARAM], grad[GS_NPARAM];

  PetscFunctionBeginUser;
  GSReparamToPhysical(inv->reparam, raw, theta, dtheta);
  PetscCall(GSInversionEvaluate(inv, theta, it, gradient, loss, grad, valid));
  if (gradient) GSReparamGradient(dtheta, grad, graw);
  PetscFunctionReturn(0);
}

/* SGD until the cap, an invalid batch or the safeguard's end; *last is the last iteration run. */
static PetscErrorCode SolveSGD(GSInversion inv, double raw[GS_NPARAM], PetscInt first, GSStop *stop, PetscInt *last)
{
  GSSafeguard sg = GSSafeguardDefault(inv->lr);
  PetscInt    it;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(stop->optimizer_reason, sizeof(stop->optimizer_reason), "SGD iteration cap (-gs_max_it %" PetscInt_FMT ")", inv->max_it));
  stop->reason = GS_STOP_ITERATION_CAP, stop->capped = PETSC_TRUE, stop->grad_norm = NAN;
  *last = PetscMax(PetscMax(first, inv->max_it) - 1, 0);
  for (it = first; it < inv->max_it; it++) {
    GSIterationRecord rec = {.iteration = it, .valid = 1};
    double            graw[GS_NPARAM], trial[GS_NPARAM], theta_trial[GS_NPARAM], trial_loss;
    PetscBool         valid;
    GSSafeguardAction action;
    *last = it;
    PetscCall(EvaluateRaw(inv, raw, it, PETSC_TRUE, rec.theta, &rec.loss, graw, &valid));
    if (!valid) {
      PetscCall(PetscSNPrintf(stop->optimizer_reason, sizeof(stop->optimizer_reason),
                              "SGD: a run of the batch at the current theta is invalid (iteration %" PetscInt_FMT ")", it));
      stop->reason = GS_STOP_INVALID, stop->capped = PETSC_FALSE;
      break;
    }
    for (int q = 0; q < GS_NPARAM; q++) graw[q] += inv->weight_decay * raw[q];
    rec.grad_norm = stop->grad_norm = Norm(graw);
    GSSafeguardBegin(&sg);
    do {
      for (int q = 0; q < GS_NPARAM; q++) trial[q] = raw[q] - sg.lr * graw[q];
      PetscCall(EvaluateRaw(inv, trial, it, PETSC_FALSE, theta_trial, &trial_loss, NULL, &valid));
      action = GSSafeguardReport(&sg, valid);
    } while (action == GS_SAFEGUARD_RETRY);
    rec.lr       = sg.lr;
    rec.lr_tries = sg.tries;
    if (action == GS_SAFEGUARD_ACCEPT)
      for (int q = 0; q < GS_NPARAM; q++) raw[q] = trial[q];
    for (int q = 0; q < GS_NPARAM; q++) rec.raw_next[q] = raw[q];
    PetscCall(Report(inv, &rec));
    if (action == GS_SAFEGUARD_EXHAUSTED) {
      PetscCall(PetscSNPrintf(stop->optimizer_reason, sizeof(stop->optimizer_reason),
                              "SGD safeguard exhausted at iteration %" PetscInt_FMT ": every trial step made an invalid run", it));
      stop->reason = GS_STOP_SAFEGUARD_EXHAUSTED, stop->capped = PETSC_FALSE;
      break;
    }
  }
  PetscFunctionReturn(0);
}

typedef struct {
  GSInversion inv;
  PetscInt    first;
} TaoContext;

static PetscErrorCode VecFromRaw(Vec X, const double raw[GS_NPARAM])
{
  PetscScalar *x;
  PetscInt     n;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(X, &n));
  PetscCall(VecGetArrayWrite(X, &x));
  for (PetscInt q = 0; q < n; q++) x[q] = raw[q];
  PetscCall(VecRestoreArrayWrite(X, &x));
  PetscFunctionReturn(0);
}

/* Invalid batches get an infinite objective: TAO's line searches then shorten the step. */
static PetscErrorCode TaoObjectiveGradient(Tao tao, Vec X, PetscReal *f, Vec G, void *ptr)
{
  TaoContext *c = (TaoContext *)ptr;
  double      raw[GS_NPARAM], theta[GS_NPARAM], graw[GS_NPARAM] = {0}, loss;
  PetscInt    its;
  PetscBool   valid;

  PetscFunctionBeginUser;
  PetscCall(TaoGetIterationNumber(tao, &its));
  PetscCall(GSParamVecToArray(c->inv->comm, X, raw));
  PetscCall(EvaluateRaw(c->inv, raw, c->first + its, (PetscBool)(G != NULL), theta, &loss, graw, &valid));
  *f = valid ? loss : PETSC_INFINITY;
  if (G) {
    if (!valid)
      for (int q = 0; q < GS_NPARAM; q++) graw[q] = 0;
    PetscCall(VecFromRaw(G, graw));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TaoObjective(Tao tao, Vec X, PetscReal *f, void *ptr)
{
  PetscFunctionBeginUser;
  PetscCall(TaoObjectiveGradient(tao, X, f, NULL, ptr));
  PetscFunctionReturn(0);
}

static PetscErrorCode TaoRecord(Tao tao, void *ptr)
{
  TaoContext        *c   = (TaoContext *)ptr;
  GSIterationRecord  rec = {.valid = 1, .lr_tries = 1};
  PetscInt           its;
  PetscReal          f, gnorm, cnorm, xdiff;
  TaoConvergedReason r;
  Vec                X;
  double             dtheta[GS_NPARAM];

  PetscFunctionBeginUser;
  PetscCall(TaoGetSolutionStatus(tao, &its, &f, &gnorm, &cnorm, &xdiff, &r));
  PetscCall(TaoGetSolution(tao, &X));
  PetscCall(GSParamVecToArray(c->inv->comm, X, rec.raw_next));
  GSReparamToPhysical(c->inv->reparam, rec.raw_next, rec.theta, dtheta);
  rec.iteration = c->first + its, rec.loss = f, rec.grad_norm = gnorm, rec.valid = f < PETSC_INFINITY;
  PetscCall(Report(c->inv, &rec));
  PetscFunctionReturn(0);
}

/* Any TAO method; *last is the iteration of the final iterate. */
static PetscErrorCode SolveTAO(GSInversion inv, double raw[GS_NPARAM], PetscInt first, GSStop *stop, PetscInt *last)
{
  Tao                tao;
  Vec                X, lo, hi;
  PetscMPIInt        rank;
  TaoContext         ctx = {inv, first};
  TaoConvergedReason r;
  PetscInt           its;
  PetscReal          f, gnorm, cnorm, xdiff;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(inv->comm, &rank));
  PetscCall(VecCreateMPI(inv->comm, rank == 0 ? GS_NPARAM : 0, GS_NPARAM, &X));
  PetscCall(VecDuplicate(X, &lo));
  PetscCall(VecDuplicate(X, &hi));
  PetscCall(VecFromRaw(X, raw));
  PetscCall(TaoCreate(inv->comm, &tao));
  PetscCall(TaoSetType(tao, TAOBLMVM));
  PetscCall(TaoSetSolution(tao, X));
  PetscCall(TaoSetObjective(tao, TaoObjective, &ctx));
  PetscCall(TaoSetObjectiveAndGradient(tao, NULL, TaoObjectiveGradient, &ctx));
  if (inv->reparam == GS_REPARAM_IDENTITY) {
    PetscCall(VecFromRaw(lo, inv->lower));
    PetscCall(VecFromRaw(hi, inv->upper));
    PetscCall(TaoSetVariableBounds(tao, lo, hi));
  }
  PetscCall(TaoSetMaximumIterations(tao, PetscMax(inv->max_it - first, 0)));
  PetscCall(TaoSetTolerances(tao, 1e-12, 1e-10, 0));
#if PETSC_VERSION_GE(3, 21, 0)
  PetscCall(TaoMonitorSet(tao, TaoRecord, &ctx, NULL)); /* renamed in 3.21; no name works on both */
#else
  PetscCall(TaoSetMonitor(tao, TaoRecord, &ctx, NULL));
#endif
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoSolve(tao));
  PetscCall(TaoGetSolutionStatus(tao, &its, &f, &gnorm, &cnorm, &xdiff, &r));
  PetscCall(GSParamVecToArray(inv->comm, X, raw));
  PetscCall(PetscSNPrintf(stop->optimizer_reason, sizeof(stop->optimizer_reason), "TAO %s (%d)", TaoConvergedReasons[r], (int)r));
  stop->capped    = (PetscBool)(r == TAO_DIVERGED_MAXITS);
  stop->reason    = stop->capped ? GS_STOP_ITERATION_CAP : r > 0 ? GS_STOP_CONVERGED : GS_STOP_DIVERGED;
  stop->grad_norm = gnorm;
  *last           = first + its;
  PetscCall(TaoDestroy(&tao));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&lo));
  PetscCall(VecDestroy(&hi));
  PetscFunctionReturn(0);
}

PetscErrorCode GSInversionSolve(GSInversion inv, const double theta0[GS_NPARAM], const double *raw0, PetscInt first, double theta[GS_NPARAM],
                                GSStop *stop)
{
  double   raw[GS_NPARAM], dtheta[GS_NPARAM];
  PetscInt last = first;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&inv->start));
  if (raw0)
    for (int q = 0; q < GS_NPARAM; q++) raw[q] = raw0[q];
  else
    PetscCheck(!GSReparamFromPhysical(inv->reparam, theta0, raw), inv->comm, PETSC_ERR_USER_INPUT,
               "the start theta (%g, %g, %g, %g) is outside -gs_reparam %s's range", theta0[0], theta0[1], theta0[2], theta0[3],
               GSReparamTypes[inv->reparam]);
  PetscCall(PetscMemzero(stop, sizeof(*stop)));
  if (inv->optimizer == GS_OPTIMIZER_SGD) PetscCall(SolveSGD(inv, raw, first, stop, &last));
  else PetscCall(SolveTAO(inv, raw, first, stop, &last));
  GSReparamToPhysical(inv->reparam, raw, theta, dtheta);
  PetscCall(GSInversionStopFinish(inv, theta, last, stop));
  PetscFunctionReturn(0);
}
