/* CMocka tests of the Taylor test's analysis: steps over decades, the rate-2 range, the flags. */
#include <math.h>

#include "testing.h"

#include "gsinv/physics/taylor.h"

/* remainder(h) = a h + b h^2 + floor at the steps 1e-1 .. 1e-9. */
static GSTaylorSweep Sweep(double a, double b, double floor)
{
  GSTaylorSweep t = {0};

  t.n = GSTaylorSteps(1e-1, 1e-9, 1, t.h);
  for (int i = 0; i < t.n; i++) t.remainder[i] = a * t.h[i] + b * t.h[i] * t.h[i] + floor, t.valid[i] = 1;
  return t;
}

static void test_steps(void **state)
{
  double h[GS_TAYLOR_MAX];

  assert_int_equal(GSTaylorSteps(1e-1, 1e-9, 1, h), 9);
  assert_close(h[8], 1e-9, 1e-12, 0);
  assert_int_equal(GSTaylorSteps(1e-2, 1e-4, 2, h), 5);
  assert_close(h[1], 1e-2 / sqrt(10.0), 1e-12, 0);
  assert_int_equal(GSTaylorSteps(1e-4, 1e-2, 1, h), 0);
  assert_int_equal(GSTaylorSteps(1e-1, 1e-9, 9, h), 0);
  (void)state;
}

/* A correct gradient: rate 2 down to round-off; the chosen step is inside the range. */
static void test_second_order(void **state)
{
  GSTaylorSweep t = Sweep(0, 3.0, 1e-15);

  GSTaylorAnalyse(&t, 0, 1.0);
  assert_int_equal(t.flags, 0);
  assert_true(t.range_first == 0 && t.range_hi == t.h[0]);
  assert_true(t.range_lo <= 1e-6 && t.range_lo >= 1e-8);
  assert_true(t.rate_chosen >= GS_TAYLOR_RATE_LO && t.rate_chosen <= GS_TAYLOR_RATE_HI);
  (void)state;
}

/* A wrong gradient under curvature: rate 2 at large steps, 1 below: flagged as first order. */
static void test_wrong_gradient(void **state)
{
  GSTaylorSweep t = Sweep(1e-3, 10.0, 0);

  GSTaylorAnalyse(&t, 0, 1.0);
  assert_true(t.range_first == 0);
  assert_true(t.flags & GS_TAYLOR_FIRST_ORDER);
  t = Sweep(1e-3, 0, 0);
  GSTaylorAnalyse(&t, 0, 1.0);
  assert_true((t.flags & GS_TAYLOR_NO_RANGE) && (t.flags & GS_TAYLOR_RATE_OFF) && (t.flags & GS_TAYLOR_FIRST_ORDER));
  assert_true(isnan(t.range_hi) && isnan(t.h_chosen));
  (void)state;
}

/* A step given outside the range is checked there and flagged; invalid runs break no range. */
static void test_given_step_and_invalid(void **state)
{
  GSTaylorSweep t = Sweep(0, 3.0, 1e-15);
  char          words[256];

  t.remainder[0] = 1.0; /* curvature at the largest step: rate far from 2 between 1e-1 and 1e-2 */
  GSTaylorAnalyse(&t, 5e-2, 1.0);
  assert_true(t.flags == GS_TAYLOR_RATE_OFF && t.h_chosen == 5e-2);
  GSTaylorDescribeFlags(t.flags, words, sizeof(words));
  assert_string_equal(words, "rate at the chosen step outside [1.9, 2.1]");
  t          = Sweep(0, 3.0, 0);
  t.valid[0] = 0;
  GSTaylorAnalyse(&t, 0, 1.0);
  assert_true(isnan(t.rate[0]) && t.range_first == 1 && t.flags == 0);
  (void)state;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_steps),
    cmocka_unit_test(test_second_order),
    cmocka_unit_test(test_wrong_gradient),
    cmocka_unit_test(test_given_step_and_invalid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
