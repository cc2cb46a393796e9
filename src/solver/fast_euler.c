/* The forward-only fast path of a GSRun: forward Euler (the scheme RK 1fe is) as one fused sweep
   per step, with the run's checks measured in the same sweep, instead of PETSc's stage copy,
   generic AXPY and a separate check pass. Same steps, same stopping rules, same results as the TS
   path (tested equal); used when nothing needs the TS itself (no trajectory, no sensitivities). */
#include <string.h>

#include "gsinv/core/interrupt.h"
#include "run_impl.h"

/* Floating-point operations of one checked Euler step per cell (two Laplacians, reaction, update). */

PetscErrorCode GSRunFastPathApplies(GSRun run, PetscBool *applies)
{
  PetscBool rk;
  TSRKType  type;

  PetscFunctionBeginUser;
  *applies = PETSC_FALSE;
  if (!run->fast_path || run->ts_required) PetscFunctionReturn(0);
  PetscCall(PetscObjectTypeCompare((PetscObject)run->ts, TSRK, &rk));
  if (!rk) PetscFunctionReturn(0);
  PetscCall(TSRKGetType(run->ts, &type));
  *applies = (PetscBool)!strcmp(type, TSRK1FE);
  PetscFunctionReturn(0);
}

/* What every fast step ends with, on either path: the interrupt flag, the checks reduced over the
   ranks, the step counted and the run's reason updated. */
static PetscErrorCode CountStep(GSRun run, GSStepStats *local, PetscInt max_steps)
{
  PetscFunctionBeginUser;
  local->interrupt = GSInterruptRequested() ? 1.0 : 0.0;
  PetscCallMPI(MPI_Allreduce(local, &run->stats, GS_STEP_STATS_N, MPI_DOUBLE, MPI_MAX, GSModelGetComm(run->model)));
  run->steps++;
  run->reason = GSRunClassify(&run->stats, run->steady_tol, run->steps, max_steps);
  PetscFunctionReturn(0);
}

/* The fast path on several ranks: the state stays in one ghosted array, stepped in place, and only
   the patch edges travel each step (DMGlobalToLocal would also copy the whole patch); X gets the
   state where a snapshot hook needs it and at the end. */
static PetscErrorCode SolveFastGhosted(GSRun run, Vec X, PetscInt max_steps)
{
  GSModel      m = run->model;
  GSStepStats  local;
  PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(VecGetArray(GSModelGetLocalX(m), &a));
  PetscCall(GSModelGlobalToGhosted(m, X, a));
  while (run->reason == GS_RUN_RUNNING) {
    PetscCall(GSModelEulerStepLocal(m, run->dt, a, a, &local));
    PetscCall(CountStep(run, &local, max_steps));
    if (GSRunSnapshotDue(run) || run->reason != GS_RUN_RUNNING) PetscCall(GSModelOwnedToGlobal(m, a, X));
    PetscCall(GSRunAfterStep(run, X));
  }
  PetscCall(VecRestoreArray(GSModelGetLocalX(m), &a));
  PetscFunctionReturn(0);
}

/* One rank: the sweep wraps around the grid and steps X in place. */
static PetscErrorCode SolveFastWhole(GSRun run, Vec X, PetscInt max_steps)
{
  GSStepStats local;

  PetscFunctionBeginUser;
  while (run->reason == GS_RUN_RUNNING) {
    PetscCall(GSModelEulerStep(run->model, run->dt, X, X, &local));
    PetscCall(CountStep(run, &local, max_steps));
    PetscCall(GSRunAfterStep(run, X));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSRunSolveFast(GSRun run, Vec X)
{
  PetscInt max_steps;

  PetscFunctionBeginUser;
  PetscCall(TSGetMaxSteps(run->ts, &max_steps));
  if (GSModelGetPatch(run->model)->whole_grid) PetscCall(SolveFastWhole(run, X, max_steps));
  else PetscCall(SolveFastGhosted(run, X, max_steps));
  PetscFunctionReturn(0);
}
