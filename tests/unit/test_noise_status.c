/* The counter-based noise and initial recipe, and the steady/invalid detectors. */
#include <stdlib.h>

#include "gsinv/physics/noise.h"
#include "gsinv/physics/status.h"
#include "testing.h"

/* Filling the grid patch by patch (rows of patches with GSInitialRow), in any order and split, gives
   the same field as one sweep of GSInitialCell. */
static void test_recipe_independent_of_split(void **state)
{
  (void)state;
  enum { NX = 40, NY = 30 };
  const GSInitialRecipe r = GSInitialRecipeDefault(7, 3);
  static GSField        whole[NY][NX], split[NY][NX];
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++) whole[j][i] = GSInitialCell(&r, i, j, NX, NY);
  const int xcuts[] = {0, 7, 19, 40}, ycuts[] = {0, 13, 30};
  for (int py = 1; py >= 0; py--)
    for (int px = 2; px >= 0; px--)
      for (int j = ycuts[py]; j < ycuts[py + 1]; j++) GSInitialRow(&r, xcuts[px], j, xcuts[px + 1] - xcuts[px], NX, NY, &split[j][xcuts[px]]);
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++) {
      assert_true(whole[j][i].u == split[j][i].u);
      assert_true(whole[j][i].v == split[j][i].v);
    }
}

/* The recipe of docs/model.md section 3: block values, clamping, noise statistics, seed dependence. */
static void test_recipe_values(void **state)
{
  (void)state;
  enum { N = 128 };
  const GSInitialRecipe r = GSInitialRecipeDefault(1, 0), r2 = GSInitialRecipeDefault(2, 0), r3 = GSInitialRecipeDefault(1, 1);
  double                sum = 0, sum2 = 0, zeros = 0, count = 0, differ = 0;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      const GSField c        = GSInitialCell(&r, i, j, N, N);
      const int     in_block = i >= 54 && i <= 73 && j >= 54 && j <= 73;
      if (in_block) {
        assert_close(c.u, 0.5, 0, 0);
        assert_close(c.v, 0.25, 0, 0);
        continue;
      }
      assert_true(c.u >= 0 && c.u <= 1.5 && c.v >= 0 && c.v <= 1);
      sum += c.u;
      sum2 += (c.u - 1) * (c.u - 1);
      zeros += c.v == 0;
      count++;
      differ += GSInitialCell(&r2, i, j, N, N).u != c.u && GSInitialCell(&r3, i, j, N, N).u != c.u;
    }
  assert_close(sum / count, 1.0, 0, 1e-3);
  assert_close(sqrt(sum2 / count), 0.02, 0.03, 0);
  assert_close(zeros / count, 0.5, 0, 0.02);
  assert_true(differ == count);
}

static void test_normal_moments(void **state)
{
  (void)state;
  double    s1 = 0, s2 = 0, s4 = 0;
  const int n = 200000;
  for (int c = 0; c < n; c++) {
    const double z = GSNoiseNormal(11, 0, c, 0);
    s1 += z;
    s2 += z * z;
    s4 += z * z * z * z;
  }
  assert_close(s1 / n, 0.0, 0, 0.01);
  assert_close(s2 / n, 1.0, 0.01, 0);
  assert_close(s4 / n, 3.0, 0.03, 0);
}

/* The ziggurat's layers close: the top one has the area of the others. */
static void test_ziggurat_closure(void **state)
{
  (void)state;
  assert_close(GSNoiseZigguratClosure(), 1.0, 1e-10, 0);
}

/* The ziggurat's numbers are standard normal: chi-square over 1000 bins of equal probability for
   4 10^6 numbers (a wedge test accepting 10% too much scores z = 4.1), the count beyond R = 3.654
   and its mean excess (the tail, 2.6e-4 of the mass; a tail 20% too long is 5 standard errors off). */
static void test_ziggurat_distribution(void **state)
{
  (void)state;
  enum { K = 1000 };
  const int     n = 4000000;
  const double  r = 3.6541528853610088, q = erfc(r / M_SQRT2), excess = sqrt(2 / M_PI) * exp(-r * r / 2) / q - r;
  static double count[K];
  double        chi2 = 0, tail = 0, tail_excess = 0;
  for (int c = 0; c < n; c++) {
    const double z = GSNoiseNormalZiggurat(5, 0, c / 2, c % 2);
    const int    b = (int)(0.5 * erfc(-z / M_SQRT2) * K);
    count[b < K ? b : K - 1]++;
    if (fabs(z) > r) tail++, tail_excess += fabs(z) - r;
  }
  for (int b = 0; b < K; b++) chi2 += (count[b] - (double)n / K) * (count[b] - (double)n / K) / ((double)n / K);
  assert_true((chi2 - (K - 1)) / sqrt(2.0 * (K - 1)) < 3);
  assert_close(tail, q * n, 0, 4 * sqrt(q * n));
  assert_close(tail_excess / tail, excess, 0, 0.025);
}

