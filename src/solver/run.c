/* One simulation: TS set-up with the paper's defaults, per-step checks, progress, stopping. */
#include "gsinv/core/interrupt.h"
#include "gsinv/core/options.h"
#include "run_impl.h"

/* The state before the step just taken: an explicit RK method keeps it as its first stage, so
   no copy is needed; other methods get a copy made after every step. */
static PetscErrorCode GSRunPreviousState(GSRun run, Vec *prev)
{
  PetscBool rk;
  PetscInt  nstages;
  Vec      *stages;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)run->ts, TSRK, &rk));
  if (rk) {
    PetscCall(TSGetStages(run->ts, &nstages, &stages));
    *prev = stages[0];
  } else *prev = run->prev;
  PetscFunctionReturn(0);
}

/* Measures the step just taken in one fused pass, reduces over ranks and decides whether to stop. */
static PetscErrorCode GSRunPostStep(TS ts)
{
  GSRun              run;
  Vec                X, prev = NULL;
  const PetscScalar *x, *xprev;
  PetscInt           n, max_steps;
  GSStepStats        local;

  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &run));
  PetscCall(TSGetSolution(ts, &X));
  PetscCall(TSGetStepNumber(ts, &run->steps));
  PetscCall(TSGetMaxSteps(ts, &max_steps));
  PetscCall(GSRunPreviousState(run, &prev));
  PetscCall(VecGetLocalSize(X, &n));
  PetscCall(VecGetArrayRead(X, &x));
  PetscCall(VecGetArrayRead(prev, &xprev));
  GSStepStatsReset(&local);
  GSStepStatsUpdate(&local, (size_t)n / 2, (const GSField *)x, (const GSField *)xprev);
  local.interrupt = GSInterruptRequested() ? 1.0 : 0.0;
  PetscCall(VecRestoreArrayRead(prev, &xprev));
  PetscCall(VecRestoreArrayRead(X, &x));
  if (prev == run->prev) PetscCall(VecCopy(X, run->prev));
  PetscCallMPI(MPI_Allreduce(&local, &run->stats, GS_STEP_STATS_N, MPI_DOUBLE, MPI_MAX, GSModelGetComm(run->model)));
  run->reason = GSRunClassify(&run->stats, run->steady_tol, run->steps, max_steps);
  if (run->reason != GS_RUN_RUNNING) PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER));
  PetscCall(GSRunAfterStep(run, X));
  PetscFunctionReturn(0);
}

/* Implicit methods get GMRES without a preconditioner: the Jacobian is a MatShell. */
static PetscErrorCode GSRunSetSolverDefaults(GSRun run)
{
  SNES snes;
  KSP  ksp;
  PC   pc;

  PetscFunctionBeginUser;
  PetscCall(TSGetSNES(run->ts, &snes));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(KSPSetType(ksp, KSPGMRES));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCNONE));
  PetscFunctionReturn(0);
}

/* The TS types that run with the model's shell Jacobian (others, e.g. arkimex, rosw, irk, mprk,
   stop inside PETSc at their first step): refused before it. */
static PetscErrorCode GSRunCheckType(GSRun run)
{
  PetscBool supported;
  TSType    type;
  PetscReal theta, max_time;

  PetscFunctionBeginUser;
  PetscCall(TSGetMaxTime(run->ts, &max_time));
  PetscCheck(max_time > 0, GSModelGetComm(run->model), PETSC_ERR_USER_INPUT, "-ts_max_time %g must be positive", (double)max_time);
  PetscCall(PetscObjectTypeCompare((PetscObject)run->ts, TSTHETA, &supported));
  if (supported) PetscCall(TSThetaGetTheta(run->ts, &theta));
  PetscCheck(!supported || (theta >= 0 && theta <= 1), GSModelGetComm(run->model), PETSC_ERR_USER_INPUT, "-ts_theta_theta %g must be in [0, 1]",
             (double)theta);
  PetscCall(PetscObjectTypeCompareAny((PetscObject)run->ts, &supported, TSRK, TSEULER, TSSSP, TSTHETA, TSBEULER, TSCN, TSBDF, TSALPHA, TSGLEE,
                                      TSPSEUDO, TSGLLE, ""));
  PetscCall(TSGetType(run->ts, &type));
  PetscCheck(supported, GSModelGetComm(run->model), PETSC_ERR_USER_INPUT,
             "-ts_type %s is not supported: use rk (any -ts_rk_type), euler, ssp, theta, beuler, cn, bdf, alpha, glee, pseudo or glle", type);
  PetscFunctionReturn(0);
}

