/* The GSInversion object, shared by the inversion's files (not public API). */
#pragma once

#include "gsinv/gradient/evaluator.h"
#include "gsinv/model/field_loss.h"
#include "gsinv/model/initial.h"
#include "gsinv/inverse/inversion.h"

struct _p_GSInversion {
  MPI_Comm           comm, group;
  PetscInt           ngroups, group_id;
  PetscMPIInt        group_rank;
  GSEvaluator        evaluator; /* the model, run, loss, gradient and initial options (InvModel() ... below) */
  char               targets[PETSC_MAX_PATH_LEN];
  PetscInt           ntargets, target_seed, target_sample0;
  PetscInt           batch, seed, max_it;
  PetscBool          deterministic;
  GSOptimizerType    optimizer;
  GSReparamType      reparam;
  PetscReal          lr, weight_decay;
  PetscReal          lower[GS_NPARAM], upper[GS_NPARAM];
  Vec                X0;
  PetscScalar       *target_v;
  GSInversionMonitor monitor;
  void              *monitor_ctx;
  PetscLogDouble     start;
  PetscInt           first;
  PetscReal          plateau_ratio; /* -gs_plateau_ratio */
  PetscBool          have_references;
  double             flat, floor; /* losses of the trivial state and of the targets against each other */
  PetscBool          have_end;    /* the last GSInversionEvaluate's end states, at end_theta of end_iteration */
  double             end_theta[GS_NPARAM], end_loss;
  PetscInt           end_iteration, end_counts[GS_END_CLASS_N];
  PetscBool          end_valid;
};

/* The parts of the evaluator the inversion works with. */
static inline GSModel InvModel(GSInversion inv)
{
  return GSEvaluatorGetModel(inv->evaluator);
}
static inline GSRun InvRun(GSInversion inv)
{
  return GSEvaluatorGetRun(inv->evaluator);
}
static inline GSFieldLoss InvLoss(GSInversion inv)
{
  return GSEvaluatorGetLoss(inv->evaluator);
}
static inline GSGradient InvGradient(GSInversion inv)
{
  return GSEvaluatorGetGradient(inv->evaluator);
}
/* The recipe of the initial states (-gs_init_noise, -gs_init_block). */
static inline const GSInitialOptions *InvInit(GSInversion inv)
{
  return GSEvaluatorGetInitial(inv->evaluator);
}

/* The end-state class of the batch member just run (its end state final; invalid when
   reason is). Collective on inv->group. */
PetscErrorCode GSInversionEndClass(GSInversion inv, GSRunReason reason, Vec final, GSEndClass *end_class);
