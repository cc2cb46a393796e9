/* Reparameterisations of theta: the optimiser's raw variables and the physical (F, k, Du, Dv). */
#pragma once

#include "gsinv/physics/kernels.h"

/* identity: raw = theta; paper (docs/model.md section 8): Du = softplus(a), Dv = softplus(b),
   F = 0.1 sigmoid(c), k = 0.1 sigmoid(d) (raw order F, k, Du, Dv: c, d, a, b); log: theta = exp(raw). */
typedef enum { GS_REPARAM_IDENTITY = 0, GS_REPARAM_PAPER = 1, GS_REPARAM_LOG = 2 } GSReparamType;

/* For PetscOptionsEnum. */
extern const char *const GSReparamTypes[];

/* Physical theta from raw variables, and the diagonal d theta / d raw. Returns 0. */
int GSReparamToPhysical(GSReparamType type, const double raw[GS_NPARAM], double theta[GS_NPARAM], double dtheta_draw[GS_NPARAM]);

/* Raw variables from a physical theta; non-zero when theta is outside the map's range
   (paper: F, k in (0, 0.1), Du, Dv > 0; log: all > 0). */
int GSReparamFromPhysical(GSReparamType type, const double theta[GS_NPARAM], double raw[GS_NPARAM]);

/* Chain rule: dL/draw = dL/dtheta * dtheta/draw, entry by entry. */
void GSReparamGradient(const double dtheta_draw[GS_NPARAM], const double grad_theta[GS_NPARAM], double grad_raw[GS_NPARAM]);
