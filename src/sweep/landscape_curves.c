/* Bifurcation curves in a landscape's axes (docs/model.md sections 4 and 5): fold, Hopf and the Turing
   boundary on an (F, k) slice; the fold and Hopf crossings on a 1-D slice along F or k. */
#include <math.h>

#include "gsinv/bifurcation.h"
#include "gsinv/landscape_curves.h"

#define GS_CURVE_SAMPLES 400

static int Axis(const GSSweepAxes *a, int param)
{
  for (int k = 0; k < a->naxes; k++)
    if (a->param[k] == param) return k;
  return -1;
}

/* Stores (F, k) pairs as (axis0, axis1) points in the slice's order. */
static void Store(GSLandscapeCurve *c, int swap, int n, const double *F, const double *k)
{
  c->n = 0;
  for (int i = 0; i < n && c->n < GS_CURVE_MAX_POINTS; i++, c->n++) {
    c->x[c->n] = swap ? k[i] : F[i];
    c->y[c->n] = swap ? F[i] : k[i];
  }
}

static void PlaneCurves(const GSSweepAxes *a, GSLandscapeCurves *out)
{
  const int swap = a->param[0] == GS_PARAM_K;
  const int fa = Axis(a, GS_PARAM_F), ka = Axis(a, GS_PARAM_K);
  double    F[GS_CURVE_SAMPLES], k[GS_CURVE_SAMPLES], rise[GS_CURVE_SAMPLES], fall[GS_CURVE_SAMPLES];
  double    kmin = PetscMax(a->lo[ka], 1e-9), kmax = PetscMin(a->hi[ka], GS_BOGDANOV_TAKENS);

  if (GSFoldCurveSample(a->lo[fa], a->hi[fa], GS_CURVE_SAMPLES, F, k) == 0) Store(&out->curve[out->n++], swap, GS_CURVE_SAMPLES, F, k), out->curve[out->n - 1].name = "fold";
  if (kmin < kmax && GSHopfCurveSample(kmin, kmax, GS_CURVE_SAMPLES, F, k) == 0) Store(&out->curve[out->n++], swap, GS_CURVE_SAMPLES, F, k), out->curve[out->n - 1].name = "hopf";
  if (kmin < kmax && a->base.Du > 0 && a->base.Dv > 0 && GSTuringBoundarySample(a->base.Du, a->base.Dv, kmin, kmax, GS_CURVE_SAMPLES, a->lo[fa], a->hi[fa], 200, k, rise, fall) <= 1) {
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

void GSLandscapeCurvesCompute(const GSSweepAxes *a, GSLandscapeCurves *out)
{
  out->n = 0;
  if (a->naxes == 2 && Axis(a, GS_PARAM_F) >= 0 && Axis(a, GS_PARAM_K) >= 0) PlaneCurves(a, out);
  else if (a->naxes == 1) SliceCrossings(a, out);
}
