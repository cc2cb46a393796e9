/* End-state classes, cliffs and cliff-to-curve distances against hand-computed values and the fold curve. */
#include <stdlib.h>
#include <string.h>

#include "gsinv/physics/bifurcation.h"
#include "gsinv/physics/landscape_analysis.h"
#include "testing.h"

static const double sqrt2 = 1.4142135623730951;

/* Settled end states of each class, comfortably inside their tolerances. */
static GSEndStats TrivialStats(void)
{
  GSEndStats s = {1, 1e-5, 1e-5, 1e-4, 1.0 - 1e-5, 1e-5, 0.0};
  return s;
}

static GSEndStats UniformStats(void)
{
  GSEndStats s = {1, 0.3, 1e-4, 0.3, 0.4, 1e-4, 1e-7};
  return s;
}

static GSEndStats PatternStats(void)
{
  GSEndStats s = {1, 0.1, 0.1, 0.45, 0.7, 0.1, 1e-7};
  return s;
}

static void test_names(void **state)
{
  (void)state;
  const char *classes[] = {"trivial", "uniform", "pattern", "oscillating", "invalid", "transient"};
  for (int c = 0; c < GS_END_CLASS_N; c++) assert_string_equal(GSEndClassNames[c], classes[c]);
  assert_null(GSEndClassNames[GS_END_CLASS_N]);
  assert_string_equal(GSCliffKindNames[GS_CLIFF_JUMP], "jump");
  assert_string_equal(GSCliffKindNames[GS_CLIFF_VALIDITY], "validity_edge");
  assert_null(GSCliffKindNames[2]);
}

static void test_classify_defaults_and_bases(void **state)
{
  (void)state;
  const GSClassifyTolerances tol = GSClassifyTolerancesDefault();
  GSEndStats                 t = TrivialStats(), u = UniformStats(), p = PatternStats();

  assert_close(tol.trivial_v, 1e-3, 0, 0);
  assert_close(tol.uniform_std, 1e-3, 0, 0);
  assert_close(tol.oscillating_change, 1e-4, 0, 0);
  assert_int_equal(GSEndStateClassify(&t, &tol), GS_CLASS_TRIVIAL);
  assert_int_equal(GSEndStateClassify(&u, &tol), GS_CLASS_UNIFORM);
  assert_int_equal(GSEndStateClassify(&p, &tol), GS_CLASS_PATTERN);
  assert_int_equal(GSEndStateClassify(&p, NULL), GS_CLASS_PATTERN);
}

static void test_classify_invalid(void **state)
{
  (void)state;
  GSEndStats s = PatternStats();

  assert_int_equal(GSEndStateClassify(NULL, NULL), GS_CLASS_INVALID);
  s.valid = 0;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_INVALID);
  s       = TrivialStats();
  s.v_std = NAN;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_INVALID);
  s              = UniformStats();
  s.final_change = INFINITY;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_INVALID);
}

static void test_classify_trivial_tolerance(void **state)
{
  (void)state;
  GSEndStats s = TrivialStats();

  s.v_max = 0.9e-3;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_TRIVIAL);
  s.v_max = 1.1e-3;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_UNIFORM);
  s.v_max = 1e-3; /* equal to the tolerance: not below it */
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_UNIFORM);
  s        = TrivialStats();
  s.u_mean = 1.0 - 0.9e-3;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_TRIVIAL);
  s.u_mean = 1.0 + 1.1e-3;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_UNIFORM);
  s       = TrivialStats();
  s.u_std = 1.1e-3;
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_PATTERN);
  s              = TrivialStats();
  s.final_change = 1.0; /* still decaying, but already at (1, 0) */
  assert_int_equal(GSEndStateClassify(&s, NULL), GS_CLASS_TRIVIAL);
}

