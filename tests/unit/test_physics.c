/* Pointwise Gray-Scott terms against closed forms and finite differences. */
#include <stdlib.h>

#include "gsinv/physics/kernels.h"
#include "gsinv/physics/stencil.h"
#include "testing.h"

enum { NX = 16, NY = 12 };

static GSParams Truth(void)
{
  GSParams p = {GS_TRUTH_F, GS_TRUTH_K, GS_TRUTH_DU, GS_TRUTH_DV};
  return p;
}

/* A smooth periodic field with structure in both directions. */
static void SmoothField(GSField *x, double phase)
{
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++) {
      const double a = 2 * M_PI * i / NX, b = 2 * M_PI * j / NY;
      x[j * NX + i] = (GSField){0.6 + 0.3 * sin(a + phase) * cos(2 * b), 0.2 + 0.15 * cos(3 * a) * sin(b + phase)};
    }
}

/* The discrete Laplacian of cos(2 pi m i / n) is -4 sin^2(pi m / n) times it (unit spacing),
   divided by h^2 otherwise. */
static void test_laplacian_eigenfunction(void **state)
{
  (void)state;
  const double h = 0.5, inv_h2 = 1 / (h * h);
  for (int m = 0; m < NX; m++) {
    const double lambda = -4.0 * pow(sin(M_PI * m / NX), 2) * inv_h2;
    for (int i = 0; i < NX; i++) {
      const double c = cos(2 * M_PI * m * i / NX), w = cos(2 * M_PI * m * (i - 1) / NX), e = cos(2 * M_PI * m * (i + 1) / NX);
      assert_close(GSLaplacian(c, w, e, c, c, inv_h2), lambda * c, 1e-12, 1e-12);
    }
  }
}

static void test_reaction_closed_form(void **state)
{
  (void)state;
  const GSParams p = Truth();
  GSField        r = GSReaction(&p, (GSField){1.0, 0.0});
  assert_close(r.u, 0.0, 0, 0);
  assert_close(r.v, 0.0, 0, 0);
  r = GSReaction(&p, (GSField){0.5, 0.25});
  assert_close(r.u, -0.5 * 0.0625 + 0.035 * 0.5, 1e-15, 0);
  assert_close(r.v, 0.5 * 0.0625 - 0.1 * 0.25, 1e-15, 0);
  /* On a uniform non-trivial state u v = F + k and the reaction vanishes (docs/model.md section 4). */
  const double   F = 0.04, k = 0.055, delta = 1 - 4 * (F + k) * (F + k) / F;
  const double   u = (1 - sqrt(delta)) / 2, v = F * (1 + sqrt(delta)) / (2 * (F + k));
  const GSParams q = {F, k, 0.1, 0.05};
  r                = GSReaction(&q, (GSField){u, v});
  assert_close(r.u, 0.0, 0, 1e-15);
  assert_close(r.v, 0.0, 0, 1e-15);
}

static void test_rhs_uniform_is_reaction(void **state)
{
  (void)state;
  const GSParams p = Truth();
  const GSField  c = {0.7, 0.3}, f = GSRHSPoint(&p, 1.0, c, c, c, c, c), r = GSReaction(&p, c);
  assert_close(f.u, r.u, 0, 0);
  assert_close(f.v, r.v, 0, 0);
}

/* J d against (f(x + eps d) - f(x - eps d)) / (2 eps) over a whole periodic grid. */
static void test_jacobian_finite_difference(void **state)
{
  (void)state;
  const GSParams p   = Truth();
  const double   eps = 1e-6;
  GSField        x[NX * NY], d[NX * NY], xp[NX * NY], xm[NX * NY], fp[NX * NY], fm[NX * NY], jd[NX * NY];
  SmoothField(x, 0.0);
  SmoothField(d, 1.3);
  for (int c = 0; c < NX * NY; c++) {
    xp[c] = (GSField){x[c].u + eps * d[c].u, x[c].v + eps * d[c].v};
    xm[c] = (GSField){x[c].u - eps * d[c].u, x[c].v - eps * d[c].v};
  }
  GSRHSPeriodic(&p, 1.0, NX, NY, xp, fp);
  GSRHSPeriodic(&p, 1.0, NX, NY, xm, fm);
  GS_SWEEP_PERIODIC(NX, NY, d, {
    double a[2][2];
    GSReactionJacobian(&p, x[idx], a);
    jd[idx] = GSJacobianPoint(&p, 1.0, a, c, w, e, s, n);
  });
  for (int c = 0; c < NX * NY; c++) {
    assert_close(jd[c].u, (fp[c].u - fm[c].u) / (2 * eps), 1e-7, 1e-9);
    assert_close(jd[c].v, (fp[c].v - fm[c].v) / (2 * eps), 1e-7, 1e-9);
  }
}

