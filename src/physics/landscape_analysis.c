/* End-state classification, cliff detection and cliff-to-bifurcation-curve distances of a loss landscape. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gsinv/physics/landscape_analysis.h"

const char *const GSEndClassNames[]  = {"trivial", "uniform", "pattern", "oscillating", "invalid", "transient", NULL};
const char *const GSCliffKindNames[] = {"jump", "validity_edge", NULL};

GSClassifyTolerances GSClassifyTolerancesDefault(void)
{
  GSClassifyTolerances tol = {1e-3, 1e-3, 1e-4, 1e-3};
  return tol;
}

static int EndStatsFinite(const GSEndStats *s)
{
  return isfinite(s->v_mean) && isfinite(s->v_std) && isfinite(s->v_max) && isfinite(s->u_mean) && isfinite(s->u_std) && isfinite(s->final_change);
}

GSEndClass GSEndStateClassify(const GSEndStats *s, const GSClassifyTolerances *tol)
{
  const GSClassifyTolerances def = GSClassifyTolerancesDefault();

  if (!tol) tol = &def;
  if (!s || !s->valid || !EndStatsFinite(s)) return GS_CLASS_INVALID;
  if (s->v_max < tol->trivial_v && fabs(s->u_mean - 1.0) < tol->trivial_v && s->u_std < tol->trivial_v) return GS_CLASS_TRIVIAL;
  if (s->final_change > tol->oscillating_change) return GS_CLASS_OSCILLATING;
  if (s->v_std < tol->uniform_std && s->u_std < tol->uniform_std) return GS_CLASS_UNIFORM;
  return GS_CLASS_PATTERN;
}

/* Whether (u_mean, v_mean) lies within tol of a uniform state of p that is stable for the map. */
static int AtStableUniformState(const GSEndStats *s, double tol, const GSParams *p, const GSMapGrid *map)
{
  GSField states[3] = {{1.0, 0.0}};
  int     n_branch  = 0;

  if (GSUniformStates(p->F, p->k, &states[1], &n_branch)) n_branch = 0;
  for (int c = 0; c < 1 + n_branch; c++) {
    int    stable;
    double growth;
    if (!(fabs(s->u_mean - states[c].u) < tol && fabs(s->v_mean - states[c].v) < tol)) continue;
    if (GSUniformStateMapStable(p, states[c], map, &stable, &growth) == GS_BIFURCATION_OK && stable) return 1;
  }
  return 0;
}

GSEndClass GSEndStateClassifyMap(const GSEndStats *s, const GSClassifyTolerances *tol, const GSParams *p, const GSMapGrid *map)
{
  const GSClassifyTolerances def = GSClassifyTolerancesDefault();
  const GSEndClass           c   = GSEndStateClassify(s, tol);

  if (!tol) tol = &def;
  if (!p || !map || (c != GS_CLASS_TRIVIAL && c != GS_CLASS_UNIFORM)) return c;
  return AtStableUniformState(s, tol->state_distance, p, map) ? c : GS_CLASS_TRANSIENT;
}

static int Usable(const double loss[], const unsigned char valid[], size_t idx)
{
  return (!valid || valid[idx]) && isfinite(loss[idx]);
}

/* The grid and what GSCliffFind was asked, so that the pair test takes few arguments. */
typedef struct {
  int                  n0, n1;
  const double        *axis0, *axis1, *loss;
  const unsigned char *valid;
  double               threshold;
} CliffScan;

/* Tests the pair (i0, j0)-(i1, j1); when it is a cliff, writes it to *out (if not NULL) and returns 1. */
static int PairCliff(const CliffScan *g, int i0, int j0, int i1, int j1, GSCliff *out)
{
  const size_t a = (size_t)j0 * (size_t)g->n0 + (size_t)i0, b = (size_t)j1 * (size_t)g->n0 + (size_t)i1;
  const int    ua = Usable(g->loss, g->valid, a), ub = Usable(g->loss, g->valid, b);
  int          kind;

  if (ua && ub) {
    if (!(fabs(g->loss[b] - g->loss[a]) > g->threshold)) return 0;
    kind = GS_CLIFF_JUMP;
  } else if (ua != ub) kind = GS_CLIFF_VALIDITY;
  else return 0;
  if (!out) return 1;
  out->i0           = i0;
  out->j0           = j0;
  out->i1           = i1;
  out->j1           = j1;
  out->kind         = kind;
  out->jump         = kind == GS_CLIFF_JUMP ? g->loss[b] - g->loss[a] : NAN;
  out->x            = 0.5 * (g->axis0[i0] + g->axis0[i1]);
  out->y            = g->n1 > 1 ? 0.5 * (g->axis1[j0] + g->axis1[j1]) : 0.0;
  out->distance     = NAN;
  out->curve        = -1;
  out->distance_map = NAN;
  out->curve_map    = -1;
  return 1;
}

