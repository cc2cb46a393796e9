/* GSRun: one simulation with PETSc TS, stopped at a steady state, an invalid state or the cap. */
#pragma once

#include <petscts.h>

#include "gsinv/model/model.h"
#include "gsinv/physics/status.h"

typedef struct _p_GSRun *GSRun;

/* Called with the state after `step` steps (and once with step 0 before the first). */
typedef PetscErrorCode (*GSRunSnapshotFn)(GSRun run, PetscInt step, Vec X, void *ctx);

struct _p_GSRun {
  GSModel         model;
  TS              ts;
  PetscReal       steady_tol;     /* -gs_steady_tol: 0 runs a fixed number of steps */
  PetscReal       dt;             /* the fixed step (-ts_dt), restored before every solve */
  PetscInt        progress_every; /* -gs_progress_every: steps between progress lines, 0 for none */
  PetscBool       quiet;          /* no banner and no progress */
  PetscBool       fast_path;      /* -gs_fast_path: forward Euler without the TS machinery when it applies */
  PetscBool       ts_required;    /* set while something needs the TS itself (trajectory, sensitivities) */
  Vec             prev;           /* the state one step earlier */
  GSStepStats     stats;          /* of the last step, reduced over the ranks */
  GSRunReason     reason;
  PetscInt        steps;
  PetscLogDouble  t_start, elapsed;
  GSRunSnapshotFn snapshot;
  void           *snapshot_ctx;
  PetscInt        snapshot_every;
};

/* Creates the TS for the model with the paper's scheme (RK 1fe, dt 1) and reads -ts_* options,
   -gs_steady_tol (default_tol) and -gs_progress_every; -ts_max_steps defaults to default_steps
   (the paper's cap is 40,000). Collective. */
PetscErrorCode GSRunCreate(GSModel model, PetscReal default_tol, PetscInt default_steps, GSRun *run);
PetscErrorCode GSRunDestroy(GSRun *run);

/* Sets a function called every `every` steps (0 turns it off). */
PetscErrorCode GSRunSetSnapshot(GSRun run, PetscInt every, GSRunSnapshotFn fn, void *ctx);

/* Integrates X in place from step 0 until steady, invalid or the step cap; fills reason and steps.
   Collective. */
PetscErrorCode GSRunSolve(GSRun run, Vec X);

/* Whether GSRunSolve will take the fast path (RK 1fe, -gs_fast_path, nothing needs the TS). */
PetscErrorCode GSRunFastPathApplies(GSRun run, PetscBool *applies);
/* One rank (the model's whole grid): Y = X + dt f(X) in one fused sweep, with the step's checks
   (stats). */
PetscErrorCode GSModelEulerStep(GSModel model, PetscReal dt, Vec X, Vec Y, GSStepStats *stats);
/* The same on several ranks from the ghosted array x (the layout of model->xlocal) into the owned
   part of the ghosted array y, then y's ghosts (GSHaloExchange: the patch edges only). Collective. */
PetscErrorCode GSModelEulerStepLocal(GSModel model, PetscReal dt, const PetscScalar *x, PetscScalar *y, GSStepStats *stats);
/* Copies the owned cells of a ghosted array into the global vector X. Not collective. */
PetscErrorCode GSModelOwnedToGlobal(GSModel model, const PetscScalar *local, Vec X);
/* The fast path's loop (fast_euler.c); GSRunSolve calls it. */
PetscErrorCode GSRunSolveFast(GSRun run, Vec X);
/* Progress and snapshots after a step of either path. */
PetscErrorCode GSRunAfterStep(GSRun run, Vec X);
/* Whether the snapshot hook wants the state of the step just taken. */
PetscBool GSRunSnapshotDue(GSRun run);

/* The TS type name and the fixed step size. */
PetscErrorCode GSRunGetScheme(GSRun run, const char **ts_type, PetscReal *dt);

/* Warns (rank 0) when an explicit scheme exceeds the diffusion stability bound. Collective. */
PetscErrorCode GSRunCheckStability(GSRun run);
