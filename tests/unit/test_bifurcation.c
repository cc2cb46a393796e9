/* CMocka tests of the uniform-state bifurcation formulas against docs/model.md sections 4 and 5 and the Jacobian. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gsinv/physics/bifurcation.h"

/* CMocka 1.1.5's assert_float_equal compares in single precision. */
static void AssertClose(double got, double want, double rtol, double atol, const char *expr, const char *file, int line)
{
  const double err = fabs(got - want);
  if (!(err <= atol + rtol * fabs(want))) {
    print_error("%s = %.17g, expected %.17g (error %.3g; rtol %.1g, atol %.1g)\n", expr, got, want, err, rtol, atol);
    _fail(file, line);
  }
}
#define assert_close(got, want, rtol, atol) AssertClose((got), (want), (rtol), (atol), #got, __FILE__, __LINE__)

/* Points (F, k) inside the region where the non-trivial states exist. */
static const double inside[][2] = {
  {0.03, 0.05}, {0.05, 0.06}, {0.06, 0.062}, {0.1, 0.03}, {0.01, 0.02}, {0.2, 0.001}, {0.085, 0.0605}, {0.025, 0.05},
};
#define N_INSIDE (sizeof(inside) / sizeof(inside[0]))

/* Real parts of the two eigenvalues of a real 2x2 matrix, largest first. */
static void Eigen2RealParts(double a[2][2], double *re_max, double *re_min)
{
  const double tr = a[0][0] + a[1][1], det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  const double disc = tr * tr - 4.0 * det;
  *re_max           = disc >= 0.0 ? 0.5 * (tr + sqrt(disc)) : 0.5 * tr;
  *re_min           = disc >= 0.0 ? 0.5 * (tr - sqrt(disc)) : 0.5 * tr;
}

/* The literal docs/model.md formula for F_H, to compare with the library's cancellation-free form. */
static double HopfLiteral(double k)
{
  return 0.5 * (sqrt(k) - 2.0 * k - sqrt(k - 4.0 * pow(k, 1.5)));
}

static void test_uniform_states_identities(void **state)
{
  (void)state;
  for (size_t i = 0; i < N_INSIDE; i++) {
    const double   F = inside[i][0], k = inside[i][1];
    const double   delta = 1.0 - 4.0 * (F + k) * (F + k) / F, s = sqrt(delta);
    const GSParams p = {F, k, 0.0, 0.0};
    GSField        st[2];
    int            n = -1;

    assert_int_equal(GSUniformStates(F, k, st, &n), GS_BIFURCATION_OK);
    assert_int_equal(n, 2);
    assert_close(st[0].u, 0.5 * (1.0 - s), 1e-12, 0.0);
    assert_close(st[0].v, F * (1.0 + s) / (2.0 * (F + k)), 1e-12, 0.0);
    assert_close(st[1].u, 0.5 * (1.0 + s), 1e-12, 0.0);
    assert_close(st[1].v, F * (1.0 - s) / (2.0 * (F + k)), 1e-12, 0.0);
    assert_close(st[0].u * st[0].v, F + k, 1e-13, 0.0);
    assert_close(st[1].u * st[1].v, F + k, 1e-13, 0.0);
    assert_close(st[0].v * st[1].v, F, 1e-13, 0.0);
    for (int b = 0; b < 2; b++) {
      const GSField r = GSReaction(&p, st[b]);
      assert_close(r.u, 0.0, 0.0, 1e-15);
      assert_close(r.v, 0.0, 0.0, 1e-15);
    }
  }
}

static void test_uniform_states_absent_and_domain(void **state)
{
  GSField st[2];
  int     n = -1;

  (void)state;
  assert_int_equal(GSUniformStates(GS_TRUTH_F, GS_TRUTH_K, st, &n), GS_BIFURCATION_OK);
  assert_int_equal(n, 0);
  assert_int_equal(GSUniformStates(0.0, 0.05, st, &n), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSUniformStates(0.05, -0.01, st, &n), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSUniformStates(NAN, 0.05, st, &n), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSUniformStates(0.05, 0.05, NULL, &n), GS_BIFURCATION_ERR_ARG);
}

