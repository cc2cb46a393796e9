/* Whole-grid periodic loops over the pointwise terms: the fused reference stepper and RHS. */
#include "gsinv/physics.h"
#include "gsinv/stencil.h"

const char *const GSParamNames[GS_NPARAM] = {"F", "k", "Du", "Dv"};

void GSEulerStepPeriodic(const GSParams *p, double inv_h2, double dt, int nx, int ny, const GSField *x, GSField *y)
{
  GS_SWEEP_PERIODIC(nx, ny, x, {
    const GSField f = GSRHSPoint(p, inv_h2, c, w, e, s, n);
    y[idx].u        = c.u + dt * f.u;
    y[idx].v        = c.v + dt * f.v;
  });
}

void GSRHSPeriodic(const GSParams *p, double inv_h2, int nx, int ny, const GSField *x, GSField *f)
{
  GS_SWEEP_PERIODIC(nx, ny, x, f[idx] = GSRHSPoint(p, inv_h2, c, w, e, s, n));
}