/* Counts the cliffs, and writes them to out when it is not NULL (room for the count is assumed). */
static size_t ScanCliffs(const CliffScan *g, GSCliff *out)
{
  size_t n = 0;

  for (int j = 0; j < g->n1; j++) {
    for (int i = 0; i < g->n0; i++) {
      if (i + 1 < g->n0) n += (size_t)PairCliff(g, i, j, i + 1, j, out ? &out[n] : NULL);
      if (j + 1 < g->n1) n += (size_t)PairCliff(g, i, j, i, j + 1, out ? &out[n] : NULL);
    }
  }
  return n;
}

GSLandscapeStatus GSCliffFind(int n0, int n1, const double axis0[], const double axis1[], const double loss[], const unsigned char valid[],
                              double threshold, GSCliff **cliffs, size_t *n_cliffs)
{
  const CliffScan g = {n0, n1, axis0, axis1, loss, valid, threshold};
  size_t          n;

  if (!cliffs || !n_cliffs) return GS_LANDSCAPE_ERR_ARG;
  *cliffs   = NULL;
  *n_cliffs = 0;
  if (n0 < 1 || n1 < 1 || !axis0 || (n1 > 1 && !axis1) || !loss || isnan(threshold)) return GS_LANDSCAPE_ERR_ARG;
  n = ScanCliffs(&g, NULL);
  if (n == 0) return GS_LANDSCAPE_OK;
  *cliffs = malloc(n * sizeof(**cliffs));
  if (!*cliffs) return GS_LANDSCAPE_ERR_MEMORY;
  *n_cliffs = ScanCliffs(&g, *cliffs);
  return GS_LANDSCAPE_OK;
}

void GSCliffDestroy(GSCliff **cliffs)
{
  if (!cliffs) return;
  free(*cliffs);
  *cliffs = NULL;
}