/* The recipe's values are frozen: a change to either sampler changes every seeded result (the
   Box-Muller values are those of gsinv before the ziggurat). */
static void test_recipe_frozen(void **state)
{
  (void)state;
  const double    expect[2][3][2] = {{{1.003435935790935, 0.02950757154926275}, {1.0227346507541255, 0}, {0.98566138622070809, 0}},
                                     {{1.029034293516186, 0.0037518246604419337}, {1.0168991605379203, 0}, {0.9926539014579997, 0}}};
  GSInitialRecipe r               = GSInitialRecipeDefault(3, 1);
  assert_int_equal(r.sampler, GS_SAMPLER_ZIGGURAT);
  for (int s = 0; s < 2; s++) {
    r.sampler = s ? GS_SAMPLER_BOXMULLER : GS_SAMPLER_ZIGGURAT;
    for (int c = 0; c < 3; c++) {
      const GSField f = GSInitialCell(&r, 5 + 7 * c, 2 + c, 64, 48);
      assert_true(f.u == expect[s][c][0] && f.v == expect[s][c][1]);
    }
  }
}

static GSStepStats StatsOf(size_t n, const GSField *x, const GSField *prev)
{
  GSStepStats s;
  GSStepStatsReset(&s);
  GSStepStatsUpdate(&s, n, x, prev);
  return s;
}

static void test_detectors(void **state)
{
  (void)state;
  GSField     x[4] = {{1, 0.1}, {0.9, 0.2}, {0.8, 0.3}, {0.7, 0.4}}, prev[4] = {{1, 0.1}, {0.9, 0.2 + 3e-5}, {0.8, 0.3}, {0.7 - 5e-5, 0.4}};
  GSStepStats s = StatsOf(4, x, prev);
  assert_close(s.max_change, 5e-5, 1e-9, 0);
  assert_int_equal(GSRunClassify(&s, 1e-4, 10, 100), GS_RUN_STEADY);
  assert_int_equal(GSRunClassify(&s, 1e-5, 10, 100), GS_RUN_RUNNING);
  assert_int_equal(GSRunClassify(&s, 1e-5, 100, 100), GS_RUN_NO_STEADY);
  assert_int_equal(GSRunClassify(&s, 0.0, 100, 100), GS_RUN_FIXED_STEPS);
  assert_int_equal(GSRunClassify(&s, 0.0, 99, 100), GS_RUN_RUNNING);
  x[2].v = 1.0 + 1e-12;
  s      = StatsOf(4, x, NULL);
  assert_int_equal(GSRunClassify(&s, 1e-4, 10, 100), GS_RUN_INVALID_RANGE);
  x[2].v = -1e-300;
  s      = StatsOf(4, x, NULL);
  assert_int_equal(GSRunClassify(&s, 1e-4, 10, 100), GS_RUN_INVALID_RANGE);
  x[2].v = 0.5;
  x[1].u = NAN;
  s      = StatsOf(4, x, NULL);
  assert_int_equal(GSRunClassify(&s, 1e-4, 10, 100), GS_RUN_INVALID_NONFINITE);
  x[1].u = INFINITY;
  s      = StatsOf(4, x, NULL);
  assert_int_equal(GSRunClassify(&s, 1e-4, 10, 100), GS_RUN_INVALID_NONFINITE);
  assert_true(GSRunReasonIsValid(GS_RUN_STEADY) && GSRunReasonIsValid(GS_RUN_FIXED_STEPS) && !GSRunReasonIsValid(GS_RUN_NO_STEADY));
}

/* Merging the statistics of two halves equals the statistics of the whole. */
static void test_stats_merge(void **state)
{
  (void)state;
  GSField     x[6] = {{1, 0.1}, {0.9, 0.7}, {0.8, 0.3}, {0.7, 0.05}, {0.6, 0.5}, {0.5, 0.2}}, p1[6], p2[6];
  GSStepStats a, b, whole;
  for (int c = 0; c < 6; c++) p1[c] = p2[c] = (GSField){x[c].u + 0.01 * c, x[c].v};
  whole = StatsOf(6, x, p1);
  a     = StatsOf(3, x, p2);
  b     = StatsOf(3, x + 3, p2 + 3);
  GSStepStatsMerge(&a, &b);
  assert_close(a.max_change, whole.max_change, 0, 0);
  assert_close(a.neg_vmin, whole.neg_vmin, 0, 0);
  assert_close(a.vmax, whole.vmax, 0, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_recipe_independent_of_split),
    cmocka_unit_test(test_recipe_values),
    cmocka_unit_test(test_normal_moments),
    cmocka_unit_test(test_ziggurat_closure),
    cmocka_unit_test(test_ziggurat_distribution),
    cmocka_unit_test(test_recipe_frozen),
    cmocka_unit_test(test_detectors),
    cmocka_unit_test(test_stats_merge),
  };
  return cmocka_run_group_tests_name("noise_and_status", tests, NULL, NULL);
}
