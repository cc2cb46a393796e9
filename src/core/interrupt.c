/* A signal handler that only records the request; long loops poll it and stop between steps. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gsinv/core/interrupt.h"

/* The signal that asked for the stop, 0 for none. A cancel (TERM, INT) is never replaced by
   the time-limit warning (USR1) that may follow or precede it. */
static volatile sig_atomic_t requested = 0;

static void OnSignal(int sig)
{
  if (requested != SIGTERM && requested != SIGINT) requested = sig;
}

PetscErrorCode GSInterruptInstall(void)
{
  struct sigaction action;

  PetscFunctionBeginUser;
  memset(&action, 0, sizeof(action));
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  PetscCheck(sigaction(SIGTERM, &action, NULL) == 0 && sigaction(SIGINT, &action, NULL) == 0 && sigaction(SIGUSR1, &action, NULL) == 0,
             PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the SIGTERM/SIGUSR1 handler");
  PetscFunctionReturn(0);
}

PetscBool GSInterruptRequested(void)
{
  return requested ? PETSC_TRUE : PETSC_FALSE;
}

PetscErrorCode GSInterruptAgreed(MPI_Comm comm, PetscBool *stop)
{
  PetscFunctionBeginUser;
  PetscCall(GSInterruptAnyRank(comm, GSInterruptRequested(), stop));
  PetscFunctionReturn(0);
}

/* The name of the signal that stopped this rank's work, "none" if none did. */
static const char *SignalName(void)
{
  switch (requested) {
  case SIGUSR1:
    return "SIGUSR1";
  case SIGTERM:
    return "SIGTERM";
  case SIGINT:
    return "SIGINT";
  default:
    return "none";
  }
}

PetscErrorCode GSInterruptReport(MPI_Comm comm, const char *output, const char *saved)
{
  /* The ranks may have caught different signals: a cancel on any rank counts as a cancel. */
  int         mine = requested == SIGUSR1 ? 1 : requested ? 2 : 0, agreed;
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN + 16];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(&mine, &agreed, 1, MPI_INT, MPI_MAX, comm));
  if (agreed != mine) requested = agreed == 2 ? SIGTERM : SIGUSR1;
  PetscCall(PetscPrintf(comm, "interrupted by %s (%s): %s\n", SignalName(), agreed == 1 ? "the time-limit warning" : "a request to stop", saved));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    FILE *f;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s.interrupted", output));
    f = fopen(path, "w");
    if (f) fprintf(f, "%s\n", SignalName());
    if (!f || fclose(f)) PetscCall(PetscPrintf(PETSC_COMM_SELF, "warning: cannot write %s\n", path));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSInterruptAnyRank(MPI_Comm comm, PetscBool mine, PetscBool *any)
{
  int flag = mine ? 1 : 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_LOR, comm));
  *any = flag ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