/* trace k - v^2, det (F+k)(v^2 - F) and the branch Jacobian of section 10 against GSReactionJacobian. */
static void test_trace_det_vs_jacobian(void **state)
{
  (void)state;
  for (size_t i = 0; i < N_INSIDE; i++) {
    const double   F = inside[i][0], k = inside[i][1];
    const GSParams p = {F, k, 0.0, 0.0};
    GSField        st[2];
    int            n;

    assert_int_equal(GSUniformStates(F, k, st, &n), GS_BIFURCATION_OK);
    assert_int_equal(n, 2);
    for (int b = 0; b < 2; b++) {
      double       a[2][2], trace, det;
      const double v = st[b].v;
      GSReactionJacobian(&p, st[b], a);
      GSUniformTraceDet(F, k, v, &trace, &det);
      assert_close(trace, a[0][0] + a[1][1], 1e-12, 1e-15);
      assert_close(det, a[0][0] * a[1][1] - a[0][1] * a[1][0], 1e-11, 1e-16);
      assert_close(a[0][0], -(v * v + F), 1e-14, 0.0);
      assert_close(a[0][1], -2.0 * (F + k), 1e-13, 0.0);
      assert_close(a[1][0], v * v, 1e-14, 0.0);
      assert_close(a[1][1], F + k, 1e-12, 0.0);
    }
    double trace, det;
    GSUniformTraceDet(F, k, st[1].v, &trace, &det);
    assert_true(det < 0.0); /* the lower branch is a saddle */
  }
}

static void test_fold_curve(void **state)
{
  double  k, k_left, k_right;
  GSField st[2];
  int     n;

  (void)state;
  assert_int_equal(GSFoldK(0.04, &k), GS_BIFURCATION_OK);
  assert_close(k, 0.06, 1e-14, 0.0);
  assert_int_equal(GSFoldK(1.0 / 16.0, &k), GS_BIFURCATION_OK);
  assert_close(k, 1.0 / 16.0, 1e-15, 0.0);
  for (double h = 1e-4; h < 0.05; h *= 10.0) {
    assert_int_equal(GSFoldK(1.0 / 16.0 - h, &k_left), GS_BIFURCATION_OK);
    assert_int_equal(GSFoldK(1.0 / 16.0 + h, &k_right), GS_BIFURCATION_OK);
    assert_true(k_left < k && k_right < k);
  }
  assert_int_equal(GSFoldK(GS_TRUTH_F, &k), GS_BIFURCATION_OK);
  assert_close(k, 0.05854, 0.0, 5e-6);
  assert_int_equal(GSUniformStates(GS_TRUTH_F, k - 1e-9, st, &n), GS_BIFURCATION_OK);
  assert_int_equal(n, 2);
  assert_close(st[0].v, st[1].v, 1e-3, 0.0); /* the two branches meet at the fold */
  assert_int_equal(GSUniformStates(GS_TRUTH_F, k + 1e-9, st, &n), GS_BIFURCATION_OK);
  assert_int_equal(n, 0);
  assert_int_equal(GSFoldK(-1e-3, &k), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSFoldK(0.04, NULL), GS_BIFURCATION_ERR_ARG);
}