static int CompareDouble(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The p-quantile (0 <= p <= 1) of n >= 1 sorted values, interpolated linearly between order statistics. */
static double SortedQuantile(const double sorted[], size_t n, double p)
{
  const double pos  = p * (double)(n - 1);
  const size_t lo   = (size_t)floor(pos);
  const double frac = pos - (double)lo;

  if (lo + 1 >= n) return sorted[n - 1];
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double GSCliffDefaultThreshold(size_t n, const double loss[], const unsigned char valid[])
{
  double *sorted;
  size_t  m = 0;
  double  range;

  if (!loss || n == 0) return NAN;
  sorted = malloc(n * sizeof(*sorted));
  if (!sorted) return NAN;
  for (size_t i = 0; i < n; i++)
    if (Usable(loss, valid, i)) sorted[m++] = loss[i];
  if (m == 0) {
    free(sorted);
    return NAN;
  }
  qsort(sorted, m, sizeof(*sorted), CompareDouble);
  range = SortedQuantile(sorted, m, 0.95) - SortedQuantile(sorted, m, 0.05);
  free(sorted);
  return 0.25 * range;
}

static int AxisSpacing(int n, const double axis[], double *d)
{
  if (n < 2 || !axis) return 0;
  *d = (axis[n - 1] - axis[0]) / (double)(n - 1);
  return isfinite(*d) && *d > 0.0;
}

GSLandscapeStatus GSGridSpacing(int n0, int n1, const double axis0[], const double axis1[], double *dx, double *dy)
{
  if (!dx || !dy || n1 < 1 || !AxisSpacing(n0, axis0, dx)) return GS_LANDSCAPE_ERR_ARG;
  if (n1 == 1) {
    *dy = 1.0;
    return GS_LANDSCAPE_OK;
  }
  return AxisSpacing(n1, axis1, dy) ? GS_LANDSCAPE_OK : GS_LANDSCAPE_ERR_ARG;
}

static int PointFinite(const GSCurve *c, size_t i)
{
  return isfinite(c->x[i]) && isfinite(c->y[i]);
}

/* Distance from the origin to the segment a-b, all in scaled coordinates (a == b: to the point a). */
static double SegmentDistance(double ax, double ay, double bx, double by)
{
  const double ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey;
  double       t = 0.0;

  if (len2 > 0.0) {
    t = -(ax * ex + ay * ey) / len2;
    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
  }
  return hypot(ax + t * ex, ay + t * ey);
}

double GSCurveDistance(const GSCurve *curve, double x, double y, double dx, double dy)
{
  double best = NAN;

  if (!curve || (curve->n > 0 && (!curve->x || !curve->y)) || !(dx > 0.0) || !(dy > 0.0)) return NAN;
  for (size_t i = 0; i < curve->n; i++) {
    if (!PointFinite(curve, i)) continue;
    const double ax = (curve->x[i] - x) / dx, ay = (curve->y[i] - y) / dy;
    const int    has_next = i + 1 < curve->n && PointFinite(curve, i + 1);
    const int    has_prev = i > 0 && PointFinite(curve, i - 1);
    double       d;

    if (has_next) d = SegmentDistance(ax, ay, (curve->x[i + 1] - x) / dx, (curve->y[i + 1] - y) / dy);
    else if (!has_prev) d = hypot(ax, ay);
    else continue; /* the end of a segment already measured */
    if (isnan(best) || d < best) best = d;
  }
  return best;
}

double GSCurvesDistance(size_t n_curves, const GSCurve curves[], double x, double y, double dx, double dy, int *nearest)
{
  double best = NAN;

  if (nearest) *nearest = -1;
  if (!curves) return NAN;
  for (size_t c = 0; c < n_curves; c++) {
    const double d = GSCurveDistance(&curves[c], x, y, dx, dy);
    if (isnan(d) || !(isnan(best) || d < best)) continue;
    best = d;
    if (nearest) *nearest = (int)c;
  }
  return best;
}

GSLandscapeStatus GSCliffDistances(size_t n_cliffs, GSCliff cliffs[], size_t n_curves, const GSCurve curves[], double dx, double dy)
{
  if ((n_cliffs > 0 && !cliffs) || (n_curves > 0 && !curves) || !(dx > 0.0) || !(dy > 0.0)) return GS_LANDSCAPE_ERR_ARG;
  for (size_t c = 0; c < n_cliffs; c++) cliffs[c].distance = GSCurvesDistance(n_curves, curves, cliffs[c].x, cliffs[c].y, dx, dy, &cliffs[c].curve);
  return GS_LANDSCAPE_OK;
}

GSLandscapeStatus GSCliffMapDistances(size_t n_cliffs, GSCliff cliffs[], size_t n_curves, const GSCurve curves[], double dx, double dy)
{
  if ((n_cliffs > 0 && !cliffs) || (n_curves > 0 && !curves) || !(dx > 0.0) || !(dy > 0.0)) return GS_LANDSCAPE_ERR_ARG;
  for (size_t c = 0; c < n_cliffs; c++)
    cliffs[c].distance_map = GSCurvesDistance(n_curves, curves, cliffs[c].x, cliffs[c].y, dx, dy, &cliffs[c].curve_map);
  return GS_LANDSCAPE_OK;
}

static int EdgesIncreasing(size_t n_edges, const double edges[])
{
  if (n_edges == 1) return 0;
  for (size_t b = 0; b + 1 < n_edges; b++)
    if (!(edges[b] < edges[b + 1])) return 0;
  return 1;
}

/* The bin of d among n_edges >= 2 increasing edges, last bin closed; n_edges - 1 when outside. */
static size_t BinOf(double d, size_t n_edges, const double edges[])
{
  const size_t n_bins = n_edges - 1;

  if (d < edges[0] || d > edges[n_bins]) return n_bins;
  if (d == edges[n_bins]) return n_bins - 1;
  for (size_t b = 0; b < n_bins; b++)
    if (d < edges[b + 1]) return b;
  return n_bins;
}

static void FillHistogram(size_t m, const double d[], size_t n_edges, const double edges[], size_t counts[])
{
  if (n_edges < 2) return;
  memset(counts, 0, (n_edges - 1) * sizeof(*counts));
  for (size_t c = 0; c < m; c++) {
    const size_t b = BinOf(d[c], n_edges, edges);
    if (b < n_edges - 1) counts[b]++;
  }
}

/* Median and fractions of m sorted distances; NaN for m = 0. */
static void SummarizeSorted(size_t m, const double d[], GSCliffDistanceSummary *s)
{
  size_t w1 = 0, w2 = 0;

  s->count = m;
  if (m == 0) {
    s->median = s->frac_within_1 = s->frac_within_2 = NAN;
    return;
  }
  for (size_t c = 0; c < m; c++) {
    w1 += d[c] <= 1.0;
    w2 += d[c] <= 2.0;
  }
  s->median        = m % 2 ? d[m / 2] : 0.5 * (d[m / 2 - 1] + d[m / 2]);
  s->frac_within_1 = (double)w1 / (double)m;
  s->frac_within_2 = (double)w2 / (double)m;
}

GSLandscapeStatus GSCliffDistanceSummarize(size_t n_cliffs, const GSCliff cliffs[], int kind, size_t n_edges, const double edges[], size_t counts[],
                                           GSCliffDistanceSummary *summary)
{
  double *d;
  size_t  m = 0;

  if (!summary || (n_cliffs > 0 && !cliffs) || (n_edges > 0 && (!edges || !counts || !EdgesIncreasing(n_edges, edges)))) return GS_LANDSCAPE_ERR_ARG;
  d = malloc((n_cliffs ? n_cliffs : 1) * sizeof(*d));
  if (!d) return GS_LANDSCAPE_ERR_MEMORY;
  summary->n_undefined = 0;
  for (size_t c = 0; c < n_cliffs; c++) {
    if (kind >= 0 && cliffs[c].kind != kind) continue;
    if (isnan(cliffs[c].distance)) summary->n_undefined++;
    else d[m++] = cliffs[c].distance;
  }
  qsort(d, m, sizeof(*d), CompareDouble);
  SummarizeSorted(m, d, summary);
  FillHistogram(m, d, n_edges, edges, counts);
  free(d);
  return GS_LANDSCAPE_OK;
}
