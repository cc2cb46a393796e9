/* The Taylor test's analysis: steps over decades, rates between successive steps, the range where the rate is 2, and its flags. Plain C. */
#pragma once

#include <stddef.h>

enum { GS_TAYLOR_MAX = 64 };

/* A rate counts as 2 within [GS_TAYLOR_RATE_LO, GS_TAYLOR_RATE_HI]. */
#define GS_TAYLOR_RATE_LO 1.9
#define GS_TAYLOR_RATE_HI 2.1

/* Flags of a sweep (bits); 0 means the gradient passed. */
enum {
  GS_TAYLOR_NO_RANGE    = 1, /* no pair of successive steps has a rate within [1.9, 2.1] */
  GS_TAYLOR_RATE_OFF    = 2, /* the rate at the chosen step is outside [1.9, 2.1] */
  GS_TAYLOR_FIRST_ORDER = 4  /* below the rate-2 range the remainder falls at rate ~1 well above round-off: the gradient is wrong */
};

/* Steps h[i] (relative to theta), remainders |L(theta + h d) - L(theta) - h g.d| (valid[i] = 0 when
   the run at theta + h d was invalid), rate[i] = log(R_i / R_{i+1}) / log(h_i / h_{i+1}) between
   steps i and i + 1 (NaN when either is unusable), and what GSTaylorAnalyse makes of them. */
typedef struct {
  int    n;
  double h[GS_TAYLOR_MAX], remainder[GS_TAYLOR_MAX], rate[GS_TAYLOR_MAX];
  int    valid[GS_TAYLOR_MAX];
  int    range_first, range_last; /* pairs of the longest run of rates within [1.9, 2.1]; -1 when none */
  double range_hi, range_lo;      /* its steps: h[range_first] down to h[range_last + 1]; NaN when none */
  double h_chosen, rate_chosen;   /* the step at which the rate is checked, and the rate there */
  int    flags;
} GSTaylorSweep;

/* per_decade steps per decade from hmax down to hmin (both included when they are decades apart);
   returns the count (at most GS_TAYLOR_MAX), 0 when the arguments are out of range
   (0 < hmin < hmax < 1, 1 <= per_decade <= 8). */
int GSTaylorSteps(double hmax, double hmin, int per_decade, double h[GS_TAYLOR_MAX]);

/* From t->n, h, remainder and valid: the rates, the longest rate-2 range, the chosen step (h_given
   when > 0, with the rate of the pair of steps around it; else the middle of the range) and the
   flags. loss_scale (|L(theta)|) sets the round-off level of the first-order check. */
void GSTaylorAnalyse(GSTaylorSweep *t, double h_given, double loss_scale);

/* "ok" or the flags in words, e.g. "no rate-2 range; first-order remainder". */
void GSTaylorDescribeFlags(int flags, char *buf, size_t len);