static void test_hopf_curve(void **state)
{
  double F;

  (void)state;
  assert_int_equal(GSHopfF(0.05, &F), GS_BIFURCATION_OK);
  assert_close(F, 0.025476, 0.0, 5e-7);
  assert_int_equal(GSHopfF(0.06, &F), GS_BIFURCATION_OK);
  assert_close(F, 0.045066, 0.0, 5e-7);
  assert_int_equal(GSHopfF(GS_BOGDANOV_TAKENS, &F), GS_BIFURCATION_OK);
  assert_close(F, GS_BOGDANOV_TAKENS, 1e-15, 0.0);
  for (double k = 0.01; k < 0.0625; k += 0.0025) {
    GSField st[2];
    int     n;
    assert_int_equal(GSHopfF(k, &F), GS_BIFURCATION_OK);
    assert_close(F, HopfLiteral(k), 1e-12, 0.0);
    assert_true(F < k);
    assert_close((F + k) * (F + k), F * sqrt(k), 1e-13, 0.0);
    assert_int_equal(GSUniformStates(F, k, st, &n), GS_BIFURCATION_OK);
    assert_int_equal(n, 2);
    assert_close(st[0].v * st[0].v, k, 1e-12, 0.0);
  }
  assert_int_equal(GSHopfF(0.0, &F), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSHopfF(0.0626, &F), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSHopfF(NAN, &F), GS_BIFURCATION_ERR_DOMAIN);
}

/* F_H is increasing on [0.04, 1/16]: bisect F_H(k) = 0.035. */
static void test_hopf_at_truth_F(void **state)
{
  double k_lo = 0.04, k_hi = GS_BOGDANOV_TAKENS, F;

  (void)state;
  for (int it = 0; it < 100; it++) {
    const double k_mid = 0.5 * (k_lo + k_hi);
    assert_int_equal(GSHopfF(k_mid, &F), GS_BIFURCATION_OK);
    if (F < GS_TRUTH_F) k_lo = k_mid;
    else k_hi = k_mid;
  }
  assert_close(0.5 * (k_lo + k_hi), 0.05601, 0.0, 5e-6);
}

/* The upper branch loses stability through the Hopf curve: stable for F just above F_H(k). */
static void test_hopf_changes_stability(void **state)
{
  (void)state;
  for (double k = 0.03; k < 0.0625; k += 0.005) {
    double       F_h;
    GSTuringInfo above, below;
    assert_int_equal(GSHopfF(k, &F_h), GS_BIFURCATION_OK);
    const GSParams p_above = {F_h + 1e-5, k, 2e-5, 1e-5}, p_below = {F_h - 1e-5, k, 2e-5, 1e-5};
    assert_int_equal(GSTuringAnalyze(&p_above, &above), GS_BIFURCATION_OK);
    assert_int_equal(GSTuringAnalyze(&p_below, &below), GS_BIFURCATION_OK);
    assert_true(above.exists && below.exists);
    assert_true(above.stable && !below.stable);
    assert_true(above.trace < 0.0 && below.trace > 0.0);
  }
}

static void test_turing_check_values(void **state)
{
  const GSParams p1 = {0.06, 0.062, 2e-5, 1e-5}, p2 = {0.085, 0.0605, 2e-5, 1e-5}, p3 = {0.086, 0.0605, 2e-5, 1e-5};
  const GSParams truth = {GS_TRUTH_F, GS_TRUTH_K, GS_TRUTH_DU, GS_TRUTH_DV}, bad = {0.06, 0.062, 0.0, 1e-5};
  GSTuringInfo   info;

  (void)state;
  assert_int_equal(GSTuringAnalyze(&p1, &info), GS_BIFURCATION_OK);
  assert_true(info.exists && info.stable && info.unstable);
  assert_close(info.qc2, 2811.0, 0.0, 0.5);
  assert_int_equal(GSTuringAnalyze(&p2, &info), GS_BIFURCATION_OK);
  assert_true(info.exists && info.stable && !info.unstable);
  assert_int_equal(GSTuringAnalyze(&p3, &info), GS_BIFURCATION_OK);
  assert_true(info.exists && info.stable && info.unstable);
  assert_int_equal(GSTuringAnalyze(&truth, &info), GS_BIFURCATION_OK);
  assert_true(!info.exists && !info.stable && !info.unstable);
  assert_true(isnan(info.margin) && isnan(info.qc2));
  assert_int_equal(GSTuringAnalyze(&bad, &info), GS_BIFURCATION_ERR_DOMAIN);
}

