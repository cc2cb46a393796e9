/* The measurements of gsinv bench at one grid size: the bare fused loop, the production and TS
   forward paths, the halo exchange, the adjoint gradient and the peak memory, and their clock. */
#include <stdio.h>
#if defined(__GLIBC__)
  #include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <petsctime.h>

#include "gsinv/bench/bench.h"
#include "gsinv/model/field_loss.h"
#include "gsinv/gradient/gradient.h"
#include "gsinv/model/initial.h"
#include "gsinv/physics/kernels.h"
#include "gsinv/solver/run.h"

/* Seconds since t0 on this rank, then the slowest rank's. Collective. */
PetscErrorCode GSBenchElapsedMax(MPI_Comm comm, PetscLogDouble t0, double *seconds)
{
  PetscLogDouble t1;
  double         local;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t1));
  local = t1 - t0;
  PetscCallMPI(MPI_Allreduce(&local, seconds, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode GSBenchStartClock(MPI_Comm comm, PetscLogDouble *t0)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(comm));
  PetscCall(PetscTime(t0));
  PetscFunctionReturn(0);
}

/* Sets the grid for the next GSModelCreate: bench varies -da_grid_x/-da_grid_y per size. */
static PetscErrorCode BenchSetGrid(PetscInt nx, PetscInt ny)
{
  char value[32];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(value, sizeof(value), "%" PetscInt_FMT, nx));
  PetscCall(PetscOptionsSetValue(NULL, "-da_grid_x", value));
  PetscCall(PetscSNPrintf(value, sizeof(value), "%" PetscInt_FMT, ny));
  PetscCall(PetscOptionsSetValue(NULL, "-da_grid_y", value));
  PetscFunctionReturn(0);
}

PetscErrorCode GSBenchSizeCreate(MPI_Comm comm, PetscInt nx, PetscInt ny, const GSInitialOptions *init, GSBenchSize *b)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(b, sizeof(*b)));
  PetscCallMPI(MPI_Comm_size(comm, &b->size));
  PetscCall(BenchSetGrid(nx, ny));
  PetscCall(GSModelCreate(comm, &b->m));
  PetscCall(GSRunCreate(b->m, 0.0, 40000, &b->run));
  GSRunSetQuiet(b->run, PETSC_TRUE);
  PetscCall(GSModelCreateGlobalVector(b->m, &b->X0));
  PetscCall(VecDuplicate(b->X0, &b->X));
  PetscCall(VecDuplicate(b->X0, &b->Y));
  PetscCall(VecDuplicate(b->X0, &b->Z));
  PetscCall(VecDuplicate(b->X0, &b->W));
  PetscCall(GSInitialStateFill(b->m, init, b->X0));
  b->bare_nx = (int)(b->size == 1 ? GSModelGetPatch(b->m)->nx : GSModelGetPatch(b->m)->xm);
  b->bare_ny = (int)(b->size == 1 ? GSModelGetPatch(b->m)->ny : GSModelGetPatch(b->m)->ym);
  if (b->bare_nx < 3 || b->bare_ny < 3) b->bare_nx = b->bare_ny = 0;
  PetscFunctionReturn(0);
}

/* Makes a gradient under `budget` MiB (0: no cap) for the timed runs of this size; the user's
   -gs_checkpoint_memory (read only when a gradient is created) is put back at once. */
static PetscErrorCode GradientUnderCap(GSBenchSize *b, double budget)
{
  char      value[64], saved[64] = "";
  PetscBool had;

  PetscFunctionBeginUser;
  PetscCall(GSGradientDestroy(&b->grad));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-gs_checkpoint_memory", saved, sizeof(saved), &had));
  PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", budget > 0 ? budget : 1e12));
  PetscCall(PetscOptionsSetValue(NULL, "-gs_checkpoint_memory", value));
  PetscCall(GSGradientCreate(b->run, b->loss, &b->grad));
  if (had) PetscCall(PetscOptionsSetValue(NULL, "-gs_checkpoint_memory", saved));
  else PetscCall(PetscOptionsClearValue(NULL, "-gs_checkpoint_memory"));
  PetscFunctionReturn(0);
}

/* A size whose state is too large for the cap's 3 states still times its gradient: under 4 states,
   said in the report, with the user's cap restored afterwards. */
