/* CMocka tests of the weak-form residual pieces: summation by parts, the cubic term's noise correction, the noise gain. */
#include <math.h>
#include <stdlib.h>

#include "testing.h"

#include "gsinv/physics/noise.h"
#include "gsinv/physics/residual_weak.h"

enum { NX = 24, NY = 20, NCELLS = NX * NY, RADIUS = 5, SPACING = 3, POWER = 4 };

/* A periodic field with structure at every scale: a smooth mode plus hashed noise. */
static void RoughField(double x[NCELLS])
{
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++)
      x[j * NX + i] = 0.3 + 0.2 * sin(6.283185307179586 * (2.0 * i / NX + 1.0 * j / NY)) + 0.05 * GSNoiseNormal(7, 0, j * NX + i, 1);
}

/* The 5-point periodic Laplacian of a whole grid, 1/h^2 = inv_h2. */
static double LapAt(const double *x, int i, int j, double inv_h2)
{
  const int w = (i + NX - 1) % NX, e = (i + 1) % NX, s = (j + NY - 1) % NY, n = (j + 1) % NY;
  return (x[j * NX + w] + x[j * NX + e] + x[s * NX + i] + x[n * NX + i] - 4.0 * x[j * NX + i]) * inv_h2;
}

/* phi and L(phi) of every test function on the whole grid, from the axis entries. */
static void TestFunctionsOnGrid(const GSWeakTests *t, double *phi, double *lap_phi)
{
  GSWeakAxisEntry ex[2 * RADIUS + 1], ey[2 * RADIUS + 1];

  for (int j = 0; j < NY; j++) {
    const int ny = GSWeakAxisEntries(t, NY, t->ncy, j, ey);
    for (int i = 0; i < NX; i++) {
      const int nx = GSWeakAxisEntries(t, NX, t->ncx, i, ex);
      for (int b = 0; b < ny; b++)
        for (int a = 0; a < nx; a++) {
          const int64_t k                  = ey[b].centre * t->ncx + ex[a].centre;
          phi[k * NCELLS + j * NX + i]     = ex[a].b * ey[b].b;
          lap_phi[k * NCELLS + j * NX + i] = (ex[a].d2b * ey[b].b + ex[a].b * ey[b].d2b) * t->inv_h2;
        }
    }
  }
}

/* sum phi L(u) = sum u L(phi) for every test function (to round-off), and L(phi) from the axis
   entries is the 5-point Laplacian of phi. */
static void test_summation_by_parts(void **state)
{
  GSWeakTests  t;
  double       u[NCELLS];
  const double h = 0.7;

  assert_int_equal(GSWeakTestsSetUp(&t, NX, NY, h, RADIUS, SPACING, POWER), 0);
  const int64_t ntest = GSWeakTestsCount(&t);
  assert_int_equal(ntest, (NX / SPACING) * (NY / SPACING));
  double *phi = calloc((size_t)ntest * NCELLS, sizeof(double)), *lap_phi = calloc((size_t)ntest * NCELLS, sizeof(double));
  RoughField(u);
  TestFunctionsOnGrid(&t, phi, lap_phi);
  for (int64_t k = 0; k < ntest; k++) {
    double strong = 0, weak = 0, scale = 0, support = 0;
    for (int j = 0; j < NY; j++)
      for (int i = 0; i < NX; i++) {
        const double *p = phi + k * NCELLS;
        assert_close(lap_phi[k * NCELLS + j * NX + i], LapAt(p, i, j, t.inv_h2), 1e-13, 1e-13);
        strong += p[j * NX + i] * LapAt(u, i, j, t.inv_h2);
        weak += u[j * NX + i] * lap_phi[k * NCELLS + j * NX + i];
        scale += fabs(p[j * NX + i] * LapAt(u, i, j, t.inv_h2));
        support += p[j * NX + i] > 0;
      }
    assert_true(support == (2 * RADIUS - 1) * (2 * RADIUS - 1));
    assert_close(weak, strong, 0, 1e-14 * scale);
  }
  free(phi);
  free(lap_phi);
  (void)state;
}

/* b_v of a row pooled over many noisy observations of one cell: with the correction it is the
   noise-free -u v^2; without it, off by about u sigma^2 (many standard errors away). */
static void test_cubic_bias_correction(void **state)
{
  const double   u = 0.5, v = 0.3, sigma = 0.2;
  const int      n                 = 1000000;
  double         row[GS_WEAK_NROW] = {0};
  GSResidualSums with, without;

  for (int s = 0; s < n; s++) {
    const GSField x = {u + sigma * GSNoiseNormal(11, s, 0, 1), v + sigma * GSNoiseNormal(11, s, 0, 2)}, x_t = {0, 0};
    GSWeakRowAddCell(row, 1.0 / n, 0.0, x, x_t);
  }
  GSResidualSumsZero(&with);
  GSResidualSumsZero(&without);
  GSWeakSumsAddRow(&with, row, sigma * sigma, 0);
  GSWeakSumsAddRow(&without, row, 0.0, 0);
  /* atb[k] = -sum phi v * b_v: only the v-row has a k column */
  const double b_with = -with.atb[GS_PARAM_K] / row[GS_WEAK_ROW_V], b_without = -without.atb[GS_PARAM_K] / row[GS_WEAK_ROW_V];
  assert_close(b_with, -u * v * v, 0, 1e-3);
  assert_close(b_without, -u * v * v - u * sigma * sigma, 0, 1e-3);
  assert_close(with.ncells, 1.0, 0, 0);
  (void)state;
}

/* C(2m, m)^2, and the differenced white noise of a periodic grid has that variance gain. */
static void test_noise_gain(void **state)
{
  enum { N = 128, ORDER = 4 };
  static double x[N * N], y[N * N];
  double        ssq = 0;

  assert_close(GSWeakNoiseGain(1), 4.0, 0, 0);
  assert_close(GSWeakNoiseGain(4), 4900.0, 0, 0);
  for (int c = 0; c < N * N; c++) x[c] = 0.01 * GSNoiseNormal(3, 0, c, 0);
  for (int pass = 0; pass < 2 * ORDER; pass++) {
    for (int j = 0; j < N; j++)
      for (int i = 0; i < N; i++) y[j * N + i] = x[j * N + i] - (pass < ORDER ? x[j * N + (i + N - 1) % N] : x[((j + N - 1) % N) * N + i]);
    for (int c = 0; c < N * N; c++) x[c] = y[c];
  }
  for (int c = 0; c < N * N; c++) ssq += x[c] * x[c];
  assert_close(sqrt(ssq / (N * N * GSWeakNoiseGain(ORDER))), 0.01, 0.05, 0);
  (void)state;
}

static void test_set_up_rejects(void **state)
{
  GSWeakTests t;

  assert_int_equal(GSWeakTestsSetUp(&t, 16, 16, 1.0, 1, 4, 6), -1);
  assert_int_equal(GSWeakTestsSetUp(&t, 16, 16, 1.0, 8, 4, 6), -1);
  assert_int_equal(GSWeakTestsSetUp(&t, 16, 16, 1.0, 7, 0, 6), -1);
  assert_int_equal(GSWeakTestsSetUp(&t, 16, 16, 0.0, 7, 4, 6), -1);
  assert_int_equal(GSWeakTestsSetUp(&t, 16, 16, 1.0, 7, 4, 6), 0);
  (void)state;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_summation_by_parts),
    cmocka_unit_test(test_cubic_bias_correction),
    cmocka_unit_test(test_noise_gain),
    cmocka_unit_test(test_set_up_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
