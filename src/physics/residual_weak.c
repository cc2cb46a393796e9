/* Weak-form residual pieces: the bump test functions, their discrete Laplacian, the rows and their noise correction. */
#include <math.h>

#include "gsinv/physics/residual_weak.h"

int GSWeakTestsSetUp(GSWeakTests *t, int64_t nx, int64_t ny, double h, int radius, int spacing, int power)
{
  if (!t || radius < 2 || power < 1 || spacing < 1 || 2 * (int64_t)radius + 2 > nx || 2 * (int64_t)radius + 2 > ny || !(h > 0)) return -1;
  t->nx     = nx;
  t->ny     = ny;
  t->radius = radius;
  t->power  = power;
  t->ncx    = nx / spacing > 0 ? nx / spacing : 1;
  t->ncy    = ny / spacing > 0 ? ny / spacing : 1;
  t->inv_h2 = 1.0 / (h * h);
  return 0;
}

int64_t GSWeakTestsCount(const GSWeakTests *t)
{
  return t->ncx * t->ncy;
}

double GSWeakBump(const GSWeakTests *t, int64_t d)
{
  const double x = (double)d / t->radius;
  return fabs(x) < 1.0 ? pow(1.0 - x * x, t->power) : 0.0;
}

/* The periodic distance i - c in (-n/2, n/2]. */
static int64_t PeriodicOffset(int64_t i, int64_t c, int64_t n)
{
  int64_t d = ((i - c) % n + n) % n;
  return d > n / 2 ? d - n : d;
}

int GSWeakAxisEntries(const GSWeakTests *t, int64_t n, int64_t nc, int64_t i, GSWeakAxisEntry *entries)
{
  int count = 0;

  for (int64_t a = 0; a < nc; a++) {
    const int64_t d = PeriodicOffset(i, a * n / nc, n);
    if (d < -t->radius || d > t->radius) continue;
    entries[count].centre = a;
    entries[count].b      = GSWeakBump(t, d);
    entries[count].d2b    = GSWeakBump(t, d + 1) + GSWeakBump(t, d - 1) - 2.0 * entries[count].b;
    count++;
  }
  return count;
}

void GSWeakRowAddCell(double row[GS_WEAK_NROW], double phi, double lap_phi, GSField x, GSField x_t)
{
  const double uvv = x.u * x.v * x.v;

  row[GS_WEAK_ROW_ONE_MINUS_U] += phi * (1.0 - x.u);
  row[GS_WEAK_ROW_LAP_U] += lap_phi * x.u;
  row[GS_WEAK_ROW_V] += phi * x.v;
  row[GS_WEAK_ROW_LAP_V] += lap_phi * x.v;
  row[GS_WEAK_ROW_B_U] += phi * (x_t.u + uvv);
  row[GS_WEAK_ROW_B_V] += phi * (x_t.v - uvv);
  row[GS_WEAK_ROW_U] += phi * x.u;
}

/* Adds one row a theta = b to the normal equations. */
static void SumsAddOne(GSResidualSums *sums, const double a[GS_NPARAM], double b)
{
  for (int i = 0; i < GS_NPARAM; i++) {
    for (int j = 0; j < GS_NPARAM; j++) sums->ata[GS_NPARAM * i + j] += a[i] * a[j];
    sums->atb[i] += a[i] * b;
  }
  sums->btb += b * b;
}

void GSWeakSumsAddRow(GSResidualSums *sums, const double row[GS_WEAK_NROW], double sigma_v2, int v_only)
{
  const double bias  = sigma_v2 * row[GS_WEAK_ROW_U];
  const double a_u[] = {row[GS_WEAK_ROW_ONE_MINUS_U], 0.0, row[GS_WEAK_ROW_LAP_U], 0.0};
  const double a_v[] = {-row[GS_WEAK_ROW_V], -row[GS_WEAK_ROW_V], 0.0, row[GS_WEAK_ROW_LAP_V]};

  if (!v_only) SumsAddOne(sums, a_u, row[GS_WEAK_ROW_B_U] - bias);
  SumsAddOne(sums, a_v, row[GS_WEAK_ROW_B_V] + bias);
  sums->ncells += 1.0;
}

double GSWeakNoiseGain(int order)
{
  double binomial = 1.0;

  for (int j = 1; j <= order; j++) binomial = binomial * (order + j) / j;
  return binomial * binomial;
}
