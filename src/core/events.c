/* Every log event of gsinv, registered once under the class "GSInv". */
#include "gsinv/core/events.h"

static const char *const EventNames[GS_EVENT_N] = {"GSRHS",     "GSHalo", "GSJacobian", "GSJacobianP", "GSLoss",
                                                   "GSAdjoint", "GSIO",   "GSSetUp",    "GSInitial"};
static PetscLogEvent     events[GS_EVENT_N];
static PetscBool         registered;

PetscErrorCode GSLogEventsRegister(void)
{
  PetscClassId classid;

  PetscFunctionBeginUser;
  if (registered) PetscFunctionReturn(0);
  PetscCall(PetscClassIdRegister("GSInv", &classid));
  for (int e = 0; e < GS_EVENT_N; e++) PetscCall(PetscLogEventRegister(EventNames[e], classid, &events[e]));
  registered = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode GSLogEventGet(GSEvent e, PetscLogEvent *event)
{
  PetscFunctionBeginUser;
  PetscCall(GSLogEventsRegister());
  *event = events[e];
  PetscFunctionReturn(0);
}
