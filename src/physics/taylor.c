/* The Taylor test's analysis: steps over decades, successive rates, the rate-2 range and the flags. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gsinv/physics/taylor.h"

/* Remainders below this multiple of eps |L| are round-off, not a first-order term. */
#define ROUNDOFF_FACTOR 1e6

int GSTaylorSteps(double hmax, double hmin, int per_decade, double h[GS_TAYLOR_MAX])
{
  int n = 0;

  if (!(hmin > 0 && hmin < hmax && hmax < 1) || per_decade < 1 || per_decade > 8) return 0;
  for (; n < GS_TAYLOR_MAX; n++) {
    h[n] = hmax * pow(10.0, -(double)n / per_decade);
    if (h[n] < hmin * (1 - 1e-9)) break;
  }
  return n;
}

static int InRange(double rate)
{
  return rate >= GS_TAYLOR_RATE_LO && rate <= GS_TAYLOR_RATE_HI;
}

/* The pair of successive steps around h (the nearest one at the ends). */
static int PairAround(const GSTaylorSweep *t, double h)
{
  for (int i = 0; i + 1 < t->n; i++)
    if (h >= t->h[i + 1]) return i;
  return t->n - 2;
}

static void LongestRange(GSTaylorSweep *t)
{
  int best = 0;

  t->range_first = t->range_last = -1;
  for (int i = 0; i + 1 < t->n; i++) {
    int j = i;
    while (j + 1 < t->n && InRange(t->rate[j])) j++;
    if (j - i > best) best = j - i, t->range_first = i, t->range_last = j - 1;
  }
  t->range_hi = t->range_first >= 0 ? t->h[t->range_first] : NAN;
  t->range_lo = t->range_first >= 0 ? t->h[t->range_last + 1] : NAN;
}

void GSTaylorAnalyse(GSTaylorSweep *t, double h_given, double loss_scale)
{
  const double roundoff = ROUNDOFF_FACTOR * DBL_EPSILON * fabs(loss_scale);

  for (int i = 0; i < GS_TAYLOR_MAX; i++) t->rate[i] = NAN;
  for (int i = 0; i + 1 < t->n; i++)
    if (t->valid[i] && t->valid[i + 1] && t->remainder[i] > 0 && t->remainder[i + 1] > 0)
      t->rate[i] = log(t->remainder[i] / t->remainder[i + 1]) / log(t->h[i] / t->h[i + 1]);
  LongestRange(t);
  t->flags = 0;
  if (t->range_first < 0) t->flags |= GS_TAYLOR_NO_RANGE;
  if (h_given > 0 && t->n > 1) {
    t->h_chosen    = h_given;
    t->rate_chosen = t->rate[PairAround(t, h_given)];
  } else if (t->range_first >= 0) {
    const int mid  = (t->range_first + t->range_last) / 2;
    t->h_chosen    = t->h[mid];
    t->rate_chosen = t->rate[mid];
  } else t->h_chosen = t->rate_chosen = NAN;
  if (!InRange(t->rate_chosen)) t->flags |= GS_TAYLOR_RATE_OFF;
  for (int i = t->range_last + 1; i + 1 < t->n; i++)
    if (fabs(t->rate[i] - 1) < 0.2 && t->remainder[i + 1] > roundoff) t->flags |= GS_TAYLOR_FIRST_ORDER;
}

void GSTaylorDescribeFlags(int flags, char *buf, size_t len)
{
  const char *words[3] = {"no rate-2 range", "rate at the chosen step outside [1.9, 2.1]", "first-order remainder (wrong gradient)"};

  buf[0] = 0;
  if (!flags) {
    snprintf(buf, len, "ok");
    return;
  }
  for (int b = 0; b < 3; b++) {
    if (!(flags & (1 << b))) continue;
    if (buf[0]) strncat(buf, "; ", len - strlen(buf) - 1);
    strncat(buf, words[b], len - strlen(buf) - 1);
  }
}
