/* Reparameterisations: round trips, the paper's starting guess, derivatives against differences. */
#include "gsinv/physics/reparam.h"
#include "testing.h"

static const double truth[GS_NPARAM] = {GS_TRUTH_F, GS_TRUTH_K, GS_TRUTH_DU, GS_TRUTH_DV};

static void test_round_trip(void **state)
{
  (void)state;
  for (int type = 0; type < 3; type++) {
    double raw[GS_NPARAM], back[GS_NPARAM], d[GS_NPARAM];
    assert_int_equal(GSReparamFromPhysical((GSReparamType)type, truth, raw), 0);
    GSReparamToPhysical((GSReparamType)type, raw, back, d);
    for (int q = 0; q < GS_NPARAM; q++) assert_close(back[q], truth[q], 1e-14, 0);
  }
}

/* docs/model.md section 3: raw (c, d, a, b) = (0, 0, -2, -2) gives F = k = 0.05, Du = Dv = softplus(-2). */
static void test_paper_start(void **state)
{
  (void)state;
  const double raw[GS_NPARAM] = {0, 0, -2, -2};
  double       theta[GS_NPARAM], d[GS_NPARAM];
  GSReparamToPhysical(GS_REPARAM_PAPER, raw, theta, d);
  assert_close(theta[GS_PARAM_F], 0.05, 1e-15, 0);
  assert_close(theta[GS_PARAM_K], 0.05, 1e-15, 0);
  assert_close(theta[GS_PARAM_DU], 0.1269280110429725, 1e-14, 0);
  assert_close(theta[GS_PARAM_DV], 0.1269280110429725, 1e-14, 0);
}

static void test_derivatives(void **state)
{
  (void)state;
  const double raw0[GS_NPARAM] = {-1.3, 0.4, -2.0, 35.0};
  for (int type = 0; type < 3; type++) {
    double theta[GS_NPARAM], d[GS_NPARAM], tp[GS_NPARAM], tm[GS_NPARAM], dd[GS_NPARAM];
    GSReparamToPhysical((GSReparamType)type, raw0, theta, d);
    for (int q = 0; q < GS_NPARAM; q++) {
      double rp[GS_NPARAM], rm[GS_NPARAM];
      for (int r = 0; r < GS_NPARAM; r++) rp[r] = rm[r] = raw0[r];
      rp[q] += 1e-6;
      rm[q] -= 1e-6;
      GSReparamToPhysical((GSReparamType)type, rp, tp, dd);
      GSReparamToPhysical((GSReparamType)type, rm, tm, dd);
      assert_close(d[q], (tp[q] - tm[q]) / 2e-6, 1e-7, 1e-12);
    }
  }
}

static void test_out_of_range(void **state)
{
  (void)state;
  double       raw[GS_NPARAM];
  const double bad_paper[GS_NPARAM] = {0.2, 0.05, 0.1, 0.1}, bad_log[GS_NPARAM] = {0.03, 0.0, 0.1, 0.1};
  assert_int_not_equal(GSReparamFromPhysical(GS_REPARAM_PAPER, bad_paper, raw), 0);
  assert_int_not_equal(GSReparamFromPhysical(GS_REPARAM_LOG, bad_log, raw), 0);
  double       grad[GS_NPARAM], out[GS_NPARAM];
  const double scale[GS_NPARAM] = {2, 3, 4, 5};
  for (int q = 0; q < GS_NPARAM; q++) grad[q] = q + 1;
  GSReparamGradient(scale, grad, out);
  for (int q = 0; q < GS_NPARAM; q++) assert_close(out[q], (q + 1) * scale[q], 0, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip),
    cmocka_unit_test(test_paper_start),
    cmocka_unit_test(test_derivatives),
    cmocka_unit_test(test_out_of_range),
  };
  return cmocka_run_group_tests_name("reparam", tests, NULL, NULL);
}
