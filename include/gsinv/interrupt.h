/* SIGTERM/SIGINT as a request to stop cleanly (what SLURM sends at the time limit). */
#pragma once

#include <petscsys.h>

/* Catches SIGTERM and SIGINT from now on: they only set a flag. Not collective. */
PetscErrorCode GSInterruptInstall(void);

/* Whether a stop was requested on this rank. */
PetscBool GSInterruptRequested(void);

/* *any = whether mine is true on some rank of comm (a logical or through an int: PetscBool is an
   int-sized enum before PETSc 3.24 and a C bool since). Collective. */
PetscErrorCode GSInterruptAnyRank(MPI_Comm comm, PetscBool mine, PetscBool *any);
