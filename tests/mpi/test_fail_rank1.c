/* The harness itself: an assertion that fails on rank 1 only must fail the whole program (registered
   with should_fail; mpitest.h combines every rank's result). */
#include "mpitest.h"

static void test_rank1_fails(void **state)
{
  PetscMPIInt rank;

  (void)state;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank == 1) fail_msg("deliberate failure on rank %d", (int)rank);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_rank1_fails)};

  if (GSTestInitialize(&argc, &argv)) return 1;
  return GSTestFinalize(cmocka_run_group_tests_name("fail_rank1", tests, NULL, NULL));
}