static void test_classify_oscillating_tolerance(void **state)
{
  (void)state;
  GSEndStats u = UniformStats(), p = PatternStats();

  u.final_change = 0.9e-4;
  p.final_change = 0.9e-4;
  assert_int_equal(GSEndStateClassify(&u, NULL), GS_CLASS_UNIFORM);
  assert_int_equal(GSEndStateClassify(&p, NULL), GS_CLASS_PATTERN);
  u.final_change = 1.1e-4;
  p.final_change = 1.1e-4;
  assert_int_equal(GSEndStateClassify(&u, NULL), GS_CLASS_OSCILLATING);
  assert_int_equal(GSEndStateClassify(&p, NULL), GS_CLASS_OSCILLATING);
  p.final_change = 1e-4;
  assert_int_equal(GSEndStateClassify(&p, NULL), GS_CLASS_PATTERN);
}

static void test_classify_uniform_tolerance(void **state)
{
  (void)state;
  GSClassifyTolerances tol = GSClassifyTolerancesDefault();
  GSEndStats           s   = UniformStats();

  s.v_std = 0.9e-3;
  assert_int_equal(GSEndStateClassify(&s, &tol), GS_CLASS_UNIFORM);
  s.v_std = 1.1e-3;
  assert_int_equal(GSEndStateClassify(&s, &tol), GS_CLASS_PATTERN);
  s       = UniformStats();
  s.u_std = 0.9e-3;
  assert_int_equal(GSEndStateClassify(&s, &tol), GS_CLASS_UNIFORM);
  s.u_std = 1.1e-3;
  assert_int_equal(GSEndStateClassify(&s, &tol), GS_CLASS_PATTERN);
  tol.uniform_std = 0.2; /* the tolerances passed are the ones used */
  s               = PatternStats();
  assert_int_equal(GSEndStateClassify(&s, &tol), GS_CLASS_UNIFORM);
}

static void LinearAxis(int n, double start, double step, double axis[])
{
  for (int i = 0; i < n; i++) axis[i] = start + step * i;
}

static void AssertCliff(const GSCliff *c, int i0, int j0, int i1, int j1, int kind)
{
  assert_int_equal(c->i0, i0);
  assert_int_equal(c->j0, j0);
  assert_int_equal(c->i1, i1);
  assert_int_equal(c->j1, j1);
  assert_int_equal(c->kind, kind);
  assert_true(isnan(c->distance));
  assert_int_equal(c->curve, -1);
}

enum { STEP_N0 = 10, STEP_N1 = 6 };

/* loss = 1 at i >= 3 + j/2 (a staircase line), 0 left of it, plus a small ramp below the threshold. */
static void test_cliffs_step_2d(void **state)
{
  (void)state;
  double   axis0[STEP_N0], axis1[STEP_N1], loss[STEP_N1 * STEP_N0];
  GSCliff *cliffs;
  size_t   n;
  /* i0, j0, i1, j1 in scan order; the axis0 steps jump by +1.001, the axis1 steps by -0.999 */
  const int want[][4] = {{2, 0, 3, 0}, {2, 1, 3, 1}, {3, 1, 3, 2}, {3, 2, 4, 2}, {3, 3, 4, 3}, {4, 3, 4, 4}, {4, 4, 5, 4}, {4, 5, 5, 5}};

  LinearAxis(STEP_N0, 1.0, 0.5, axis0);
  LinearAxis(STEP_N1, -2.0, 0.25, axis1);
  for (int j = 0; j < STEP_N1; j++)
    for (int i = 0; i < STEP_N0; i++) loss[j * STEP_N0 + i] = (i >= 3 + j / 2 ? 1.0 : 0.0) + 0.001 * (i + j);
  assert_int_equal(GSCliffFind(STEP_N0, STEP_N1, axis0, axis1, loss, NULL, 0.5, &cliffs, &n), GS_LANDSCAPE_OK);
  assert_int_equal(n, 8);
  for (size_t c = 0; c < n; c++) {
    const int *w = want[c];
    AssertCliff(&cliffs[c], w[0], w[1], w[2], w[3], GS_CLIFF_JUMP);
    assert_close(cliffs[c].jump, w[1] == w[3] ? 1.001 : -0.999, 0, 1e-12);
    assert_close(cliffs[c].x, 1.0 + 0.25 * (w[0] + w[2]), 0, 1e-12);
    assert_close(cliffs[c].y, -2.0 + 0.125 * (w[1] + w[3]), 0, 1e-12);
  }
  GSCliffDestroy(&cliffs);
  assert_null(cliffs);
}

