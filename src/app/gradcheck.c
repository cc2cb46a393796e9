/* gsinv gradcheck: the gradient of a loss of the final state by every route, their agreement,
   and a Taylor test that sweeps its steps over decades and flags itself, printed and written to HDF5. */
#include <sys/resource.h>

#include <petsctime.h>

#include "gsinv/app/app.h"
#include "gsinv/gradient/gradient.h"
#include "gsinv/model/initial.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"
#include "gsinv/physics/reparam.h"
#include "gsinv/physics/taylor.h"

typedef struct {
  char          output[PETSC_MAX_PATH_LEN], target[PETSC_MAX_PATH_LEN];
  PetscInt      target_seed;
  PetscReal     fd_step, taylor_h0, taylor_hmax, taylor_hmin, taylor_gradient_scale;
  PetscInt      taylor_per_decade;
  GSReparamType reparam;
  PetscBool     implicit, implicit_set, forward, fd, taylor;
} GradcheckOptions;

typedef struct {
  GSGradientResult adjoint, forward, fd, truncated, implicit;
  GSImplicitInfo   implicit_info;
  PetscReal        gauss_newton[GS_NPARAM * GS_NPARAM];
  GSTaylorSweep    taylor;
  PetscBool        has_forward, has_truncated, has_implicit, has_fd, has_taylor;
  PetscLogDouble   time_forward, time_adjoint;
  GSGradientTimes  schedule;     /* of the reference adjoint */
  double           peak_rss_mib; /* the largest over the ranks, after the reference adjoint */
} GradcheckResults;

