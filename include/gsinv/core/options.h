/* Checked readers for numeric options: every value is parsed, range-checked and named before use. */
#pragma once

#include <petscsys.h>

/* What the entries of a list option hold. */
typedef enum { GS_OPTION_REAL, GS_OPTION_INT, GS_OPTION_WORD } GSOptionKind;

/* Checks that option `name`, if given, holds a finite number. Collective on comm. */
PetscErrorCode GSOptionsCheckNumber(MPI_Comm comm, const char *name);

/* Checks that option `name`, if given, holds an integer (parsed in 64 bits) in [min, max]: a value
   that would wrap in PetscInt is refused with the option's name and the limit. Collective on comm. */
PetscErrorCode GSOptionsCheckInt(MPI_Comm comm, const char *name, PetscInt64 min, PetscInt64 max);

/* Checks that list option `name`, if given, has between min_count and max_count comma-separated
   entries, none empty, each a finite number (GS_OPTION_REAL), an integer in [PETSC_MIN_INT,
   PETSC_MAX_INT] (GS_OPTION_INT) or any word (GS_OPTION_WORD). Collective on comm. */
PetscErrorCode GSOptionsCheckList(MPI_Comm comm, const char *name, GSOptionKind kind, PetscInt min_count, PetscInt max_count);

/* Checks that option `name`, if given, is one of the names of `list` (a PETSc enum list: names, the
   type's name, its prefix, NULL), so that a wrong name is reported with the choices. Collective on comm. */
PetscErrorCode GSOptionsCheckEnum(MPI_Comm comm, const char *name, const char *const *list);

/* Checks that option `name`, if given with a value, is true/false, yes/no, on/off or 1/0. Collective on comm. */
PetscErrorCode GSOptionsCheckBool(MPI_Comm comm, const char *name);

/* Checks, before any work, that `count` values of element_size bytes, held at once on one node,
   fit in max_count and in the memory of the smallest node; the message names `options`, the
   options that set the count. Collective on comm. */
PetscErrorCode GSOptionsCheckSize(MPI_Comm comm, const char *options, PetscInt64 count, size_t element_size, PetscInt64 max_count);

/* Checks PETSc's own numeric options whose names start with `prefix` ("-ts_", "-da_", "-tao_")
   with the readers above, before PETSc parses them (whose messages do not name the option).
   Collective on comm. */
PetscErrorCode GSOptionsCheckPetsc(MPI_Comm comm, const char *prefix);

/* Whether a PETSc error is a failed allocation: PETSC_ERR_MEM, or what PETSc 3.18's allocator
   reports instead (its malformed check passes the caller's line as the code, from PetscMallocAlign). */
PetscBool GSErrorIsOutOfMemory(PetscErrorCode code, const char *func);

/* Starts a call under GSOptionsPetscCall: errors are returned, not reported, and a failed
   allocation among them is remembered for GSOptionsPetscFailed. */
PetscErrorCode GSOptionsPetscCallBegin(void);

/* Refuses, naming the options family (e.g. "-ts_type, -ts_rk_type ..."), a PETSc error code
   returned by a PETSc options call made under GSOptionsPetscCall. Collective on comm. */
PetscErrorCode GSOptionsPetscFailed(MPI_Comm comm, const char *family, PetscErrorCode code);

/* Runs a PETSc call that reads PETSc's own options (TSSetFromOptions, TaoSetFromOptions,
   DMSetFromOptions) with its errors returned, not reported, so that a wrong type name or value
   becomes one message naming the options and PETSc's reason. */
#define GSOptionsPetscCall(comm, family, call) \
  do { \
    PetscErrorCode gs_code_; \
    PetscCall(GSOptionsPetscCallBegin()); \
    gs_code_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(GSOptionsPetscFailed(comm, family, gs_code_)); \
  } while (0)

/* Drop-in replacements for PetscOptionsReal/PetscOptionsInt inside PetscOptionsBegin/End: the value is
   checked first, so that a non-number, an empty value, inf/nan or an integer outside PetscInt is
   reported with the option's name. GSOptionsIntRange also refuses values outside [min, max].
   Only PETSc's public option macros are used, so the same code builds from PETSc 3.18 to the
   current release. */
#define GSOptionsReal(opt, text, man, current, value, set) \
  (GSOptionsCheckNumber(PETSC_COMM_SELF, opt) ? PETSC_ERR_USER_INPUT : PetscOptionsReal(opt, text, man, current, value, set))
#define GSOptionsIntRange(opt, text, man, current, value, set, min, max) \
  (GSOptionsCheckInt(PETSC_COMM_SELF, opt, min, max) ? PETSC_ERR_USER_INPUT : PetscOptionsInt(opt, text, man, current, value, set))
#define GSOptionsInt(opt, text, man, current, value, set) GSOptionsIntRange(opt, text, man, current, value, set, PETSC_MIN_INT, PETSC_MAX_INT)
/* The same for list options: the list is checked (count, empty entries, each value) first. */
#define GSOptionsRealArray(opt, text, man, value, n, set, min_count) \
  (GSOptionsCheckList(PETSC_COMM_SELF, opt, GS_OPTION_REAL, min_count, *(n)) ? PETSC_ERR_USER_INPUT \
                                                                             : PetscOptionsRealArray(opt, text, man, value, n, set))
#define GSOptionsIntArray(opt, text, man, value, n, set, min_count) \
  (GSOptionsCheckList(PETSC_COMM_SELF, opt, GS_OPTION_INT, min_count, *(n)) ? PETSC_ERR_USER_INPUT \
                                                                            : PetscOptionsIntArray(opt, text, man, value, n, set))
#define GSOptionsStringArray(opt, text, man, value, n, set, min_count) \
  (GSOptionsCheckList(PETSC_COMM_SELF, opt, GS_OPTION_WORD, min_count, *(n)) ? PETSC_ERR_USER_INPUT \
                                                                             : PetscOptionsStringArray(opt, text, man, value, n, set))
#define GSOptionsEnum(opt, text, man, list, current, value, set) \
  (GSOptionsCheckEnum(PETSC_COMM_SELF, opt, list) ? PETSC_ERR_USER_INPUT : PetscOptionsEnum(opt, text, man, list, current, value, set))
#define GSOptionsBool(opt, text, man, current, value, set) \
  (GSOptionsCheckBool(PETSC_COMM_SELF, opt) ? PETSC_ERR_USER_INPUT : PetscOptionsBool(opt, text, man, current, value, set))