static int FindCliff(const GSCliff *cliffs, size_t n, int i0, int j0, int i1, int j1)
{
  for (size_t c = 0; c < n; c++)
    if (cliffs[c].i0 == i0 && cliffs[c].j0 == j0 && cliffs[c].i1 == i1 && cliffs[c].j1 == j1) return (int)c;
  return -1;
}

enum { VAL_N0 = 5, VAL_N1 = 4 };

/* An invalid 2x2 block and a valid point with a NaN loss are bounded by validity edges; a loss spike
   at a corner gives two jumps. */
static void test_cliffs_validity_edges(void **state)
{
  (void)state;
  double        axis0[VAL_N0], axis1[VAL_N1], loss[VAL_N0 * VAL_N1] = {0};
  unsigned char valid[VAL_N0 * VAL_N1];
  GSCliff      *cliffs;
  size_t        n, n_jump = 0;
  const int     edges[][4] = {{2, 1, 3, 1}, {2, 2, 3, 2}, {3, 0, 3, 1}, {4, 0, 4, 1}, {3, 2, 3, 3}, {4, 2, 4, 3}, {0, 3, 1, 3}, {0, 2, 0, 3}};

  LinearAxis(VAL_N0, 0.0, 1.0, axis0);
  LinearAxis(VAL_N1, 0.0, 1.0, axis1);
  memset(valid, 1, sizeof(valid));
  for (int j = 1; j <= 2; j++)
    for (int i = 3; i <= 4; i++) {
      valid[j * VAL_N0 + i] = 0;
      loss[j * VAL_N0 + i]  = 100.0; /* ignored: the point is invalid */
    }
  loss[3 * VAL_N0 + 0] = NAN;
  loss[0]              = 5.0;
  assert_int_equal(GSCliffFind(VAL_N0, VAL_N1, axis0, axis1, loss, valid, 1.0, &cliffs, &n), GS_LANDSCAPE_OK);
  assert_int_equal(n, 10);
  for (size_t e = 0; e < 8; e++) {
    const int c = FindCliff(cliffs, n, edges[e][0], edges[e][1], edges[e][2], edges[e][3]);
    assert_true(c >= 0);
    assert_int_equal(cliffs[c].kind, GS_CLIFF_VALIDITY);
    assert_true(isnan(cliffs[c].jump));
  }
  for (size_t c = 0; c < n; c++) {
    if (cliffs[c].kind != GS_CLIFF_JUMP) continue;
    assert_int_equal(cliffs[c].i0 + cliffs[c].j0, 0);
    assert_close(cliffs[c].jump, -5.0, 0, 0);
    n_jump++;
  }
  assert_int_equal(n_jump, 2);
  assert_int_equal(FindCliff(cliffs, n, 3, 1, 4, 1), -1); /* both invalid */
  GSCliffDestroy(&cliffs);
}

/* A 1-D slice: y = 0, axis1 unused, crossings passed as lone points (x_c, 0). */
static void test_cliffs_1d_slice(void **state)
{
  (void)state;
  const double  axis0[6] = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5}, loss[6] = {0, 0, 1, 1, 0, 0};
  const double  cx[3] = {0.16, NAN, 0.35}, cy[3] = {0.0, NAN, 0.0};
  const GSCurve curve = {"fold", 3, cx, cy};
  GSCliff      *cliffs;
  size_t        n;
  double        dx, dy;

  assert_int_equal(GSCliffFind(6, 1, axis0, NULL, loss, NULL, 0.5, &cliffs, &n), GS_LANDSCAPE_OK);
  assert_int_equal(n, 2);
  AssertCliff(&cliffs[0], 1, 0, 2, 0, GS_CLIFF_JUMP);
  AssertCliff(&cliffs[1], 3, 0, 4, 0, GS_CLIFF_JUMP);
  assert_close(cliffs[0].jump, 1.0, 0, 0);
  assert_close(cliffs[1].jump, -1.0, 0, 0);
  assert_close(cliffs[0].x, 0.15, 0, 1e-15);
  assert_close(cliffs[1].y, 0.0, 0, 0);
  assert_int_equal(GSGridSpacing(6, 1, axis0, NULL, &dx, &dy), GS_LANDSCAPE_OK);
  assert_close(dy, 1.0, 0, 0);
  assert_int_equal(GSCliffDistances(n, cliffs, 1, &curve, dx, dy), GS_LANDSCAPE_OK);
  assert_close(cliffs[0].distance, 0.1, 0, 1e-12);
  assert_close(cliffs[1].distance, 0.0, 0, 1e-12);
  assert_int_equal(cliffs[0].curve, 0);
  GSCliffDestroy(&cliffs);
}

