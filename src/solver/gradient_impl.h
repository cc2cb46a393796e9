/* The GSGradient object, shared by the files of the gradient routes (not public). */
#pragma once

#include "gsinv/gradient.h"

struct _p_GSGradient {
  GSRun       run;
  GSModel     model;
  GSFieldLoss loss;
  Vec         X, G, lambda, mu;
  PetscInt    window, stride;
  Vec        *checkpoints; /* states at steps 0, stride, 2 stride, ... of the last forward run */
  PetscInt    ncheckpoints, checkpoint_capacity;
  PetscReal   saved_tol;
  PetscInt    saved_max_steps;
  PetscBool   fixed;
  PetscLogEvent event_adjoint;
  Vec        *segment;       /* fast adjoint: the states of one segment (several ranks: ghosted) */
  Vec         lambda_next, lambda_local, lambda_local_next;
  GSGradientTimes times; /* of the last GSGradientAdjoint */
};

/* Pieces shared by the gradient routes (gradient.c). */
PetscErrorCode GSGradientSetTrajectory(GSGradient g, PetscBool on);
PetscErrorCode GSGradientStoreCheckpoint(GSRun run, PetscInt step, Vec X, void *ctx);
PetscErrorCode GSGradientForwardAndLoss(GSGradient g, Vec X0, GSGradientResult *r, Vec G);
/* The forward run of both adjoint routes: the loss's dL/dX into g->lambda, every stride-th state
   kept; first is the earliest step the adjoint goes back to (-gs_adjoint_window). */
PetscErrorCode GSGradientForwardCheckpointed(GSGradient g, Vec X0, GSGradientResult *r, PetscInt *first);
/* The adjoint by PETSc's TSAdjoint over checkpointed segments (any scheme). */
PetscErrorCode GSGradientAdjointTS(GSGradient g, Vec X0, GSGradientResult *r);
/* The adjoint of forward Euler by fused backward sweeps over checkpointed segments (adjoint_euler.c). */
PetscErrorCode GSGradientAdjointEuler(GSGradient g, Vec X0, GSGradientResult *r);
