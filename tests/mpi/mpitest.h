/* CMocka inside an MPI program: every rank runs every test (they are collective), rank 0 reports. */
#pragma once

#include <petscsys.h>

#include "gsinv/io/mpiio.h"

#include "../unit/testing.h"

/* Fails the test on every rank when an error code is non-zero. */
#define assert_petsc(call) \
  do { \
    PetscErrorCode gs_ierr = (call); \
    if (gs_ierr) fail_msg("%s returned PETSc error %d", #call, (int)gs_ierr); \
  } while (0)

/* Initialises PETSc with argv (choosing the MPI-IO component as gsinv does) and silences CMocka
   on ranks other than 0. */
static inline int GSTestInitialize(int *argc, char ***argv)
{
  PetscMPIInt rank;

  (void)GSMPIIOSelectComponent();
  if (PetscInitialize(argc, argv, NULL, NULL)) return 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank) (void)!freopen("/dev/null", "w", stdout);
  return 0;
}

/* Rank 0's result decides; every rank finalises. */
static inline int GSTestFinalize(int failed)
{
  (void)MPI_Bcast(&failed, 1, MPI_INT, 0, PETSC_COMM_WORLD);
  PetscFinalize();
  return failed;
}
