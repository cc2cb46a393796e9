/* SIGTERM/SIGINT as a request to stop cleanly (what SLURM sends at the time limit). */
#pragma once

#include <petscsys.h>

/* Catches SIGTERM and SIGINT from now on: they only set a flag. Not collective. */
PetscErrorCode GSInterruptInstall(void);

/* Whether a stop was requested on this rank. */
PetscBool GSInterruptRequested(void);
