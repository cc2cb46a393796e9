/* The DMDA operators on 1, 2 and 4 ranks: Jacobian against finite differences of the RHS,
   transposes by dot products, JacobianP against differences in theta, RHS against the serial sweep;
   and the adjoint's automatic checkpoint stride. */
#include "gsinv/gradient/gradient.h"
#include "gsinv/model/initial.h"
#include "gsinv/model/model.h"
#include "mpitest.h"

static GSModel model;
static Vec     x0, d, a, b, f_plus, f_minus, jd;

static PetscErrorCode FillSmooth(Vec X, PetscReal phase)
{
  GSField *x;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayWrite(X, (PetscScalar **)&x));
  for (PetscInt j = 0; j < GSModelGetPatch(model)->ym; j++)
    for (PetscInt i = 0; i < GSModelGetPatch(model)->xm; i++) {
      const double s                        = 2 * PETSC_PI * (GSModelGetPatch(model)->xs + i) / GSModelGetPatch(model)->nx,
                   t                        = 2 * PETSC_PI * (GSModelGetPatch(model)->ys + j) / GSModelGetPatch(model)->ny;
      x[j * GSModelGetPatch(model)->xm + i] = (GSField){0.6 + 0.3 * sin(s + phase) * cos(2 * t), 0.2 + 0.15 * cos(3 * s) * sin(t + phase)};
    }
  PetscCall(VecRestoreArrayWrite(X, (PetscScalar **)&x));
  PetscFunctionReturn(0);
}

static int SetUp(void **state)
{
  (void)state;
  if (GSModelCreate(PETSC_COMM_WORLD, &model)) return 1;
  if (GSModelCreateGlobalVector(model, &x0)) return 1;
  Vec *all[] = {&d, &a, &b, &f_plus, &f_minus, &jd};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    if (VecDuplicate(x0, all[i])) return 1;
  if (FillSmooth(x0, 0.0) || FillSmooth(d, 1.3) || VecSetRandom(a, NULL) || VecSetRandom(b, NULL)) return 1;
  return 0;
}

static int TearDown(void **state)
{
  (void)state;
  Vec *all[] = {&x0, &d, &a, &b, &f_plus, &f_minus, &jd};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) VecDestroy(all[i]);
  return GSModelDestroy(&model) ? 1 : 0;
}

/* (F(x + e d) - F(x - e d)) / 2e into f_plus. */
static void CentralDifference(Vec dir, PetscReal eps)
{
  assert_petsc(VecWAXPY(a, eps, dir, x0));
  assert_petsc(GSModelRHSFunction(NULL, 0, a, f_plus, model));
  assert_petsc(VecWAXPY(a, -eps, dir, x0));
  assert_petsc(GSModelRHSFunction(NULL, 0, a, f_minus, model));
  assert_petsc(VecAXPY(f_plus, -1.0, f_minus));
  assert_petsc(VecScale(f_plus, 1.0 / (2 * eps)));
}

static void test_jacobian_finite_difference(void **state)
{
  PetscReal err, ref;
  (void)state;
  assert_petsc(GSModelSetLinearisationState(model, x0));
  assert_petsc(MatMult(GSModelGetJacobian(model), d, jd));
  CentralDifference(d, 1e-6);
  assert_petsc(VecNorm(jd, NORM_INFINITY, &ref));
  assert_petsc(VecAXPY(f_plus, -1.0, jd));
  assert_petsc(VecNorm(f_plus, NORM_INFINITY, &err));
  assert_close(err / ref, 0.0, 0, 1e-8);
}

static void test_jacobian_transpose_dot_product(void **state)
{
  PetscScalar lhs, rhs;
  (void)state;
  assert_petsc(VecSetRandom(a, NULL));
  assert_petsc(GSModelSetLinearisationState(model, x0));
  assert_petsc(MatMult(GSModelGetJacobian(model), a, jd));
  assert_petsc(VecDot(jd, b, &lhs));
  assert_petsc(MatMultTranspose(GSModelGetJacobian(model), b, jd));
  assert_petsc(VecDot(a, jd, &rhs));
  assert_close(lhs, rhs, 1e-12, 1e-13);
}

