/* GSEvaluator: the stack every loss evaluation runs on, built once from the options: the model,
   the initial-state recipe, the time stepper, the field loss and, when asked, the gradient. The
   inversion and the landscape both evaluate their members through it. */
#pragma once

#include "gsinv/gradient/gradient.h"
#include "gsinv/model/field_loss.h"
#include "gsinv/model/initial.h"

typedef struct _p_GSEvaluator *GSEvaluator;

/* Creates the stack on comm: the model (-da_*, -gs_h, theta), the initial-state options, the run
   (steady tolerance default_tol, step cap 40,000, quiet), the loss (-gs_loss ...) and, with
   `gradient`, the gradient's options (-gs_adjoint_window, -gs_checkpoint_*). With -help the
   gradient's options are read (and listed) either way. Collective. */
PetscErrorCode GSEvaluatorCreate(MPI_Comm comm, PetscReal default_tol, PetscBool gradient, GSEvaluator *ev);
PetscErrorCode GSEvaluatorDestroy(GSEvaluator *ev);

/* The parts (owned by the evaluator). The gradient is NULL when not asked for. Not collective. */
GSModel                 GSEvaluatorGetModel(GSEvaluator ev);
GSRun                   GSEvaluatorGetRun(GSEvaluator ev);
GSFieldLoss             GSEvaluatorGetLoss(GSEvaluator ev);
GSGradient              GSEvaluatorGetGradient(GSEvaluator ev);
const GSInitialOptions *GSEvaluatorGetInitial(GSEvaluator ev);

/* One member at the model's theta, through the gradient (the evaluator must have it): X0 run
   forward, its loss against the target (v in natural order on the group's rank 0, as
   GSFieldLossSetTargetNatural takes it) and, with `gradient`, the adjoint gradient. *final is the
   end state, the evaluator's until the next member. Collective. */
PetscErrorCode GSEvaluatorMember(GSEvaluator ev, Vec X0, const PetscScalar *target_v, PetscBool gradient, GSGradientResult *r, Vec *final);
/* The forward run alone (no loss, no gradient object needed): X := X0 run to its end; r gets the
   reason and steps, its loss NaN. Collective. */
PetscErrorCode GSEvaluatorForward(GSEvaluator ev, Vec X0, Vec X, GSGradientResult *r);