static void test_cliffs_arguments(void **state)
{
  (void)state;
  const double axis[3] = {0, 1, 2}, loss[6] = {1, 1, 1, 1, 1, 1};
  GSCliff     *cliffs = NULL;
  size_t       n      = 7;
  double       dx, dy;

  assert_int_equal(GSCliffFind(3, 2, axis, axis, loss, NULL, 0.5, NULL, &n), GS_LANDSCAPE_ERR_ARG);
  assert_int_equal(GSCliffFind(3, 2, axis, NULL, loss, NULL, 0.5, &cliffs, &n), GS_LANDSCAPE_ERR_ARG);
  assert_int_equal(GSCliffFind(0, 1, axis, NULL, loss, NULL, 0.5, &cliffs, &n), GS_LANDSCAPE_ERR_ARG);
  assert_int_equal(GSCliffFind(3, 2, axis, axis, loss, NULL, NAN, &cliffs, &n), GS_LANDSCAPE_ERR_ARG);
  assert_int_equal(GSCliffFind(3, 2, axis, axis, loss, NULL, 0.0, &cliffs, &n), GS_LANDSCAPE_OK);
  assert_null(cliffs);
  assert_int_equal(n, 0);
  GSCliffDestroy(&cliffs);
  GSCliffDestroy(NULL);
  assert_int_equal(GSGridSpacing(1, 1, axis, NULL, &dx, &dy), GS_LANDSCAPE_ERR_ARG);
  assert_int_equal(GSGridSpacing(3, 3, axis, NULL, &dx, &dy), GS_LANDSCAPE_ERR_ARG);
  assert_int_equal(GSGridSpacing(3, 2, axis, loss, &dx, &dy), GS_LANDSCAPE_ERR_ARG); /* not increasing */
}

static void test_grid_spacing(void **state)
{
  (void)state;
  double axis0[41], axis1[21], dx, dy;

  LinearAxis(41, 0.03, 0.0005, axis0);
  LinearAxis(21, 0.055, 0.0005, axis1);
  assert_int_equal(GSGridSpacing(41, 21, axis0, axis1, &dx, &dy), GS_LANDSCAPE_OK);
  assert_close(dx, 0.0005, 1e-12, 0);
  assert_close(dy, 0.0005, 1e-12, 0);
}

static void test_default_threshold(void **state)
{
  (void)state;
  double        loss[104];
  unsigned char valid[104];

  for (int i = 0; i < 101; i++) loss[i] = i;
  assert_close(GSCliffDefaultThreshold(101, loss, NULL), 0.25 * 90.0, 0, 1e-12);
  memset(valid, 1, sizeof(valid));
  loss[101] = 1e9, valid[101] = 0; /* invalid: ignored */
  loss[102] = NAN;                 /* non-finite: ignored */
  loss[103] = -1e9, valid[103] = 0;
  assert_close(GSCliffDefaultThreshold(104, loss, valid), 0.25 * 90.0, 0, 1e-12);
  loss[100] = 1e6; /* one extreme value does not move P95 of 0..99, 1e6 */
  assert_close(GSCliffDefaultThreshold(101, loss, NULL), 0.25 * 90.0, 0, 1e-12);
  loss[0] = 0.0, loss[1] = 1.0; /* two values: P5 = 0.05, P95 = 0.95 */
  assert_close(GSCliffDefaultThreshold(2, loss, NULL), 0.25 * 0.9, 0, 1e-12);
  memset(valid, 0, sizeof(valid));
  assert_true(isnan(GSCliffDefaultThreshold(104, loss, valid)));
  assert_true(isnan(GSCliffDefaultThreshold(0, loss, NULL)));
}