/* Peak resident memory of this process so far, the largest over the ranks, in MiB. */
static PetscErrorCode PeakMemory(MPI_Comm comm, double *mib)
{
  struct rusage usage;
  double        local;

  PetscFunctionBeginUser;
  PetscCheck(getrusage(RUSAGE_SELF, &usage) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "getrusage failed");
  local = usage.ru_maxrss / 1024.0; /* Linux: KiB */
  PetscCallMPI(MPI_Allreduce(&local, mib, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode GradcheckOptionsRead(MPI_Comm comm, PetscInt seed, GradcheckOptions *o)
{
  PetscEnum reparam = (PetscEnum)GS_REPARAM_IDENTITY;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(o->output, "gradcheck.h5", sizeof(o->output)));
  o->target[0]             = 0;
  o->target_seed           = seed + 1;
  o->fd_step               = 1e-7;
  o->taylor_h0             = 0;
  o->taylor_hmax           = 1e-1;
  o->taylor_hmin           = 1e-9;
  o->taylor_per_decade     = 1;
  o->taylor_gradient_scale = 1;
  o->implicit              = PETSC_TRUE;
  o->forward               = PETSC_TRUE;
  o->fd                    = PETSC_TRUE;
  o->taylor                = PETSC_TRUE;
  PetscOptionsBegin(comm, NULL, "gsinv gradcheck", "GSAppGradcheck");
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write", "GSAppGradcheck", o->output, o->output, sizeof(o->output), NULL));
  PetscCall(PetscOptionsString("-gs_target", "HDF5 file whose /state/v is the target (default: a ground-truth run from -gs_target_seed)",
                               "GSAppGradcheck", o->target, o->target, sizeof(o->target), NULL));
  PetscCall(GSOptionsIntRange("-gs_target_seed", "Seed of the ground-truth target run (default -gs_seed + 1)", "GSAppGradcheck", o->target_seed,
                              &o->target_seed, NULL, 0, PETSC_MAX_INT));
  PetscCall(GSOptionsReal("-gs_fd_step", "Relative step of the central differences", "GSAppGradcheck", o->fd_step, &o->fd_step, NULL));
  PetscCall(GSOptionsReal("-gs_taylor_h0", "Relative step at which the Taylor rate is checked (0: the middle of the rate-2 range the sweep finds)",
                          "GSAppGradcheck", o->taylor_h0, &o->taylor_h0, NULL));
  PetscCall(GSOptionsReal("-gs_taylor_hmax", "Largest relative step of the Taylor sweep", "GSAppGradcheck", o->taylor_hmax, &o->taylor_hmax, NULL));
  PetscCall(GSOptionsReal("-gs_taylor_hmin", "Smallest relative step of the Taylor sweep", "GSAppGradcheck", o->taylor_hmin, &o->taylor_hmin, NULL));
  PetscCall(GSOptionsInt("-gs_taylor_per_decade", "Steps per decade of the Taylor sweep", "GSAppGradcheck", o->taylor_per_decade,
                         &o->taylor_per_decade, NULL));
  PetscCall(GSOptionsReal("-gs_taylor_gradient_scale",
                          "Test hook: scale the adjoint gradient the Taylor test checks (1: as computed; else a deliberately wrong gradient)",
                          "GSAppGradcheck", o->taylor_gradient_scale, &o->taylor_gradient_scale, NULL));
  PetscCall(GSOptionsEnum("-gs_reparam", "Reparameterisation whose raw gradient is also reported", "GSAppGradcheck", GSReparamTypes, reparam,
                          &reparam, NULL));
  PetscCall(GSOptionsBool("-gs_implicit", "Also compute the implicit-function gradient (default: when running to a steady state)", "GSAppGradcheck",
                          o->implicit, &o->implicit, &o->implicit_set));
  PetscCall(GSOptionsBool("-gs_forward", "Compute the forward-sensitivity gradient (4 tangent solves)", "GSAppGradcheck", o->forward, &o->forward,
                          NULL));
  PetscCall(GSOptionsBool("-gs_fd", "Compute central differences (8 runs)", "GSAppGradcheck", o->fd, &o->fd, NULL));
  PetscCall(GSOptionsBool("-gs_taylor", "Run the Taylor test (6 runs)", "GSAppGradcheck", o->taylor, &o->taylor, NULL));
  PetscOptionsEnd();
  o->reparam = (GSReparamType)reparam;
  PetscCheck(o->fd_step > 0 && o->fd_step < 1, comm, PETSC_ERR_USER_INPUT, "-gs_fd_step %g must be in (0, 1)", (double)o->fd_step);
  PetscCheck(o->taylor_h0 >= 0 && o->taylor_h0 < 1, comm, PETSC_ERR_USER_INPUT, "-gs_taylor_h0 %g must be in [0, 1)", (double)o->taylor_h0);
  PetscCheck(GSTaylorSteps(o->taylor_hmax, o->taylor_hmin, (int)o->taylor_per_decade, (double[GS_TAYLOR_MAX]){0}) > 2, comm, PETSC_ERR_USER_INPUT,
             "-gs_taylor_hmax %g, -gs_taylor_hmin %g, -gs_taylor_per_decade %" PetscInt_FMT
             ": need 0 < hmin < hmax < 1, 1 to 8 steps per decade, at most %d and at least 3 steps",
             (double)o->taylor_hmax, (double)o->taylor_hmin, o->taylor_per_decade, GS_TAYLOR_MAX);
  PetscCheck(PetscIsNormalReal(o->taylor_gradient_scale), comm, PETSC_ERR_USER_INPUT, "-gs_taylor_gradient_scale %g must be finite and non-zero",
             (double)o->taylor_gradient_scale);
  PetscCheck(o->target_seed >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_target_seed %" PetscInt_FMT " must be >= 0", o->target_seed);
  PetscFunctionReturn(0);
}

/* The target state: a file's /state, or the ground truth run from another seed. */
static PetscErrorCode GradcheckTarget(GSRun run, const GradcheckOptions *o, const GSInitialOptions *init, GSFieldLoss loss, Vec T)
{
  GSModel         m     = GSRunGetModel(run);
  const GSParams  truth = {GS_TRUTH_F, GS_TRUTH_K, GS_TRUTH_DU, GS_TRUTH_DV}, current = *GSModelGetParams(m);
  GSInitialRecipe r = init->recipe;

  PetscFunctionBeginUser;
  if (o->target[0]) PetscCall(GSStateRead(GSModelGetGrid(m), "-gs_target", o->target, T));
  else {
    r.seed = (uint64_t)o->target_seed;
    PetscCall(GSInitialRecipeFill(m, &r, T));
    PetscCall(GSModelSetParams(m, &truth));
    PetscCall(GSRunSolve(run, T));
    PetscCall(GSModelSetParams(m, &current));
    PetscCheck(GSRunReasonIsValid(GSRunGetReason(run)), GSModelGetComm(m), PETSC_ERR_USER_INPUT,
               "the ground-truth target run from -gs_target_seed %" PetscInt_FMT " ended %s", o->target_seed, GSRunReasonNames[GSRunGetReason(run)]);
  }
  PetscCall(GSFieldLossSetTarget(loss, T));
  PetscFunctionReturn(0);
}

/* Remainders |L(theta + h d) - L(theta) - h grad.d| over decades of h (d: fixed relative
   direction), then GSTaylorAnalyse: the rates between successive steps, the range where they are 2,
   the rate at the chosen step and the flags. */
static PetscErrorCode TaylorTest(GSModel m, GSGradient g, Vec X0, const GradcheckOptions *o, GradcheckResults *res)
{
  const double     dir[GS_NPARAM] = {0.8, -0.6, 0.5, -0.7};
  const GSParams   base           = *GSModelGetParams(m);
  GSTaylorSweep   *t              = &res->taylor;
  GSGradientResult shifted;
  double           theta[GS_NPARAM], slope = 0;

  PetscFunctionBeginUser;
  GSParamsToArray(&base, theta);
  for (int q = 0; q < GS_NPARAM; q++) slope += o->taylor_gradient_scale * res->adjoint.grad[q] * theta[q] * dir[q];
  t->n = GSTaylorSteps(o->taylor_hmax, o->taylor_hmin, (int)o->taylor_per_decade, t->h);
  for (int i = 0; i < t->n; i++) {
    double   tp[GS_NPARAM];
    GSParams p;
    for (int q = 0; q < GS_NPARAM; q++) tp[q] = theta[q] * (1 + t->h[i] * dir[q]);
    p = GSParamsFromArray(tp);
    PetscCall(GSModelSetParams(m, &p));
    PetscCall(GSGradientLoss(g, X0, &shifted));
    t->valid[i]     = GSRunReasonIsValid(shifted.reason);
    t->remainder[i] = t->valid[i] ? PetscAbsReal(shifted.loss - res->adjoint.loss - t->h[i] * slope) : NAN;
  }
  PetscCall(GSModelSetParams(m, &base));
  GSTaylorAnalyse(t, o->taylor_h0, res->adjoint.loss);
  PetscFunctionReturn(0);
}

/* Every route at the same theta, initial state and number of steps. */
static PetscErrorCode GradcheckRoutes(GSModel m, GSGradient g, Vec X0, const GradcheckOptions *o, GradcheckResults *res)
{
  const PetscInt  window      = GSGradientGetWindow(g);
  const PetscBool do_implicit = o->implicit_set ? o->implicit : (PetscBool)(GSRunGetSteadyTol(GSGradientGetRun(g)) > 0);

  PetscLogDouble   t0, t1;
  GSGradientResult final_state;

  PetscFunctionBeginUser;
  PetscCall(GSGradientSetWindow(g, 0));
  PetscCall(PetscTime(&t0));
  PetscCall(GSGradientAdjoint(g, X0, &res->adjoint));
  PetscCall(PetscTime(&t1));
  res->time_adjoint = t1 - t0;
  PetscCall(GSGradientGetTimes(g, &res->schedule));
  PetscCall(PeakMemory(GSModelGetComm(m), &res->peak_rss_mib));
  PetscCheck(GSRunReasonIsValid(res->adjoint.reason), GSModelGetComm(m), PETSC_ERR_USER_INPUT,
             "the run at this theta is invalid (%s after %" PetscInt_FMT " steps): no gradient to check", GSRunReasonNames[res->adjoint.reason],
             res->adjoint.steps);
  /* A run to steady state stopped at some step: every other route differentiates that many steps. */
  PetscCall(GSGradientFixSteps(g, res->adjoint.steps));
  PetscCall(GSGradientLoss(g, X0, &final_state));
  PetscCall(PetscTime(&t0));
  res->time_forward = t0 - t1;
  if (window > 0) {
    PetscCall(GSGradientSetWindow(g, window));
    PetscCall(GSGradientAdjoint(g, X0, &res->truncated));
    res->has_truncated = PETSC_TRUE;
  }
  if ((res->has_forward = o->forward)) PetscCall(GSGradientForward(g, X0, &res->forward, res->gauss_newton));
  if ((res->has_fd = o->fd)) PetscCall(GSGradientFiniteDifference(g, X0, o->fd_step, &res->fd));
  if ((res->has_taylor = o->taylor)) PetscCall(TaylorTest(m, g, X0, o, res));
  if (do_implicit) {
    PetscCall(GSGradientLoss(g, X0, &final_state));
    PetscCall(GSGradientImplicit(g, GSGradientFinalState(g), &res->implicit, &res->implicit_info));
    res->has_implicit = PETSC_TRUE;
  }
  PetscCall(GSGradientFixSteps(g, 0));
  PetscFunctionReturn(0);
}

static PetscReal RelativeDifference(const PetscReal a[GS_NPARAM], const PetscReal b[GS_NPARAM])
{
  PetscReal num = 0, den = 0;

  for (int q = 0; q < GS_NPARAM; q++) {
    num += (a[q] - b[q]) * (a[q] - b[q]);
    den += b[q] * b[q];
  }
  return den > 0 ? PetscSqrtReal(num / den) : PetscSqrtReal(num);
}

static PetscErrorCode PrintRow(MPI_Comm comm, const char *name, const PetscReal grad[GS_NPARAM], const PetscReal ref[GS_NPARAM])
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "%-24s % .10e % .10e % .10e % .10e", name, grad[0], grad[1], grad[2], grad[3]));
  if (ref) PetscCall(PetscPrintf(comm, "  %.2e\n", (double)RelativeDifference(grad, ref)));
  else PetscCall(PetscPrintf(comm, "  %s\n", "(reference)"));
  PetscFunctionReturn(0);
}