static PetscErrorCode LiftCapIfNeeded(GSBenchSize *b, GSBenchRecord *rec)
{
  double cap, least;

  PetscFunctionBeginUser;
  rec->gradient_cap_mib = 0;
  PetscCall(GSGradientGetMemoryCap(b->grad, &cap, &least));
  if (cap >= least) PetscFunctionReturn(0);
  rec->gradient_cap_mib = PetscCeilReal(4.0 * least / 3.0);
  PetscCall(GradientUnderCap(b, rec->gradient_cap_mib));
  PetscFunctionReturn(0);
}

/* The loss and gradient objects; the checkpoint stride follows the run's step count, so the
   steps are set first. */
PetscErrorCode GSBenchSizeCreateGradient(GSBenchSize *b, PetscInt steps, GSBenchRecord *rec)
{
  PetscFunctionBeginUser;
  PetscCall(TSSetMaxSteps(GSRunGetTS(b->run), steps));
  PetscCall(GSFieldLossCreate(b->m, &b->loss));
  PetscCall(GSFieldLossSetTarget(b->loss, b->X0));
  PetscCall(GSGradientCreate(b->run, b->loss, &b->grad));
  PetscCall(LiftCapIfNeeded(b, rec));
  PetscFunctionReturn(0);
}

PetscErrorCode GSBenchSizeDestroy(GSBenchSize *b)
{
  PetscFunctionBeginUser;
  PetscCall(GSGradientDestroy(&b->grad));
  PetscCall(GSFieldLossDestroy(&b->loss));
  PetscCall(VecDestroy(&b->X0));
  PetscCall(VecDestroy(&b->X));
  PetscCall(VecDestroy(&b->Y));
  PetscCall(VecDestroy(&b->Z));
  PetscCall(VecDestroy(&b->W));
  PetscCall(GSRunDestroy(&b->run));
  PetscCall(GSModelDestroy(&b->m));
  PetscFunctionReturn(0);
}

/* One timed forward run of `steps` steps from X0 into X, production (fast) or TS path. */
static PetscErrorCode BenchForward(GSBenchSize *b, PetscBool fast, PetscInt steps, Vec X, double *seconds)
{
  GSRun          run  = b->run;
  PetscBool      user = GSRunGetFastPath(run);
  PetscLogDouble t0;

  PetscFunctionBeginUser;
  PetscCall(VecCopy(b->X0, X));
  PetscCall(TSSetMaxSteps(GSRunGetTS(run), steps));
  GSRunSetFastPath(run, fast);
  PetscCall(GSBenchStartClock(GSModelGetComm(b->m), &t0));
  PetscCall(GSRunSolve(run, X));
  PetscCall(GSBenchElapsedMax(GSModelGetComm(b->m), t0, seconds));
  GSRunSetFastPath(run, user);
  PetscCheck(GSRunGetSteps(run) == steps && GSRunReasonIsValid(GSRunGetReason(run)), GSModelGetComm(b->m), PETSC_ERR_USER_INPUT,
             "a timed run ended %s after %" PetscInt_FMT " of %" PetscInt_FMT
             " steps: bench needs theta, -ts_dt, -gs_steady_tol and an initial state that give a valid fixed-step run",
             GSRunReasonNames[GSRunGetReason(run)], GSRunGetSteps(run), steps);
  PetscFunctionReturn(0);
}

/* The reference: ping-pong forward Euler with no library calls. On one rank over the whole grid
   (the same problem: its result is compared); on several ranks every rank runs its own patch as
   a periodic grid at the same time, no communication: the compute-only speed of the ranks. It
   steps between Z and W and leaves the result in Z. (The production path steps in place, in one
   array: at 1024^2 one state is half of what two take in the last-level cache.) */
