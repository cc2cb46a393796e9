/* Reparameterisations: identity, the paper's softplus/sigmoid, and log. */
#include <math.h>

#include "gsinv/physics/reparam.h"

const char *const GSReparamTypes[] = {"identity", "paper", "log", "GSReparamType", "GS_REPARAM_", 0};

/* softplus(x) = log(1 + e^x), written to neither overflow nor lose digits. */
static double Softplus(double x)
{
  return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static double Sigmoid(double x)
{
  return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

int GSReparamToPhysical(GSReparamType type, const double raw[GS_NPARAM], double theta[GS_NPARAM], double dtheta_draw[GS_NPARAM])
{
  for (int q = 0; q < GS_NPARAM; q++) {
    const double x = raw[q];
    switch (type) {
    case GS_REPARAM_PAPER:
      if (q == GS_PARAM_F || q == GS_PARAM_K) {
        const double s = Sigmoid(x);
        theta[q]       = 0.1 * s;
        dtheta_draw[q] = 0.1 * s * (1 - s);
      } else {
        theta[q]       = Softplus(x);
        dtheta_draw[q] = Sigmoid(x);
      }
      break;
    case GS_REPARAM_LOG:
      theta[q]       = exp(x);
      dtheta_draw[q] = theta[q];
      break;
    default:
      theta[q]       = x;
      dtheta_draw[q] = 1.0;
    }
  }
  return 0;
}

int GSReparamFromPhysical(GSReparamType type, const double theta[GS_NPARAM], double raw[GS_NPARAM])
{
  for (int q = 0; q < GS_NPARAM; q++) {
    const double t = theta[q];
    switch (type) {
    case GS_REPARAM_PAPER:
      if (q == GS_PARAM_F || q == GS_PARAM_K) {
        if (!(t > 0 && t < 0.1)) return 1;
        raw[q] = log(t / (0.1 - t));
      } else {
        if (!(t > 0)) return 1;
        raw[q] = t > 30 ? t + log(-expm1(-t)) : log(expm1(t));
      }
      break;
    case GS_REPARAM_LOG:
      if (!(t > 0)) return 1;
      raw[q] = log(t);
      break;
    default:
      raw[q] = t;
    }
  }
  return 0;
}

void GSReparamGradient(const double dtheta_draw[GS_NPARAM], const double grad_theta[GS_NPARAM], double grad_raw[GS_NPARAM])
{
  for (int q = 0; q < GS_NPARAM; q++) grad_raw[q] = grad_theta[q] * dtheta_draw[q];
}
