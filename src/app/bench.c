/* gsinv bench: forward speed of the production TS path next to a bare fused loop, one run. */
#include <petsctime.h>

#include "gsinv/app.h"
#include "gsinv/initial.h"
#include "gsinv/options.h"
#include "gsinv/run.h"

typedef struct {
  PetscInt steps, repeat;
} BenchOptions;

static PetscErrorCode BenchOptionsRead(MPI_Comm comm, BenchOptions *o)
{
  PetscFunctionBeginUser;
  o->steps  = 2000;
  o->repeat = 3;
  PetscOptionsBegin(comm, NULL, "gsinv bench", "GSAppBench");
  PetscCall(GSOptionsInt("-gs_bench_steps", "Steps per timed run", "GSAppBench", o->steps, &o->steps, NULL));
  PetscCall(GSOptionsInt("-gs_bench_repeat", "Timed runs per path (the fastest counts)", "GSAppBench", o->repeat, &o->repeat, NULL));
  PetscOptionsEnd();
  PetscCheck(o->steps > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_steps %" PetscInt_FMT " must be positive", o->steps);
  PetscCheck(o->repeat > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_repeat %" PetscInt_FMT " must be positive", o->repeat);
  PetscFunctionReturn(0);
}

/* The reference: ping-pong forward Euler over the whole grid on this rank, no library calls. */
static PetscErrorCode BenchBareLoop(GSModel m, PetscReal dt, const BenchOptions *o, Vec X0, double *seconds, Vec Xout)
{
  const size_t  n = (size_t)m->nx * m->ny;
  GSField      *a, *b;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n, &a, n, &b));
  *seconds = PETSC_MAX_REAL;
  for (PetscInt r = 0; r < o->repeat; r++) {
    const PetscScalar *x0;
    GSField           *cur = a, *next = b;
    PetscCall(VecGetArrayRead(X0, &x0));
    PetscCall(PetscArraycpy(a, (const GSField *)x0, n));
    PetscCall(VecRestoreArrayRead(X0, &x0));
    PetscCall(PetscTime(&t0));
    for (PetscInt s = 0; s < o->steps; s++) {
      GSField *t;
      GSEulerStepPeriodic(&m->params, m->inv_h2, dt, (int)m->nx, (int)m->ny, cur, next);
      t    = cur;
      cur  = next;
      next = t;
    }
    PetscCall(PetscTime(&t1));
    *seconds = PetscMin(*seconds, t1 - t0);
    if (r == o->repeat - 1) {
      PetscScalar *x;
      PetscCall(VecGetArrayWrite(Xout, &x));
      PetscCall(PetscArraycpy((GSField *)x, cur, n));
      PetscCall(VecRestoreArrayWrite(Xout, &x));
    }
  }
  PetscCall(PetscFree2(a, b));
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchTS(GSRun run, const BenchOptions *o, Vec X0, double *seconds, Vec X)
{
  PetscFunctionBeginUser;
  *seconds = PETSC_MAX_REAL;
  for (PetscInt r = 0; r < o->repeat; r++) {
    PetscCall(VecCopy(X0, X));
    PetscCall(GSRunSolve(run, X));
    *seconds = PetscMin(*seconds, run->elapsed);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchRow(GSModel m, const BenchOptions *o, const char *name, double t, double t_bare)
{
  const double cs = (double)m->nx * m->ny * o->steps;

  PetscFunctionBeginUser;
  if (t_bare > 0) PetscCall(PetscPrintf(m->comm, "%-36s %10.4f %16.4g %10.3f\n", name, t, cs / t, t_bare / t));
  else PetscCall(PetscPrintf(m->comm, "%-36s %10.4f %16.4g %10s\n", name, t, cs / t, "-"));
  PetscFunctionReturn(0);
}

/* max |A - B| (B is overwritten). */
static PetscErrorCode MaxDifference(Vec A, Vec B, PetscReal *diff)
{
  PetscFunctionBeginUser;
  PetscCall(VecAXPY(B, -1.0, A));
  PetscCall(VecNorm(B, NORM_INFINITY, diff));
  PetscFunctionReturn(0);
}

/* The three forward paths on one grid, in one run: bare loop (one rank), TS, production. */
static PetscErrorCode BenchPaths(GSModel m, GSRun run, const BenchOptions *o, Vec X0)
{
  PetscMPIInt size;
  PetscReal   dt, diff_ts_bare = 0, diff_fast_ts;
  double      t_bare = 0, t_ts, t_fast;
  Vec         Xts, Xfast, Xbare;

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(run, NULL, &dt));
  PetscCall(VecDuplicate(X0, &Xts));
  PetscCall(VecDuplicate(X0, &Xfast));
  PetscCall(VecDuplicate(X0, &Xbare));
  PetscCallMPI(MPI_Comm_size(m->comm, &size));
  if (size == 1) PetscCall(BenchBareLoop(m, dt, o, X0, &t_bare, Xbare));
  run->fast_path = PETSC_FALSE;
  PetscCall(BenchTS(run, o, X0, &t_ts, Xts));
  run->fast_path = PETSC_TRUE;
  PetscCall(BenchTS(run, o, X0, &t_fast, Xfast));
  PetscCall(PetscPrintf(m->comm, "%-36s %10s %16s %10s\n", "path", "seconds", "cell-steps/s", "ratio"));
  if (size == 1) PetscCall(BenchRow(m, o, "bare fused loop (reference)", t_bare, t_bare));
  PetscCall(BenchRow(m, o, "TS path: TSRK 1fe + run checks", t_ts, t_bare));
  PetscCall(BenchRow(m, o, "production path: fused Euler + checks", t_fast, t_bare));
  if (size == 1) PetscCall(MaxDifference(Xts, Xbare, &diff_ts_bare));
  PetscCall(MaxDifference(Xts, Xfast, &diff_fast_ts));
  PetscCall(PetscPrintf(m->comm, "after %" PetscInt_FMT " steps: max |x_TS - x_bare| = %.3e, max |x_production - x_TS| = %.3e\n", o->steps, (double)diff_ts_bare, (double)diff_fast_ts));
  PetscCall(VecDestroy(&Xts));
  PetscCall(VecDestroy(&Xfast));
  PetscCall(VecDestroy(&Xbare));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppBench(MPI_Comm comm)
{
  GSModel          m;
  GSRun            run;
  GSInitialOptions init;
  BenchOptions     o;
  PetscBool        help;
  Vec              X0;

  PetscFunctionBeginUser;
  PetscCall(GSModelCreate(comm, &m));
  PetscCall(GSInitialOptionsFromOptions(comm, &init));
  PetscCall(BenchOptionsRead(comm, &o));
  PetscCall(GSRunCreate(m, 0.0, 40000, &run));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(comm));
    PetscCall(GSAppBanner(comm, "bench"));
    PetscCall(GSModelPrintSummary(m, PETSC_VIEWER_STDOUT_(comm)));
    run->quiet = PETSC_TRUE;
    PetscCall(TSSetMaxSteps(run->ts, o.steps));
    PetscCall(DMCreateGlobalVector(m->da, &X0));
    PetscCall(GSInitialStateFill(m, &init, X0));
    PetscCall(BenchPaths(m, run, &o, X0));
    PetscCall(VecDestroy(&X0));
  }
  PetscCall(GSRunDestroy(&run));
  PetscCall(GSModelDestroy(&m));
  PetscFunctionReturn(0);
}