static PetscErrorCode BenchBareLoop(GSBenchSize *b, PetscInt steps, double *seconds)
{
  GSModel            m = b->m;
  const size_t       n = (size_t)b->bare_nx * b->bare_ny;
  GSField           *cur, *next, *t, *z;
  PetscScalar       *a, *c;
  const PetscScalar *x0;
  PetscLogDouble     t0;

  PetscFunctionBeginUser;
  PetscCall(VecGetArray(b->Z, &a));
  PetscCall(VecGetArray(b->W, &c));
  cur = z = (GSField *)a, next = (GSField *)c;
  PetscCall(VecGetArrayRead(b->X0, &x0));
  PetscCall(PetscArraycpy(cur, (const GSField *)x0, n));
  PetscCall(VecRestoreArrayRead(b->X0, &x0));
  PetscCall(GSBenchStartClock(GSModelGetComm(m), &t0));
  for (PetscInt s = 0; s < steps; s++) {
    GSEulerStepPeriodic(GSModelGetParams(m), GSModelGetPatch(m)->inv_h2, GSRunGetDt(b->run), b->bare_nx, b->bare_ny, cur, next);
    t = cur, cur = next, next = t;
  }
  PetscCall(GSBenchElapsedMax(GSModelGetComm(m), t0, seconds));
  if (cur != z) PetscCall(PetscArraycpy(z, cur, n));
  PetscCall(VecRestoreArray(b->W, &c));
  PetscCall(VecRestoreArray(b->Z, &a));
  PetscFunctionReturn(0);
}

/* Chooses the steps of a size so that a production run takes about -gs_bench_seconds and a TS
   run at most four times that, from short calibration runs; the gradient runs get as many steps
   as fit in twice that (a gradient step costs a production step, a TS step and a backward step).
   At least 4 steps (2 checkpoint segments for the gradient), so that a large grid still measures
   steps rather than the fixed cost of a run. */
PetscErrorCode GSBenchSizeChooseSteps(GSBenchSize *b, const GSBenchOptions *o, GSBenchRecord *rec)
{
  const double target = o->seconds;
  PetscInt     k      = 1, k_ts;
  double       t, t_step, t_ts_step = 0;

  PetscFunctionBeginUser;
  /* Untimed first touch of every array the timed runs use: page faults are not the kernels' cost. */
  PetscCall(BenchForward(b, PETSC_TRUE, 2, b->X, &t));
  PetscCall(BenchForward(b, PETSC_FALSE, 2, b->Y, &t));
  if (b->bare_nx) PetscCall(BenchBareLoop(b, 2, &t));
  for (;;) {
    PetscCall(BenchForward(b, PETSC_TRUE, k, b->X, &t));
    if (t >= 0.02 || k >= 1 << 20) break;
    k *= 4;
  }
  t_step     = t / k;
  rec->steps = o->steps ? o->steps : PetscMax(4, (PetscInt)(target / t_step));
  if (o->ts && !o->steps) {
    k_ts = PetscMax(1, PetscMin(k, (PetscInt)(0.02 / t_step / 8)));
    PetscCall(BenchForward(b, PETSC_FALSE, k_ts, b->X, &t));
    t_ts_step  = t / k_ts;
    rec->steps = PetscMax(4, PetscMin(rec->steps, (PetscInt)(4 * target / t_ts_step)));
  }
  rec->gradient_steps = o->gradient_steps
                        ? o->gradient_steps
                        : (o->steps ? o->steps
                                    : PetscMax(4, PetscMin(rec->steps, (PetscInt)(2 * target / (t_step + 2 * PetscMax(t_ts_step, t_step))))));
  PetscFunctionReturn(0);
}

/* The ghost exchange alone, per step: GSHaloExchange, the patch edges (the production path's on
   several ranks; one rank, which needs none, wraps its own edges). */
static PetscErrorCode BenchHalo(GSBenchSize *b, PetscInt steps, double *per_step)
{
  GSModel        m = b->m;
  PetscLogDouble t0;
  double         seconds;
  PetscScalar   *x;

  PetscFunctionBeginUser;
  PetscCall(GSModelEnsureLocalWork(m, PETSC_FALSE));
  PetscCall(GSModelGlobalToLocal(m, b->X0, GSModelGetLocalX(m))); /* first touch, untimed */
  PetscCall(GSBenchStartClock(GSModelGetComm(m), &t0));
  PetscCall(VecGetArray(GSModelGetLocalX(m), &x));
  for (PetscInt s = 0; s < steps; s++) PetscCall(GSHaloExchange(GSModelGetHalo(m), x));
  PetscCall(VecRestoreArray(GSModelGetLocalX(m), &x));
  PetscCall(GSBenchElapsedMax(GSModelGetComm(m), t0, &seconds));
  *per_step = seconds / steps;
  PetscFunctionReturn(0);
}

