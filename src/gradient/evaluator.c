/* The stack of a loss evaluation, shared by the inversion and the landscape. */
#include <math.h>

#include "gsinv/gradient/evaluator.h"

struct _p_GSEvaluator {
  GSModel          model;
  GSInitialOptions init;
  GSRun            run;
  GSFieldLoss      loss;
  GSGradient       gradient; /* NULL unless asked for */
};

PetscErrorCode GSEvaluatorCreate(MPI_Comm comm, PetscReal default_tol, PetscBool gradient, GSEvaluator *out)
{
  GSEvaluator ev;
  PetscBool   help;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&ev));
  PetscCall(GSModelCreate(comm, &ev->model));
  PetscCall(GSInitialOptionsFromOptions(comm, &ev->init));
  PetscCall(GSRunCreate(ev->model, default_tol, 40000, &ev->run));
  GSRunSetQuiet(ev->run, PETSC_TRUE);
  PetscCall(GSFieldLossCreate(ev->model, &ev->loss));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (gradient || help) PetscCall(GSGradientCreate(ev->run, ev->loss, &ev->gradient)); /* -help lists its options too */
  if (!gradient) PetscCall(GSGradientDestroy(&ev->gradient));
  *out = ev;
  PetscFunctionReturn(0);
}

PetscErrorCode GSEvaluatorDestroy(GSEvaluator *out)
{
  GSEvaluator ev = *out;

  PetscFunctionBeginUser;
  if (!ev) PetscFunctionReturn(0);
  PetscCall(GSGradientDestroy(&ev->gradient));
  PetscCall(GSFieldLossDestroy(&ev->loss));
  PetscCall(GSRunDestroy(&ev->run));
  PetscCall(GSModelDestroy(&ev->model));
  PetscCall(PetscFree(ev));
  *out = NULL;
  PetscFunctionReturn(0);
}

GSModel GSEvaluatorGetModel(GSEvaluator ev)
{
  return ev->model;
}

GSRun GSEvaluatorGetRun(GSEvaluator ev)
{
  return ev->run;
}

GSFieldLoss GSEvaluatorGetLoss(GSEvaluator ev)
{
  return ev->loss;
}

GSGradient GSEvaluatorGetGradient(GSEvaluator ev)
{
  return ev->gradient;
}

const GSInitialOptions *GSEvaluatorGetInitial(GSEvaluator ev)
{
  return &ev->init;
}

PetscErrorCode GSEvaluatorMember(GSEvaluator ev, Vec X0, const PetscScalar *target_v, PetscBool gradient, GSGradientResult *r, Vec *final)
{
  PetscFunctionBeginUser;
  PetscCheck(ev->gradient, GSModelGetComm(ev->model), PETSC_ERR_ORDER, "GSEvaluatorMember: the evaluator was created without the gradient");
  PetscCall(GSFieldLossSetTargetNatural(ev->loss, target_v));
  if (gradient) PetscCall(GSGradientAdjoint(ev->gradient, X0, r));
  else PetscCall(GSGradientLoss(ev->gradient, X0, r));
  *final = GSGradientFinalState(ev->gradient);
  PetscFunctionReturn(0);
}

PetscErrorCode GSEvaluatorForward(GSEvaluator ev, Vec X0, Vec X, GSGradientResult *r)
{
  PetscFunctionBeginUser;
  PetscCall(VecCopy(X0, X));
  PetscCall(GSRunSolve(ev->run, X));
  r->reason = GSRunGetReason(ev->run);
  r->steps  = GSRunGetSteps(ev->run);
  r->loss   = NAN;
  for (int q = 0; q < GS_NPARAM; q++) r->grad[q] = 0.0;
  PetscFunctionReturn(0);
}