static void test_jacobianp_finite_difference(void **state)
{
  Vec       dtheta, jtb;
  PetscReal err, ref;
  (void)state;
  assert_petsc(GSModelSetLinearisationState(model, x0));
  assert_petsc(MatCreateVecs(GSModelGetJacobianP(model), &dtheta, NULL));
  assert_petsc(MatCreateVecs(GSModelGetJacobianP(model), &jtb, NULL));
  for (PetscInt q = 0; q < GS_NPARAM; q++) {
    GSParams base = *GSModelGetParams(model), p = base;
    double   theta[GS_NPARAM];
    assert_petsc(VecSet(dtheta, 0.0));
    assert_petsc(VecSetValue(dtheta, q, 1.0, INSERT_VALUES));
    assert_petsc(VecAssemblyBegin(dtheta));
    assert_petsc(VecAssemblyEnd(dtheta));
    assert_petsc(MatMult(GSModelGetJacobianP(model), dtheta, jd));
    GSParamsToArray(&base, theta);
    theta[q] += 1e-6;
    p = GSParamsFromArray(theta);
    assert_petsc(GSModelSetParams(model, &p));
    assert_petsc(GSModelRHSFunction(NULL, 0, x0, f_plus, model));
    theta[q] -= 2e-6;
    p = GSParamsFromArray(theta);
    assert_petsc(GSModelSetParams(model, &p));
    assert_petsc(GSModelRHSFunction(NULL, 0, x0, f_minus, model));
    assert_petsc(GSModelSetParams(model, &base));
    assert_petsc(VecAXPBY(f_plus, -1.0 / 2e-6, 1.0 / 2e-6, f_minus));
    assert_petsc(VecNorm(jd, NORM_INFINITY, &ref));
    assert_petsc(VecAXPY(f_plus, -1.0, jd));
    assert_petsc(VecNorm(f_plus, NORM_INFINITY, &err));
    assert_close(err / ref, 0.0, 0, 1e-7);
  }
  /* <Jp e, b> == <e, Jp^T b> for a random e */
  PetscScalar lhs, rhs;
  assert_petsc(VecSetRandom(dtheta, NULL));
  assert_petsc(MatMult(GSModelGetJacobianP(model), dtheta, jd));
  assert_petsc(VecDot(jd, b, &lhs));
  assert_petsc(MatMultTranspose(GSModelGetJacobianP(model), b, jtb));
  assert_petsc(VecDot(dtheta, jtb, &rhs));
  assert_close(lhs, rhs, 1e-12, 1e-13);
  VecDestroy(&dtheta);
  VecDestroy(&jtb);
}

/* The decomposed RHS equals the serial periodic sweep of the whole grid, gathered on rank 0. */
static void test_rhs_matches_serial(void **state)
{
  Vec                natural, xz, fz;
  VecScatter         scatter;
  PetscMPIInt        rank;
  const PetscScalar *xs, *fs;
  DM                 da;
  (void)state;
  assert_petsc(GSModelRHSFunction(NULL, 0, x0, f_plus, model));
  assert_petsc(GSModelGetDM(model, &da));
  assert_petsc(DMDACreateNaturalVector(da, &natural));
  assert_petsc(VecScatterCreateToZero(natural, &scatter, &xz));
  assert_petsc(VecDuplicate(xz, &fz));
  Vec in[2] = {x0, f_plus}, out[2] = {xz, fz};
  for (int k = 0; k < 2; k++) {
    assert_petsc(DMDAGlobalToNaturalBegin(da, in[k], INSERT_VALUES, natural));
    assert_petsc(DMDAGlobalToNaturalEnd(da, in[k], INSERT_VALUES, natural));
    assert_petsc(VecScatterBegin(scatter, natural, out[k], INSERT_VALUES, SCATTER_FORWARD));
    assert_petsc(VecScatterEnd(scatter, natural, out[k], INSERT_VALUES, SCATTER_FORWARD));
  }
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank == 0) {
    const size_t n = (size_t)GSModelGetPatch(model)->nx * GSModelGetPatch(model)->ny;
    GSField     *f;
    assert_petsc(PetscMalloc1(n, &f));
    assert_petsc(VecGetArrayRead(xz, &xs));
    assert_petsc(VecGetArrayRead(fz, &fs));
    GSRHSPeriodic(GSModelGetParams(model), GSModelGetPatch(model)->inv_h2, (int)GSModelGetPatch(model)->nx, (int)GSModelGetPatch(model)->ny,
                  (const GSField *)xs, f);
    for (size_t c = 0; c < n; c++) {
      assert_close(((const GSField *)fs)[c].u, f[c].u, 0, 1e-15);
      assert_close(((const GSField *)fs)[c].v, f[c].v, 0, 1e-15);
    }
    assert_petsc(VecRestoreArrayRead(xz, &xs));
    assert_petsc(VecRestoreArrayRead(fz, &fs));
    PetscFree(f);
  }
  VecScatterDestroy(&scatter);
  VecDestroy(&natural);
  VecDestroy(&xz);
  VecDestroy(&fz);
}