/* max |A - B|; B is overwritten. */
static PetscErrorCode MaxDifference(Vec A, Vec B, double *diff)
{
  PetscReal norm;

  PetscFunctionBeginUser;
  PetscCall(VecAXPY(B, -1.0, A));
  PetscCall(VecNorm(B, NORM_INFINITY, &norm));
  *diff = norm;
  PetscFunctionReturn(0);
}

/* The production forward run (loss only) and the adjoint gradient on the same steps. */
static PetscErrorCode BenchGradient(GSBenchSize *b, PetscInt steps, PetscInt repeat, GSBenchRecord *rec)
{
  GSGradientResult r;
  GSGradientTimes  phases;
  PetscLogDouble   t0;
  double           t, local[2], phase[2];

  PetscFunctionBeginUser;
  PetscCall(TSSetMaxSteps(GSRunGetTS(b->run), steps));
  rec->t_forward = rec->t_gradient = PETSC_MAX_REAL;
  for (PetscInt i = 0; i < repeat; i++) {
    PetscCall(GSBenchStartClock(GSModelGetComm(b->m), &t0));
    PetscCall(GSGradientLoss(b->grad, b->X0, &r));
    PetscCall(GSBenchElapsedMax(GSModelGetComm(b->m), t0, &t));
    rec->t_forward = PetscMin(rec->t_forward, t);
    PetscCall(GSBenchStartClock(GSModelGetComm(b->m), &t0));
    PetscCall(GSGradientAdjoint(b->grad, b->X0, &r));
    PetscCall(GSBenchElapsedMax(GSModelGetComm(b->m), t0, &t));
    PetscCall(GSGradientGetTimes(b->grad, &phases));
    local[0] = phases.recompute, local[1] = phases.backward;
    PetscCallMPI(MPI_Allreduce(local, phase, 2, MPI_DOUBLE, MPI_MAX, GSModelGetComm(b->m)));
    if (t < rec->t_gradient) rec->t_recompute = phase[0], rec->t_backward = phase[1], rec->backward_steps = phases.backward_steps;
    rec->recomputed_per_step = (double)phases.recompute_steps / steps;
    rec->t_gradient          = PetscMin(rec->t_gradient, t);
    PetscCheck(r.steps == steps && GSRunReasonIsValid(r.reason), GSModelGetComm(b->m), PETSC_ERR_USER_INPUT,
               "the timed gradient run ended %s after %" PetscInt_FMT " of %" PetscInt_FMT " steps", GSRunReasonNames[r.reason], r.steps, steps);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSBenchPeakReset(void)
{
  FILE *f;

  PetscFunctionBeginUser;
#if defined(__GLIBC__)
  /* a fixed threshold: large blocks are mapped and unmapped, so freed states leave the resident set
     (glibc otherwise raises the threshold after the first free and keeps them on its heap) */
  (void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  (void)malloc_trim(0);
#endif
  f = fopen("/proc/self/clear_refs", "w");
  if (f) {
    (void)fputs("5", f); /* resets the peak resident set size to the current one */
    (void)fclose(f);
  }
  PetscFunctionReturn(0);
}

/* VmHWM of /proc/self/status, else getrusage's peak (which no reset lowers). */
static double PeakLocalMiB(void)
{
  FILE         *f = fopen("/proc/self/status", "r");
  char          line[256];
  double        kib = -1;
  struct rusage usage;

  while (f && fgets(line, sizeof(line), f))
    if (!strncmp(line, "VmHWM:", 6)) kib = atof(line + 6);
  if (f) (void)fclose(f);
  if (kib < 0 && getrusage(RUSAGE_SELF, &usage) == 0) kib = (double)usage.ru_maxrss; /* Linux: KiB */
  return kib / 1024.0;
}

PetscErrorCode GSBenchPeakRead(MPI_Comm comm, double *mib)
{
  double local = PeakLocalMiB();

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(&local, mib, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode MeasureBudget(GSBenchSize *b, const GSBenchRecord *rec, PetscReal budget, GSBenchBudget *out)
{
  GSGradientResult r;
  GSGradientTimes  phases;
  PetscLogDouble   t0;
  double           cap, least;

  PetscFunctionBeginUser;
  PetscCall(GradientUnderCap(b, (double)budget));
  PetscCall(TSSetMaxSteps(GSRunGetTS(b->run), rec->gradient_steps));
  out->budget_mib = budget;
  PetscCall(GSGradientGetMemoryCap(b->grad, &cap, &least));
  if (cap < least) { /* refused: the report says so */
    out->seconds = -1;
    PetscFunctionReturn(0);
  }
  PetscCall(GSBenchPeakReset());
  PetscCall(GSBenchStartClock(GSModelGetComm(b->m), &t0));
  PetscCall(GSGradientAdjoint(b->grad, b->X0, &r));
  PetscCall(GSBenchElapsedMax(GSModelGetComm(b->m), t0, &out->seconds));
  PetscCall(GSBenchPeakRead(GSModelGetComm(b->m), &out->peak_mib));
  PetscCall(GSGradientGetTimes(b->grad, &phases));
  out->vs_forward          = out->seconds / rec->t_forward;
  out->recomputed_per_step = (double)phases.recompute_steps / rec->gradient_steps;
  out->segment_length      = phases.segment_length;
  out->memory_slots        = phases.memory_slots;
  PetscFunctionReturn(0);
}

PetscErrorCode GSBenchSizeMeasureBudgets(GSBenchSize *b, const GSBenchOptions *o, GSBenchRecord *rec)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < o->nbudgets; i++) PetscCall(MeasureBudget(b, rec, o->budget_mib[i], &rec->budgets[i]));
  rec->nbudgets = o->nbudgets;
  PetscFunctionReturn(0);
}

/* Every measurement of one size: bare loop, production and TS paths taken in turn in every
   repetition (a slow spell of a shared machine then hits all three, and the fastest counts), their
   results compared, the halo exchange, the gradient, the peak memory. */
PetscErrorCode GSBenchSizeMeasure(GSBenchSize *b, const GSBenchOptions *o, GSBenchRecord *rec)
{
  GSModel        m     = b->m;
  const GSPatch *patch = GSModelGetPatch(m);
  double         t     = 0;

  PetscFunctionBeginUser;
  rec->nx = patch->nx, rec->ny = patch->ny;
  rec->diff_production_ts = rec->diff_production_bare = -1;
  rec->bare_global                                    = (PetscBool)(b->size == 1);
  rec->t_production                                   = PETSC_MAX_REAL;
  rec->state_mib                                      = 2.0 * sizeof(PetscScalar) * patch->xm * patch->ym / 1048576.0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &rec->state_mib, 1, MPI_DOUBLE, MPI_MAX, GSModelGetComm(m)));
  PetscCall(GSBenchPeakReset());
  for (PetscInt r = 0; r < o->repeat; r++) {
    if (b->bare_nx) PetscCall(BenchBareLoop(b, rec->steps, &t));
    if (b->bare_nx) rec->t_bare = r ? PetscMin(rec->t_bare, t) : t;
    PetscCall(BenchForward(b, PETSC_TRUE, rec->steps, b->X, &t));
    rec->t_production = PetscMin(rec->t_production, t);
    if (o->ts) PetscCall(BenchForward(b, PETSC_FALSE, rec->steps, b->Y, &t));
    if (o->ts) rec->t_ts = r ? PetscMin(rec->t_ts, t) : t;
  }
  if (o->ts) PetscCall(MaxDifference(b->X, b->Y, &rec->diff_production_ts));
  if (rec->bare_global) PetscCall(MaxDifference(b->X, b->Z, &rec->diff_production_bare));
  PetscCall(GSBenchPeakRead(GSModelGetComm(m), &rec->peak_forward_mib));
  PetscCall(BenchHalo(b, PetscMin(rec->steps, 1000), &rec->t_halo_step));
  PetscCall(GSBenchPeakReset());
  if (o->gradient) PetscCall(BenchGradient(b, rec->gradient_steps, o->repeat, rec));
  if (o->gradient) PetscCall(GSBenchPeakRead(GSModelGetComm(m), &rec->peak_gradient_mib));
  rec->peak_mib = PetscMax(rec->peak_forward_mib, rec->peak_gradient_mib);
  if (o->gradient && o->nbudgets) PetscCall(GSBenchSizeMeasureBudgets(b, o, rec));
  PetscFunctionReturn(0);
}
