/* The MPI-IO component choice: ROMIO only under Open MPI 4, a user's own choice kept. */
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "gsinv/io/mpiio.h"
#include "testing.h"

static void test_version_strings(void **state)
{
  (void)state;
  assert_int_equal(GSMPIIONeedsROMIO("Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022"), 1);
  assert_int_equal(GSMPIIONeedsROMIO("Open MPI v4.0.3, package: Open MPI Distribution, ident: 4.0.3"), 1);
  assert_int_equal(GSMPIIONeedsROMIO("Open MPI v5.0.3, package: Open MPI Distribution, ident: 5.0.3"), 0);
  assert_int_equal(GSMPIIONeedsROMIO("Open MPI v3.1.6, package: Open MPI Distribution"), 0);
  assert_int_equal(GSMPIIONeedsROMIO("MPICH Version:      4.0.2\nMPICH Release date: Thu Apr  7 12:34:45 CDT 2022"), 0);
  assert_int_equal(GSMPIIONeedsROMIO("Intel(R) MPI Library 2021.10 for Linux* OS"), 0);
  assert_int_equal(GSMPIIONeedsROMIO(""), 0);
  assert_int_equal(GSMPIIONeedsROMIO(NULL), 0);
}

/* Before MPI_Init, as gsinv calls it: the running library decides. */
static void test_select_follows_library(void **state)
{
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int  length, selected;

  (void)state;
  assert_int_equal(MPI_Get_library_version(version, &length), MPI_SUCCESS);
  unsetenv("OMPI_MCA_io");
  selected = GSMPIIOSelectComponent();
  assert_int_equal(selected, GSMPIIONeedsROMIO(version));
  if (selected) assert_string_equal(getenv("OMPI_MCA_io"), "romio321");
  else assert_null(getenv("OMPI_MCA_io"));
}

static void test_user_choice_kept(void **state)
{
  (void)state;
  setenv("OMPI_MCA_io", "ompio", 1);
  assert_int_equal(GSMPIIOSelectComponent(), 0);
  assert_string_equal(getenv("OMPI_MCA_io"), "ompio");
  unsetenv("OMPI_MCA_io");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_version_strings),
    cmocka_unit_test(test_select_follows_library),
    cmocka_unit_test(test_user_choice_kept),
  };
  return cmocka_run_group_tests_name("mpiio", tests, NULL, NULL);
}
