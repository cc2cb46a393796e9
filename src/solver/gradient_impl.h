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
