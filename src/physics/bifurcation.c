/* Uniform states, fold, Hopf and Turing curves of Gray-Scott from their closed forms, and the stability boundaries of the forward-Euler map
 * (docs/model.md sections 4 and 5). */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "gsinv/physics/bifurcation.h"

static int IsValidFK(double F, double k)
{
  return isfinite(F) && isfinite(k) && F > 0.0 && k >= 0.0;
}

static double Discriminant(double F, double k)
{
  return 1.0 - 4.0 * (F + k) * (F + k) / F;
}

/* Both states from Delta >= 0. u_+ = (1 - sqrt Delta)/2 and v_- = F(1 - sqrt Delta)/(2(F + k)) come
   from u v = F + k and v_+ v_- = F instead, free of their cancellation when Delta ~ 1. */
static void StatesFromDiscriminant(double F, double k, double delta, GSField states[2])
{
  const double s      = sqrt(delta);
  const double v_plus = F * (1.0 + s) / (2.0 * (F + k));

  states[0].u = (F + k) / v_plus;
  states[0].v = v_plus;
  states[1].u = 0.5 * (1.0 + s);
  states[1].v = F / v_plus;
}

GSBifurcationStatus GSUniformStates(double F, double k, GSField states[2], int *n_states)
{
  if (!states || !n_states) return GS_BIFURCATION_ERR_ARG;
  if (!IsValidFK(F, k)) return GS_BIFURCATION_ERR_DOMAIN;
  const double delta = Discriminant(F, k);
  *n_states          = 0;
  if (delta < 0.0) return GS_BIFURCATION_OK;
  StatesFromDiscriminant(F, k, delta, states);
  *n_states = 2;
  return GS_BIFURCATION_OK;
}

void GSUniformTraceDet(double F, double k, double v, double *trace, double *det)
{
  *trace = k - v * v;
  *det   = (F + k) * (v * v - F);
}

GSBifurcationStatus GSFoldK(double F, double *k_fold)
{
  if (!k_fold) return GS_BIFURCATION_ERR_ARG;
  if (!isfinite(F) || F < 0.0) return GS_BIFURCATION_ERR_DOMAIN;
  *k_fold = 0.5 * sqrt(F) - F;
  return GS_BIFURCATION_OK;
}

/* Evaluated as 2 k sqrt(k) / (1 - 2 sqrt(k) + sqrt(1 - 4 sqrt(k))), algebraically equal to the
   docs/model.md form but free of its cancellation as k -> 0. */
GSBifurcationStatus GSHopfF(double k, double *F_hopf)
{
  if (!F_hopf) return GS_BIFURCATION_ERR_ARG;
  if (!isfinite(k) || k <= 0.0 || k > GS_BOGDANOV_TAKENS) return GS_BIFURCATION_ERR_DOMAIN;
  const double sk = sqrt(k);
  *F_hopf         = 2.0 * k * sk / (1.0 - 2.0 * sk + sqrt(fmax(0.0, 1.0 - 4.0 * sk)));
  return GS_BIFURCATION_OK;
}

/* Fills the stability fields of info from the upper state; delta = Du/Dv. */
static void TuringFromUpper(const GSParams *p, GSField upper, GSTuringInfo *info)
{
  const double delta = p->Du / p->Dv;
  const double v2    = upper.v * upper.v;
  const double a     = -(v2 + p->F);
  const double d     = p->F + p->k;

  info->exists = 1;
  info->upper  = upper;
  GSUniformTraceDet(p->F, p->k, upper.v, &info->trace, &info->det);
  info->margin   = delta * d + a - 2.0 * sqrt(delta * fmax(info->det, 0.0));
  info->qc2      = (p->Du * d + p->Dv * a) / (2.0 * p->Du * p->Dv);
  info->stable   = info->trace < 0.0 && info->det > 0.0;
  info->unstable = info->stable && info->margin > 0.0;
}

GSBifurcationStatus GSTuringAnalyze(const GSParams *p, GSTuringInfo *info)
{
  GSField states[2];
  int     n_states;

  if (!p || !info) return GS_BIFURCATION_ERR_ARG;
  if (!isfinite(p->Du) || !isfinite(p->Dv) || p->Du <= 0.0 || p->Dv <= 0.0) return GS_BIFURCATION_ERR_DOMAIN;
  const GSBifurcationStatus status = GSUniformStates(p->F, p->k, states, &n_states);
  if (status) return status;
  if (n_states == 0) {
    const double       nan  = (double)NAN;
    const GSTuringInfo none = {0, 0, 0, {nan, nan}, nan, nan, nan, nan};
    *info                   = none;
    return GS_BIFURCATION_OK;
  }
  TuringFromUpper(p, states[0], info);
  return GS_BIFURCATION_OK;
}

