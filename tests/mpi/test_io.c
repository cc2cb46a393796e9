/* Parallel HDF5 round trip: a state written by all ranks reads back bit for bit, also into a
   different decomposition; snapshots form a [T][ny][nx] series. */
#include <hdf5.h>

#include "gsinv/model/initial.h"
#include "gsinv/io/h5file.h"
#include "mpitest.h"

static const char *path = "test_io_roundtrip.h5";

static void test_state_round_trip(void **state)
{
  GSModel         m;
  GSOutput        out;
  Vec             X, Y;
  PetscBool       equal;
  GSInitialRecipe recipe = GSInitialRecipeDefault(5, 2);
  (void)state;
  assert_petsc(GSModelCreate(PETSC_COMM_WORLD, &m));
  assert_petsc(DMCreateGlobalVector(GSModelGetDM(m), &X));
  assert_petsc(VecDuplicate(X, &Y));
  assert_petsc(GSInitialRecipeFill(m, &recipe, X));
  assert_petsc(GSOutputOpen(PETSC_COMM_WORLD, "-test", path, &out));
  assert_petsc(GSStateWrite(&out, GSModelGetGrid(m), "/state", X));
  assert_petsc(GSOutputClose(&out));
  assert_petsc(GSStateRead(GSModelGetGrid(m), "-test", path, Y));
  assert_petsc(VecEqual(X, Y, &equal));
  assert_true(equal);
  VecDestroy(&X);
  VecDestroy(&Y);
  GSModelDestroy(&m);
}

/* Reading on one rank of a file written by all: the natural order makes it the same field. */
static void test_read_on_other_decomposition(void **state)
{
  GSModel         whole;
  Vec             X, Z;
  PetscMPIInt     rank;
  GSInitialRecipe recipe = GSInitialRecipeDefault(5, 2);
  (void)state;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank != 0) return;
  assert_petsc(GSModelCreate(PETSC_COMM_SELF, &whole));
  assert_petsc(DMCreateGlobalVector(GSModelGetDM(whole), &X));
  assert_petsc(VecDuplicate(X, &Z));
  assert_petsc(GSStateRead(GSModelGetGrid(whole), "-test", path, X));
  assert_petsc(GSInitialRecipeFill(whole, &recipe, Z));
  PetscBool equal;
  assert_petsc(VecEqual(X, Z, &equal));
  assert_true(equal);
  VecDestroy(&X);
  VecDestroy(&Z);
  GSModelDestroy(&whole);
}

static void test_snapshot_series(void **state)
{
  GSModel     m;
  GSOutput    out;
  GSSnapshots snaps = {0};
  Vec         X;
  PetscMPIInt rank;
  (void)state;
  assert_petsc(GSModelCreate(PETSC_COMM_WORLD, &m));
  assert_petsc(DMCreateGlobalVector(GSModelGetDM(m), &X));
  assert_petsc(GSOutputOpen(PETSC_COMM_WORLD, "-test", path, &out));
  snaps.out  = &out;
  snaps.grid = GSModelGetGrid(m);
  for (PetscInt t = 0; t < 3; t++) {
    assert_petsc(VecSet(X, (PetscScalar)t));
    assert_petsc(GSSnapshotsAppend(&snaps, 10 * t, X));
  }
  assert_petsc(GSSnapshotsWriteSteps(&snaps));
  assert_petsc(GSOutputClose(&out));
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank == 0) {
    hid_t   file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), dset = H5Dopen2(file, "/snapshots/v", H5P_DEFAULT);
    hid_t   space = H5Dget_space(dset);
    hsize_t dims[3];
    assert_int_equal(H5Sget_simple_extent_ndims(space), 3);
    H5Sget_simple_extent_dims(space, dims, NULL);
    assert_int_equal(dims[0], 3);
    assert_int_equal(dims[1], GSModelGetPatch(m)->ny);
    assert_int_equal(dims[2], GSModelGetPatch(m)->nx);
    H5Sclose(space);
    H5Dclose(dset);
    H5Fclose(file);
  }
  GSSnapshotsDestroy(&snaps);
  VecDestroy(&X);
  GSModelDestroy(&m);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_state_round_trip),
    cmocka_unit_test(test_read_on_other_decomposition),
    cmocka_unit_test(test_snapshot_series),
  };
  if (GSTestInitialize(&argc, &argv)) return 1;
  return GSTestFinalize(cmocka_run_group_tests_name("io", tests, NULL, NULL));
}
