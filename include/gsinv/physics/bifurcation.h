/* Closed-form bifurcation curves of the uniform Gray-Scott states and of the simulated map (docs/model.md sections 4 and 5). Plain C. */
#pragma once

#include "gsinv/physics/kernels.h"

/* Return codes of the GSBifurcation functions; 0 is success. */
typedef enum {
  GS_BIFURCATION_OK = 0,
  GS_BIFURCATION_ERR_ARG,     /* NULL pointer, empty or reversed range, too few samples */
  GS_BIFURCATION_ERR_DOMAIN,  /* a parameter outside the domain of the formula */
  GS_BIFURCATION_ERR_TOPOLOGY /* two Turing crossings of the same direction at one k */
} GSBifurcationStatus;

/* The Bogdanov-Takens point F = k = 1/16: the peak of the fold, the end of the Hopf curve. */
#define GS_BOGDANOV_TAKENS 0.0625

/* Linear stability of the upper uniform state (u_+, v_+) under diffusion, from the closed forms
   a = -(v^2 + F), d = F + k, trace = k - v^2, det = (F + k)(v^2 - F), delta = Du/Dv.
   When the upper branch does not exist the flags are 0 and upper, trace, det, margin, qc2 are NaN. */
typedef struct {
  int     exists;   /* Delta = 1 - 4(F+k)^2/F >= 0 (Delta == 0 is the fold itself) */
  int     stable;   /* stable without diffusion: trace < 0 and det > 0 */
  int     unstable; /* Turing (diffusion-driven) unstable: exists, stable, and margin > 0 */
  GSField upper;    /* (u_+, v_+) */
  double  trace, det;
  double  margin; /* delta d + a - 2 sqrt(delta det): > 0 iff some q^2 > 0 has det(J - q^2 D) < 0 */
  double  qc2;    /* [Du(F+k) - Dv(v^2+F)] / (2 Du Dv): the minimiser of det(J - q^2 D) over q^2;
                     a wavenumber only when positive (always so if unstable), in units of inv_h2 */
} GSTuringInfo;

/* Non-trivial uniform states for (F, k), F > 0, k >= 0: with Delta = 1 - 4(F+k)^2/F,
   states[0] = upper (u_+, v_+) and states[1] = lower (u_-, v_-) in docs/model.md's labels
   u_pm = (1 -+ sqrt Delta)/2, v_pm = F(1 +- sqrt Delta)/(2(F+k)) (the upper branch has the smaller u).
   *n_states is 0 (Delta < 0: only (1, 0) exists, states untouched) or 2 (Delta >= 0; at the fold
   Delta == 0 both entries are the same state). */
GSBifurcationStatus GSUniformStates(double F, double k, GSField states[2], int *n_states);

/* Trace and determinant of the reaction Jacobian at a non-trivial uniform state with value v
   (either branch), using u v = F + k: trace = k - v^2, det = (F + k)(v^2 - F). */
void GSUniformTraceDet(double F, double k, double v, double *trace, double *det);

/* Saddle-node (fold) curve k = sqrt(F)/2 - F, for F >= 0. */
GSBifurcationStatus GSFoldK(double F, double *k_fold);

/* Hopf curve of the upper branch F_H(k) = (sqrt(k) - 2k - sqrt(k - 4 k^{3/2}))/2, for 0 < k <= 1/16
   (GS_BIFURCATION_ERR_DOMAIN outside). On it v_+^2 = k and F_H(k) <= k. */
GSBifurcationStatus GSHopfF(double k, double *F_hopf);

/* Turing analysis of the upper uniform state for p = (F, k, Du, Dv); needs F > 0, k >= 0,
   Du > 0, Dv > 0. See GSTuringInfo for exactly what is checked. */
GSBifurcationStatus GSTuringAnalyze(const GSParams *p, GSTuringInfo *info);

/* The fold curve as a polyline of n >= 1 points with F uniform in [F_min, F_max], 0 <= F_min <= F_max,
   and k[i] = sqrt(F[i])/2 - F[i]. The points are not clipped to any k range. */
GSBifurcationStatus GSFoldCurveSample(double F_min, double F_max, int n, double F[], double k[]);

/* The Hopf curve as a polyline of n >= 1 points with k uniform in [k_min, k_max] and F[i] = F_H(k[i]);
   needs 0 < k_min <= k_max <= 1/16 (clip an overlay's k range to GS_BOGDANOV_TAKENS first). */
GSBifurcationStatus GSHopfCurveSample(double k_min, double k_max, int n, double F[], double k[]);