static void test_distance_horizontal(void **state)
{
  (void)state;
  const double  x[2] = {0.0, 4.0}, y[2] = {0.0, 0.0};
  const GSCurve c = {"h", 2, x, y};

  assert_close(GSCurveDistance(&c, 2.0, 3.0, 1.0, 1.0), 3.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 2.0, -0.5, 1.0, 1.0), 0.5, 0, 1e-12);
  assert_close(GSCurveDistance(&c, -3.0, 4.0, 1.0, 1.0), 5.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 6.0, 0.0, 1.0, 1.0), 2.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 1.0, 0.0, 1.0, 1.0), 0.0, 0, 1e-12);
}

static void test_distance_diagonal(void **state)
{
  (void)state;
  const double  x[3] = {0.0, 2.0, 4.0}, y[3] = {0.0, 2.0, 0.0};
  const GSCurve c = {"tent", 3, x, y};

  assert_close(GSCurveDistance(&c, 2.0, 0.0, 1.0, 1.0), sqrt2, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 0.0, 2.0, 1.0, 1.0), sqrt2, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 2.0, 3.0, 1.0, 1.0), 1.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, -1.0, 0.0, 1.0, 1.0), 1.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 3.0, 3.0, 1.0, 1.0), sqrt2, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 1.0, 1.0, 1.0, 1.0), 0.0, 0, 1e-12);
}

/* NaN rows break the line: no segment bridges a gap, and a point between two gaps stands alone. */
static void test_distance_nan_gaps(void **state)
{
  (void)state;
  const double  x[8]  = {NAN, 0.0, 1.0, NAN, 3.0, 4.0, 10.0, 7.0};
  const double  y[8]  = {NAN, 0.0, 0.0, NAN, 0.0, 0.0, NAN, 5.0};
  const GSCurve c     = {"gappy", 8, x, y};
  const GSCurve empty = {"empty", 0, NULL, NULL}, all_nan = {"nan", 1, x, y};

  assert_close(GSCurveDistance(&c, 2.0, 0.0, 1.0, 1.0), 1.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 2.0, 1.0, 1.0, 1.0), sqrt2, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 3.5, -2.0, 1.0, 1.0), 2.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 7.0, 8.0, 1.0, 1.0), 3.0, 0, 1e-12);       /* the lone point (7, 5) */
  assert_close(GSCurveDistance(&c, 6.0, 1.0, 1.0, 1.0), sqrt(5.0), 0, 1e-12); /* (4, 0): no segment on to (7, 5) across the NaN row */
  assert_true(isnan(GSCurveDistance(&empty, 0.0, 0.0, 1.0, 1.0)));
  assert_true(isnan(GSCurveDistance(&all_nan, 0.0, 0.0, 1.0, 1.0)));
  assert_true(isnan(GSCurveDistance(&c, 0.0, 0.0, 0.0, 1.0)));
}

