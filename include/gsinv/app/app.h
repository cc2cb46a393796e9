/* The gsinv executable: subcommands and the options conventions they share. */
#pragma once

#include <petscsys.h>

/* A subcommand: runs on comm (all ranks), reads its options, returns a PETSc error code. */
typedef struct {
  const char *name;
  PetscErrorCode (*run)(MPI_Comm comm);
  const char *summary;
} GSCommand;

PetscErrorCode GSAppSimulate(MPI_Comm comm);
PetscErrorCode GSAppBench(MPI_Comm comm);
PetscErrorCode GSAppGradcheck(MPI_Comm comm);
PetscErrorCode GSAppLandscape(MPI_Comm comm);
PetscErrorCode GSAppTargets(MPI_Comm comm);
PetscErrorCode GSAppInvert(MPI_Comm comm);
PetscErrorCode GSAppResidual(MPI_Comm comm);

/* PETSC_TRUE when -help was given: a subcommand then stops after reading its options. */
PetscErrorCode GSAppHelpRequested(PetscBool *help);

/* Before PetscInitialize: with -help (not -help intro) on the command line, what is printed to
   stdout (PETSc's help lines) is kept instead, for GSHelpPrint; "-help all" (or "-help petsc")
   asks for PETSc's lines too, and the word is removed from argv. Not collective. */
void GSHelpCollect(int *argc, char **argv);
/* After the subcommand read its options in help mode: prints gsinv's own options grouped by
   component, one line each with its default, then how to see PETSc's (-help all prints them
   after). Nothing without GSHelpCollect's -help. Collective. */
PetscErrorCode GSHelpPrint(MPI_Comm comm, const char *subcommand);

/* Stops with a message naming the first option nobody read (a misspelling, or an option of
   another subcommand). Call once every object has read its options. Collective. */
PetscErrorCode GSAppCheckOptionsUsed(MPI_Comm comm);

/* Prints the run banner on rank 0: subcommand, revision, PETSc version, ranks. */
PetscErrorCode GSAppBanner(MPI_Comm comm, const char *subcommand);