/* Largest growth rate over q^2 of J - q^2 diag(Du, Dv), J = GSReactionJacobian at the upper state. */
static double MaxGrowthRate(const GSParams *p, GSField upper, double q2_max, int n_q)
{
  double a[2][2], best = -INFINITY;

  GSReactionJacobian(p, upper, a);
  for (int i = 0; i <= n_q; i++) {
    const double q2      = q2_max * i / n_q;
    double       m[2][2] = {{a[0][0] - p->Du * q2, a[0][1]}, {a[1][0], a[1][1] - p->Dv * q2}};
    double       re_max, re_min;
    Eigen2RealParts(m, &re_max, &re_min);
    best = fmax(best, re_max);
  }
  return best;
}

/* The closed-form Turing test against a brute-force scan of the dispersion relation, and q_c^2
   against the minimiser of det(J - q^2 D), over a grid of (F, k) and four diffusivity ratios. */
static void test_turing_vs_dispersion(void **state)
{
  const double ratios[]   = {1.5, 2.0, 4.0, 10.0};
  int          n_unstable = 0, n_stable = 0;

  (void)state;
  for (size_t r = 0; r < sizeof(ratios) / sizeof(ratios[0]); r++) {
    for (double F = 0.005; F < 0.2; F += 0.0075) {
      for (double k = 0.005; k < 0.0625; k += 0.0025) {
        const GSParams p = {F, k, ratios[r] * 1e-5, 1e-5};
        GSTuringInfo   info;
        assert_int_equal(GSTuringAnalyze(&p, &info), GS_BIFURCATION_OK);
        if (!info.exists || !info.stable || fabs(info.margin) < 1e-4 * (F + k)) continue;
        const double q2_max = 4.0 * (fabs(info.qc2) + (F + k) / p.Dv);
        const double growth = MaxGrowthRate(&p, info.upper, q2_max, 20000);
        assert_int_equal(growth > 0.0, info.unstable);
        if (info.unstable) {
          double a[2][2];
          GSReactionJacobian(&p, info.upper, a);
          const double q2 = info.qc2, h = 1e-3 * q2;
          const double det_min = (a[0][0] - p.Du * q2) * (a[1][1] - p.Dv * q2) - a[0][1] * a[1][0];
          const double det_lo  = (a[0][0] - p.Du * (q2 - h)) * (a[1][1] - p.Dv * (q2 - h)) - a[0][1] * a[1][0];
          const double det_hi  = (a[0][0] - p.Du * (q2 + h)) * (a[1][1] - p.Dv * (q2 + h)) - a[0][1] * a[1][0];
          assert_true(det_min < 0.0 && det_min < det_lo && det_min < det_hi);
        }
        n_unstable += info.unstable;
        n_stable += !info.unstable;
      }
    }
  }
  assert_true(n_unstable > 20 && n_stable > 20); /* both outcomes were exercised */
}

/* Trivial state (1, 0): the Jacobian is diag(-F, -(F + k)), stable for every F > 0, k >= 0. */
static void test_trivial_state_stable(void **state)
{
  (void)state;
  for (double F = 0.001; F <= 0.3; F += 0.01) {
    for (double k = 0.0; k <= 0.1; k += 0.005) {
      const GSParams p       = {F, k, 0.0, 0.0};
      const GSField  trivial = {1.0, 0.0};
      const GSField  r       = GSReaction(&p, trivial);
      double         a[2][2], re_max, re_min;
      assert_true(r.u == 0.0 && r.v == 0.0);
      GSReactionJacobian(&p, trivial, a);
      Eigen2RealParts(a, &re_max, &re_min);
      assert_true(re_max < 0.0 && re_min < 0.0);
    }
  }
}

