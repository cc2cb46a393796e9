/* gsinv bench: in one run and at several grid sizes, the speed of a bare fused forward-Euler loop
   (the reference), the production forward path, the TS path and the adjoint gradient, next to the
   memory bandwidth of the machine; printed and written to HDF5 and CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <petsctime.h>

#include "gsinv/app.h"
#include "gsinv/fpmode.h"
#include "gsinv/gradient.h"
#include "gsinv/initial.h"
#include "gsinv/io.h"
#include "gsinv/options.h"
#include "gsinv/run.h"

#define GS_BENCH_MAX_SIZES 16
/* The least traffic a forward step can cause: read one state and write one, two doubles per cell
   each. A step at bandwidth B cannot go faster than B / 32 cell-steps per second from memory. */
#define GS_BENCH_FLOOR_BYTES 32.0

typedef struct {
  PetscInt  nsizes, nx[GS_BENCH_MAX_SIZES], ny[GS_BENCH_MAX_SIZES];
  PetscInt  steps, gradient_steps, repeat, stream_mib;
  PetscReal seconds;
  PetscBool ts, gradient, bandwidth;
  char      output[PETSC_MAX_PATH_LEN], csv[PETSC_MAX_PATH_LEN];
} BenchOptions;

/* Aggregate over the ranks (all ranks stream at once), GB/s = 1e9 bytes/s, STREAM's byte count. */
typedef struct {
  double copy, triad;
} BenchBandwidth;

/* What one grid size measured; times are the fastest of -gs_bench_repeat, max over ranks. A time
   of 0 means "not measured". */
typedef struct {
  PetscInt nx, ny, steps, gradient_steps;
  double   t_bare, t_production, t_ts, t_halo_step, t_forward, t_gradient;
  double   t_recompute, t_backward; /* of the fastest gradient run: its two backward phases */
  PetscInt backward_steps;
  double   diff_production_ts, diff_production_bare; /* < 0: not compared */
  double   peak_mib;
  PetscBool bare_global; /* one rank: the bare loop ran the same problem and its result is compared */
} BenchRecord;

/* The objects of one grid size. */
typedef struct {
  GSModel     m;
  GSRun       run;
  GSFieldLoss loss;
  GSGradient  grad;
  Vec         X0, X, Y, Z;        /* initial state; production, TS and bare results */
  PetscMPIInt size;
  int         bare_nx, bare_ny; /* grid of the bare loop (0: not run: a patch narrower than 3) */
  GSField    *bare_a, *bare_c;
} BenchSize;

/* One size: N (N x N) or NXxNY; the message names the option and the value. */
static PetscErrorCode BenchParseSize(MPI_Comm comm, const char *text, PetscInt *nx, PetscInt *ny)
{
  char     *end;
  long long x, y;

  PetscFunctionBeginUser;
  x = strtoll(text, &end, 10);
  y = x;
  if (end != text && (*end == 'x' || *end == 'X')) y = strtoll(end + 1, &end, 10);
  PetscCheck(end != text && *end == 0 && x >= 3 && y >= 3, comm, PETSC_ERR_USER_INPUT, "-gs_bench_sizes '%s': each size is N (an N x N grid) or NXxNY, with N >= 3", text);
  PetscCheck(2.0 * (double)x * (double)y <= (double)PETSC_MAX_INT, comm, PETSC_ERR_USER_INPUT, "-gs_bench_sizes %s: 2 x %lld x %lld values exceed the %d-bit indices of this PETSc (largest square grid with 32-bit indices: 32767 x 32767); build with meson -Dpetsc_pkg=PETSc64", text, x, y, (int)(8 * sizeof(PetscInt)));
  *nx = (PetscInt)x;
  *ny = (PetscInt)y;
  PetscFunctionReturn(0);
}