/* The sweep's table and its verdict; a flagged test says so on a line of its own. */
static PetscErrorCode TaylorPrint(MPI_Comm comm, const GSTaylorSweep *t)
{
  char flags[256];

  PetscFunctionBeginUser;
  GSTaylorDescribeFlags(t->flags, flags, sizeof(flags));
  PetscCall(PetscPrintf(comm, "Taylor test (relative step h, remainder, rate between h and the next step):\n"));
  for (int i = 0; i + 1 < t->n; i++)
    PetscCall(PetscPrintf(comm, "  h %.2e  remainder %.3e%s  rate %.3f\n", t->h[i], t->remainder[i], t->valid[i] ? "" : " (invalid run)",
                          t->rate[i]));
  PetscCall(PetscPrintf(comm, "  h %.2e  remainder %.3e%s\n", t->h[t->n - 1], t->remainder[t->n - 1], t->valid[t->n - 1] ? "" : " (invalid run)"));
  if (t->range_first >= 0)
    PetscCall(PetscPrintf(comm, "Taylor rate within [%.1f, %.1f] for h from %.2e down to %.2e\n", GS_TAYLOR_RATE_LO, GS_TAYLOR_RATE_HI, t->range_hi,
                          t->range_lo));
  else PetscCall(PetscPrintf(comm, "Taylor rate within [%.1f, %.1f] nowhere in the sweep\n", GS_TAYLOR_RATE_LO, GS_TAYLOR_RATE_HI));
  PetscCall(PetscPrintf(comm, "Taylor convergence rate %.3f at h = %.2e (expected 2): %s%s\n", t->rate_chosen, t->h_chosen,
                        t->flags ? "FLAGGED: " : "", flags));
  PetscFunctionReturn(0);
}

