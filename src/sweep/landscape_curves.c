/* Bifurcation curves in a landscape's axes (docs/model.md sections 4 and 5): fold, Hopf and the Turing
   boundary on an (F, k) slice, the fold and Hopf crossings on a 1-D slice along F or k, and the
   same boundaries of the simulated forward-Euler map. */
#include <math.h>

#include "gsinv/physics/bifurcation.h"
#include "gsinv/sweep/landscape_curves.h"

#define GS_CURVE_SAMPLES 400
#define GS_MAP_SAMPLES   200
#define GS_MAP_SCAN      100

static int Axis(const GSSweepAxes *a, int param)
{
  for (int k = 0; k < a->naxes; k++)
    if (a->param[k] == param) return k;
  return -1;
}

/* Appends (F, k) pairs as (axis0, axis1) points in the slice's order. */
static void Append(GSLandscapeCurve *c, int swap, int n, const double *F, const double *k)
{
  for (int i = 0; i < n && c->n < GS_CURVE_MAX_POINTS; i++, c->n++) {
    c->x[c->n] = swap ? k[i] : F[i];
    c->y[c->n] = swap ? F[i] : k[i];
  }
}

/* Stores (F, k) pairs as (axis0, axis1) points in the slice's order. */
static void Store(GSLandscapeCurve *c, int swap, int n, const double *F, const double *k)
{
  c->n = 0;
  Append(c, swap, n, F, k);
}

static void PlaneCurves(const GSSweepAxes *a, GSLandscapeCurves *out)
{
  const int swap = a->param[0] == GS_PARAM_K;
  const int fa = Axis(a, GS_PARAM_F), ka = Axis(a, GS_PARAM_K);
  double    F[GS_CURVE_SAMPLES], k[GS_CURVE_SAMPLES], rise[GS_CURVE_SAMPLES], fall[GS_CURVE_SAMPLES];
  double    kmin = PetscMax(a->lo[ka], 1e-9), kmax = PetscMin(a->hi[ka], GS_BOGDANOV_TAKENS);

  if (GSFoldCurveSample(a->lo[fa], a->hi[fa], GS_CURVE_SAMPLES, F, k) == 0)
    Store(&out->curve[out->n++], swap, GS_CURVE_SAMPLES, F, k), out->curve[out->n - 1].name = "fold";
  if (kmin < kmax && GSHopfCurveSample(kmin, kmax, GS_CURVE_SAMPLES, F, k) == 0)
    Store(&out->curve[out->n++], swap, GS_CURVE_SAMPLES, F, k), out->curve[out->n - 1].name = "hopf";
  if (kmin < kmax && a->base.Du > 0 && a->base.Dv > 0 &&
      GSTuringBoundarySample(a->base.Du, a->base.Dv, kmin, kmax, GS_CURVE_SAMPLES, a->lo[fa], a->hi[fa], 200, k, rise, fall) <= 1) {
    Store(&out->curve[out->n++], swap, GS_CURVE_SAMPLES, rise, k), out->curve[out->n - 1].name = "turing_rise";
    Store(&out->curve[out->n++], swap, GS_CURVE_SAMPLES, fall, k), out->curve[out->n - 1].name = "turing_fall";
  }
}

/* Crossings of a 1-D slice: lone points (x, 0). */
static void AddPoint(GSLandscapeCurves *out, const char *name, double x, double lo, double hi)
{
  GSLandscapeCurve *c = NULL;

  if (!(x >= lo && x <= hi)) return;
  for (int i = 0; i < out->n; i++)
    if (out->curve[i].name == name) c = &out->curve[i];
  if (!c) {
    c       = &out->curve[out->n++];
    c->name = name;
    c->n    = 0;
  }
  if (c->n > 0 && c->n < GS_CURVE_MAX_POINTS) c->x[c->n] = NAN, c->y[c->n++] = NAN;
  if (c->n < GS_CURVE_MAX_POINTS) c->x[c->n] = x, c->y[c->n++] = 0.0;
}