/* -gs_bench_sizes, or the one size of -da_grid_x/-da_grid_y (as before there were several). */
static PetscErrorCode BenchSizesRead(MPI_Comm comm, PetscOptionItems *PetscOptionsObject, BenchOptions *o)
{
  char     *sizes[GS_BENCH_MAX_SIZES];
  PetscInt  n = GS_BENCH_MAX_SIZES;
  PetscBool set, grid_x, grid_y;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsStringArray("-gs_bench_sizes", "Grid sizes, N (N x N) or NXxNY, comma-separated (default 128,1024,4096)", "GSAppBench", sizes, &n, &set));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-da_grid_x", &grid_x));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-da_grid_y", &grid_y));
  PetscCheck(!set || !(grid_x || grid_y), comm, PETSC_ERR_USER_INPUT, "-gs_bench_sizes and -da_grid_x/-da_grid_y: give the sizes one way (bench sets -da_grid_x/-da_grid_y for each size)");
  PetscCheck(!set || n > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_sizes needs at least one size (at most %d)", GS_BENCH_MAX_SIZES);
  if (set) {
    for (PetscInt i = 0; i < n; i++) PetscCall(BenchParseSize(comm, sizes[i], &o->nx[i], &o->ny[i]));
    for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree(sizes[i]));
    o->nsizes = n;
  } else if (grid_x || grid_y) {
    o->nsizes = 1;
    o->nx[0] = o->ny[0] = 128;
    PetscCall(GSOptionsCheckNumber(comm, "-da_grid_x"));
    PetscCall(GSOptionsCheckNumber(comm, "-da_grid_y"));
    PetscCall(PetscOptionsGetInt(NULL, NULL, "-da_grid_x", &o->nx[0], NULL));
    PetscCall(PetscOptionsGetInt(NULL, NULL, "-da_grid_y", &o->ny[0], NULL));
  } else {
    o->nsizes = 3;
    o->nx[0] = o->ny[0] = 128;
    o->nx[1] = o->ny[1] = 1024;
    o->nx[2] = o->ny[2] = 4096;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchOptionsRead(MPI_Comm comm, BenchOptions *o)
{
  PetscFunctionBeginUser;
  o->steps          = 0;
  o->gradient_steps = 0;
  o->repeat         = 3;
  o->seconds        = 0.25;
  o->stream_mib     = 64;
  o->ts = o->gradient = o->bandwidth = PETSC_TRUE;
  PetscCall(PetscStrncpy(o->output, "bench.h5", sizeof(o->output)));
  PetscCall(PetscStrncpy(o->csv, "bench.csv", sizeof(o->csv)));
  PetscOptionsBegin(comm, NULL, "gsinv bench", "GSAppBench");
  PetscCall(BenchSizesRead(comm, PetscOptionsObject, o));
  PetscCall(GSOptionsInt("-gs_bench_steps", "Steps per timed forward run (0: chosen per size to take about -gs_bench_seconds)", "GSAppBench", o->steps, &o->steps, NULL));
  PetscCall(GSOptionsReal("-gs_bench_seconds", "Target duration of one timed run when the steps are chosen per size", "GSAppBench", o->seconds, &o->seconds, NULL));
  PetscCall(GSOptionsInt("-gs_bench_repeat", "Timed runs per path (the fastest counts)", "GSAppBench", o->repeat, &o->repeat, NULL));
  PetscCall(PetscOptionsBool("-gs_bench_ts", "Also time the TS path (and compare the production path with it)", "GSAppBench", o->ts, &o->ts, NULL));
  PetscCall(PetscOptionsBool("-gs_bench_gradient", "Also time the adjoint gradient", "GSAppBench", o->gradient, &o->gradient, NULL));
  PetscCall(GSOptionsInt("-gs_bench_gradient_steps", "Steps of the timed gradient runs (0: chosen per size)", "GSAppBench", o->gradient_steps, &o->gradient_steps, NULL));
  PetscCall(PetscOptionsBool("-gs_bench_bandwidth", "Also measure the memory bandwidth (copy and triad)", "GSAppBench", o->bandwidth, &o->bandwidth, NULL));
  PetscCall(GSOptionsInt("-gs_bench_stream_mib", "MiB per array and rank of the bandwidth probe (well above the last-level cache)", "GSAppBench", o->stream_mib, &o->stream_mib, NULL));
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write (empty: none)", "GSAppBench", o->output, o->output, sizeof(o->output), NULL));
  PetscCall(PetscOptionsString("-gs_bench_csv", "CSV file to write, one row per size (empty: none)", "GSAppBench", o->csv, o->csv, sizeof(o->csv), NULL));
  PetscOptionsEnd();
  PetscCheck(o->steps >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_steps %" PetscInt_FMT " must be >= 0", o->steps);
  PetscCheck(o->gradient_steps >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_gradient_steps %" PetscInt_FMT " must be >= 0", o->gradient_steps);
  PetscCheck(o->repeat > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_repeat %" PetscInt_FMT " must be positive", o->repeat);
  PetscCheck(o->seconds > 0 && o->seconds <= 600, comm, PETSC_ERR_USER_INPUT, "-gs_bench_seconds %g must be in (0, 600]", (double)o->seconds);
  PetscCheck(o->stream_mib > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_stream_mib %" PetscInt_FMT " must be positive", o->stream_mib);
  PetscFunctionReturn(0);
}

/* Seconds since t0 on this rank, then the slowest rank's. Collective. */
static PetscErrorCode BenchElapsedMax(MPI_Comm comm, PetscLogDouble t0, double *seconds)
{
  PetscLogDouble t1;
  double         local;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t1));
  local = t1 - t0;
  PetscCallMPI(MPI_Allreduce(&local, seconds, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchStartClock(MPI_Comm comm, PetscLogDouble *t0)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(comm));
  PetscCall(PetscTime(t0));
  PetscFunctionReturn(0);
}

/* a = s b with s only known at run time, so that no compiler turns it into memcpy (whose
   non-temporal stores the stencil loops do not use): the traffic of a copy. */
static void StreamScale(size_t n, double s, const double *restrict b, double *restrict a)
{
#pragma omp simd
  for (size_t i = 0; i < n; i++) a[i] = s * b[i];
}

static void StreamTriad(size_t n, double s, const double *restrict b, const double *restrict c, double *restrict a)
{
#pragma omp simd
  for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}

/* Copy and triad over arrays of -gs_bench_stream_mib MiB on every rank at once; the best of 5. */
static PetscErrorCode BenchBandwidthMeasure(MPI_Comm comm, const BenchOptions *o, BenchBandwidth *bw)
{
  const size_t    n = (size_t)o->stream_mib * 1024 * 1024 / sizeof(double);
  volatile double scale = 1.0;
  double         *a, *b, *c, t_copy = PETSC_MAX_REAL, t_triad = PETSC_MAX_REAL, t;
  PetscMPIInt     size;
  PetscLogDouble  t0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc3(n, &a, n, &b, n, &c));
  for (size_t i = 0; i < n; i++) a[i] = 0.0, b[i] = 1.0, c[i] = 2.0;
  for (int r = 0; r < 5; r++) {
    PetscCall(BenchStartClock(comm, &t0));
    StreamScale(n, scale, b, a);
    PetscCall(BenchElapsedMax(comm, t0, &t));
    t_copy = PetscMin(t_copy, t);
    PetscCall(BenchStartClock(comm, &t0));
    StreamTriad(n, scale, b, c, a);
    PetscCall(BenchElapsedMax(comm, t0, &t));
    t_triad = PetscMin(t_triad, t);
  }
  PetscCheck(a[n / 2] == 3.0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "bandwidth probe: triad result %g, expected 3", a[n / 2]);
  bw->copy  = 16.0 * n * size / t_copy / 1e9;
  bw->triad = 24.0 * n * size / t_triad / 1e9;
  PetscCall(PetscFree3(a, b, c));
  PetscFunctionReturn(0);
}

/* The bandwidth against which cell-step rates are judged: the better of copy and triad. */
static double BenchBandwidthBest(const BenchBandwidth *bw)
{
  return PetscMax(bw->copy, bw->triad) * 1e9;
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

static PetscErrorCode BenchSizeCreate(MPI_Comm comm, PetscInt nx, PetscInt ny, const GSInitialOptions *init, BenchSize *b)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(b, sizeof(*b)));
  PetscCallMPI(MPI_Comm_size(comm, &b->size));
  PetscCall(BenchSetGrid(nx, ny));
  PetscCall(GSModelCreate(comm, &b->m));
  PetscCall(GSRunCreate(b->m, 0.0, 40000, &b->run));
  b->run->quiet = PETSC_TRUE;
  PetscCall(DMCreateGlobalVector(b->m->da, &b->X0));
  PetscCall(VecDuplicate(b->X0, &b->X));
  PetscCall(VecDuplicate(b->X0, &b->Y));
  PetscCall(VecDuplicate(b->X0, &b->Z));
  PetscCall(GSInitialStateFill(b->m, init, b->X0));
  b->bare_nx = (int)(b->size == 1 ? b->m->nx : b->m->xm);
  b->bare_ny = (int)(b->size == 1 ? b->m->ny : b->m->ym);
  if (b->bare_nx < 3 || b->bare_ny < 3) b->bare_nx = b->bare_ny = 0;
  else PetscCall(PetscMalloc2((size_t)b->bare_nx * b->bare_ny, &b->bare_a, (size_t)b->bare_nx * b->bare_ny, &b->bare_c));
  PetscFunctionReturn(0);
}

/* The loss and gradient objects; the checkpoint stride follows the run's step count, so the
   steps are set first. */
static PetscErrorCode BenchSizeCreateGradient(BenchSize *b, PetscInt steps)
{
  PetscFunctionBeginUser;
  PetscCall(TSSetMaxSteps(b->run->ts, steps));
  PetscCall(GSFieldLossCreate(b->m, &b->loss));
  PetscCall(GSFieldLossSetTarget(b->loss, b->X0));
  PetscCall(GSGradientCreate(b->run, b->loss, &b->grad));
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchSizeDestroy(BenchSize *b)
{
  PetscFunctionBeginUser;
  PetscCall(GSGradientDestroy(&b->grad));
  PetscCall(GSFieldLossDestroy(&b->loss));
  PetscCall(VecDestroy(&b->X0));
  PetscCall(VecDestroy(&b->X));
  PetscCall(VecDestroy(&b->Y));
  PetscCall(VecDestroy(&b->Z));
  PetscCall(PetscFree2(b->bare_a, b->bare_c));
  PetscCall(GSRunDestroy(&b->run));
  PetscCall(GSModelDestroy(&b->m));
  PetscFunctionReturn(0);
}

/* One timed forward run of `steps` steps from X0 into X, production (fast) or TS path. */
static PetscErrorCode BenchForward(BenchSize *b, PetscBool fast, PetscInt steps, Vec X, double *seconds)
{
  GSRun          run  = b->run;
  PetscBool      user = run->fast_path;
  PetscLogDouble t0;

  PetscFunctionBeginUser;
  PetscCall(VecCopy(b->X0, X));
  PetscCall(TSSetMaxSteps(run->ts, steps));
  run->fast_path = fast;
  PetscCall(BenchStartClock(b->m->comm, &t0));
  PetscCall(GSRunSolve(run, X));
  PetscCall(BenchElapsedMax(b->m->comm, t0, seconds));
  run->fast_path = user;
  PetscCheck(run->steps == steps && GSRunReasonIsValid(run->reason), b->m->comm, PETSC_ERR_USER_INPUT, "a timed run ended %s after %" PetscInt_FMT " of %" PetscInt_FMT " steps: bench needs theta, -ts_dt, -gs_steady_tol and an initial state that give a valid fixed-step run", GSRunReasonNames[run->reason], run->steps, steps);
  PetscFunctionReturn(0);
}

/* The reference: ping-pong forward Euler with no library calls. On one rank over the whole grid
   (the same problem: its result is compared); on several ranks every rank runs its own patch as
   a periodic grid at the same time, no communication: the compute-only speed of the ranks. The
   result goes to Z on one rank. */
static PetscErrorCode BenchBareLoop(BenchSize *b, PetscInt steps, Vec Z, double *seconds)
{
  GSModel            m = b->m;
  const size_t       n = (size_t)b->bare_nx * b->bare_ny;
  GSField           *cur = b->bare_a, *next = b->bare_c, *t;
  const PetscScalar *x0;
  PetscLogDouble     t0;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(b->X0, &x0));
  PetscCall(PetscArraycpy(cur, (const GSField *)x0, n));
  PetscCall(VecRestoreArrayRead(b->X0, &x0));
  PetscCall(BenchStartClock(m->comm, &t0));
  for (PetscInt s = 0; s < steps; s++) {
    GSEulerStepPeriodic(&m->params, m->inv_h2, b->run->dt, b->bare_nx, b->bare_ny, cur, next);
    t = cur, cur = next, next = t;
  }
  PetscCall(BenchElapsedMax(m->comm, t0, seconds));
  if (b->size == 1) {
    PetscScalar *z;
    PetscCall(VecGetArrayWrite(Z, &z));
    PetscCall(PetscArraycpy((GSField *)z, cur, n));
    PetscCall(VecRestoreArrayWrite(Z, &z));
  }
  PetscFunctionReturn(0);
}

/* Chooses the steps of a size so that a production run takes about -gs_bench_seconds and a TS
   run at most four times that, from short calibration runs; the gradient runs get as many steps
   as fit in twice that (a gradient step costs a production step, a TS step and a backward step).
   At least 4 steps (2 checkpoint segments for the gradient), so that a large grid still measures
   steps rather than the fixed cost of a run. */
static PetscErrorCode BenchChooseSteps(BenchSize *b, const BenchOptions *o, BenchRecord *rec)
{
  const double target = o->seconds;
  PetscInt     k = 1, k_ts;
  double       t, t_step, t_ts_step = 0;

  PetscFunctionBeginUser;
  /* Untimed first touch of every array the timed runs use: page faults are not the kernels' cost. */
  PetscCall(BenchForward(b, PETSC_TRUE, 2, b->X, &t));
  PetscCall(BenchForward(b, PETSC_FALSE, 2, b->Y, &t));
  if (b->bare_nx) PetscCall(BenchBareLoop(b, 2, b->Z, &t));
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
  rec->gradient_steps = o->gradient_steps ? o->gradient_steps : (o->steps ? o->steps : PetscMax(4, PetscMin(rec->steps, (PetscInt)(2 * target / (t_step + 2 * PetscMax(t_ts_step, t_step))))));
  PetscFunctionReturn(0);
}

/* The ghost exchange of the parallel path alone (DMGlobalToLocal), per step. */
static PetscErrorCode BenchHalo(BenchSize *b, PetscInt steps, double *per_step)
{
  PetscLogDouble t0;
  double         seconds;

  PetscFunctionBeginUser;
  PetscCall(DMGlobalToLocal(b->m->da, b->X0, INSERT_VALUES, b->m->xlocal)); /* first touch, untimed */
  PetscCall(BenchStartClock(b->m->comm, &t0));
  for (PetscInt s = 0; s < steps; s++) PetscCall(DMGlobalToLocal(b->m->da, b->X0, INSERT_VALUES, b->m->xlocal));
  PetscCall(BenchElapsedMax(b->m->comm, t0, &seconds));
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
static PetscErrorCode BenchGradient(BenchSize *b, PetscInt steps, PetscInt repeat, BenchRecord *rec)
{
  GSGradientResult r;
  GSGradientTimes  phases;
  PetscLogDouble   t0;
  double           t, local[2], phase[2];

  PetscFunctionBeginUser;
  PetscCall(TSSetMaxSteps(b->run->ts, steps));
  rec->t_forward = rec->t_gradient = PETSC_MAX_REAL;
  for (PetscInt i = 0; i < repeat; i++) {
    PetscCall(BenchStartClock(b->m->comm, &t0));
    PetscCall(GSGradientLoss(b->grad, b->X0, &r));
    PetscCall(BenchElapsedMax(b->m->comm, t0, &t));
    rec->t_forward = PetscMin(rec->t_forward, t);
    PetscCall(BenchStartClock(b->m->comm, &t0));
    PetscCall(GSGradientAdjoint(b->grad, b->X0, &r));
    PetscCall(BenchElapsedMax(b->m->comm, t0, &t));
    PetscCall(GSGradientGetTimes(b->grad, &phases));
    local[0] = phases.recompute, local[1] = phases.backward;
    PetscCallMPI(MPI_Allreduce(local, phase, 2, MPI_DOUBLE, MPI_MAX, b->m->comm));
    if (t < rec->t_gradient) rec->t_recompute = phase[0], rec->t_backward = phase[1], rec->backward_steps = phases.backward_steps;
    rec->t_gradient = PetscMin(rec->t_gradient, t);
    PetscCheck(r.steps == steps && GSRunReasonIsValid(r.reason), b->m->comm, PETSC_ERR_USER_INPUT, "the timed gradient run ended %s after %" PetscInt_FMT " of %" PetscInt_FMT " steps", GSRunReasonNames[r.reason], r.steps, steps);
  }
  PetscFunctionReturn(0);
}

/* Peak resident memory of this process so far, the largest over the ranks, in MiB. */
static PetscErrorCode BenchPeakMemory(MPI_Comm comm, double *mib)
{
  struct rusage usage;
  double        local;

  PetscFunctionBeginUser;
  PetscCheck(getrusage(RUSAGE_SELF, &usage) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "getrusage failed");
  local = usage.ru_maxrss / 1024.0; /* Linux: KiB */
  PetscCallMPI(MPI_Allreduce(&local, mib, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(0);
}

/* Every measurement of one size: bare loop, production and TS paths taken in turn in every
   repetition (a slow spell of a shared machine then hits all three, and the fastest counts), their
   results compared, the halo exchange, the gradient, the peak memory. */
static PetscErrorCode BenchSizeMeasure(BenchSize *b, const BenchOptions *o, BenchRecord *rec)
{
  GSModel m = b->m;
  double  t;

  PetscFunctionBeginUser;
  rec->nx = m->nx, rec->ny = m->ny;
  rec->diff_production_ts = rec->diff_production_bare = -1;
  rec->bare_global                                    = (PetscBool)(b->size == 1);
  rec->t_production                                   = PETSC_MAX_REAL;
  for (PetscInt r = 0; r < o->repeat; r++) {
    if (b->bare_nx) PetscCall(BenchBareLoop(b, rec->steps, b->Z, &t));
    if (b->bare_nx) rec->t_bare = r ? PetscMin(rec->t_bare, t) : t;
    PetscCall(BenchForward(b, PETSC_TRUE, rec->steps, b->X, &t));
    rec->t_production = PetscMin(rec->t_production, t);
    if (o->ts) PetscCall(BenchForward(b, PETSC_FALSE, rec->steps, b->Y, &t));
    if (o->ts) rec->t_ts = r ? PetscMin(rec->t_ts, t) : t;
  }
  if (o->ts) PetscCall(MaxDifference(b->X, b->Y, &rec->diff_production_ts));
  if (rec->bare_global) PetscCall(MaxDifference(b->X, b->Z, &rec->diff_production_bare));
  PetscCall(BenchHalo(b, PetscMin(rec->steps, 1000), &rec->t_halo_step));
  if (o->gradient) PetscCall(BenchGradient(b, rec->gradient_steps, o->repeat, rec));
  PetscCall(BenchPeakMemory(m->comm, &rec->peak_mib));
  PetscFunctionReturn(0);
}

/* The real-valued columns of the CSV file and of /bench in the HDF5 file, and their meaning. */
enum {
  COL_BARE_SECONDS,
  COL_BARE_RATE,
  COL_PRODUCTION_SECONDS,
  COL_PRODUCTION_RATE,
  COL_PRODUCTION_VS_BARE,
  COL_PRODUCTION_BYTES,
  COL_PRODUCTION_SHARE,
  COL_BARE_BYTES,
  COL_BARE_SHARE,
  COL_TS_SECONDS,
  COL_TS_RATE,
  COL_TS_VS_BARE,
  COL_HALO_STEP,
  COL_FORWARD_SECONDS,
  COL_GRADIENT_SECONDS,
  COL_FORWARD_STEP,
  COL_ADJOINT_STEP,
  COL_RECOMPUTE_STEP,
  COL_GRADIENT_ADDS_STEP,
  COL_ADJOINT_VS_FORWARD,
  COL_GRADIENT_VS_FORWARD,
  COL_ADJOINT_VS_TS,
  COL_DIFF_PRODUCTION_TS,
  COL_DIFF_PRODUCTION_BARE,
  COL_BANDWIDTH_COPY,
  COL_BANDWIDTH_TRIAD,
  COL_PEAK_MIB,
  COL_N
};

static const char *const column_names[COL_N] = {
  "bare_seconds", "bare_rate", "production_seconds", "production_rate", "production_vs_bare", "production_bytes_per_cell_step", "production_bandwidth_share", "bare_bytes_per_cell_step", "bare_bandwidth_share", "ts_seconds", "ts_rate", "ts_vs_bare", "halo_seconds_per_step", "forward_seconds", "gradient_seconds", "forward_step_seconds", "adjoint_step_seconds", "recompute_step_seconds", "gradient_added_step_seconds", "adjoint_vs_forward", "gradient_vs_forward", "adjoint_vs_ts_step", "diff_production_ts", "diff_production_bare", "bandwidth_copy_gbs", "bandwidth_triad_gbs", "peak_rss_mib",
};

static const char *const column_meanings[COL_N] = {
  "fastest timed run of the bare fused loop (one rank: the whole grid; several: each rank's patch alone, no communication)",
  "cell-steps per second of the bare loop (all ranks)",
  "fastest timed run of the production path (GSRunSolve, fused Euler with the run checks)",
  "cell-steps per second of the production path",
  "production rate / bare rate",
  "memory bandwidth / production rate (bytes per cell-step the measured bandwidth allows)",
  "32 bytes per cell-step x production rate / bandwidth (above 1: the grid works from cache)",
  "memory bandwidth / bare rate",
  "32 bytes per cell-step x bare rate / bandwidth",
  "fastest timed run of the TS path (TSRK 1fe, run checks in the post-step)",
  "cell-steps per second of the TS path",
  "TS rate / bare rate",
  "one ghost exchange (DMGlobalToLocal) of the state",
  "production forward run and loss (GSGradientLoss) over gradient_steps steps",
  "forward run with checkpoints and adjoint (GSGradientAdjoint) over gradient_steps steps",
  "forward_seconds / gradient_steps: one production forward step",
  "one adjoint step: the time of the backward sweeps (lambda_n and mu from lambda_{n+1}, with lambda's halo exchange) / their number",
  "recomputation of the checkpointed segments (forward steps from each checkpoint) / number of adjoint steps",
  "(gradient_seconds - forward_seconds) / gradient_steps: what a gradient adds per step (recomputation, adjoint step, checkpoint copies)",
  "adjoint_step_seconds / forward_step_seconds",
  "gradient_seconds / forward_seconds: a gradient's cost in forward runs",
  "adjoint_step_seconds / (ts_seconds / steps)",
  "max |x_production - x_TS| after steps steps",
  "max |x_production - x_bare| after steps steps (one rank)",
  "copy bandwidth (a = s b, 16 bytes per element), all ranks at once, GB/s",
  "triad bandwidth (a = b + s c, 24 bytes per element), all ranks at once, GB/s",
  "peak resident memory of the process so far (getrusage ru_maxrss), largest over the ranks, MiB",
};

/* A column's value for one record, or NaN where it was not measured. */
static double BenchValue(const BenchRecord *r, const BenchBandwidth *bw, int col)
{
  const double cs = (double)r->nx * r->ny, bw_best = BenchBandwidthBest(bw), nan = NAN;
  const double bare = r->t_bare > 0 ? cs * r->steps / r->t_bare : nan, production = cs * r->steps / r->t_production;
  const double ts = r->t_ts > 0 ? cs * r->steps / r->t_ts : nan, fwd = r->t_forward > 0 ? r->t_forward / r->gradient_steps : nan;
  const double adj = r->t_gradient > 0 && r->backward_steps > 0 ? r->t_backward / r->backward_steps : nan;
  const double added = r->t_gradient > 0 ? (r->t_gradient - r->t_forward) / r->gradient_steps : nan;

  switch (col) {
  case COL_BARE_SECONDS: return r->t_bare > 0 ? r->t_bare : nan;
  case COL_BARE_RATE: return bare;
  case COL_PRODUCTION_SECONDS: return r->t_production;
  case COL_PRODUCTION_RATE: return production;
  case COL_PRODUCTION_VS_BARE: return production / bare;
  case COL_PRODUCTION_BYTES: return bw_best > 0 ? bw_best / production : nan;
  case COL_PRODUCTION_SHARE: return bw_best > 0 ? GS_BENCH_FLOOR_BYTES * production / bw_best : nan;
  case COL_BARE_BYTES: return bw_best > 0 ? bw_best / bare : nan;
  case COL_BARE_SHARE: return bw_best > 0 ? GS_BENCH_FLOOR_BYTES * bare / bw_best : nan;
  case COL_TS_SECONDS: return r->t_ts > 0 ? r->t_ts : nan;
  case COL_TS_RATE: return ts;
  case COL_TS_VS_BARE: return ts / bare;
  case COL_HALO_STEP: return r->t_halo_step;
  case COL_FORWARD_SECONDS: return r->t_forward > 0 ? r->t_forward : nan;
  case COL_GRADIENT_SECONDS: return r->t_gradient > 0 ? r->t_gradient : nan;
  case COL_FORWARD_STEP: return fwd;
  case COL_ADJOINT_STEP: return adj;
  case COL_RECOMPUTE_STEP: return r->t_gradient > 0 && r->backward_steps > 0 ? r->t_recompute / r->backward_steps : nan;
  case COL_GRADIENT_ADDS_STEP: return added;
  case COL_ADJOINT_VS_FORWARD: return adj / fwd;
  case COL_GRADIENT_VS_FORWARD: return r->t_gradient > 0 ? r->t_gradient / r->t_forward : nan;
  case COL_ADJOINT_VS_TS: return adj / (r->t_ts / r->steps);
  case COL_DIFF_PRODUCTION_TS: return r->diff_production_ts >= 0 ? r->diff_production_ts : nan;
  case COL_DIFF_PRODUCTION_BARE: return r->diff_production_bare >= 0 ? r->diff_production_bare : nan;
  case COL_BANDWIDTH_COPY: return bw->copy > 0 ? bw->copy : nan;
  case COL_BANDWIDTH_TRIAD: return bw->triad > 0 ? bw->triad : nan;
  case COL_PEAK_MIB: return r->peak_mib;
  default: return nan;
  }
}

/* A number for the terminal: "-" where not measured. */
static const char *Fmt(char *buf, size_t len, const char *format, double value)
{
  if (PetscIsNanReal(value) || PetscIsInfReal(value)) snprintf(buf, len, "-");
  else snprintf(buf, len, format, value);
  return buf;
}

static PetscErrorCode BenchPrintPath(MPI_Comm comm, const char *name, double seconds, double rate, double ratio, double bytes, double share)
{
  char s[5][32];

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "  %-40s %9s %13s %8s %12s %8s\n", name, Fmt(s[0], 32, "%.4f", seconds), Fmt(s[1], 32, "%.4g", rate), Fmt(s[2], 32, "%.3f", ratio), Fmt(s[3], 32, "%.1f", bytes), Fmt(s[4], 32, "%.0f%%", 100 * share)));
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchPrintSize(MPI_Comm comm, const BenchRecord *r, const BenchBandwidth *bw, PetscMPIInt size)
{
  double v[COL_N];
  char   s[3][32];

  PetscFunctionBeginUser;
  for (int c = 0; c < COL_N; c++) v[c] = BenchValue(r, bw, c);
  PetscCall(PetscPrintf(comm, "grid %" PetscInt_FMT " x %" PetscInt_FMT ": %" PetscInt_FMT " steps per forward run, %d rank%s\n", r->nx, r->ny, r->steps, size, size > 1 ? "s" : ""));
  PetscCall(PetscPrintf(comm, "  %-40s %9s %13s %8s %12s %8s\n", "path", "seconds", "cell-steps/s", "vs bare", "B/cell-step", "of BW"));
  PetscCall(BenchPrintPath(comm, size == 1 ? "bare fused loop (reference)" : "bare fused loop (each rank's patch alone)", v[COL_BARE_SECONDS], v[COL_BARE_RATE], v[COL_BARE_RATE] / v[COL_BARE_RATE], v[COL_BARE_BYTES], v[COL_BARE_SHARE]));
  PetscCall(BenchPrintPath(comm, "production path (fused Euler + checks)", v[COL_PRODUCTION_SECONDS], v[COL_PRODUCTION_RATE], v[COL_PRODUCTION_VS_BARE], v[COL_PRODUCTION_BYTES], v[COL_PRODUCTION_SHARE]));
  PetscCall(BenchPrintPath(comm, "TS path (TSRK 1fe + run checks)", v[COL_TS_SECONDS], v[COL_TS_RATE], v[COL_TS_VS_BARE], NAN, NAN));
  PetscCall(PetscPrintf(comm, "  halo exchange (DMGlobalToLocal): %.3g s per step\n", v[COL_HALO_STEP]));
  if (r->t_gradient > 0) {
    PetscCall(PetscPrintf(comm, "  gradient over %" PetscInt_FMT " steps: forward %.4f s, forward + adjoint %.4f s (%.2f forward runs)\n", r->gradient_steps, r->t_forward, r->t_gradient, v[COL_GRADIENT_VS_FORWARD]));
    PetscCall(PetscPrintf(comm, "    one adjoint step %.3g s = %.2f x a production step (%s x a TS step); recomputing the checkpointed states %.3g s per step; all a gradient adds per step %.3g s = %.2f x a production step\n", v[COL_ADJOINT_STEP], v[COL_ADJOINT_VS_FORWARD], Fmt(s[0], 32, "%.2f", v[COL_ADJOINT_VS_TS]), v[COL_RECOMPUTE_STEP], v[COL_GRADIENT_ADDS_STEP], v[COL_GRADIENT_ADDS_STEP] / v[COL_FORWARD_STEP]));
  }
  PetscCall(PetscPrintf(comm, "  max |x_production - x_TS| = %s, max |x_production - x_bare| = %s; peak memory %.0f MiB per rank\n", Fmt(s[1], 32, "%.3e", v[COL_DIFF_PRODUCTION_TS]), Fmt(s[2], 32, "%.3e", v[COL_DIFF_PRODUCTION_BARE]), r->peak_mib));
  PetscFunctionReturn(0);
}

/* The one-screen summary of every size. */
static PetscErrorCode BenchPrintSummary(MPI_Comm comm, PetscInt n, const BenchRecord *recs, const BenchBandwidth *bw)
{
  char s[9][32];

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "\nsummary (bandwidth: copy %.2f GB/s, triad %.2f GB/s; floor %.0f bytes per cell-step)\n", bw->copy, bw->triad, GS_BENCH_FLOOR_BYTES));
  PetscCall(PetscPrintf(comm, "%-12s %11s %11s %9s %8s %8s %8s %11s %9s %10s %9s\n", "grid", "bare c-s/s", "prod c-s/s", "prod/bare", "TS/bare", "B/c-s", "of BW", "adjoint/fwd", "grad/fwd", "|prod-TS|", "peak MiB"));
  for (PetscInt i = 0; i < n; i++) {
    const BenchRecord *r = &recs[i];
    char               grid[32];
    PetscCall(PetscSNPrintf(grid, sizeof(grid), "%" PetscInt_FMT "x%" PetscInt_FMT, r->nx, r->ny));
    PetscCall(PetscPrintf(comm, "%-12s %11s %11s %9s %8s %8s %8s %11s %9s %10s %9.0f\n", grid, Fmt(s[0], 32, "%.4g", BenchValue(r, bw, COL_BARE_RATE)), Fmt(s[1], 32, "%.4g", BenchValue(r, bw, COL_PRODUCTION_RATE)), Fmt(s[2], 32, "%.3f", BenchValue(r, bw, COL_PRODUCTION_VS_BARE)), Fmt(s[3], 32, "%.3f", BenchValue(r, bw, COL_TS_VS_BARE)),
                          Fmt(s[4], 32, "%.1f", BenchValue(r, bw, COL_PRODUCTION_BYTES)), Fmt(s[5], 32, "%.0f%%", 100 * BenchValue(r, bw, COL_PRODUCTION_SHARE)), Fmt(s[6], 32, "%.2f", BenchValue(r, bw, COL_ADJOINT_VS_FORWARD)), Fmt(s[8], 32, "%.2f", BenchValue(r, bw, COL_GRADIENT_VS_FORWARD)), Fmt(s[7], 32, "%.1e", BenchValue(r, bw, COL_DIFF_PRODUCTION_TS)), r->peak_mib));
  }
  PetscFunctionReturn(0);
}

/* One header line, one row per size; an empty field where nothing was measured. Rank 0 writes. */
static PetscErrorCode BenchWriteCSV(MPI_Comm comm, const char *path, PetscInt n, const BenchRecord *recs, const BenchBandwidth *bw, PetscMPIInt size)
{
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(PetscFOpen(comm, path, "w", &fp));
  PetscCall(PetscFPrintf(comm, fp, "nx,ny,ranks,steps,gradient_steps,flush_denormals"));
  for (int c = 0; c < COL_N; c++) PetscCall(PetscFPrintf(comm, fp, ",%s", column_names[c]));
  PetscCall(PetscFPrintf(comm, fp, "\n"));
  for (PetscInt i = 0; i < n; i++) {
    const BenchRecord *r = &recs[i];
    PetscCall(PetscFPrintf(comm, fp, "%" PetscInt_FMT ",%" PetscInt_FMT ",%d,%" PetscInt_FMT ",%" PetscInt_FMT ",%d", r->nx, r->ny, size, r->steps, r->t_gradient > 0 ? r->gradient_steps : 0, (int)GSFlushDenormalsActive()));
    for (int c = 0; c < COL_N; c++) {
      const double v = BenchValue(r, bw, c);
      if (PetscIsNanReal(v) || PetscIsInfReal(v)) PetscCall(PetscFPrintf(comm, fp, ","));
      else PetscCall(PetscFPrintf(comm, fp, ",%.9g", v));
    }
    PetscCall(PetscFPrintf(comm, fp, "\n"));
  }
  PetscCall(PetscFClose(comm, fp));
  PetscFunctionReturn(0);
}

/* /bench/<column> [n] with a "meaning" attribute (NaN: not measured), plus the sizes and steps. */
static PetscErrorCode BenchWriteTables(GSOutput *out, PetscInt n, const BenchRecord *recs, const BenchBandwidth *bw)
{
  const hsize_t dims[1] = {(hsize_t)n};
  PetscInt64   *ints;
  PetscReal    *values;
  char          path[64];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n, &ints, n, &values));
  for (int c = 0; c < COL_N; c++) {
    for (PetscInt i = 0; i < n; i++) values[i] = BenchValue(&recs[i], bw, c);
    PetscCall(PetscSNPrintf(path, sizeof(path), "/bench/%s", column_names[c]));
    PetscCall(GSH5WriteRealArray(out, path, 1, dims, values));
    PetscCall(GSH5WriteAttributeString(out, path, "meaning", column_meanings[c]));
  }
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].nx;
  PetscCall(GSH5WriteIntArray(out, "/bench/nx", 1, dims, ints));
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].ny;
  PetscCall(GSH5WriteIntArray(out, "/bench/ny", 1, dims, ints));
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].steps;
  PetscCall(GSH5WriteIntArray(out, "/bench/steps", 1, dims, ints));
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].t_gradient > 0 ? recs[i].gradient_steps : 0;
  PetscCall(GSH5WriteIntArray(out, "/bench/gradient_steps", 1, dims, ints));
  PetscCall(PetscFree2(ints, values));
  PetscFunctionReturn(0);
}