static PetscErrorCode GradcheckPrint(MPI_Comm comm, GSModel m, const GradcheckOptions *o, const GradcheckResults *res)
{
  double theta[GS_NPARAM], raw[GS_NPARAM], dphys[GS_NPARAM], graw[GS_NPARAM];

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "loss %.10e after %" PetscInt_FMT " steps (%s)\n", res->adjoint.loss, res->adjoint.steps,
                        GSRunReasonNames[res->adjoint.reason]));
  PetscCall(PetscPrintf(comm, "%-24s %17s %17s %17s %17s  %s\n", "route", "dL/dF", "dL/dk", "dL/dDu", "dL/dDv", "rel. diff"));
  PetscCall(PrintRow(comm, "adjoint", res->adjoint.grad, NULL));
  if (res->has_forward) PetscCall(PrintRow(comm, "forward sensitivities", res->forward.grad, res->adjoint.grad));
  if (res->has_fd) PetscCall(PrintRow(comm, "central differences", res->fd.grad, res->adjoint.grad));
  if (res->has_truncated) PetscCall(PrintRow(comm, "adjoint, last K steps", res->truncated.grad, res->adjoint.grad));
  if (res->has_implicit) {
    PetscCall(PrintRow(comm, "implicit (steady state)", res->implicit.grad, res->adjoint.grad));
    PetscCall(PetscPrintf(
      comm, "  implicit: max|f(x)| = %.2e (0 at a true steady state), %.1f%% of |dL/dx| along translations removed, GMRES %" PetscInt_FMT " its%s\n",
      (double)res->implicit_info.residual, 100 * (double)res->implicit_info.null_fraction, res->implicit_info.iterations,
      res->implicit_info.converged ? "" : " (NOT converged)"));
  }
  GSParamsToArray(GSModelGetParams(m), theta);
  if (!GSReparamFromPhysical(o->reparam, theta, raw)) {
    GSReparamToPhysical(o->reparam, raw, theta, dphys);
    GSReparamGradient(dphys, res->adjoint.grad, graw);
    PetscCall(PetscPrintf(comm, "adjoint in %s raw variables: % .6e % .6e % .6e % .6e\n", GSReparamTypes[o->reparam], graw[0], graw[1], graw[2],
                          graw[3]));
  }
  if (res->has_taylor) PetscCall(TaylorPrint(comm, &res->taylor));
  PetscCall(PetscPrintf(comm, "time: forward run %.3f s, adjoint gradient (forward + checkpointed adjoint) %.3f s, ratio %.2f\n", res->time_forward,
                        res->time_adjoint, res->time_adjoint / res->time_forward));
  PetscCall(PetscPrintf(comm,
                        "checkpoints: segments of %" PetscInt_FMT " steps, %" PetscInt_FMT " slots in memory, %" PetscInt_FMT
                        " on disk; %" PetscInt_FMT " steps recomputed (%.2f per step)\n",
                        res->schedule.segment_length, res->schedule.memory_slots, res->schedule.disk_slots, res->schedule.recompute_steps,
                        (double)res->schedule.recompute_steps / PetscMax(res->adjoint.steps, 1)));
  PetscFunctionReturn(0);
}

