/* The GSGradient object, shared by the files of the gradient routes (not public). */
#pragma once

#include "gsinv/gradient/checkpoint_schedule.h"
#include "gsinv/gradient/gradient.h"

/* How the adjoint keeps and recomputes states (checkpoints.c): segments of `length` steps are the
   unit of the schedule; the states at segment starts go to `slots` slots, the last `memory_slots` of
   them in memory and the others in a file under -gs_checkpoint_dir; a segment is recomputed whole
   into the segment buffer before its backward sweep. */
typedef struct {
  PetscInt            length, slots, memory_slots, segments;
  PetscBool           online; /* the run's length is not known in advance */
  int64_t            *chain;  /* known length: the segment starts the forward run keeps */
  int                 nchain, next_chain;
  GSOnlineCheckpoints thinning; /* unknown length */
} GSCheckpointPlan;

struct _p_GSGradient {
  GSRun            run;
  GSModel          model;
  GSFieldLoss      loss;
  Vec              X, G, lambda, mu;
  PetscInt         window, stride; /* stride: -gs_checkpoint_stride (0: automatic) */
  double           cache_bytes, memory_bytes, disk_bytes, state_bytes;
  char             disk_dir[PETSC_MAX_PATH_LEN];
  GSCheckpointPlan plan;
  Vec             *slot; /* the memory slots (plan.memory_slots global vectors) */
  PetscInt         slot_capacity;
  int              disk_fd;                            /* the unlinked file of this rank's disk slots (-1: none) */
  Vec              current;                            /* the TS route's current state */
  PetscInt         segment_capacity, segment_borrowed; /* borrowed: segment[0 .. borrowed) are the model's */
  PetscReal        saved_tol;
  PetscInt         saved_max_steps;
  PetscBool        fixed;
  PetscLogEvent    event_adjoint, event_jac, event_halo;
  Vec             *segment; /* fast adjoint: the states of one segment, [0] the current state (several ranks: ghosted) */
  Vec              lambda_next, lambda_local, lambda_local_next;
  GSGradientTimes  times; /* of the last GSGradientAdjoint */
};

/* The fewest states a cap must hold: the current state, a segment buffer and one slot. */
#define GS_CHECKPOINT_LEAST_STATES 3

/* The schedule for a run of `steps` steps (0: not known in advance); refuses a budget below the
   least the adjoint needs. Collective. */
PetscErrorCode GSCheckpointPlanSetUp(GSGradient g, PetscInt steps);
/* Frees the slots, the disk file and the plan. */
PetscErrorCode GSCheckpointPlanDestroy(GSGradient g);
/* Slot i := X (a global state), and X := slot i. Not collective. */
PetscErrorCode GSCheckpointStore(GSGradient g, PetscInt i, Vec X);
PetscErrorCode GSCheckpointLoad(GSGradient g, PetscInt i, Vec X);
/* The global vector of memory slot i (made like `like` if new), or NULL for a slot on disk. */
PetscErrorCode GSCheckpointSlotGlobal(GSGradient g, PetscInt i, Vec like, Vec *slot);
/* Runs the reversal of the last forward run through `actions` (after GSGradientForwardCheckpointed);
   an action returning GS_SCHEDULE_DONE ends it early without error. */
#define GS_SCHEDULE_DONE (-1)
PetscErrorCode GSCheckpointReverse(GSGradient g, PetscInt steps, const GSCheckpointActions *actions);

/* Pieces shared by the gradient routes (gradient.c). */
PetscErrorCode GSGradientSetTrajectory(GSGradient g, PetscBool on);
PetscErrorCode GSGradientEnsureLossGradient(GSGradient g);
/* Frees the fused route's segment buffers (not the ones borrowed from the model). */
PetscErrorCode GSGradientDestroySegment(GSGradient g);
PetscErrorCode GSGradientStoreCheckpoint(GSRun run, PetscInt step, Vec X, void *ctx);
PetscErrorCode GSGradientForwardAndLoss(GSGradient g, Vec X0, GSGradientResult *r, Vec G);
/* The forward run of both adjoint routes: the loss's dL/dX into g->lambda, every stride-th state
   kept; first is the earliest step the adjoint goes back to (-gs_adjoint_window). */
PetscErrorCode GSGradientForwardCheckpointed(GSGradient g, Vec X0, GSGradientResult *r, PetscInt *first);
/* The adjoint by PETSc's TSAdjoint over checkpointed segments (any scheme). */
PetscErrorCode GSGradientAdjointTS(GSGradient g, Vec X0, GSGradientResult *r);
/* The adjoint of forward Euler by fused backward sweeps over checkpointed segments (adjoint_euler.c). */
PetscErrorCode GSGradientAdjointEuler(GSGradient g, Vec X0, GSGradientResult *r);