/* The HDF5 file: provenance (its "grid" is the last size; /bench/nx, /bench/ny list every size),
   the tables, and the settings that frame them. Collective. */
static PetscErrorCode BenchWriteHDF5(BenchSize *b, const BenchOptions *o, const GSInitialOptions *init, const BenchRecord *recs, const BenchBandwidth *bw)
{
  GSOutput    out;
  const char *ts_type;
  PetscReal   dt;

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(b->run, &ts_type, &dt));
  PetscCall(GSOutputOpen(b->m->comm, "-gs_output", o->output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "bench", b->m, (PetscInt64)init->recipe.seed, ts_type, dt));
  PetscCall(BenchWriteTables(&out, o->nsizes, recs, bw));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "ranks", b->size));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "flush_denormals", GSFlushDenormalsActive()));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "repeat", o->repeat));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "stream_mib", o->stream_mib));
  PetscCall(GSH5WriteAttributeReal(&out, "/bench", "floor_bytes_per_cell_step", GS_BENCH_FLOOR_BYTES));
  PetscCall(GSOutputClose(&out));
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchWriteFiles(BenchSize *b, const BenchOptions *o, const GSInitialOptions *init, const BenchRecord *recs, const BenchBandwidth *bw)
{
  PetscLogEvent event_io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&event_io));
  PetscCall(PetscLogEventBegin(event_io, 0, 0, 0, 0));
  if (o->output[0]) PetscCall(BenchWriteHDF5(b, o, init, recs, bw));
  if (o->csv[0]) PetscCall(BenchWriteCSV(b->m->comm, o->csv, o->nsizes, recs, bw, b->size));
  PetscCall(PetscLogEventEnd(event_io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Before the first measurement: unknown options, banner, output paths, the bandwidth probe. */
static PetscErrorCode BenchStart(MPI_Comm comm, const BenchOptions *o, BenchBandwidth *bw)
{
  PetscFunctionBeginUser;
  PetscCall(GSAppCheckOptionsUsed(comm));
  PetscCall(GSAppBanner(comm, "bench"));
  if (o->output[0]) PetscCall(GSOutputCheckWritable(comm, "-gs_output", o->output));
  if (o->csv[0]) PetscCall(GSOutputCheckWritable(comm, "-gs_bench_csv", o->csv));
  PetscCall(PetscPrintf(comm, "denormals %s\n", GSFlushDenormalsActive() ? "flushed to zero (FTZ/DAZ)" : "not flushed"));
  bw->copy = bw->triad = 0;
  if (o->bandwidth) {
    PetscCall(BenchBandwidthMeasure(comm, o, bw));
    PetscCall(PetscPrintf(comm, "memory bandwidth (%" PetscInt_FMT " MiB arrays per rank, all ranks at once): copy %.2f GB/s, triad %.2f GB/s\n", o->stream_mib, bw->copy, bw->triad));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppBench(MPI_Comm comm)
{
  GSInitialOptions init;
  BenchOptions     o;
  BenchRecord      recs[GS_BENCH_MAX_SIZES];
  BenchBandwidth   bw = {0, 0};
  BenchSize        b;
  PetscBool        help;

  PetscFunctionBeginUser;
  /* main.c sets the mode for every subcommand; setting it here too makes what bench reports the
     mode it measured, whatever the start-up did. */
  PetscCall(GSFloatingPointModeFromOptions(comm));
  PetscCall(GSInitialOptionsFromOptions(comm, &init));
  PetscCall(BenchOptionsRead(comm, &o));
  PetscCall(GSAppHelpRequested(&help));
  PetscCall(PetscMemzero(recs, sizeof(recs)));
  if (help) { /* every object lists its options; a small grid does, whatever the sizes */
    PetscCall(BenchSizeCreate(comm, 8, 8, &init, &b));
    if (o.gradient) PetscCall(BenchSizeCreateGradient(&b, 100));
    PetscCall(BenchSizeDestroy(&b));
    PetscFunctionReturn(0);
  }
  for (PetscInt i = 0; i < o.nsizes; i++) {
    PetscCall(BenchSizeCreate(comm, o.nx[i], o.ny[i], &init, &b));
    PetscCall(BenchChooseSteps(&b, &o, &recs[i]));
    if (o.gradient) PetscCall(BenchSizeCreateGradient(&b, recs[i].gradient_steps));
    if (i == 0) PetscCall(BenchStart(comm, &o, &bw));
    PetscCall(BenchSizeMeasure(&b, &o, &recs[i]));
    PetscCall(BenchPrintSize(comm, &recs[i], &bw, b.size));
    if (i == o.nsizes - 1) {
      PetscCall(BenchPrintSummary(comm, o.nsizes, recs, &bw));
      PetscCall(BenchWriteFiles(&b, &o, &init, recs, &bw));
    }
    PetscCall(BenchSizeDestroy(&b));
  }
  PetscFunctionReturn(0);
}
