/* Bifurcation curves drawn in a sweep's axes. */
#pragma once

#include "gsinv/sweep.h"

#define GS_CURVE_MAX_POINTS 512
#define GS_CURVE_MAX        4

/* A polyline in (axis0, axis1) values; NaN rows break it; a 1-D slice's crossings are lone
   points (x, 0). */
typedef struct {
  const char *name;
  int         n;
  double      x[GS_CURVE_MAX_POINTS], y[GS_CURVE_MAX_POINTS];
} GSLandscapeCurve;

typedef struct {
  int              n;
  GSLandscapeCurve curve[GS_CURVE_MAX];
} GSLandscapeCurves;

/* The curves that exist in these axes (none for slices without F or k). Not collective. */
void GSLandscapeCurvesCompute(const GSSweepAxes *axes, GSLandscapeCurves *curves);