static PetscErrorCode GSRunOptions(GSRun run, PetscReal default_tol)
{
  MPI_Comm comm = GSModelGetComm(run->model);

  PetscFunctionBeginUser;
  run->steady_tol     = default_tol;
  run->progress_every = 1000;
  run->fast_path      = PETSC_TRUE;
  PetscCall(GSOptionsCheckPetsc(comm, "-ts_"));
  PetscOptionsBegin(comm, NULL, "Simulation run", "GSRun");
  PetscCall(GSOptionsReal("-gs_steady_tol", "Stop when max|x_{n+1} - x_n| < tol (0: run -ts_max_steps steps)", "GSRunCreate", run->steady_tol,
                          &run->steady_tol, NULL));
  PetscCall(GSOptionsInt("-gs_progress_every", "Steps between progress lines (0: none)", "GSRunCreate", run->progress_every, &run->progress_every,
                         NULL));
  PetscCall(GSOptionsBool("-gs_fast_path", "Forward Euler (RK 1fe) runs as one fused sweep per step when nothing needs the TS", "GSRunCreate",
                          run->fast_path, &run->fast_path, NULL));
  PetscOptionsEnd();
  PetscCheck(run->steady_tol >= 0 && run->steady_tol < 1, comm, PETSC_ERR_USER_INPUT,
             "-gs_steady_tol %g must be in [0, 1) (a change per step of the fields, which are of order 1)", (double)run->steady_tol);
  PetscCheck(run->progress_every >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_progress_every %" PetscInt_FMT " must be >= 0", run->progress_every);
  PetscFunctionReturn(0);
}

/* The TS gets the model's DMDA before its first solve, not at creation: a forward run on the fast
   path never builds it. TSSetDM moves what was set on the TS so far (RHS function and Jacobian)
   from its placeholder DM onto the DMDA, which no other TS uses (one run per model). */
static PetscErrorCode GSRunAttachGrid(GSRun run)
{
  DM da;

  PetscFunctionBeginUser;
  if (run->grid_attached) PetscFunctionReturn(0);
  PetscCall(GSModelGetDM(run->model, &da));
  PetscCall(TSSetDM(run->ts, da));
  run->grid_attached = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode GSRunCreate(GSModel model, PetscReal default_tol, PetscInt default_steps, GSRun *out)
{
  GSRun     run;
  TSAdapt   adapt;
  PetscReal dt;
  PetscInt  max_steps;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&run));
  run->model = model;
  PetscCall(GSRunOptions(run, default_tol));
  PetscCall(TSCreate(GSModelGetComm(model), &run->ts));
  PetscCall(TSSetProblemType(run->ts, TS_NONLINEAR));
  PetscCall(TSSetType(run->ts, TSRK));
  PetscCall(TSRKSetType(run->ts, TSRK1FE));
  PetscCall(TSSetRHSFunction(run->ts, NULL, GSModelRHSFunction, model));
  PetscCall(TSSetRHSJacobian(run->ts, GSModelGetJacobian(model), GSModelGetJacobian(model), GSModelRHSJacobian, model));
  PetscCall(TSSetTimeStep(run->ts, 1.0));
  PetscCall(TSSetMaxSteps(run->ts, default_steps));
  PetscCall(TSSetMaxTime(run->ts, PETSC_MAX_REAL));
  PetscCall(TSSetExactFinalTime(run->ts, TS_EXACTFINALTIME_STEPOVER));
  PetscCall(TSGetAdapt(run->ts, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  PetscCall(GSRunSetSolverDefaults(run));
  PetscCall(TSSetApplicationContext(run->ts, run));
  PetscCall(TSSetPostStep(run->ts, GSRunPostStep));
  GSOptionsPetscCall(GSModelGetComm(model), "-ts_* options (-ts_type, -ts_rk_type, ...)", TSSetFromOptions(run->ts));
  PetscCall(GSRunCheckType(run));
  PetscCall(TSGetTimeStep(run->ts, &dt));
  PetscCall(TSGetMaxSteps(run->ts, &max_steps));
  run->dt = dt;
  PetscCheck(dt > 0 && PetscIsNormalReal(dt), GSModelGetComm(model), PETSC_ERR_USER_INPUT, "-ts_dt %g must be positive", (double)dt);
  PetscCheck(max_steps > 0, GSModelGetComm(model), PETSC_ERR_USER_INPUT, "-ts_max_steps %" PetscInt_FMT " must be positive", max_steps);
  *out = run;
  PetscFunctionReturn(0);
}

PetscErrorCode GSRunDestroy(GSRun *run)
{
  PetscFunctionBeginUser;
  if (!*run) PetscFunctionReturn(0);
  PetscCall(VecDestroy(&(*run)->prev));
  PetscCall(TSDestroy(&(*run)->ts));
  PetscCall(PetscFree(*run));
  PetscFunctionReturn(0);
}

PetscErrorCode GSRunSetSnapshot(GSRun run, PetscInt every, GSRunSnapshotFn fn, void *ctx)
{
  PetscFunctionBeginUser;
  run->snapshot_every = every;
  run->snapshot       = fn;
  run->snapshot_ctx   = ctx;
  PetscFunctionReturn(0);
}

void GSRunSetFirstStep(GSRun run, PetscInt first)
{
  run->first_step = first;
}

PetscErrorCode GSRunGetScheme(GSRun run, const char **ts_type, PetscReal *dt)
{
  TSType type;

  PetscFunctionBeginUser;
  PetscCall(TSGetType(run->ts, &type));
  if (ts_type) *ts_type = type;
  if (dt) PetscCall(TSGetTimeStep(run->ts, dt));
  PetscFunctionReturn(0);
}

PetscErrorCode GSRunCheckStability(GSRun run)
{
  const GSParams *p = GSModelGetParams(run->model);
  PetscBool       explicit_scheme;
  PetscReal       dt, limit;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompareAny((PetscObject)run->ts, &explicit_scheme, TSRK, TSEULER, TSSSP, ""));
  PetscCall(TSGetTimeStep(run->ts, &dt));
  limit = GSExplicitDiffusionLimit(GSModelGetPatch(run->model)->h, dt);
  if (explicit_scheme && (p->Du > limit || p->Dv > limit))
    PetscCall(PetscFPrintf(
      GSModelGetComm(run->model), PETSC_STDERR,
      "gsinv: warning: explicit scheme with -ts_dt %g is unstable for diffusivity %g > h^2/(4 dt) = %g: expect an invalid run; use -ts_type cn (or beuler) or a smaller -ts_dt\n",
      (double)dt, PetscMax(p->Du, p->Dv), (double)limit));
  PetscFunctionReturn(0);
}

PetscErrorCode GSRunSolve(GSRun run, Vec X)
{
  TSConvergedReason ts_reason;
  PetscLogDouble    now;
  PetscBool         fast;

  PetscFunctionBeginUser;
  /* A previous adjoint solve leaves the time, step number and a negative step behind. */
  PetscCall(TSSetTime(run->ts, run->first_step * run->dt));
  PetscCall(TSSetStepNumber(run->ts, run->first_step));
  PetscCall(TSSetTimeStep(run->ts, run->dt));
  run->steps      = run->first_step;
  run->first_step = 0;
  run->reason     = GS_RUN_RUNNING;
  PetscCall(GSRunFastPathApplies(run, &fast));
  /* prev is the TS path's previous state; the fast path steps in place (one rank: X itself, several:
     one ghosted array), so a forward run holds no state it does not use */
  if (!fast) PetscCall(GSRunAttachGrid(run));
  if (!run->prev && !fast) PetscCall(GSModelCreateGlobalVector(run->model, &run->prev));
  if (!fast) PetscCall(VecCopy(X, run->prev));
  PetscCall(PetscTime(&run->t_start));
  if (run->snapshot && run->snapshot_every > 0 && run->steps == 0) PetscCall(run->snapshot(run, 0, X, run->snapshot_ctx));
  if (fast) PetscCall(GSRunSolveFast(run, X));
  else {
    PetscCall(TSSolve(run->ts, X));
    PetscCall(TSGetConvergedReason(run->ts, &ts_reason));
    if (ts_reason < 0) run->reason = GS_RUN_SOLVER_FAILED;
    PetscCall(TSGetStepNumber(run->ts, &run->steps));
  }
  PetscCall(PetscTime(&now));
  run->elapsed = now - run->t_start;
  PetscFunctionReturn(0);
}
