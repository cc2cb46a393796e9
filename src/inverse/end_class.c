/* The end state of one forward run of the inversion, classified (steady pattern, uniform, invalid ...). */
#include "inversion_impl.h"

PetscErrorCode GSInversionEndClass(GSInversion inv, GSRunReason reason, Vec final, GSEndClass *end_class)
{
  GSEndStats es;

  PetscFunctionBeginUser;
  *end_class = GS_CLASS_INVALID;
  if (!GSRunReasonIsValid(reason)) PetscFunctionReturn(0);
  PetscCall(GSRunEndStats(InvRun(inv), final, PETSC_TRUE, &es));
  *end_class = GSEndStateClassify(&es, NULL);
  PetscFunctionReturn(0);
}