/* The Turing boundary for diffusivities Du, Dv > 0 over n_k values k[i] uniform in [k_min, k_max].
   For each k[i] the upper branch exists on an interval of F bounded by the fold; its intersection
   with [F_min, F_max] (0 <= F_min <= F_max) is scanned at n_scan >= 2 uniform points (fold ends
   included), each sign change of GSTuringInfo.margin is bisected to round-off, and the crossing is
   kept only if the upper state there is stable without diffusion (crossings inside the Hopf-unstable
   region are not Turing onsets and are dropped). Crossings are returned as two branches by direction:
     F_rise[i]: margin goes from <= 0 to > 0 as F increases (Turing-unstable just above F_rise),
     F_fall[i]: margin goes from > 0 to <= 0 (Turing-unstable just below F_fall),
   NaN where there is none at that k (draw each branch as a polyline against k; NaN breaks it).
   Rows with k <= 0 or k > 1/16 have no upper branch and are NaN. Two crossings of one direction
   at one k (not seen for 1 < Du/Dv <= 100; raise n_scan if close roots may be missed) keep the
   first and return GS_BIFURCATION_ERR_TOPOLOGY after filling every row. */
GSBifurcationStatus GSTuringBoundarySample(double Du, double Dv, double k_min, double k_max, int n_k, double F_min, double F_max, int n_scan,
                                           double k[], double F_rise[], double F_fall[]);

/* The simulated map: forward Euler x <- x + dt f(x) on an nx x ny periodic grid of spacing h with
   the 5-point Laplacian, whose symbol for wavenumber indices (mx, my) is
   Lambda = (4/h^2)(sin^2(pi mx/nx) + sin^2(pi my/ny)) (docs/model.md section 5).
   dt = 0 stands for continuous time on the same grid (the ODE of the semi-discretisation). */
typedef struct {
  double dt, h;
  int    nx, ny;
} GSMapGrid;

/* The stability boundaries of the upper uniform state under the map (Jury's conditions on
   M(Lambda) = I + dt (J - Lambda diag(Du, Dv)); each margin is > 0 on the stable side):
     GS_MAP_NEIMARK_SACKER: 1 - det M(0)                      (complex pair on the unit circle, q = 0)
     GS_MAP_FLIP:           min over the grid of det(I + M)   (a real eigenvalue -1)
     GS_MAP_TURING:         min over the grid, Lambda > 0, of det(J - Lambda D) (a real eigenvalue +1) */
typedef enum { GS_MAP_NEIMARK_SACKER = 0, GS_MAP_FLIP = 1, GS_MAP_TURING = 2 } GSMapBoundary;

/* Symbol Lambda of the grid's 5-point Laplacian at wavenumber indices (mx, my). Not collective. */
double GSGridSymbol(const GSMapGrid *g, int mx, int my);

/* Spectral radius of M = I + dt (J - Lambda diag(Du, Dv)) for dt > 0; for dt = 0 the largest real
   part of the eigenvalues of J - Lambda diag(Du, Dv). J: GSReactionJacobian. Not collective. */
double GSMapGrowth(const double J[2][2], double Lambda, double Du, double Dv, double dt);

/* Whether the uniform state s is stable for the map of g over every wavenumber of the grid:
   *growth = max over (mx, my) of GSMapGrowth, *stable = growth < 1 (dt > 0) or < 0 (dt = 0).
   Needs nx, ny >= 1, h > 0, dt >= 0. Not collective. */
GSBifurcationStatus GSUniformStateMapStable(const GSParams *p, GSField s, const GSMapGrid *g, int *stable, double *growth);

/* The margin of boundary b at the upper uniform state of p (GSMapBoundary); NaN when the upper
   state does not exist. Not collective. */
double GSMapMargin(GSMapBoundary b, const GSParams *p, const GSMapGrid *g);

/* Crossings of boundary b along the segment p(t) = p0 + t (p1 - p0), t in [0, 1]: the margin is
   sampled at n_scan >= 2 uniform t (pairs with a NaN end are skipped), each sign change bisected
   to round-off and kept if it is a boundary of that kind: a Neimark-Sacker crossing needs the
   complex pair (|2 + dt trace J| < 2), a flip or Turing crossing needs the q = 0 map (or ODE)
   stable. Up to max crossings go to t[] in order, rising[c] = 1 when the margin turns positive
   (stable beyond t[c]); *n gets their number. Not collective. */
GSBifurcationStatus GSMapBoundaryCrossings(GSMapBoundary b, const GSParams *p0, const GSParams *p1, const GSMapGrid *g, int n_scan, int max,
                                           double t[], int rising[], int *n);

/* The boundary b of the map as two branches by direction, like GSTuringBoundarySample: for each of
   n_k values k[i] uniform in [k_min, k_max], the upper branch's F interval within [F_min, F_max]
   is scanned at n_scan points; F_rise[i] (stable just above) and F_fall[i] (stable just below) are
   the first crossings of each direction, NaN where there is none. Not collective. */
GSBifurcationStatus GSMapBoundarySample(GSMapBoundary b, double Du, double Dv, const GSMapGrid *g, double k_min, double k_max, int n_k, double F_min,
                                        double F_max, int n_scan, double k[], double F_rise[], double F_fall[]);