/* GSHaloExchange (the model's, on its own decomposition) fills every ghost the star stencil reads
   (not the corners) exactly as the DMDA's DMGlobalToLocal does, from a local array whose ghosts
   start as garbage; GSModelGlobalToLocal gives the same. */
static void test_halo_matches_global_to_local(void **state)
{
  Vec                reference, work, mine;
  const PetscScalar *r, *g;
  PetscScalar       *w;
  PetscInt           checked = 0, n;
  GSHalo             halo    = GSModelGetHalo(model);
  DM                 da;

  (void)state;
  assert_petsc(GSModelGetDM(model, &da));
  assert_petsc(DMCreateLocalVector(da, &reference));
  assert_petsc(GSModelCreateLocalVector(model, &work));
  assert_petsc(VecDuplicate(work, &mine));
  assert_petsc(DMGlobalToLocal(da, a, INSERT_VALUES, reference));
  assert_petsc(VecSet(work, -12345.0));
  assert_petsc(VecGetArrayRead(reference, &r));
  assert_petsc(VecGetArray(work, &w));
  for (PetscInt j = 1; j <= GSModelGetPatch(model)->ym; j++)
    for (PetscInt k = 2 * (j * GSModelGetPatch(model)->gxm + 1); k < 2 * (j * GSModelGetPatch(model)->gxm + 1 + GSModelGetPatch(model)->xm); k++)
      w[k] = r[k];
  assert_petsc(GSHaloExchange(halo, w));
  for (PetscInt j = 0; j < GSModelGetPatch(model)->gym; j++)
    for (PetscInt i = 0; i < GSModelGetPatch(model)->gxm; i++) {
      const PetscBool corner = (PetscBool)((i == 0 || i == GSModelGetPatch(model)->gxm - 1) && (j == 0 || j == GSModelGetPatch(model)->gym - 1));
      if (corner) continue;
      for (int c = 0; c < 2; c++) assert_true(w[2 * (j * GSModelGetPatch(model)->gxm + i) + c] == r[2 * (j * GSModelGetPatch(model)->gxm + i) + c]);
      checked++;
    }
  assert_int_equal(checked, GSModelGetPatch(model)->gxm * GSModelGetPatch(model)->gym - 4);
  assert_petsc(VecSet(mine, -12345.0));
  assert_petsc(GSModelGlobalToLocal(model, a, mine));
  assert_petsc(VecGetLocalSize(mine, &n));
  assert_petsc(VecGetArrayRead(mine, &g));
  for (PetscInt k = 0; k < n; k++) assert_true(g[k] == w[k]);
  assert_petsc(VecRestoreArrayRead(mine, &g));
  assert_petsc(VecRestoreArray(work, &w));
  assert_petsc(VecRestoreArrayRead(reference, &r));
  VecDestroy(&mine);
  VecDestroy(&work);
  VecDestroy(&reference);
}

/* One grid: GSDecomposition's process grid, patch and neighbours equal the DMDA's (PETSc chooses
   them when px and py are PETSC_DECIDE). */