/* /gradcheck/taylor_h, taylor_remainder [n], taylor_rates [n - 1], taylor_rate (at the chosen step)
   and the verdict as attributes of /gradcheck. */
static PetscErrorCode TaylorWrite(GSOutput *out, const GSTaylorSweep *t)
{
  hsize_t n = (hsize_t)t->n, pairs = (hsize_t)t->n - 1;
  char    flags[256];

  PetscFunctionBeginUser;
  GSTaylorDescribeFlags(t->flags, flags, sizeof(flags));
  PetscCall(GSH5WriteRealArray(out, "/gradcheck/taylor_h", 1, &n, t->h));
  PetscCall(GSH5WriteRealArray(out, "/gradcheck/taylor_remainder", 1, &n, t->remainder));
  PetscCall(GSH5WriteRealArray(out, "/gradcheck/taylor_rates", 1, &pairs, t->rate));
  PetscCall(GSH5WriteRealArray(out, "/gradcheck/taylor_rate", 0, NULL, &t->rate_chosen));
  PetscCall(GSH5WriteAttributeReal(out, "/gradcheck", "taylor_h_chosen", t->h_chosen));
  PetscCall(GSH5WriteAttributeReal(out, "/gradcheck", "taylor_range_hi", t->range_hi));
  PetscCall(GSH5WriteAttributeReal(out, "/gradcheck", "taylor_range_lo", t->range_lo));
  PetscCall(GSH5WriteAttributeInt(out, "/gradcheck", "taylor_flags", t->flags));
  PetscCall(GSH5WriteAttributeString(out, "/gradcheck", "taylor_verdict", flags));
  PetscFunctionReturn(0);
}

