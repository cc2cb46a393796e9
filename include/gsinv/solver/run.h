/* GSRun: one simulation with PETSc TS, stopped at a steady state, an invalid state or the cap. */
#pragma once

#include <petscts.h>

#include "gsinv/model/model.h"
#include "gsinv/physics/landscape_analysis.h"
#include "gsinv/physics/status.h"

typedef struct _p_GSRun *GSRun;

/* Called with the state after `step` steps (and once with step 0 before the first). */
typedef PetscErrorCode (*GSRunSnapshotFn)(GSRun run, PetscInt step, Vec X, void *ctx);

/* Creates the TS for the model with the paper's scheme (RK 1fe, dt 1) and reads -ts_* options,
   -gs_steady_tol (default_tol) and -gs_progress_every; -ts_max_steps defaults to default_steps
   (the paper's cap is 40,000). Collective. */
PetscErrorCode GSRunCreate(GSModel model, PetscReal default_tol, PetscInt default_steps, GSRun *run);
PetscErrorCode GSRunDestroy(GSRun *run);

/* Sets a function called every `every` steps (0 turns it off). */
PetscErrorCode GSRunSetSnapshot(GSRun run, PetscInt every, GSRunSnapshotFn fn, void *ctx);

/* Integrates X in place from step 0 (or the step set by GSRunSetFirstStep) until steady, invalid or
   the step cap; fills reason and steps. Collective. */
PetscErrorCode GSRunSolve(GSRun run, Vec X);

/* The next GSRunSolve continues a run: X holds the state after `first` steps, step numbers (and
   snapshots, progress, the cap) count on from there, and no snapshot of step 0 is taken. The same
   steps as an uninterrupted run, bit for bit. Applies to one solve; not collective. */
void GSRunSetFirstStep(GSRun run, PetscInt first);

/* Whether GSRunSolve will take the fast path (RK 1fe, -gs_fast_path, nothing needs the TS). */
PetscErrorCode GSRunFastPathApplies(GSRun run, PetscBool *applies);

/* The TS type name and the fixed step size. */
PetscErrorCode GSRunGetScheme(GSRun run, const char **ts_type, PetscReal *dt);

/* Warns (rank 0) when an explicit scheme exceeds the diffusion stability bound. Collective. */
PetscErrorCode GSRunCheckStability(GSRun run);

/* What other layers read and set of a run (the struct is private to the solver). Not collective. */
GSModel            GSRunGetModel(GSRun run);
TS                 GSRunGetTS(GSRun run);
GSRunReason        GSRunGetReason(GSRun run);
PetscInt           GSRunGetSteps(GSRun run);
const GSStepStats *GSRunGetStats(GSRun run);
/* Seconds the last GSRunSolve took. */
PetscLogDouble GSRunGetElapsed(GSRun run);
/* The fixed step (-ts_dt). */
PetscReal GSRunGetDt(GSRun run);
PetscReal GSRunGetSteadyTol(GSRun run);
/* 0 runs a fixed number of steps; > 0 stops at a steady state of that tolerance. */
void      GSRunSetSteadyTol(GSRun run, PetscReal tol);
PetscBool GSRunGetQuiet(GSRun run);
/* No banner and no progress lines. */
void      GSRunSetQuiet(GSRun run, PetscBool quiet);
PetscBool GSRunGetFastPath(GSRun run);
/* Allows the fused Euler loop where it applies (-gs_fast_path). */
void GSRunSetFastPath(GSRun run, PetscBool fast);
/* While set, GSRunSolve goes through the TS itself (a trajectory or sensitivities need it). */
void GSRunRequireTS(GSRun run, PetscBool required);
/* Marks a run as stopped from outside (an interrupted sweep point). */
void GSRunSetReason(GSRun run, GSRunReason reason);

/* Means, spreads and maximum of the end state X of the last solve, with its last change, for the
   end-state classes (physics/status.h). Collective on the model's communicator. */
PetscErrorCode GSRunEndStats(GSRun run, Vec X, PetscBool valid, GSEndStats *es);
