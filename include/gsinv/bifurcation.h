/* Closed-form bifurcation curves of the uniform Gray-Scott states (model.md section 10). Plain C. */
#pragma once

#include "gsinv/physics.h"

/* Return codes of the GSBifurcation functions; 0 is success. */
typedef enum {
  GS_BIFURCATION_OK = 0,
  GS_BIFURCATION_ERR_ARG,      /* NULL pointer, empty or reversed range, too few samples */
  GS_BIFURCATION_ERR_DOMAIN,   /* a parameter outside the domain of the formula */
  GS_BIFURCATION_ERR_TOPOLOGY  /* two Turing crossings of the same direction at one k */
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
  double  margin;   /* delta d + a - 2 sqrt(delta det): > 0 iff some q^2 > 0 has det(J - q^2 D) < 0 */
  double  qc2;      /* [Du(F+k) - Dv(v^2+F)] / (2 Du Dv): the minimiser of det(J - q^2 D) over q^2;
                       a wavenumber only when positive (always so if unstable), in units of inv_h2 */
} GSTuringInfo;

/* Non-trivial uniform states for (F, k), F > 0, k >= 0: with Delta = 1 - 4(F+k)^2/F,
   states[0] = upper (u_+, v_+) and states[1] = lower (u_-, v_-) in model.md's labels
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
GSBifurcationStatus GSTuringBoundarySample(double Du, double Dv, double k_min, double k_max, int n_k, double F_min, double F_max, int n_scan, double k[], double F_rise[], double F_fall[]);