static void test_fold_and_hopf_sampling(void **state)
{
  double F[101], k[101];

  (void)state;
  assert_int_equal(GSFoldCurveSample(0.0, 0.25, 101, F, k), GS_BIFURCATION_OK);
  assert_true(F[0] == 0.0 && F[100] == 0.25 && k[0] == 0.0);
  for (int i = 1; i < 101; i++) assert_close(4.0 * (F[i] + k[i]) * (F[i] + k[i]), F[i], 1e-12, 1e-17);
  assert_int_equal(GSHopfCurveSample(0.01, GS_BOGDANOV_TAKENS, 50, F, k), GS_BIFURCATION_OK);
  assert_true(k[0] == 0.01 && k[49] == GS_BOGDANOV_TAKENS);
  assert_close(F[49], GS_BOGDANOV_TAKENS, 1e-15, 0.0);
  for (int i = 0; i < 50; i++) assert_close((F[i] + k[i]) * (F[i] + k[i]), F[i] * sqrt(k[i]), 1e-13, 0.0);
  assert_int_equal(GSHopfCurveSample(0.0, 0.05, 10, F, k), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSHopfCurveSample(0.03, 0.07, 10, F, k), GS_BIFURCATION_ERR_DOMAIN);
  assert_int_equal(GSHopfCurveSample(0.05, 0.03, 10, F, k), GS_BIFURCATION_ERR_ARG);
  assert_int_equal(GSFoldCurveSample(0.0, 0.1, 0, F, k), GS_BIFURCATION_ERR_ARG);
  assert_int_equal(GSFoldCurveSample(-0.1, 0.1, 10, F, k), GS_BIFURCATION_ERR_DOMAIN);
}

/* Turing-unstable state at (F, k) for the diffusivities of the boundary test (0 where none exists). */
static int TuringUnstableAt(double F, double k)
{
  const GSParams p = {F, k, 2e-5, 1e-5};
  GSTuringInfo   info;
  assert_int_equal(GSTuringAnalyze(&p, &info), GS_BIFURCATION_OK);
  return info.unstable;
}

static void test_turing_boundary_check_values(void **state)
{
  double k, F_rise, F_fall;
  double ks[2], rises[2], falls[2];

  (void)state;
  assert_int_equal(GSTuringBoundarySample(2e-5, 1e-5, 0.0605, 0.0605, 1, 0.0, 0.3, 2000, &k, &F_rise, &F_fall), GS_BIFURCATION_OK);
  assert_true(F_rise > 0.085 && F_rise < 0.086);
  assert_true(isnan(F_fall)); /* the only fall crossing at this k lies where the branch is Hopf-unstable */
  assert_int_equal(GSTuringBoundarySample(2e-5, 1e-5, 0.062, 0.07, 2, 0.0, 0.3, 2000, ks, rises, falls), GS_BIFURCATION_OK);
  assert_true(falls[0] > 0.06 && falls[0] < rises[0]); /* (0.06, 0.062) lies on the unstable side */
  assert_close(falls[0], 0.06416, 0.0, 1e-5);
  assert_close(rises[0], 0.06487, 0.0, 1e-5);
  assert_true(isnan(rises[1]) && isnan(falls[1])); /* k = 0.07 > 1/16: no upper branch */
  assert_int_equal(GSTuringBoundarySample(2e-5, 1e-5, 0.05, 0.06, 3, 0.0, 0.3, 1, ks, rises, falls), GS_BIFURCATION_ERR_ARG);
  assert_int_equal(GSTuringBoundarySample(0.0, 1e-5, 0.05, 0.06, 3, 0.0, 0.3, 10, ks, rises, falls), GS_BIFURCATION_ERR_DOMAIN);
}

