/* Steady-state and invalid-run detectors (docs/model.md section 6). */
#include <math.h>

#include "gsinv/physics/status.h"

const char *const GSRunReasonNames[] =
  {"running",     "steady", "fixed_steps", "invalid_v_out_of_range", "invalid_nonfinite", "invalid_no_steady_state", "invalid_solver_failed",
   "interrupted", NULL};

void GSStepStatsReset(GSStepStats *s)
{
  s->max_change = 0.0;
  s->neg_vmin   = -INFINITY;
  s->vmax       = -INFINITY;
  s->nonfinite  = 0.0;
  s->interrupt  = 0.0;
}

/* Branch-free so that it vectorises: max/min reductions under omp simd, and non-finite values
   detected through x * 0, which is 0 for every finite x and NaN otherwise. */
void GSStepStatsUpdate(GSStepStats *s, size_t n, const GSField *x, const GSField *prev)
{
  double max_change = s->max_change, vmin = -s->neg_vmin, vmax = s->vmax, probe = 0.0;

  if (prev) {
#pragma omp simd reduction(max : max_change, vmax) reduction(min : vmin) reduction(+ : probe)
    for (size_t c = 0; c < n; c++) {
      const double u = x[c].u, v = x[c].v, du = fabs(u - prev[c].u), dv = fabs(v - prev[c].v);
      max_change = du > max_change ? du : max_change;
      max_change = dv > max_change ? dv : max_change;
      vmin       = v < vmin ? v : vmin;
      vmax       = v > vmax ? v : vmax;
      probe += u * 0.0 + v * 0.0;
    }
  } else {
#pragma omp simd reduction(max : vmax) reduction(min : vmin) reduction(+ : probe)
    for (size_t c = 0; c < n; c++) {
      const double u = x[c].u, v = x[c].v;
      vmin = v < vmin ? v : vmin;
      vmax = v > vmax ? v : vmax;
      probe += u * 0.0 + v * 0.0;
    }
  }
  s->max_change = max_change;
  s->neg_vmin   = -vmin;
  s->vmax       = vmax;
  if (!isfinite(probe) || isnan(max_change) || isnan(vmin) || isnan(vmax)) s->nonfinite = 1.0;
}

void GSStepStatsMerge(GSStepStats *a, const GSStepStats *b)
{
  a->max_change = fmax(a->max_change, b->max_change);
  a->neg_vmin   = fmax(a->neg_vmin, b->neg_vmin);
  a->vmax       = fmax(a->vmax, b->vmax);
  a->nonfinite  = fmax(a->nonfinite, b->nonfinite);
  a->interrupt  = fmax(a->interrupt, b->interrupt);
}

GSRunReason GSRunClassify(const GSStepStats *s, double steady_tol, long step, long max_steps)
{
  if (s->interrupt > 0.0) return GS_RUN_INTERRUPTED;
  if (s->nonfinite > 0.0) return GS_RUN_INVALID_NONFINITE;
  if (-s->neg_vmin < 0.0 || s->vmax > 1.0) return GS_RUN_INVALID_RANGE;
  if (steady_tol > 0.0 && step > 0 && s->max_change < steady_tol) return GS_RUN_STEADY;
  if (step >= max_steps) return steady_tol > 0.0 ? GS_RUN_NO_STEADY : GS_RUN_FIXED_STEPS;
  return GS_RUN_RUNNING;
}

int GSRunReasonIsValid(GSRunReason r)
{
  return r == GS_RUN_STEADY || r == GS_RUN_FIXED_STEPS;
}