static void CheckDecomposition(PetscInt nx, PetscInt ny, PetscInt px, PetscInt py)
{
  GSDecomposition    d;
  DM                 da;
  PetscInt           xs, ys, xm, ym, m, n;
  const PetscMPIInt *nb;

  assert_petsc(GSDecompositionCreate(PETSC_COMM_WORLD, nx, ny, px, py, &d));
  assert_petsc(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR, nx, ny, px, py, 2, 1, NULL, NULL, &da));
  assert_petsc(DMSetUp(da));
  assert_petsc(DMDAGetInfo(da, NULL, NULL, NULL, NULL, &m, &n, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  assert_petsc(DMDAGetCorners(da, &xs, &ys, NULL, &xm, &ym, NULL));
  assert_petsc(DMDAGetNeighbors(da, &nb));
  assert_int_equal(m, d.px);
  assert_int_equal(n, d.py);
  assert_int_equal(xs, d.xs);
  assert_int_equal(ys, d.ys);
  assert_int_equal(xm, d.xm);
  assert_int_equal(ym, d.ym);
  assert_int_equal(nb[1], d.south);
  assert_int_equal(nb[3], d.west);
  assert_int_equal(nb[5], d.east);
  assert_int_equal(nb[7], d.north);
  DMDestroy(&da);
  GSDecompositionDestroy(&d);
}

static void test_decomposition_matches_dmda(void **state)
{
  const PetscInt grids[][2] = {
    {24, 20}, {20, 24}, {128, 128}, {7, 13}, {13, 7}, {1000, 3}, {3, 1000}, {64, 17}, {17, 64}, {31, 31},
  };
  PetscMPIInt size;

  (void)state;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  for (size_t g = 0; g < sizeof(grids) / sizeof(grids[0]); g++) {
    if (grids[g][0] * grids[g][1] < size) continue;
    CheckDecomposition(grids[g][0], grids[g][1], PETSC_DECIDE, PETSC_DECIDE);
    for (PetscMPIInt px = 1; px <= size; px++)
      if (size % px == 0 && px <= grids[g][0] && size / px <= grids[g][1]) {
        CheckDecomposition(grids[g][0], grids[g][1], px, PETSC_DECIDE);
        CheckDecomposition(grids[g][0], grids[g][1], PETSC_DECIDE, size / px);
      }
  }
}

/* Memory of the two-level scheme at stride s, in states: the checkpoints and one segment. */
static double StrideStates(PetscInt steps, PetscInt s)
{
  return PetscCeilReal((double)steps / s) + s;
}

static void test_checkpoint_stride(void **state)
{
  const double kib = 1024.0, mib = 1048576.0;

  (void)state;
  /* 128^2 on one rank (256 KiB a state), 4 MiB of cache, 512 MiB: the segment fits in cache */
  assert_int_equal(GSCheckpointStride(4800, 256 * kib, 4 * mib, 512 * mib), 16);
  /* 40,000 steps: 16 would need 2,516 states > 2,048; the smallest stride that fits is 20 */
  assert_int_equal(GSCheckpointStride(40000, 256 * kib, 4 * mib, 512 * mib), 20);
  assert_true(StrideStates(40000, 20) <= 2048 && StrideStates(40000, 19) > 2048);
  /* short runs: sqrt(steps) is both in cache and least memory */
  assert_int_equal(GSCheckpointStride(100, 256 * kib, 4 * mib, 512 * mib), 10);
  /* a state larger than the cache: as small as the memory allows (1: no recomputation) */
  assert_int_equal(GSCheckpointStride(27, 16 * mib, 4 * mib, 512 * mib), 1);
  /* nothing fits the budget: sqrt(steps), the least memory */
  assert_int_equal(GSCheckpointStride(40000, 16 * mib, 4 * mib, 512 * mib), 200);
  for (PetscInt steps = 1; steps <= 5000; steps += 7) {
    const PetscInt s = GSCheckpointStride(steps, 256 * kib, 2 * mib, 64 * mib), root = (PetscInt)PetscCeilReal(PetscSqrtReal((double)steps));
    assert_true(s >= 1 && s <= root);
    if (s < root && s > 8) assert_true(StrideStates(steps, s - 1) > 256); /* not smaller than needed */
    if (s < root) assert_true(StrideStates(steps, s) <= 256);             /* and within the budget */
  }
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_jacobian_finite_difference),  cmocka_unit_test(test_jacobian_transpose_dot_product),
    cmocka_unit_test(test_jacobianp_finite_difference), cmocka_unit_test(test_rhs_matches_serial),
    cmocka_unit_test(test_checkpoint_stride),           cmocka_unit_test(test_halo_matches_global_to_local),
    cmocka_unit_test(test_decomposition_matches_dmda),
  };
  if (GSTestInitialize(&argc, &argv)) return 1;
  return GSTestFinalize(cmocka_run_group_tests_name("operators", tests, SetUp, TearDown));
}
