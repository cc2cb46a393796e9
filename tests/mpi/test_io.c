/* Parallel HDF5 round trip: a state written by all ranks reads back bit for bit, also into a
   different decomposition; snapshots form a [T][ny][nx] series whose slices read back; a field
   gathered to rank 0 is in natural order and scatters back into place. */
#include <hdf5.h>

#include "gsinv/model/initial.h"
#include "gsinv/io/field_input.h"
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
  assert_petsc(GSModelCreateGlobalVector(m, &X));
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
  assert_petsc(GSModelCreateGlobalVector(whole, &X));
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
  assert_petsc(GSModelCreateGlobalVector(m, &X));
  assert_petsc(GSOutputOpen(PETSC_COMM_WORLD, "-test", path, &out));
  snaps.out  = &out;
  snaps.grid = GSModelGetGrid(m);
  for (PetscInt t = 0; t < 3; t++) {
    GSInitialRecipe recipe = GSInitialRecipeDefault(5, t);
    assert_petsc(GSInitialRecipeFill(m, &recipe, X));
    assert_petsc(GSSnapshotsAppend(&snaps, 10 * t, X));
  }
  assert_petsc(GSSnapshotsWriteSteps(&snaps));
  assert_petsc(GSOutputClose(&out));
  for (PetscInt t = 0; t < 3; t++) {
    GSInitialRecipe recipe = GSInitialRecipeDefault(5, t);
    Vec             Y;
    PetscBool       equal;
    assert_petsc(VecDuplicate(X, &Y));
    assert_petsc(GSInitialRecipeFill(m, &recipe, X));
    assert_petsc(GSFieldRead(GSModelGetGrid(m), "-test", path, "/snapshots/u", t, 0, Y));
    assert_petsc(GSFieldRead(GSModelGetGrid(m), "-test", path, "/snapshots/v", t, 1, Y));
    assert_petsc(VecEqual(X, Y, &equal));
    assert_true(equal);
    VecDestroy(&Y);
  }
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

/* GSFieldGather puts component 1 in natural order on rank 0; GSFieldScatter puts a natural-order
   field back into component 0 of every patch and leaves component 1 alone. */
static void test_field_gather_scatter(void **state)
{
  GSModel         m;
  Vec             X;
  PetscMPIInt     rank;
  PetscScalar    *whole  = NULL;
  GSInitialRecipe recipe = GSInitialRecipeDefault(9, 1);
  const GSPatch  *p;
  const GSField  *x;
  (void)state;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  assert_petsc(GSModelCreate(PETSC_COMM_WORLD, &m));
  p = GSModelGetPatch(m);
  assert_petsc(GSModelCreateGlobalVector(m, &X));
  assert_petsc(GSInitialRecipeFill(m, &recipe, X));
  if (rank == 0) assert_petsc(PetscMalloc1(p->nx * p->ny, &whole));
  assert_petsc(GSFieldGather(GSModelGetGrid(m), X, 1, whole));
  if (rank == 0)
    for (PetscInt j = 0; j < p->ny; j++)
      for (PetscInt i = 0; i < p->nx; i++) assert_true(whole[j * p->nx + i] == GSInitialCell(&recipe, i, j, p->nx, p->ny).v);
  if (rank == 0)
    for (PetscInt c = 0; c < p->nx * p->ny; c++) whole[c] = (PetscScalar)c;
  assert_petsc(GSFieldScatter(GSModelGetGrid(m), whole, 0, X));
  assert_petsc(VecGetArrayRead(X, (const PetscScalar **)&x));
  for (PetscInt j = 0; j < p->ym; j++)
    for (PetscInt i = 0; i < p->xm; i++) {
      const GSField c = x[j * p->xm + i];
      assert_true(c.u == (PetscScalar)((p->ys + j) * p->nx + p->xs + i));
      assert_true(c.v == GSInitialCell(&recipe, p->xs + i, p->ys + j, p->nx, p->ny).v);
    }
  assert_petsc(VecRestoreArrayRead(X, (const PetscScalar **)&x));
  PetscFree(whole);
  VecDestroy(&X);
  GSModelDestroy(&m);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_state_round_trip),
    cmocka_unit_test(test_read_on_other_decomposition),
    cmocka_unit_test(test_snapshot_series),
    cmocka_unit_test(test_field_gather_scatter),
  };
  if (GSTestInitialize(&argc, &argv)) return 1;
  return GSTestFinalize(cmocka_run_group_tests_name("io", tests, NULL, NULL));
}
