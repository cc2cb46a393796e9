/* End-state classes and loss cliffs of a parameter landscape, and their distance to bifurcation curves. Plain C. */
#pragma once

#include <stddef.h>

#include "gsinv/physics/bifurcation.h"

/* Return codes of the landscape-analysis functions; 0 is success. */
typedef enum {
  GS_LANDSCAPE_OK = 0,
  GS_LANDSCAPE_ERR_ARG,   /* NULL pointer, empty grid, non-positive spacing, unordered bin edges */
  GS_LANDSCAPE_ERR_MEMORY /* malloc failed */
} GSLandscapeStatus;

/* What a run ended in; the names below are what files and reports print. */
typedef enum {
  GS_CLASS_TRIVIAL     = 0,
  GS_CLASS_UNIFORM     = 1,
  GS_CLASS_PATTERN     = 2,
  GS_CLASS_OSCILLATING = 3,
  GS_CLASS_INVALID     = 4,
  GS_CLASS_TRANSIENT   = 5 /* looks trivial or uniform, but not at a uniform state stable for the map: still drifting */
} GSEndClass;

#define GS_END_CLASS_N 6

/* "trivial", "uniform", "pattern", "oscillating", "invalid", "transient", NULL (indexed by GSEndClass). */
extern const char *const GSEndClassNames[];

/* Statistics of the final state of one run, over all cells. */
typedef struct {
  int    valid; /* nonzero when the run's GSRunReason is valid (GSRunReasonIsValid) */
  double v_mean, v_std, v_max;
  double u_mean, u_std;
  double final_change; /* max over cells of |x_{n+1} - x_n| (both fields) in the last step */
} GSEndStats;

/* Thresholds of GSEndStateClassify, all absolute (u and v are O(1)). */
typedef struct {
  double trivial_v;          /* v_max and |u - 1| below this: the trivial state (1, 0) */
  double uniform_std;        /* v_std and u_std below this: spatially uniform */
  double oscillating_change; /* final_change above this: not settled */
  double state_distance;     /* |u_mean - u*| and |v_mean - v*| below this: at the uniform state (u*, v*) */
} GSClassifyTolerances;

/* The defaults: trivial_v = 1e-3, uniform_std = 1e-3, oscillating_change = 1e-4 (the paper's steady-state tolerance),
   state_distance = 1e-3. Not collective. */
GSClassifyTolerances GSClassifyTolerancesDefault(void);

/* Class of an end state. The rules are applied in this order and the first that holds wins:
     1. invalid:     s->valid == 0, or any statistic is NaN or infinite;
     2. trivial:     v_max < trivial_v and |u_mean - 1| < trivial_v and u_std < trivial_v
                     (the run decayed to (1, 0): a plateau of the loss whatever it still changes);
     3. oscillating: final_change > oscillating_change (the last step still moved: a limit cycle,
                     travelling pattern or slow transient; a spatially uniform Hopf oscillation
                     lands here, not in uniform);
     4. uniform:     v_std < uniform_std and u_std < uniform_std (a non-trivial uniform state);
     5. pattern:     everything else (a settled, spatially varying state).
   Comparisons are strict, so a statistic equal to its tolerance falls to the next rule.
   s == NULL gives GS_CLASS_INVALID; tol == NULL uses GSClassifyTolerancesDefault(). Not collective. */
GSEndClass GSEndStateClassify(const GSEndStats *s, const GSClassifyTolerances *tol);

/* GSEndStateClassify, then a trivial or uniform class is kept only if the mean state lies within
   state_distance of a uniform state of p ((1, 0), (u_+, v_+) or (u_-, v_-)) that is stable for the
   map (GSUniformStateMapStable: spectral radius < 1 over the grid's wavenumbers; dt = 0: the ODE);
   otherwise the run is GS_CLASS_TRANSIENT: it has not reached an attractor and a longer run may end
   elsewhere, so the class does not depend on the step cap. p or map NULL: GSEndStateClassify.
   Not collective. */
GSEndClass GSEndStateClassifyMap(const GSEndStats *s, const GSClassifyTolerances *tol, const GSParams *p, const GSMapGrid *map);

/* What kind of discontinuity a cliff is. */
typedef enum {
  GS_CLIFF_JUMP     = 0, /* both cells usable and |loss difference| > threshold */
  GS_CLIFF_VALIDITY = 1  /* exactly one of the two cells usable: the edge of the invalid region */
} GSCliffKind;

/* "jump", "validity_edge", NULL (indexed by GSCliffKind). */
extern const char *const GSCliffKindNames[];

/* One pair of 4-neighbouring grid points across which the loss jumps. (i1, j1) is (i0 + 1, j0)
   (a step along axis0) or (i0, j0 + 1) (a step along axis1). */
typedef struct {
  int    i0, j0, i1, j1;
  int    kind;         /* GSCliffKind */
  double jump;         /* loss[i1, j1] - loss[i0, j0], signed; NaN for GS_CLIFF_VALIDITY */
  double x, y;         /* midpoint of the two points in axis units; y = 0 on a 1-D slice */
  double distance;     /* to the nearest curve in grid spacings (GSCliffDistances); NaN until then or
                          when there is no curve point */
  int    curve;        /* index of that nearest curve, -1 when distance is NaN */
  double distance_map; /* the same for a second family of curves (GSCliffMapDistances): the map's */
  int    curve_map;
} GSCliff;

