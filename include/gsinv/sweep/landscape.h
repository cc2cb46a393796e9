/* One group's evaluation of landscape points: K initial states and targets, every loss, the end
   state's class, optionally the adjoint gradient and a downsampled final v. */
#pragma once

#include <stdint.h>

#include "gsinv/physics/bifurcation.h"
#include "gsinv/model/field_loss.h"
#include "gsinv/gradient/gradient.h"
#include "gsinv/model/initial.h"
#include "gsinv/solver/run.h"
#include "gsinv/io/settings.h"

/* paper: K states run at theta_truth for a fixed number of steps make the targets, every point is
   rerun from them (the loss is 0 at the truth); steady: the same to a steady state (tolerance);
   file: the first K targets of a gsinv targets file, every point run from their initial states. */
typedef enum { GS_TARGET_PAPER = 0, GS_TARGET_STEADY = 1, GS_TARGET_FILE = 2 } GSTargetMode;
extern const char *const GSTargetModes[];

#define GS_MAX_TARGETS 64

/* What a sweep keeps of one point (the journal record; a gallery of floats follows it). */
typedef struct {
  int64_t index;
  int32_t valid, reason, end_class, samples;
  int64_t steps;
  double  loss[GS_NLOSS];
  double  grad[GS_NPARAM];
  double  final_change, seconds;
} GSPointRecord;

typedef struct _p_GSLandscape *GSLandscape;

/* Reads -gs_target_mode, -gs_targets, -gs_landscape_gradient, -gs_gallery_size and the model, run,
   loss and initial-state options; builds them on the group's communicator. Collective on group. */
PetscErrorCode GSLandscapeCreate(MPI_Comm group, GSLandscape *l);
PetscErrorCode GSLandscapeDestroy(GSLandscape *l);

/* The objects it runs (for provenance and checks). */
GSModel                 GSLandscapeGetModel(GSLandscape l);
GSRun                   GSLandscapeGetRun(GSLandscape l);
GSTargetMode            GSLandscapeGetTargetMode(GSLandscape l);
PetscInt                GSLandscapeGetTargets(GSLandscape l);
PetscInt                GSLandscapeGetGallerySize(GSLandscape l);
PetscBool               GSLandscapeHasGradient(GSLandscape l);
GSFieldLoss             GSLandscapeGetLoss(GSLandscape l);
const GSInitialOptions *GSLandscapeGetInitial(GSLandscape l);
/* The map the runs simulate: grid, h and dt; *euler is PETSC_TRUE for forward Euler (TS rk 1fe or
   euler), else dt is set to 0 (the semi-discrete ODE stands in for the scheme). Not collective. */
PetscErrorCode GSLandscapeGetMapGrid(GSLandscape l, GSMapGrid *map, PetscBool *euler);
/* Adds what determines the result of a point to a description of the run: grid, theta, scheme,
   steps, targets, seed, initial recipe, loss, gradient, gallery. Not collective. */
PetscErrorCode GSLandscapeAddSettings(GSLandscape l, GSSettings settings);

/* Runs the K targets at the base theta, each once in the world: group k mod ngroups runs target k
   and its v field is broadcast (leader of group g is world rank g * group_size). Collective on
   world. */
PetscErrorCode GSLandscapeSetUpTargets(GSLandscape l, MPI_Comm world, PetscInt ngroups, PetscInt group_id, PetscInt group_size);

/* Evaluates one point: gallery (g x g floats, filled on group rank 0) may be NULL. Collective on
   group. rec->reason is GS_RUN_INTERRUPTED if a stop was requested meanwhile. */
PetscErrorCode GSLandscapeEvaluate(GSLandscape l, const GSParams *theta, GSPointRecord *rec, float *gallery);