static double UniformPoint(double a, double b, int i, int n)
{
  if (n == 1) return a;
  return i == n - 1 ? b : a + (b - a) * i / (n - 1);
}

static int IsValidRange(double lo, double hi, int n)
{
  return isfinite(lo) && isfinite(hi) && lo <= hi && n >= 1;
}

GSBifurcationStatus GSFoldCurveSample(double F_min, double F_max, int n, double F[], double k[])
{
  if (!F || !k || !IsValidRange(F_min, F_max, n)) return GS_BIFURCATION_ERR_ARG;
  if (F_min < 0.0) return GS_BIFURCATION_ERR_DOMAIN;
  for (int i = 0; i < n; i++) {
    F[i] = UniformPoint(F_min, F_max, i, n);
    (void)GSFoldK(F[i], &k[i]);
  }
  return GS_BIFURCATION_OK;
}

GSBifurcationStatus GSHopfCurveSample(double k_min, double k_max, int n, double F[], double k[])
{
  if (!F || !k || !IsValidRange(k_min, k_max, n)) return GS_BIFURCATION_ERR_ARG;
  if (k_min <= 0.0 || k_max > GS_BOGDANOV_TAKENS) return GS_BIFURCATION_ERR_DOMAIN;
  for (int i = 0; i < n; i++) {
    k[i] = UniformPoint(k_min, k_max, i, n);
    (void)GSHopfF(k[i], &F[i]);
  }
  return GS_BIFURCATION_OK;
}

/* The F interval where the upper branch exists at this k: the roots of F = 4(F + k)^2, the smaller
   one as k^2 / F_hi (their product) to avoid cancellation. Returns 0 when there is none. */
static int ExistenceInterval(double k, double *F_lo, double *F_hi)
{
  if (!(k > 0.0 && k <= GS_BOGDANOV_TAKENS)) return 0;
  *F_hi = ((1.0 - 8.0 * k) + sqrt(fmax(0.0, 1.0 - 16.0 * k))) / 8.0;
  *F_lo = k * k / *F_hi;
  return 1;
}

/* Turing analysis at an F known to lie in the existence interval: Delta, which may come out a few
   ulps negative at the fold ends, is clamped to 0. */
static void TuringOnBranch(double F, double k, double Du, double Dv, GSTuringInfo *info)
{
  const GSParams p = {F, k, Du, Dv};
  GSField        states[2];

  StatesFromDiscriminant(F, k, fmax(0.0, Discriminant(F, k)), states);
  TuringFromUpper(&p, states[0], info);
}

/* Bisects the margin between F_lo and F_hi, where its sign classes (> 0 or <= 0) differ. */
static double BisectMargin(double F_lo, double F_hi, double k, double Du, double Dv)
{
  GSTuringInfo info;

  TuringOnBranch(F_lo, k, Du, Dv, &info);
  const int lo_positive = info.margin > 0.0;
  for (int it = 0; it < 200 && F_hi - F_lo > 2.0 * DBL_EPSILON * F_hi; it++) {
    const double F_mid = 0.5 * (F_lo + F_hi);
    TuringOnBranch(F_mid, k, Du, Dv, &info);
    if ((info.margin > 0.0) == lo_positive) F_lo = F_mid;
    else F_hi = F_mid;
  }
  return 0.5 * (F_lo + F_hi);
}

/* Records a crossing in its direction's slot; a second one of the same direction is reported. */
static GSBifurcationStatus RecordCrossing(double F_cross, double *slot)
{
  if (!isnan(*slot)) return GS_BIFURCATION_ERR_TOPOLOGY;
  *slot = F_cross;
  return GS_BIFURCATION_OK;
}