/* Every returned crossing separates Turing-unstable from stable states on its documented side. */
static void test_turing_boundary_sides(void **state)
{
  enum { N_K = 60 };
  double k[N_K], F_rise[N_K], F_fall[N_K];
  int    n_found = 0;

  (void)state;
  assert_int_equal(GSTuringBoundarySample(2e-5, 1e-5, 0.005, 0.0645, N_K, 0.0, 0.3, 400, k, F_rise, F_fall), GS_BIFURCATION_OK);
  for (int i = 0; i < N_K; i++) {
    const double h = 1e-9;
    if (k[i] > GS_BOGDANOV_TAKENS) assert_true(isnan(F_rise[i]) && isnan(F_fall[i]));
    if (!isnan(F_rise[i])) {
      GSField st[2];
      int     n;
      assert_int_equal(GSUniformStates(F_rise[i] + h, k[i], st, &n), GS_BIFURCATION_OK);
      assert_false(TuringUnstableAt(F_rise[i] - h, k[i]));
      if (n == 2) assert_true(TuringUnstableAt(F_rise[i] + h, k[i]));
      n_found++;
    }
    if (!isnan(F_fall[i])) {
      assert_true(TuringUnstableAt(F_fall[i] - h, k[i]));
      assert_false(TuringUnstableAt(F_fall[i] + h, k[i]));
      n_found++;
    }
    if (!isnan(F_rise[i]) && !isnan(F_fall[i])) assert_true(F_fall[i] < F_rise[i]);
  }
  assert_true(n_found > N_K / 2);
}

/* The paper's map: 128^2 periodic grid, h = 1, forward Euler dt = 1. */
static const GSMapGrid paper_map = {1.0, 1.0, 128, 128};

/* Spectral radius of the real 2x2 matrix m from its closed-form eigenvalues. */
static double Radius2(double m[2][2])
{
  const double tr = m[0][0] + m[1][1], det = m[0][0] * m[1][1] - m[0][1] * m[1][0], disc = tr * tr - 4.0 * det;
  if (disc < 0.0) return sqrt(det);
  return fmax(fabs(0.5 * (tr + sqrt(disc))), fabs(0.5 * (tr - sqrt(disc))));
}

/* Brute force: the largest spectral radius of I + dt (J - Lambda D) over every wavenumber of the
   grid (or only q = 0), at the upper uniform state written out from its closed form. */
static double MapRadiusBrute(double F, double k, double Du, double Dv, const GSMapGrid *g, int only_q0)
{
  const double s = sqrt(fmax(0.0, 1.0 - 4.0 * (F + k) * (F + k) / F));
  const double v = F * (1.0 + s) / (2.0 * (F + k)), u = (F + k) / v;
  double       worst = 0.0;

  for (int mx = 0; mx < g->nx; mx++) {
    for (int my = 0; my < g->ny; my++) {
      if (only_q0 && (mx || my)) continue;
      const double qx = 2.0 * M_PI * mx / (g->nx * g->h), qy = 2.0 * M_PI * my / (g->ny * g->h);
      const double L       = 4.0 / (g->h * g->h) * (pow(sin(qx * g->h / 2), 2) + pow(sin(qy * g->h / 2), 2));
      double       m[2][2] = {{1.0 + g->dt * (-(v * v + F) - L * Du), g->dt * (-2.0 * u * v)},
                              {g->dt * v * v, 1.0 + g->dt * (2.0 * u * v - (F + k) - L * Dv)}};
      worst                = fmax(worst, Radius2(m));
    }
  }
  return worst;
}

/* Neimark-Sacker curve of the paper's map: check values, radius 1 on it, > 1 below, < 1 above. */
static void test_map_neimark_sacker(void **state)
{
  const double k_check[3] = {0.05, 0.055, 0.06}, F_check[3] = {0.0259813, 0.0337108, 0.0457109};

  (void)state;
  for (int i = 0; i < 3; i++) {
    double k, rise, fall, F_hopf;
    assert_int_equal(GSMapBoundarySample(GS_MAP_NEIMARK_SACKER, 0.16, 0.08, &paper_map, k_check[i], k_check[i], 1, 0.0, 0.1, 200, &k, &rise, &fall),
                     GS_BIFURCATION_OK);
    assert_close(rise, F_check[i], 0.0, 1e-7);
    assert_true(isnan(fall));
    assert_int_equal(GSHopfF(k, &F_hopf), GS_BIFURCATION_OK);
    assert_true(rise > F_hopf + 4e-4 && rise < F_hopf + 7e-4); /* the map loses stability above the ODE's Hopf curve */
    assert_close(MapRadiusBrute(rise, k, 0.16, 0.08, &paper_map, 1), 1.0, 0.0, 1e-8);
    assert_true(MapRadiusBrute(rise - 1e-6, k, 0.16, 0.08, &paper_map, 1) > 1.0);
    assert_true(MapRadiusBrute(rise + 1e-6, k, 0.16, 0.08, &paper_map, 1) < 1.0);
  }
}