/* Differences are measured in grid spacings: scaling the picture and the spacings together changes nothing. */
static void test_distance_scaling(void **state)
{
  (void)state;
  const double  x[2] = {0.0, 4.0}, y[2] = {0.0, 0.0};
  const GSCurve c     = {"h", 2, x, y};
  const double  tx[3] = {0.0, 2.0, 4.0}, ty[3] = {0.0, 2.0, 0.0};
  const double  points[][2] = {{2.0, 0.0}, {-1.0, 3.0}, {3.0, 3.0}, {1.3, 0.2}, {5.0, -1.0}};
  const double  sx = 0.0005, sy = 0.00025;
  double        ux[3], uy[3], wx[3];

  assert_close(GSCurveDistance(&c, 2.0, 0.3, 0.5, 0.1), 3.0, 0, 1e-12);
  assert_close(GSCurveDistance(&c, 5.0, 0.4, 0.5, 0.1), sqrt(20.0), 0, 1e-12);
  for (int i = 0; i < 3; i++) ux[i] = sx * tx[i], uy[i] = sy * ty[i], wx[i] = 2.0 * tx[i];
  const GSCurve tent = {"tent", 3, tx, ty}, scaled = {"tent", 3, ux, uy}, wide = {"tent", 3, wx, ty};
  for (size_t p = 0; p < sizeof(points) / sizeof(points[0]); p++) {
    const double d = GSCurveDistance(&tent, points[p][0], points[p][1], 1.0, 1.0);
    assert_close(GSCurveDistance(&scaled, sx * points[p][0], sy * points[p][1], sx, sy), d, 1e-12, 1e-12);
    assert_close(GSCurveDistance(&wide, 2.0 * points[p][0], points[p][1], 2.0, 1.0), d, 1e-12, 1e-12);
    assert_true(fabs(GSCurveDistance(&tent, points[p][0], points[p][1], 2.0, 1.0) - d) > 1e-3); /* dx is used */
  }
}

static void test_distance_several_curves(void **state)
{
  (void)state;
  const double  hx[2] = {0.0, 4.0}, hy[2] = {0.0, 0.0}, vx[2] = {5.0, 5.0}, vy[2] = {-1.0, 1.0};
  const GSCurve curves[3] = {{"none", 0, NULL, NULL}, {"h", 2, hx, hy}, {"v", 2, vx, vy}};
  int           nearest;

  assert_close(GSCurvesDistance(3, curves, 1.0, 2.0, 1.0, 1.0, &nearest), 2.0, 0, 1e-12);
  assert_int_equal(nearest, 1);
  assert_close(GSCurvesDistance(3, curves, 4.8, 0.5, 1.0, 1.0, &nearest), 0.2, 0, 1e-12);
  assert_int_equal(nearest, 2);
  assert_true(isnan(GSCurvesDistance(1, curves, 0.0, 0.0, 1.0, 1.0, &nearest)));
  assert_int_equal(nearest, -1);
  assert_true(isnan(GSCurvesDistance(0, curves, 0.0, 0.0, 1.0, 1.0, &nearest)));
  assert_int_equal(nearest, -1);
}

static void test_distance_summary(void **state)
{
  (void)state;
  GSCliff                cliffs[7];
  const double           d[7]     = {2.0, 0.5, NAN, 3.0, 1.0, 1.5, 0.1};
  const int              kind[7]  = {0, 0, 0, 0, 0, 0, 1};
  const double           edges[4] = {0.0, 1.0, 2.0, 3.0}, one_bin[2] = {0.75, 1.25}, bad[3] = {0.0, 2.0, 1.0};
  size_t                 counts[3];
  GSCliffDistanceSummary s;

  memset(cliffs, 0, sizeof(cliffs));
  for (int c = 0; c < 7; c++) cliffs[c].distance = d[c], cliffs[c].kind = kind[c];
  assert_int_equal(GSCliffDistanceSummarize(7, cliffs, GS_CLIFF_JUMP, 4, edges, counts, &s), GS_LANDSCAPE_OK);
  assert_int_equal(s.count, 5);
  assert_int_equal(s.n_undefined, 1);
  assert_close(s.median, 1.5, 0, 1e-15);
  assert_close(s.frac_within_1, 0.4, 0, 1e-15);
  assert_close(s.frac_within_2, 0.8, 0, 1e-15);
  assert_int_equal(counts[0], 1);
  assert_int_equal(counts[1], 2);
  assert_int_equal(counts[2], 2); /* 2.0 and 3.0: the last bin is closed */
  assert_int_equal(GSCliffDistanceSummarize(7, cliffs, -1, 2, one_bin, counts, &s), GS_LANDSCAPE_OK);
  assert_int_equal(s.count, 6);
  assert_close(s.median, 1.25, 0, 1e-15);
  assert_close(s.frac_within_1, 0.5, 0, 1e-15);
  assert_int_equal(counts[0], 1);
  assert_int_equal(GSCliffDistanceSummarize(7, cliffs, GS_CLIFF_VALIDITY, 0, NULL, NULL, &s), GS_LANDSCAPE_OK);
  assert_int_equal(s.count, 1);
  assert_close(s.median, 0.1, 0, 0);
  assert_int_equal(GSCliffDistanceSummarize(0, NULL, -1, 0, NULL, NULL, &s), GS_LANDSCAPE_OK);
  assert_int_equal(s.count, 0);
  assert_true(isnan(s.median) && isnan(s.frac_within_1) && isnan(s.frac_within_2));
  assert_int_equal(GSCliffDistanceSummarize(7, cliffs, -1, 3, bad, counts, &s), GS_LANDSCAPE_ERR_ARG);
  assert_int_equal(GSCliffDistanceSummarize(7, cliffs, -1, 1, edges, counts, &s), GS_LANDSCAPE_ERR_ARG);
}

