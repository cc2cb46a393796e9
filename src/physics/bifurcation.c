/* Uniform states, fold, Hopf and Turing curves of Gray-Scott from their closed forms (model.md section 10). */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "gsinv/bifurcation.h"

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
  *n_states = 0;
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
   model.md form but free of its cancellation as k -> 0. */
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

GSBifurcationStatus GSTuringBoundarySample(double Du, double Dv, double k_min, double k_max, int n_k, double F_min, double F_max, int n_scan, double k[], double F_rise[], double F_fall[])
{
  GSBifurcationStatus status = GS_BIFURCATION_OK;

  if (!k || !F_rise || !F_fall || !IsValidRange(k_min, k_max, n_k) || !IsValidRange(F_min, F_max, n_scan) || n_scan < 2) return GS_BIFURCATION_ERR_ARG;
  if (!isfinite(Du) || !isfinite(Dv) || Du <= 0.0 || Dv <= 0.0 || F_min < 0.0) return GS_BIFURCATION_ERR_DOMAIN;
  for (int i = 0; i < n_k; i++) {
    k[i] = UniformPoint(k_min, k_max, i, n_k);
    if (TuringBoundaryRow(k[i], Du, Dv, F_min, F_max, n_scan, &F_rise[i], &F_fall[i])) status = GS_BIFURCATION_ERR_TOPOLOGY;
  }
  return status;
}
