/* Gradients of a field loss of the final state with respect to theta = (F, k, Du, Dv), by every
   route: discrete adjoint (TSAdjoint), forward sensitivities (TSForward), central differences,
   the implicit-function (steady-state) gradient, and truncated back-propagation. */
#pragma once

#include "gsinv/model/field_loss.h"
#include "gsinv/solver/run.h"

typedef struct _p_GSGradient *GSGradient;

/* Result of one evaluation: the loss, dL/dtheta (physical parameters), and how the run ended. */
typedef struct {
  PetscReal   loss;
  PetscReal   grad[GS_NPARAM];
  GSRunReason reason;
  PetscInt    steps;
} GSGradientResult;

/* Wires JacobianP and the checkpointed trajectory into run's TS; reads -gs_adjoint_window (0: the
   whole run), -gs_checkpoint_memory (MiB per rank the checkpoints and the segment buffer may take:
   a cap, never exceeded), -gs_checkpoint_cache (MiB a recomputed segment should fit in),
   -gs_checkpoint_stride (steps per segment; 0: automatic), -gs_checkpoint_dir (a folder for a second
   level of checkpoints on disk, e.g. node-local) and -gs_checkpoint_disk (MiB per rank there).
   Collective. */
PetscErrorCode GSGradientCreate(GSRun run, GSFieldLoss loss, GSGradient *grad);
PetscErrorCode GSGradientDestroy(GSGradient *grad);

/* The automatic checkpoint stride for a run of `steps` steps whose state takes state_bytes per
   rank: the two-level scheme keeps steps/stride checkpoints and recomputes one segment of stride
   states at a time. A segment that fits in cache_bytes makes the recomputation and the backward
   sweep read from cache instead of memory (at 128^2 on one rank, stride 8 instead of 70 made an
   adjoint step 1.5 x faster); so the stride is the largest that fits in cache, provided the
   checkpoints and the segment then fit in memory_bytes; else the smallest stride that fits; and
   never above ceil(sqrt(steps)), where the memory is least. */
PetscInt GSCheckpointStride(PetscInt steps, double state_bytes, double cache_bytes, double memory_bytes);

/* Runs the forward model from X0 (left untouched), the loss of its final state and nothing else. */
PetscErrorCode GSGradientLoss(GSGradient g, Vec X0, GSGradientResult *r);

/* Forward run with checkpoints, then TSAdjoint back through all of it (or the last
   -gs_adjoint_window steps). Collective. */
PetscErrorCode GSGradientAdjoint(GSGradient g, Vec X0, GSGradientResult *r);

/* Where the last GSGradientAdjoint spent its time on this rank (seconds): the forward run with
   its checkpoints and the loss, the recomputation of the checkpointed segments (forward steps),
   and the backward steps proper (the adjoint sweeps, with their halo exchanges), of which there
   were backward_steps; the forward steps recomputed (recompute_steps: the schedule's advances and
   the segments' refills), the schedule's advances in segments (those of the forward run up to its
   last checkpoint and those of the reversal: the binomial cost, GSRevolveCost, when the run's length
   was known), and the schedule: steps per segment, slots in memory and on disk. */
typedef struct {
  PetscLogDouble forward, recompute, backward;
  PetscInt       backward_steps, recompute_steps, schedule_advances;
  PetscInt       segment_length, memory_slots, disk_slots;
} GSGradientTimes;
PetscErrorCode GSGradientGetTimes(GSGradient g, GSGradientTimes *times);
/* The cap (-gs_checkpoint_memory) and the least cap the adjoint accepts (3 states), MiB per rank. */
PetscErrorCode GSGradientGetMemoryCap(GSGradient g, double *cap_mib, double *least_mib);

/* Forward sensitivities S = dX_N/dtheta (four tangent solves), the gradient S^T dL/dX and the
   Gauss-Newton matrix (2/N) S_v^T S_v of the pixel loss (gn may be NULL). Collective. */
PetscErrorCode GSGradientForward(GSGradient g, Vec X0, GSGradientResult *r, PetscReal gn[GS_NPARAM * GS_NPARAM]);

/* Central differences with relative step h per parameter (2 runs each). Collective. */
PetscErrorCode GSGradientFiniteDifference(GSGradient g, Vec X0, PetscReal h, GSGradientResult *r);

/* Diagnostics of the implicit-function gradient. */
typedef struct {
  PetscReal residual;      /* max |f(X)|: how steady the state is */
  PetscReal null_fraction; /* share of |dL/dX| along the translation modes, removed */
  PetscInt  iterations;    /* GMRES iterations of J^T lambda = dL/dX */
  PetscBool converged;
} GSImplicitInfo;

/* At a steady state X of the current theta: solve J^T lambda = dL/dX (projected off the two
   translation modes, the near null space of J on a periodic pattern) and return -Jp^T lambda.
   Collective. */
PetscErrorCode GSGradientImplicit(GSGradient g, Vec X, GSGradientResult *r, GSImplicitInfo *info);

/* The GS_NPARAM entries of a parameter-space vector (held on rank 0) on every rank of comm.
   Collective. */
PetscErrorCode GSParamVecToArray(MPI_Comm comm, Vec p, PetscReal out[GS_NPARAM]);

/* The run the gradients are taken through. */
GSRun GSGradientGetRun(GSGradient g);

/* The final state of the last run (owned by g). */
Vec GSGradientFinalState(GSGradient g);

/* The truncation window of GSGradientAdjoint (0: back-propagate through the whole run). */
PetscErrorCode GSGradientSetWindow(GSGradient g, PetscInt window);
PetscInt       GSGradientGetWindow(GSGradient g);

/* Holds the number of steps fixed (steady_tol 0, -ts_max_steps steps), as the adjoint of a run to
   steady state does, so that the other routes differentiate the same map; steps 0 restores. */
PetscErrorCode GSGradientFixSteps(GSGradient g, PetscInt steps);