static GSBifurcationStatus TuringBoundaryRow(double k, double Du, double Dv, double F_min, double F_max, int n_scan, double *F_rise, double *F_fall)
{
  GSBifurcationStatus status = GS_BIFURCATION_OK;
  GSTuringInfo        info;
  double              F_lo, F_hi;

  *F_rise = *F_fall = (double)NAN;
  if (!ExistenceInterval(k, &F_lo, &F_hi)) return GS_BIFURCATION_OK;
  F_lo = fmax(F_lo, F_min);
  F_hi = fmin(F_hi, F_max);
  if (F_lo > F_hi) return GS_BIFURCATION_OK;
  TuringOnBranch(F_lo, k, Du, Dv, &info);
  double F_prev = F_lo, margin_prev = info.margin;
  for (int i = 1; i < n_scan; i++) {
    const double F = UniformPoint(F_lo, F_hi, i, n_scan);
    TuringOnBranch(F, k, Du, Dv, &info);
    const double margin = info.margin;
    if ((margin > 0.0) != (margin_prev > 0.0)) {
      const double F_cross = BisectMargin(F_prev, F, k, Du, Dv);
      TuringOnBranch(F_cross, k, Du, Dv, &info);
      if (info.stable && RecordCrossing(F_cross, margin > 0.0 ? F_rise : F_fall)) status = GS_BIFURCATION_ERR_TOPOLOGY;
    }
    F_prev      = F;
    margin_prev = margin;
  }
  return status;
}

GSBifurcationStatus GSTuringBoundarySample(double Du, double Dv, double k_min, double k_max, int n_k, double F_min, double F_max, int n_scan,
                                           double k[], double F_rise[], double F_fall[])
{
  GSBifurcationStatus status = GS_BIFURCATION_OK;

  if (!k || !F_rise || !F_fall || !IsValidRange(k_min, k_max, n_k) || !IsValidRange(F_min, F_max, n_scan) || n_scan < 2)
    return GS_BIFURCATION_ERR_ARG;
  if (!isfinite(Du) || !isfinite(Dv) || Du <= 0.0 || Dv <= 0.0 || F_min < 0.0) return GS_BIFURCATION_ERR_DOMAIN;
  for (int i = 0; i < n_k; i++) {
    k[i] = UniformPoint(k_min, k_max, i, n_k);
    if (TuringBoundaryRow(k[i], Du, Dv, F_min, F_max, n_scan, &F_rise[i], &F_fall[i])) status = GS_BIFURCATION_ERR_TOPOLOGY;
  }
  return status;
}

double GSGridSymbol(const GSMapGrid *g, int mx, int my)
{
  const double sx = sin(M_PI * mx / g->nx), sy = sin(M_PI * my / g->ny);
  return 4.0 / (g->h * g->h) * (sx * sx + sy * sy);
}

double GSMapGrowth(const double J[2][2], double Lambda, double Du, double Dv, double dt)
{
  const double a = J[0][0] - Lambda * Du, d = J[1][1] - Lambda * Dv;
  const double tr = a + d, det = a * d - J[0][1] * J[1][0], disc = tr * tr - 4.0 * det;

  if (dt == 0.0) return disc >= 0.0 ? 0.5 * (tr + sqrt(disc)) : 0.5 * tr;
  /* M = I + dt A has trace 2 + dt tr, determinant 1 + dt tr + dt^2 det and discriminant dt^2 disc */
  const double tr_m = 2.0 + dt * tr, det_m = 1.0 + dt * tr + dt * dt * det;
  if (disc < 0.0) return sqrt(fmax(det_m, 0.0));
  const double root = dt * sqrt(disc);
  return fmax(fabs(0.5 * (tr_m + root)), fabs(0.5 * (tr_m - root)));
}

static int IsValidGrid(const GSMapGrid *g)
{
  return g && g->nx >= 1 && g->ny >= 1 && isfinite(g->h) && g->h > 0.0 && isfinite(g->dt) && g->dt >= 0.0;
}

GSBifurcationStatus GSUniformStateMapStable(const GSParams *p, GSField s, const GSMapGrid *g, int *stable, double *growth)
{
  double J[2][2], worst = -INFINITY;

  if (!p || !stable || !growth || !IsValidGrid(g)) return GS_BIFURCATION_ERR_ARG;
  GSReactionJacobian(p, s, J);
  for (int mx = 0; mx <= g->nx / 2; mx++)
    for (int my = 0; my <= g->ny / 2; my++) worst = fmax(worst, GSMapGrowth(J, GSGridSymbol(g, mx, my), p->Du, p->Dv, g->dt));
  *growth = worst;
  *stable = worst < (g->dt > 0.0 ? 1.0 : 0.0);
  return GS_BIFURCATION_OK;
}