/* <J a, b> == <a, J^T b> on a periodic grid (dot-product test). */
static void test_jacobian_transpose_dot_product(void **state)
{
  (void)state;
  const GSParams p = Truth();
  GSField        x[NX * NY], a[NX * NY], b[NX * NY], ja[NX * NY], jtb[NX * NY];
  double         lhs = 0, rhs = 0;
  SmoothField(x, 0.4);
  for (int c = 0; c < NX * NY; c++) {
    a[c] = (GSField){sin(0.37 * c), cos(0.11 * c * c)};
    b[c] = (GSField){cos(1.7 * c), sin(0.23 * c + 1)};
  }
  GS_SWEEP_PERIODIC(NX, NY, a, {
    double m[2][2];
    GSReactionJacobian(&p, x[idx], m);
    ja[idx] = GSJacobianPoint(&p, 1.0, m, c, w, e, s, n);
  });
  GS_SWEEP_PERIODIC(NX, NY, b, {
    double m[2][2];
    GSReactionJacobian(&p, x[idx], m);
    jtb[idx] = GSJacobianTransposePoint(&p, 1.0, m, c, w, e, s, n);
  });
  for (int c = 0; c < NX * NY; c++) {
    lhs += ja[c].u * b[c].u + ja[c].v * b[c].v;
    rhs += a[c].u * jtb[c].u + a[c].v * jtb[c].v;
  }
  assert_close(lhs, rhs, 1e-13, 1e-14);
}

/* d f / d theta against central differences in each parameter. */
static void test_param_derivative_finite_difference(void **state)
{
  (void)state;
  GSField x[NX * NY];
  double  theta[GS_NPARAM];
  SmoothField(x, 0.9);
  GSParams base = Truth();
  GSParamsToArray(&base, theta);
  GS_SWEEP_PERIODIC(NX, NY, x, {
    double dfu[GS_NPARAM], dfv[GS_NPARAM];
    GSParamDerivativePoint(c, GSLaplacian(c.u, w.u, e.u, s.u, n.u, 1.0), GSLaplacian(c.v, w.v, e.v, s.v, n.v, 1.0), dfu, dfv);
    for (int q = 0; q < GS_NPARAM; q++) {
      double tp[GS_NPARAM], tm[GS_NPARAM];
      for (int r = 0; r < GS_NPARAM; r++) tp[r] = tm[r] = theta[r];
      tp[q] += 1e-6;
      tm[q] -= 1e-6;
      const GSParams pp = GSParamsFromArray(tp), pm = GSParamsFromArray(tm);
      const GSField  fp = GSRHSPoint(&pp, 1.0, c, w, e, s, n), fm = GSRHSPoint(&pm, 1.0, c, w, e, s, n);
      assert_close(dfu[q], (fp.u - fm.u) / 2e-6, 1e-7, 1e-9);
      assert_close(dfv[q], (fp.v - fm.v) / 2e-6, 1e-7, 1e-9);
    }
  });
}

/* The contracted form used by the adjoint equals lambda . GSParamDerivativePoint, and the periodic
   grid sum equals the sum of the pointwise terms. */
static void test_param_derivative_dot(void **state)
{
  (void)state;
  GSField x[NX * NY], l[NX * NY];
  double  direct[GS_NPARAM] = {0}, grid[GS_NPARAM];
  SmoothField(x, 0.3);
  SmoothField(l, 2.1);
  GS_SWEEP_PERIODIC(NX, NY, x, {
    double       dfu[GS_NPARAM], dfv[GS_NPARAM], t[GS_NPARAM];
    const double lu = GSLaplacian(c.u, w.u, e.u, s.u, n.u, 4.0), lv = GSLaplacian(c.v, w.v, e.v, s.v, n.v, 4.0);
    GSParamDerivativePoint(c, lu, lv, dfu, dfv);
    GSParamDerivativeDot(c, lu, lv, l[idx], t);
    for (int q = 0; q < GS_NPARAM; q++) {
      assert_close(t[q], dfu[q] * l[idx].u + dfv[q] * l[idx].v, 1e-15, 1e-16);
      direct[q] += t[q];
    }
  });
  GSParamGradientPeriodic(4.0, NX, NY, x, l, grid);
  for (int q = 0; q < GS_NPARAM; q++) assert_close(grid[q], direct[q], 1e-13, 1e-14);
}

/* The fused Euler step equals x + dt f(x) from the separate RHS sweep. */
static void test_euler_step_matches_rhs(void **state)
{
  (void)state;
  const GSParams p = Truth();
  GSField        x[NX * NY], y[NX * NY], f[NX * NY];
  SmoothField(x, 0.2);
  GSEulerStepPeriodic(&p, 4.0, 0.5, NX, NY, x, y);
  GSRHSPeriodic(&p, 4.0, NX, NY, x, f);
  for (int c = 0; c < NX * NY; c++) {
    assert_close(y[c].u, x[c].u + 0.5 * f[c].u, 1e-15, 1e-16);
    assert_close(y[c].v, x[c].v + 0.5 * f[c].v, 1e-15, 1e-16);
  }
}

static void test_explicit_limit(void **state)
{
  (void)state;
  assert_close(GSExplicitDiffusionLimit(1.0, 1.0), 0.25, 0, 0);
  assert_close(GSExplicitDiffusionLimit(0.5, 0.1), 0.625, 1e-15, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_laplacian_eigenfunction),        cmocka_unit_test(test_reaction_closed_form),
    cmocka_unit_test(test_rhs_uniform_is_reaction),        cmocka_unit_test(test_jacobian_finite_difference),
    cmocka_unit_test(test_jacobian_transpose_dot_product), cmocka_unit_test(test_param_derivative_finite_difference),
    cmocka_unit_test(test_euler_step_matches_rhs),         cmocka_unit_test(test_explicit_limit),
    cmocka_unit_test(test_param_derivative_dot),
  };
  return cmocka_run_group_tests_name("physics", tests, NULL, NULL);
}