static PetscErrorCode GradcheckWrite(GSOutput *out, GSModel m, GSRun run, const GSInitialOptions *init, const GradcheckOptions *o,
                                     const GradcheckResults *res)
{
  const char *ts_type;
  PetscReal   dt;
  hsize_t     four = GS_NPARAM, gn[2] = {GS_NPARAM, GS_NPARAM};

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(run, &ts_type, &dt));
  PetscCall(GSOutputWriteProvenance(out, "gradcheck", GSModelGetGrid(m), GSModelGetParams(m), (PetscInt64)init->recipe.seed, ts_type, dt));
  if (!init->file[0]) PetscCall(GSOutputWriteRecipe(out, &init->recipe));
  PetscCall(GSH5WriteRealArray(out, "/gradcheck/adjoint", 1, &four, res->adjoint.grad));
  if (res->has_forward) PetscCall(GSH5WriteRealArray(out, "/gradcheck/forward", 1, &four, res->forward.grad));
  if (res->has_fd) PetscCall(GSH5WriteRealArray(out, "/gradcheck/fd", 1, &four, res->fd.grad));
  if (res->has_truncated) PetscCall(GSH5WriteRealArray(out, "/gradcheck/truncated", 1, &four, res->truncated.grad));
  if (res->has_implicit) PetscCall(GSH5WriteRealArray(out, "/gradcheck/implicit", 1, &four, res->implicit.grad));
  if (res->has_forward) PetscCall(GSH5WriteRealArray(out, "/gradcheck/gauss_newton", 2, gn, res->gauss_newton));
  PetscCall(GSH5WriteRealArray(out, "/gradcheck/loss", 0, NULL, &res->adjoint.loss));
  if (res->has_taylor) PetscCall(TaylorWrite(out, &res->taylor));
  PetscCall(GSH5WriteAttributeReal(out, "/gradcheck", "time_forward", res->time_forward));
  PetscCall(GSH5WriteAttributeReal(out, "/gradcheck", "time_adjoint", res->time_adjoint));
  PetscCall(GSH5WriteAttributeInt(out, "/gradcheck", "checkpoint_segment_length", res->schedule.segment_length));
  PetscCall(GSH5WriteAttributeInt(out, "/gradcheck", "checkpoint_memory_slots", res->schedule.memory_slots));
  PetscCall(GSH5WriteAttributeInt(out, "/gradcheck", "checkpoint_disk_slots", res->schedule.disk_slots));
  PetscCall(GSH5WriteAttributeInt(out, "/gradcheck", "recomputed_steps", res->schedule.recompute_steps));
  PetscCall(GSH5WriteAttributeInt(out, "/gradcheck", "schedule_advances", res->schedule.schedule_advances));
  PetscCall(GSH5WriteAttributeReal(out, "/gradcheck", "peak_rss_mib", res->peak_rss_mib));
  PetscCall(GSH5WriteAttributeInt(out, "/", "steps", res->adjoint.steps));
  PetscCall(GSH5WriteAttributeString(out, "/", "reason", GSRunReasonNames[res->adjoint.reason]));
  PetscCall(GSH5WriteAttributeString(out, "/gradcheck", "order", "F, k, Du, Dv (physical parameters)"));
  PetscCall(GSH5WriteAttributeString(out, "/gradcheck", "target", o->target[0] ? o->target : "ground-truth run"));
  PetscCall(GSH5WriteAttributeReal(out, "/gradcheck", "fd_step", o->fd_step));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppGradcheck(MPI_Comm comm)
{
  GSModel          m;
  GSRun            run;
  GSFieldLoss      loss;
  GSGradient       g;
  GSInitialOptions init;
  GradcheckOptions o;
  GradcheckResults res;
  GSOutput         out;
  PetscBool        help;
  Vec              X0, T;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&res, sizeof(res)));
  PetscCall(GSModelCreate(comm, &m));
  PetscCall(GSInitialOptionsFromOptions(comm, &init));
  PetscCall(GradcheckOptionsRead(comm, (PetscInt)init.recipe.seed, &o));
  PetscCall(GSRunCreate(m, 0.0, 2000, &run));
  PetscCall(GSFieldLossCreate(m, &loss));
  PetscCall(GSGradientCreate(run, loss, &g));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(comm));
    PetscCall(GSAppBanner(comm, "gradcheck"));
    PetscCall(GSModelPrintSummary(m, PETSC_VIEWER_STDOUT_(comm)));
    PetscCall(GSRunCheckStability(run));
    GSRunSetQuiet(run, PETSC_TRUE);
    PetscCall(GSOutputCheckNotInput(comm, "-gs_output", o.output));
    PetscCall(GSOutputLock(comm, "-gs_output", o.output));
    PetscCall(GSOutputOpen(comm, "-gs_output", o.output, &out));
    PetscCall(GSModelCreateGlobalVector(m, &X0));
    PetscCall(VecDuplicate(X0, &T));
    PetscCall(GradcheckTarget(run, &o, &init, loss, T));
    PetscCall(GSInitialStateFill(m, &init, X0));
    PetscCall(GradcheckRoutes(m, g, X0, &o, &res));
    PetscCall(GradcheckPrint(comm, m, &o, &res));
    PetscCall(GradcheckWrite(&out, m, run, &init, &o, &res));
    PetscCall(GSOutputClose(&out));
    PetscCall(PetscPrintf(comm, "wrote %s\n", o.output));
    PetscCall(GSOutputUnlock(comm));
    PetscCall(VecDestroy(&X0));
    PetscCall(VecDestroy(&T));
  }
  PetscCall(GSGradientDestroy(&g));
  PetscCall(GSFieldLossDestroy(&loss));
  PetscCall(GSRunDestroy(&run));
  PetscCall(GSModelDestroy(&m));
  PetscFunctionReturn(0);
}