/* Cliffs of a loss sampled on an n0 x n1 grid: arrays are [n1][n0] row-major (index j n0 + i,
   axis0 fastest); a 1-D slice has n1 = 1. A point is usable when valid[index] != 0 and its loss
   is finite; valid == NULL means every point is valid. Every 4-neighbour pair is examined once, in
   index order of (i0, j0), the axis0 step before the axis1 step; a pair is reported when both
   points are usable and |difference| > threshold (GS_CLIFF_JUMP), or when exactly one is usable
   (GS_CLIFF_VALIDITY); pairs of two unusable points are not cliffs. axis0[n0] and axis1[n1] are
   the axis values (axis1 may be NULL when n1 = 1: every y is 0 on a 1-D slice). distance and
   distance_map are set to NaN, curve and curve_map to -1.
   On success *cliffs is a malloc'ed array of *n_cliffs entries owned by the caller, to be freed
   with GSCliffDestroy (NULL when there is none). Not collective. */
GSLandscapeStatus GSCliffFind(int n0, int n1, const double axis0[], const double axis1[], const double loss[], const unsigned char valid[],
                              double threshold, GSCliff **cliffs, size_t *n_cliffs);

/* Frees an array from GSCliffFind and sets *cliffs to NULL; NULL or *cliffs == NULL is a no-op. */
void GSCliffDestroy(GSCliff **cliffs);

/* A default cliff threshold: 0.25 (P95 - P5) of the n usable losses (valid[i] != 0 and finite;
   valid == NULL: all valid), percentiles by linear interpolation between order statistics
   (numpy's default). A robust range: a few extreme losses do not set it. NaN when no loss is
   usable or memory runs out. Not collective. */
double GSCliffDefaultThreshold(size_t n, const double loss[], const unsigned char valid[]);

/* The spacings of evenly spaced axes with both ends included: dx = (axis0[n0-1] - axis0[0])/(n0-1)
   and likewise dy; dy = 1 when n1 = 1 (axis1 unused, may be NULL). Needs n0 >= 2 and increasing
   axes (GS_LANDSCAPE_ERR_ARG otherwise). Not collective. */
GSLandscapeStatus GSGridSpacing(int n0, int n1, const double axis0[], const double axis1[], double *dx, double *dy);

/* A named curve drawn in the landscape's axes: a polyline of n points (x[i], y[i]) (x along axis0,
   y along axis1). A point with a NaN coordinate breaks the line: segments touching it are dropped,
   and a point with no finite neighbour counts as a lone point. On a 1-D slice pass each crossing
   x_c of the slice as a lone point (x_c, 0): either separated by NaN rows in one curve or one
   curve each (consecutive finite points would be joined into a segment along the axis). */
typedef struct {
  const char   *name;
  size_t        n;
  const double *x, *y;
} GSCurve;

/* Euclidean distance from (x, y) to the nearest segment or lone point of one curve, with every x
   difference divided by dx and every y difference by dy (so in grid cells, free of the parameter
   units; on a 1-D slice with lone points (x_c, 0) it is min |x - x_c| / dx). NaN when the curve has
   no finite point or dx, dy are not positive. Not collective. */
double GSCurveDistance(const GSCurve *curve, double x, double y, double dx, double dy);

/* The minimum of GSCurveDistance over n_curves curves; *nearest (if not NULL) gets the index of the
   curve attaining it, -1 when every distance is NaN (then NaN is returned). Not collective. */
double GSCurvesDistance(size_t n_curves, const GSCurve curves[], double x, double y, double dx, double dy, int *nearest);

/* Fills distance and curve of every cliff from its midpoint (GSCurvesDistance). Not collective. */
GSLandscapeStatus GSCliffDistances(size_t n_cliffs, GSCliff cliffs[], size_t n_curves, const GSCurve curves[], double dx, double dy);

/* Fills distance_map and curve_map of every cliff from a second family of curves (the simulated
   map's boundaries), as GSCliffDistances does for the first. Not collective. */
GSLandscapeStatus GSCliffMapDistances(size_t n_cliffs, GSCliff cliffs[], size_t n_curves, const GSCurve curves[], double dx, double dy);

/* Summary of the distances of the cliffs of one kind. */
typedef struct {
  size_t count;         /* cliffs of the kind with a finite distance: the population below */
  size_t n_undefined;   /* cliffs of the kind whose distance is NaN (no curve) */
  double median;        /* mean of the two middle values when count is even */
  double frac_within_1; /* fraction with distance <= 1 grid spacing */
  double frac_within_2; /* fraction with distance <= 2 grid spacings */
} GSCliffDistanceSummary;

/* Summarises the distances of the cliffs with cliffs[c].kind == kind (kind < 0: every kind).
   median and the fractions are NaN when count is 0. With n_edges >= 2 strictly increasing bin edges,
   counts[b] (b < n_edges - 1) gets the number of distances in [edges[b], edges[b+1]), the last bin
   closed on the right too (numpy's convention); distances outside the edges are not binned.
   n_edges = 0 skips the histogram (edges, counts may be NULL). Not collective. */
GSLandscapeStatus GSCliffDistanceSummarize(size_t n_cliffs, const GSCliff cliffs[], int kind, size_t n_edges, const double edges[], size_t counts[],
                                           GSCliffDistanceSummary *summary);
