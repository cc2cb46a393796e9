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
};

/* The GS_NPARAM entries of a parameter-space vector (held on rank 0) on every rank. Collective. */
PetscErrorCode GSParamVecToArray(GSModel m, Vec p, PetscReal out[GS_NPARAM]);