/* With dt = 0 (continuous time) the Neimark-Sacker margin is -trace J: its root is the Hopf curve. */
static void test_map_dt0_is_hopf(void **state)
{
  const GSMapGrid ode = {0.0, 1.0, 128, 128};
  double          k, rise, fall, F_hopf;

  (void)state;
  assert_int_equal(GSMapBoundarySample(GS_MAP_NEIMARK_SACKER, 0.16, 0.08, &ode, 0.055, 0.055, 1, 0.0, 0.1, 200, &k, &rise, &fall), GS_BIFURCATION_OK);
  assert_int_equal(GSHopfF(0.055, &F_hopf), GS_BIFURCATION_OK);
  assert_close(rise, F_hopf, 1e-12, 0.0);
  assert_true(GSMapMargin(GS_MAP_FLIP, &(GSParams){0.05, 0.055, 0.16, 0.08}, &ode) > 0.0);
}

/* The map's Turing boundary over the grid's wavenumbers: radius 1 on it over every mode, and the
   documented sides. delta = 2 as in the paper, on a 64^2 grid. */
static void test_map_turing(void **state)
{
  enum { N_K = 12 };
  const GSMapGrid g = {1.0, 1.0, 64, 64};
  double          k[N_K], rise[N_K], fall[N_K];
  int             found = 0;

  (void)state;
  assert_int_equal(GSMapBoundarySample(GS_MAP_TURING, 0.16, 0.08, &g, 0.055, 0.0624, N_K, 0.0, 0.1, 200, k, rise, fall), GS_BIFURCATION_OK);
  for (int i = 0; i < N_K; i++) {
    const double Fc[2] = {rise[i], fall[i]};
    for (int side = 0; side < 2; side++) {
      if (isnan(Fc[side])) continue;
      const double stable_dir = side == 0 ? 1.0 : -1.0, dF = 1e-7;
      assert_close(MapRadiusBrute(Fc[side], k[i], 0.16, 0.08, &g, 0), 1.0, 0.0, 1e-8);
      assert_true(MapRadiusBrute(Fc[side] + stable_dir * dF, k[i], 0.16, 0.08, &g, 0) < 1.0);
      assert_true(MapRadiusBrute(Fc[side] - stable_dir * dF, k[i], 0.16, 0.08, &g, 0) > 1.0);
      found++;
    }
  }
  assert_true(found >= N_K / 2);
}

/* A flip needs D dt Lambda near 2: none at the paper's diffusivities; with Du = 0.22 (under the
   explicit bound 0.25) it exists, with a real eigenvalue -1 and radius 1 on it. */
