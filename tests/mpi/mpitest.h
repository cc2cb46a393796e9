/* CMocka inside an MPI program: every rank runs every test (they are collective); a failure on any
   rank fails the program. Rank 0 prints CMocka's report; the other ranks keep theirs and print it
   to stderr, each line prefixed with the rank, when they had a failure. */
#pragma once

#include <petscsys.h>
#include <string.h>
#include <unistd.h>

#include "gsinv/io/mpiio.h"

#include "../unit/testing.h"

/* Fails the test on every rank when an error code is non-zero. */
#define assert_petsc(call) \
  do { \
    PetscErrorCode gs_ierr = (call); \
    if (gs_ierr) fail_msg("%s returned PETSc error %d", #call, (int)gs_ierr); \
  } while (0)

/* Ranks other than 0: CMocka's report (their stdout), kept until GSTestFinalize. */
static FILE *gs_test_report = NULL;

/* Initialises PETSc with argv (choosing the MPI-IO component as gsinv does) and sends CMocka's
   report on ranks other than 0 to a temporary file (to /dev/null if none can be made). */
static inline int GSTestInitialize(int *argc, char ***argv)
{
  PetscMPIInt rank;

  (void)GSMPIIOSelectComponent();
  if (PetscInitialize(argc, argv, NULL, NULL)) return 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank) {
    fflush(stdout);
    gs_test_report = tmpfile();
    if (!gs_test_report || dup2(fileno(gs_test_report), STDOUT_FILENO) < 0) (void)!freopen("/dev/null", "w", stdout);
  }
  return 0;
}

/* This rank's kept report to stderr, each line prefixed with the rank. */
static inline void GSTestShowReport(PetscMPIInt rank, int failed)
{
  char line[512];
  int  at_start = 1;

  fflush(stdout);
  fprintf(stderr, "[rank %d] %d test(s) failed on this rank; its CMocka report:\n", (int)rank, failed);
  if (!gs_test_report || fseek(gs_test_report, 0, SEEK_SET)) {
    fprintf(stderr, "[rank %d] (not kept)\n", (int)rank);
    return;
  }
  while (fgets(line, sizeof line, gs_test_report)) {
    if (at_start) fprintf(stderr, "[rank %d] ", (int)rank);
    fputs(line, stderr);
    at_start = strchr(line, '\n') != NULL;
  }
}

/* Every rank's result counts: the program fails when a test failed on any rank (every rank returns
   the largest count of failed tests over the ranks). A rank other than 0 with a failure prints its
   own report to stderr; rank 0 says that another rank failed. Every rank finalises. */
static inline int GSTestFinalize(int failed)
{
  PetscMPIInt rank;
  int         worst = failed;

  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank && failed) GSTestShowReport(rank, failed);
  (void)MPI_Allreduce(&failed, &worst, 1, MPI_INT, MPI_MAX, PETSC_COMM_WORLD);
  if (rank == 0 && worst && !failed) fprintf(stderr, "mpitest: tests failed on a rank other than 0 (that rank's report is on stderr)\n");
  if (gs_test_report) fclose(gs_test_report);
  PetscFinalize();
  return worst;
}
