/* A signal handler that only records the request; long loops poll it and stop between steps. */
#include <signal.h>
#include <string.h>

#include "gsinv/interrupt.h"

static volatile sig_atomic_t requested = 0;

static void OnSignal(int sig)
{
  (void)sig;
  requested = 1;
}

PetscErrorCode GSInterruptInstall(void)
{
  struct sigaction action;

  PetscFunctionBeginUser;
  memset(&action, 0, sizeof(action));
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  PetscCheck(sigaction(SIGTERM, &action, NULL) == 0 && sigaction(SIGINT, &action, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the SIGTERM handler");
  PetscFunctionReturn(0);
}

PetscBool GSInterruptRequested(void)
{
  return requested ? PETSC_TRUE : PETSC_FALSE;
}

PetscErrorCode GSInterruptAnyRank(MPI_Comm comm, PetscBool mine, PetscBool *any)
{
  int flag = mine ? 1 : 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_LOR, comm));
  *any = flag ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