/* F_H(k) = F for k in (0, 1/16] by bisection (F_H rises from 0 to 1/16 there). */
static double HopfK(double F)
{
  double lo = 1e-12, hi = GS_BOGDANOV_TAKENS, f;

  if (GSHopfF(hi, &f) || F > f) return NAN;
  for (int it = 0; it < 200; it++) {
    const double mid = 0.5 * (lo + hi);
    if (GSHopfF(mid, &f) == 0 && f < F) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

static void SliceCrossings(const GSSweepAxes *a, GSLandscapeCurves *out)
{
  const double F = a->base.F, k = a->base.k;
  double       kf, fh;

  if (a->param[0] == GS_PARAM_K) {
    if (GSFoldK(F, &kf) == 0) AddPoint(out, "fold", kf, a->lo[0], a->hi[0]);
    AddPoint(out, "hopf", HopfK(F), a->lo[0], a->hi[0]);
  } else if (a->param[0] == GS_PARAM_F && k <= GS_BOGDANOV_TAKENS) {
    const double d = sqrt(fmax(0.25 - 4 * k, 0));
    for (int sign = -1; sign <= 1; sign += 2) AddPoint(out, "fold", pow((0.5 + sign * d) / 2, 2), a->lo[0], a->hi[0]);
    if (k > 0 && GSHopfF(k, &fh) == 0) AddPoint(out, "hopf", fh, a->lo[0], a->hi[0]);
  }
}

static const char *const map_names[3] = {"euler_hopf", "euler_flip", "euler_turing"};

/* A new curve of the map family. */
static GSLandscapeCurve *NewMapCurve(GSLandscapeCurves *out, GSMapBoundary b)
{
  GSLandscapeCurve *c = &out->curve[out->n++];

  c->name = map_names[b];
  c->map  = 1;
  c->n    = 0;
  return c;
}

static int AnyFinite(int n, const double *x)
{
  for (int i = 0; i < n; i++)
    if (isfinite(x[i])) return 1;
  return 0;
}

/* The map's boundaries on an (F, k) slice: both branches of each, a NaN row between them. */
static void PlaneMapCurves(const GSSweepAxes *a, const GSMapGrid *g, GSLandscapeCurves *out)
{
  const int swap = a->param[0] == GS_PARAM_K;
  const int fa = Axis(a, GS_PARAM_F), ka = Axis(a, GS_PARAM_K);
  double    k[GS_MAP_SAMPLES], rise[GS_MAP_SAMPLES], fall[GS_MAP_SAMPLES], nan_row = NAN;
  double    kmin = PetscMax(a->lo[ka], 1e-9), kmax = PetscMin(a->hi[ka], GS_BOGDANOV_TAKENS);

  if (!(kmin < kmax) || !(a->base.Du > 0 && a->base.Dv > 0)) return;
  for (int b = GS_MAP_NEIMARK_SACKER; b <= GS_MAP_TURING; b++) {
    if (GSMapBoundarySample((GSMapBoundary)b, a->base.Du, a->base.Dv, g, kmin, kmax, GS_MAP_SAMPLES, a->lo[fa], a->hi[fa], GS_MAP_SCAN, k, rise,
                            fall))
      continue;
    if (b == GS_MAP_FLIP && !AnyFinite(GS_MAP_SAMPLES, rise) && !AnyFinite(GS_MAP_SAMPLES, fall)) continue;
    GSLandscapeCurve *c = NewMapCurve(out, (GSMapBoundary)b);
    Append(c, swap, GS_MAP_SAMPLES, rise, k);
    if (!AnyFinite(GS_MAP_SAMPLES, fall)) continue;
    Append(c, swap, 1, &nan_row, &nan_row);
    Append(c, swap, GS_MAP_SAMPLES, fall, k);
  }
}

/* The map's crossings of a 1-D slice along any parameter: lone points (x, 0). */
static void SliceMapCrossings(const GSSweepAxes *a, const GSMapGrid *g, GSLandscapeCurves *out)
{
  double theta[GS_NPARAM], t[GS_CURVE_MAX_POINTS / 2];
  int    rising[GS_CURVE_MAX_POINTS / 2], n;

  GSParamsToArray(&a->base, theta);
  theta[a->param[0]] = a->lo[0];
  const GSParams p0  = GSParamsFromArray(theta);
  theta[a->param[0]] = a->hi[0];
  const GSParams p1  = GSParamsFromArray(theta);
  for (int b = GS_MAP_NEIMARK_SACKER; b <= GS_MAP_TURING; b++) {
    if (GSMapBoundaryCrossings((GSMapBoundary)b, &p0, &p1, g, 4 * GS_CURVE_SAMPLES, GS_CURVE_MAX_POINTS / 2, t, rising, &n)) continue;
    if (b == GS_MAP_FLIP && n == 0) continue;
    GSLandscapeCurve *c = NewMapCurve(out, (GSMapBoundary)b);
    for (int i = 0; i < n; i++) {
      if (c->n > 0) c->x[c->n] = NAN, c->y[c->n++] = NAN;
      c->x[c->n] = a->lo[0] + t[i] * (a->hi[0] - a->lo[0]), c->y[c->n++] = 0.0;
    }
  }
}

void GSLandscapeCurvesCompute(const GSSweepAxes *a, const GSMapGrid *map, GSLandscapeCurves *out)
{
  const int plane = a->naxes == 2 && Axis(a, GS_PARAM_F) >= 0 && Axis(a, GS_PARAM_K) >= 0;

  out->n = 0;
  if (plane) PlaneCurves(a, out);
  else if (a->naxes == 1) SliceCrossings(a, out);
  for (int c = 0; c < out->n; c++) out->curve[c].map = 0;
  if (map && plane) PlaneMapCurves(a, map, out);
  else if (map && a->naxes == 1) SliceMapCrossings(a, map, out);
}