/* The last index j in [0, n/2] with (4/h^2) sin^2(pi j/n) <= t (0 when t < 0); the symbol rises with j there. */
static int SymbolBelow(double t, int n, double h)
{
  int lo = 0, hi = n / 2;

  while (lo < hi) {
    const int    mid = (lo + hi + 1) / 2;
    const double s   = sin(M_PI * mid / n);
    if (4.0 / (h * h) * s * s <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/* Minimum over the grid's symbols (without Lambda = 0 when skip_zero) of the convex quadratic
   c2 L^2 + c1 L + c0, c2 > 0: along each row mx it is attained next to the unconstrained minimiser. */
static double GridMinQuadratic(const GSMapGrid *g, double c2, double c1, double c0, int skip_zero)
{
  const double star = -c1 / (2.0 * c2);
  double       best = INFINITY;

  for (int mx = 0; mx <= g->nx / 2; mx++) {
    const double ax = GSGridSymbol(g, mx, 0);
    const int    j  = SymbolBelow(star - ax, g->ny, g->h);
    for (int my = j; my <= j + 1 && my <= g->ny / 2; my++) {
      if (skip_zero && mx == 0 && my == 0) continue;
      const double L = GSGridSymbol(g, mx, my);
      best           = fmin(best, (c2 * L + c1) * L + c0);
    }
  }
  return best;
}

/* The upper state at (F, k); with clamp a Delta a few ulps below 0 (at the fold) counts as 0. */
static int UpperState(double F, double k, int clamp, GSField *upper)
{
  GSField      states[2];
  const double delta = IsValidFK(F, k) ? Discriminant(F, k) : -1.0;

  if (!IsValidFK(F, k) || (delta < 0.0 && !clamp)) return 0;
  StatesFromDiscriminant(F, k, fmax(0.0, delta), states);
  *upper = states[0];
  return 1;
}

static double MarginAt(GSMapBoundary b, const GSParams *p, const GSMapGrid *g, int clamp)
{
  const double dt = g->dt;
  GSField      s;
  double       J[2][2];

  if (!UpperState(p->F, p->k, clamp, &s)) return (double)NAN;
  GSReactionJacobian(p, s, J);
  const double tr = J[0][0] + J[1][1], det = J[0][0] * J[1][1] - J[0][1] * J[1][0], mix = J[0][0] * p->Dv + J[1][1] * p->Du;
  switch (b) {
  case GS_MAP_NEIMARK_SACKER:
    return dt > 0.0 ? -dt * (tr + dt * det) : -tr;
  case GS_MAP_FLIP: /* det(I + M) = 4 + 2 dt tr(A) + dt^2 det(A), A = J - Lambda D */
    if (dt == 0.0) return INFINITY;
    return GridMinQuadratic(g, dt * dt * p->Du * p->Dv, -2.0 * dt * (p->Du + p->Dv) - dt * dt * mix, 4.0 + 2.0 * dt * tr + dt * dt * det, 0);
  case GS_MAP_TURING:
    return GridMinQuadratic(g, p->Du * p->Dv, -mix, det, 1);
  }
  return (double)NAN;
}

double GSMapMargin(GSMapBoundary b, const GSParams *p, const GSMapGrid *g)
{
  if (!p || !IsValidGrid(g)) return (double)NAN;
  return MarginAt(b, p, g, 0);
}

static GSParams SegmentPoint(const GSParams *p0, const GSParams *p1, double t)
{
  GSParams p = {p0->F + t * (p1->F - p0->F), p0->k + t * (p1->k - p0->k), p0->Du + t * (p1->Du - p0->Du), p0->Dv + t * (p1->Dv - p0->Dv)};
  return p;
}

/* Whether a root of the margin of b at p is a boundary of that kind (see GSMapBoundaryCrossings). */
static int IsBoundaryKind(GSMapBoundary b, const GSParams *p, const GSMapGrid *g)
{
  GSField s;
  double  J[2][2];

  if (!UpperState(p->F, p->k, 1, &s)) return 0;
  GSReactionJacobian(p, s, J);
  const double tr = J[0][0] + J[1][1], det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
  if (b == GS_MAP_NEIMARK_SACKER) return tr * tr < 4.0 * det;
  return GSMapGrowth(J, 0.0, p->Du, p->Dv, g->dt) < (g->dt > 0.0 ? 1.0 : 0.0);
}

/* Bisects the margin of b on [t_lo, t_hi] of the segment, where its sign classes differ. */
static double BisectSegment(GSMapBoundary b, const GSParams *p0, const GSParams *p1, const GSMapGrid *g, int clamp, double t_lo, double t_hi)
{
  GSParams  p           = SegmentPoint(p0, p1, t_lo);
  const int lo_positive = MarginAt(b, &p, g, clamp) > 0.0;

  for (int it = 0; it < 200; it++) {
    const double t_mid = 0.5 * (t_lo + t_hi);
    if (t_mid <= t_lo || t_mid >= t_hi) break;
    p = SegmentPoint(p0, p1, t_mid);
    if ((MarginAt(b, &p, g, clamp) > 0.0) == lo_positive) t_lo = t_mid;
    else t_hi = t_mid;
  }
  return 0.5 * (t_lo + t_hi);
}

static GSBifurcationStatus ScanSegment(GSMapBoundary b, const GSParams *p0, const GSParams *p1, const GSMapGrid *g, int clamp, int n_scan, int max,
                                       double t[], int rising[], int *n)
{
  GSParams p           = *p0;
  double   t_prev      = 0.0;
  double   margin_prev = MarginAt(b, &p, g, clamp);

  *n = 0;
  for (int i = 1; i < n_scan; i++) {
    const double t_i    = UniformPoint(0.0, 1.0, i, n_scan);
    p                   = SegmentPoint(p0, p1, t_i);
    const double margin = MarginAt(b, &p, g, clamp);
    if (!isnan(margin) && !isnan(margin_prev) && (margin > 0.0) != (margin_prev > 0.0)) {
      const double   t_cross = BisectSegment(b, p0, p1, g, clamp, t_prev, t_i);
      const GSParams pc      = SegmentPoint(p0, p1, t_cross);
      if (IsBoundaryKind(b, &pc, g) && *n < max) {
        t[*n]      = t_cross;
        rising[*n] = margin > 0.0;
        *n += 1;
      }
    }
    t_prev      = t_i;
    margin_prev = margin;
  }
  return GS_BIFURCATION_OK;
}

GSBifurcationStatus GSMapBoundaryCrossings(GSMapBoundary b, const GSParams *p0, const GSParams *p1, const GSMapGrid *g, int n_scan, int max,
                                           double t[], int rising[], int *n)
{
  if (!p0 || !p1 || !IsValidGrid(g) || n_scan < 2 || max < 0 || (max > 0 && (!t || !rising)) || !n) return GS_BIFURCATION_ERR_ARG;
  return ScanSegment(b, p0, p1, g, 0, n_scan, max, t, rising, n);
}

#define GS_MAP_ROW_MAX 8

static void MapBoundaryRow(GSMapBoundary b, double k, double Du, double Dv, const GSMapGrid *g, double F_min, double F_max, int n_scan,
                           double *F_rise, double *F_fall)
{
  double t[GS_MAP_ROW_MAX], F_lo, F_hi;
  int    rising[GS_MAP_ROW_MAX], n;

  *F_rise = *F_fall = (double)NAN;
  if (!ExistenceInterval(k, &F_lo, &F_hi)) return;
  F_lo = fmax(F_lo, F_min);
  F_hi = fmin(F_hi, F_max);
  if (!(F_lo < F_hi)) return;
  const GSParams p0 = {F_lo, k, Du, Dv}, p1 = {F_hi, k, Du, Dv};
  (void)ScanSegment(b, &p0, &p1, g, 1, n_scan, GS_MAP_ROW_MAX, t, rising, &n);
  for (int c = n - 1; c >= 0; c--) *(rising[c] ? F_rise : F_fall) = F_lo + t[c] * (F_hi - F_lo);
}

GSBifurcationStatus GSMapBoundarySample(GSMapBoundary b, double Du, double Dv, const GSMapGrid *g, double k_min, double k_max, int n_k, double F_min,
                                        double F_max, int n_scan, double k[], double F_rise[], double F_fall[])
{
  if (!k || !F_rise || !F_fall || !IsValidGrid(g) || !IsValidRange(k_min, k_max, n_k) || !IsValidRange(F_min, F_max, n_scan) || n_scan < 2)
    return GS_BIFURCATION_ERR_ARG;
  if (!isfinite(Du) || !isfinite(Dv) || Du <= 0.0 || Dv <= 0.0 || F_min < 0.0) return GS_BIFURCATION_ERR_DOMAIN;
  for (int i = 0; i < n_k; i++) {
    k[i] = UniformPoint(k_min, k_max, i, n_k);
    MapBoundaryRow(b, k[i], Du, Dv, g, F_min, F_max, n_scan, &F_rise[i], &F_fall[i]);
  }
  return GS_BIFURCATION_OK;
}
