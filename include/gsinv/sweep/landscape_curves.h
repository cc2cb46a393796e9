/* Bifurcation curves drawn in a sweep's axes. */
#pragma once

#include "gsinv/physics/bifurcation.h"
#include "gsinv/sweep/sweep.h"

#define GS_CURVE_MAX_POINTS 512
#define GS_CURVE_MAX        8

/* A polyline in (axis0, axis1) values; NaN rows break it; a 1-D slice's crossings are lone
   points (x, 0). */
typedef struct {
  const char *name;
  int         map; /* 1: a boundary of the simulated map (euler_*), 0: of the ODE */
  int         n;
  double      x[GS_CURVE_MAX_POINTS], y[GS_CURVE_MAX_POINTS];
} GSLandscapeCurve;

typedef struct {
  int              n;
  GSLandscapeCurve curve[GS_CURVE_MAX];
} GSLandscapeCurves;

/* The curves that exist in these axes: the ODE's fold, hopf, turing_rise, turing_fall (none for
   slices without F or k) and, when map is not NULL (a forward-Euler run: its dt, h and grid), the
   map's euler_hopf (Neimark-Sacker), euler_turing (both branches, a NaN row between them) and
   euler_flip (only if it exists in range), on any slice with F and k or along any one axis.
   Not collective. */
void GSLandscapeCurvesCompute(const GSSweepAxes *axes, const GSMapGrid *map, GSLandscapeCurves *curves);