enum { FOLD_N0 = 41, FOLD_N1 = 41, FOLD_SAMPLES = 401 };

/* loss = 1 above the fold k = sqrt(F)/2 - F on an (F, k) grid: every cliff lies on the sampled fold. */
static void test_fold_cliffs(void **state)
{
  (void)state;
  double                 F[FOLD_N0], k[FOLD_N1], loss[FOLD_N1 * FOLD_N0], cF[FOLD_SAMPLES], ck[FOLD_SAMPLES];
  double                 dF, dk, threshold, k_fold;
  GSCliff               *cliffs;
  size_t                 n, n_axis1_steps = 0;
  GSCliffDistanceSummary s;

  LinearAxis(FOLD_N0, 0.03, 0.02 / (FOLD_N0 - 1), F);
  LinearAxis(FOLD_N1, 0.055, 0.01 / (FOLD_N1 - 1), k);
  for (int j = 0; j < FOLD_N1; j++)
    for (int i = 0; i < FOLD_N0; i++) {
      assert_int_equal(GSFoldK(F[i], &k_fold), GS_BIFURCATION_OK);
      loss[j * FOLD_N0 + i] = k[j] > k_fold ? 1.0 : 0.0;
    }
  assert_int_equal(GSFoldCurveSample(0.03, 0.05, FOLD_SAMPLES, cF, ck), GS_BIFURCATION_OK);
  const GSCurve fold = {"fold", FOLD_SAMPLES, cF, ck};
  threshold          = GSCliffDefaultThreshold(FOLD_N0 * FOLD_N1, loss, NULL);
  assert_close(threshold, 0.25, 0, 1e-15);
  assert_int_equal(GSCliffFind(FOLD_N0, FOLD_N1, F, k, loss, NULL, threshold, &cliffs, &n), GS_LANDSCAPE_OK);
  assert_int_equal(GSGridSpacing(FOLD_N0, FOLD_N1, F, k, &dF, &dk), GS_LANDSCAPE_OK);
  assert_int_equal(GSCliffDistances(n, cliffs, 1, &fold, dF, dk), GS_LANDSCAPE_OK);
  for (size_t c = 0; c < n; c++) {
    assert_int_equal(cliffs[c].kind, GS_CLIFF_JUMP);
    assert_int_equal(cliffs[c].curve, 0);
    assert_true(cliffs[c].distance <= 0.5 + 1e-3); /* the curve crosses the segment between the two points */
    n_axis1_steps += cliffs[c].j1 != cliffs[c].j0;
  }
  assert_int_equal(n_axis1_steps, FOLD_N0); /* the fold crosses every column once */
  assert_int_equal(GSCliffDistanceSummarize(n, cliffs, -1, 0, NULL, NULL, &s), GS_LANDSCAPE_OK);
  assert_int_equal(s.count, n);
  assert_close(s.frac_within_1, 1.0, 0, 0);
  assert_true(s.median <= 0.5);
  GSCliffDestroy(&cliffs);
}

/* A uniform class stays only at a uniform state stable for the map; else it is transient. The
   issue's point (0.039375, 0.0578): its upper state is stable for the ODE (dt = 0) but not for the
   forward-Euler map at dt = 1 on 128^2; (1, 0) is stable for both. */
