/* SIGTERM/SIGINT (a cancel) and SIGUSR1 (SLURM's time-limit warning, --signal=USR1@LEAD) as
   requests to stop cleanly. */
#pragma once

#include <petscsys.h>

/* Catches SIGTERM, SIGINT and SIGUSR1 from now on: they only set a flag. Not collective. */
PetscErrorCode GSInterruptInstall(void);

/* Whether a stop was requested on this rank. */
PetscBool GSInterruptRequested(void);

/* Whether a stop was requested on any rank of comm. Collective. */
PetscErrorCode GSInterruptAgreed(MPI_Comm comm, PetscBool *stop);

/* Says that the work stopped on a signal and what is saved (e.g. "finished points are saved in
   X.journal"), and writes the signal's name (SIGUSR1, SIGTERM or SIGINT) to OUTPUT.interrupted,
   so that a job script can tell the time-limit warning from a cancel. Collective. */
PetscErrorCode GSInterruptReport(MPI_Comm comm, const char *output, const char *saved);

/* *any = whether mine is true on some rank of comm (a logical or through an int: PetscBool is an
   int-sized enum before PETSc 3.24 and a C bool since). Collective. */
PetscErrorCode GSInterruptAnyRank(MPI_Comm comm, PetscBool mine, PetscBool *any);
