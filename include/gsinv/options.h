/* Numeric options that name themselves when their value is not a number. */
#pragma once

#include <petscsys.h>

/* Checks that option `name`, if given, holds a number. Collective on comm. */
PetscErrorCode GSOptionsCheckNumber(MPI_Comm comm, const char *name);

/* Drop-in replacements for PetscOptionsReal/PetscOptionsInt inside PetscOptionsBegin/End: the value is
   checked first, so that a non-number is reported with the option's name. Only PETSc's public option
   macros are used, so the same code builds from PETSc 3.18 to the current release. */
#define GSOptionsReal(opt, text, man, current, value, set) \
  (GSOptionsCheckNumber(PETSC_COMM_SELF, opt) ? PETSC_ERR_USER_INPUT : PetscOptionsReal(opt, text, man, current, value, set))
#define GSOptionsInt(opt, text, man, current, value, set) \
  (GSOptionsCheckNumber(PETSC_COMM_SELF, opt) ? PETSC_ERR_USER_INPUT : PetscOptionsInt(opt, text, man, current, value, set))