static void test_classify_transient(void **state)
{
  const GSParams  p   = {0.039375, 0.0578, 0.16, 0.08};
  const GSMapGrid map = {1.0, 1.0, 128, 128}, ode = {0.0, 1.0, 128, 128};
  GSField         st[2];
  int             n;

  (void)state;
  assert_int_equal(GSUniformStates(p.F, p.k, st, &n), 0);
  GSEndStats at_upper = {1, st[0].v, 1e-5, st[0].v + 1e-5, st[0].u, 1e-5, 1e-7};
  assert_int_equal(GSEndStateClassify(&at_upper, NULL), GS_CLASS_UNIFORM);
  assert_int_equal(GSEndStateClassifyMap(&at_upper, NULL, &p, &map), GS_CLASS_TRANSIENT);
  assert_int_equal(GSEndStateClassifyMap(&at_upper, NULL, &p, &ode), GS_CLASS_UNIFORM);
  assert_int_equal(GSEndStateClassifyMap(&at_upper, NULL, &p, NULL), GS_CLASS_UNIFORM);
  /* spatially uniform but 1.4e-2 off every uniform state: still drifting, even for the ODE */
  GSEndStats off = at_upper;
  off.u_mean += 1.4e-2;
  assert_int_equal(GSEndStateClassifyMap(&off, NULL, &p, &ode), GS_CLASS_TRANSIENT);
  /* state_distance is the tolerance: a looser one accepts the same state */
  GSClassifyTolerances tol = GSClassifyTolerancesDefault();
  assert_true(tol.state_distance == 1e-3);
  tol.state_distance = 2e-2;
  assert_int_equal(GSEndStateClassifyMap(&off, &tol, &p, &ode), GS_CLASS_UNIFORM);
  /* (1, 0) is stable for the map below the explicit bound, not above it */
  GSEndStats trivial = {1, 1e-6, 1e-7, 1e-5, 1.0 - 1e-6, 1e-7, 0.0};
  assert_int_equal(GSEndStateClassifyMap(&trivial, NULL, &p, &map), GS_CLASS_TRIVIAL);
  const GSParams fast = {p.F, p.k, 0.26, 0.08};
  assert_int_equal(GSEndStateClassifyMap(&trivial, NULL, &fast, &map), GS_CLASS_TRANSIENT);
  /* other classes pass through */
  GSEndStats pattern = {1, 0.1, 0.1, 0.45, 0.7, 0.1, 1e-7};
  assert_int_equal(GSEndStateClassifyMap(&pattern, NULL, &p, &map), GS_CLASS_PATTERN);
  pattern.final_change = 1.0;
  assert_int_equal(GSEndStateClassifyMap(&pattern, NULL, &p, &map), GS_CLASS_OSCILLATING);
  assert_int_equal(GSEndStateClassifyMap(NULL, NULL, &p, &map), GS_CLASS_INVALID);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_classify_transient),
    cmocka_unit_test(test_classify_defaults_and_bases),
    cmocka_unit_test(test_classify_invalid),
    cmocka_unit_test(test_classify_trivial_tolerance),
    cmocka_unit_test(test_classify_oscillating_tolerance),
    cmocka_unit_test(test_classify_uniform_tolerance),
    cmocka_unit_test(test_cliffs_step_2d),
    cmocka_unit_test(test_cliffs_validity_edges),
    cmocka_unit_test(test_cliffs_1d_slice),
    cmocka_unit_test(test_cliffs_arguments),
    cmocka_unit_test(test_grid_spacing),
    cmocka_unit_test(test_default_threshold),
    cmocka_unit_test(test_distance_horizontal),
    cmocka_unit_test(test_distance_diagonal),
    cmocka_unit_test(test_distance_nan_gaps),
    cmocka_unit_test(test_distance_scaling),
    cmocka_unit_test(test_distance_several_curves),
    cmocka_unit_test(test_distance_summary),
    cmocka_unit_test(test_fold_cliffs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