static void test_map_flip(void **state)
{
  enum { N_K = 8 };
  const GSMapGrid g = {1.0, 1.0, 32, 32};
  double          k[N_K], rise[N_K], fall[N_K];
  int             found = 0;

  (void)state;
  assert_int_equal(GSMapBoundarySample(GS_MAP_FLIP, 0.16, 0.08, &paper_map, 0.05, 0.0624, N_K, 0.0, 0.1, 100, k, rise, fall), GS_BIFURCATION_OK);
  for (int i = 0; i < N_K; i++) assert_true(isnan(rise[i]) && isnan(fall[i]));
  assert_int_equal(GSMapBoundarySample(GS_MAP_FLIP, 0.22, 0.08, &g, 0.04, 0.05, N_K, 0.02, 0.1, 200, k, rise, fall), GS_BIFURCATION_OK);
  for (int i = 0; i < N_K; i++) {
    const double Fc[2] = {rise[i], fall[i]};
    for (int side = 0; side < 2; side++) {
      if (isnan(Fc[side])) continue;
      const double stable_dir = side == 0 ? 1.0 : -1.0;
      assert_close(MapRadiusBrute(Fc[side], k[i], 0.22, 0.08, &g, 0), 1.0, 0.0, 1e-8);
      assert_true(MapRadiusBrute(Fc[side] + stable_dir * 1e-7, k[i], 0.22, 0.08, &g, 0) < 1.0);
      assert_true(MapRadiusBrute(Fc[side] - stable_dir * 1e-7, k[i], 0.22, 0.08, &g, 0) > 1.0);
      found++;
    }
  }
  assert_true(found >= N_K);
}

/* GSUniformStateMapStable agrees with the brute force; the point (0.039375, 0.0578) has an
   upper state stable for the ODE but not for the map; (1, 0) is stable below the explicit bound. */
static void test_uniform_state_map_stable(void **state)
{
  const GSMapGrid ode     = {0.0, 1.0, 128, 128};
  const GSParams  p       = {0.039375, 0.0578, 0.16, 0.08};
  const GSField   trivial = {1.0, 0.0};
  GSField         st[2];
  int             n, stable;
  double          growth;

  (void)state;
  assert_int_equal(GSUniformStates(p.F, p.k, st, &n), GS_BIFURCATION_OK);
  assert_int_equal(n, 2);
  assert_int_equal(GSUniformStateMapStable(&p, st[0], &paper_map, &stable, &growth), GS_BIFURCATION_OK);
  assert_false(stable);
  assert_close(growth, MapRadiusBrute(p.F, p.k, p.Du, p.Dv, &paper_map, 0), 1e-12, 0.0);
  assert_int_equal(GSUniformStateMapStable(&p, st[0], &ode, &stable, &growth), GS_BIFURCATION_OK);
  assert_true(stable && growth < 0.0);
  assert_int_equal(GSUniformStateMapStable(&p, trivial, &paper_map, &stable, &growth), GS_BIFURCATION_OK);
  assert_true(stable);
  assert_close(growth, 1.0 - p.F, 1e-12, 0.0); /* the slowest mode q = 0 of diag(1 - F, 1 - F - k) */
  const GSParams fast = {p.F, p.k, 0.26, 0.08};
  assert_int_equal(GSUniformStateMapStable(&fast, trivial, &paper_map, &stable, &growth), GS_BIFURCATION_OK);
  assert_false(stable);
  assert_int_equal(GSUniformStateMapStable(&p, trivial, NULL, &stable, &growth), GS_BIFURCATION_ERR_ARG);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_uniform_states_identities),
    cmocka_unit_test(test_uniform_states_absent_and_domain),
    cmocka_unit_test(test_trace_det_vs_jacobian),
    cmocka_unit_test(test_fold_curve),
    cmocka_unit_test(test_hopf_curve),
    cmocka_unit_test(test_hopf_at_truth_F),
    cmocka_unit_test(test_hopf_changes_stability),
    cmocka_unit_test(test_turing_check_values),
    cmocka_unit_test(test_turing_vs_dispersion),
    cmocka_unit_test(test_trivial_state_stable),
    cmocka_unit_test(test_fold_and_hopf_sampling),
    cmocka_unit_test(test_turing_boundary_check_values),
    cmocka_unit_test(test_turing_boundary_sides),
    cmocka_unit_test(test_map_neimark_sacker),
    cmocka_unit_test(test_map_dt0_is_hopf),
    cmocka_unit_test(test_map_turing),
    cmocka_unit_test(test_map_flip),
    cmocka_unit_test(test_uniform_state_map_stable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
