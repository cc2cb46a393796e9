/* The GSRun object, shared by the files of the solver (not public: other layers use run.h). */
#pragma once

#include "gsinv/solver/run.h"

struct _p_GSRun {
  GSModel         model;
  TS              ts;
  PetscReal       steady_tol;     /* -gs_steady_tol: 0 runs a fixed number of steps */
  PetscReal       dt;             /* the fixed step (-ts_dt), restored before every solve */
  PetscInt        progress_every; /* -gs_progress_every: steps between progress lines, 0 for none */
  PetscBool       quiet;          /* no banner and no progress */
  PetscBool       fast_path;      /* -gs_fast_path: forward Euler without the TS machinery when it applies */
  PetscBool       ts_required;    /* set while something needs the TS itself (trajectory, sensitivities) */
  PetscBool       grid_attached;  /* the TS has the model's DMDA (given before the TS first solves) */
  Vec             prev;           /* the state one step earlier */
  GSStepStats     stats;          /* of the last step, reduced over the ranks */
  GSRunReason     reason;
  PetscInt        steps;
  PetscInt        first_step; /* the step number of the state the next solve starts from (a continued run) */
  PetscLogDouble  t_start, elapsed;
  GSRunSnapshotFn snapshot;
  void           *snapshot_ctx;
  PetscInt        snapshot_every;
};

/* The fast path's loop (fast_euler.c); GSRunSolve calls it. */
PetscErrorCode GSRunSolveFast(GSRun run, Vec X);
/* Progress and snapshots after a step of either path. */
PetscErrorCode GSRunAfterStep(GSRun run, Vec X);
/* Whether the snapshot hook wants the state of the step just taken. */
PetscBool GSRunSnapshotDue(GSRun run);
