/* Numeric options that name themselves when their value is not a number. */
#pragma once

#include <petscsys.h>

/* Checks that option `name`, if given, holds a number. Collective on comm. */
PetscErrorCode GSOptionsCheckNumber(MPI_Comm comm, const char *name);

static inline PetscErrorCode GSOptionsReal_Private(PetscOptionItems *items, const char opt[], const char text[], const char man[], PetscReal current, PetscReal *value, PetscBool *set)
{
  PetscFunctionBeginUser;
  PetscCall(GSOptionsCheckNumber(items->comm, opt));
  PetscCall(PetscOptionsReal_Private(items, opt, text, man, current, value, set));
  PetscFunctionReturn(0);
}

static inline PetscErrorCode GSOptionsInt_Private(PetscOptionItems *items, const char opt[], const char text[], const char man[], PetscInt current, PetscInt *value, PetscBool *set)
{
  PetscFunctionBeginUser;
  PetscCall(GSOptionsCheckNumber(items->comm, opt));
  PetscCall(PetscOptionsInt_Private(items, opt, text, man, current, value, set, PETSC_MIN_INT, PETSC_MAX_INT));
  PetscFunctionReturn(0);
}

/* Drop-in replacements for PetscOptionsReal/PetscOptionsInt inside PetscOptionsBegin/End. */
#define GSOptionsReal(a, b, c, d, e, f) GSOptionsReal_Private(PetscOptionsObject, a, b, c, d, e, f)
#define GSOptionsInt(a, b, c, d, e, f)  GSOptionsInt_Private(PetscOptionsObject, a, b, c, d, e, f)
