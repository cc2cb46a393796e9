/* Pointwise Gray-Scott terms: the one definition of the model used by every path. Plain C. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The model parameters theta = (F, k, Du, Dv), in this order everywhere (GS_PARAM_*). */
typedef struct {
  double F, k, Du, Dv;
} GSParams;

enum { GS_PARAM_F = 0, GS_PARAM_K = 1, GS_PARAM_DU = 2, GS_PARAM_DV = 3, GS_NPARAM = 4 };

/* One grid cell of the two-field state, laid out as a DMDA with dof 2 stores it. */
typedef struct {
  double u, v;
} GSField;

extern const char *const GSParamNames[GS_NPARAM];

/* The paper's ground truth (docs/model.md section 3). */
#define GS_TRUTH_F  0.035
#define GS_TRUTH_K  0.065
#define GS_TRUTH_DU 0.16
#define GS_TRUTH_DV 0.08

static inline void GSParamsToArray(const GSParams *p, double theta[GS_NPARAM])
{
  theta[GS_PARAM_F]  = p->F;
  theta[GS_PARAM_K]  = p->k;
  theta[GS_PARAM_DU] = p->Du;
  theta[GS_PARAM_DV] = p->Dv;
}

static inline GSParams GSParamsFromArray(const double theta[GS_NPARAM])
{
  GSParams p = {theta[GS_PARAM_F], theta[GS_PARAM_K], theta[GS_PARAM_DU], theta[GS_PARAM_DV]};
  return p;
}

/* 5-point Laplacian of one scalar; inv_h2 = 1/h^2 (1 for the paper's unit spacing). */
static inline double GSLaplacian(double c, double w, double e, double s, double n, double inv_h2)
{
  return (w + e + s + n - 4.0 * c) * inv_h2;
}

/* Reaction terms: fu = -u v^2 + F (1 - u), fv = u v^2 - (F + k) v. */
static inline GSField GSReaction(const GSParams *p, GSField c)
{
  const double uvv = c.u * c.v * c.v;
  GSField      r   = {-uvv + p->F * (1.0 - c.u), uvv - (p->F + p->k) * c.v};
  return r;
}

/* Right-hand side at a cell from its four neighbours: diffusion plus reaction. */
static inline GSField GSRHSPoint(const GSParams *p, double inv_h2, GSField c, GSField w, GSField e, GSField s, GSField n)
{
  GSField r = GSReaction(p, c);
  r.u += p->Du * GSLaplacian(c.u, w.u, e.u, s.u, n.u, inv_h2);
  r.v += p->Dv * GSLaplacian(c.v, w.v, e.v, s.v, n.v, inv_h2);
  return r;
}

/* The 2x2 reaction Jacobian d(fu, fv)/d(u, v) at a state: a[row][col]. */
static inline void GSReactionJacobian(const GSParams *p, GSField c, double a[2][2])
{
  a[0][0] = -(c.v * c.v + p->F);
  a[0][1] = -2.0 * c.u * c.v;
  a[1][0] = c.v * c.v;
  a[1][1] = 2.0 * c.u * c.v - (p->F + p->k);
}

/* Jacobian action at a cell: D lap(d) + a d, with a the reaction Jacobian of the state there.
   The transposed action is the same with a transposed (the Laplacian is symmetric). */
static inline GSField GSJacobianPoint(const GSParams *p, double inv_h2, const double a[2][2], GSField c, GSField w, GSField e, GSField s, GSField n)
{
  GSField r;
  r.u = p->Du * GSLaplacian(c.u, w.u, e.u, s.u, n.u, inv_h2) + a[0][0] * c.u + a[0][1] * c.v;
  r.v = p->Dv * GSLaplacian(c.v, w.v, e.v, s.v, n.v, inv_h2) + a[1][0] * c.u + a[1][1] * c.v;
  return r;
}

static inline GSField GSJacobianTransposePoint(const GSParams *p, double inv_h2, const double a[2][2], GSField c, GSField w, GSField e, GSField s,
                                               GSField n)
{
  GSField r;
  r.u = p->Du * GSLaplacian(c.u, w.u, e.u, s.u, n.u, inv_h2) + a[0][0] * c.u + a[1][0] * c.v;
  r.v = p->Dv * GSLaplacian(c.v, w.v, e.v, s.v, n.v, inv_h2) + a[0][1] * c.u + a[1][1] * c.v;
  return r;
}

/* d(fu, fv)/d theta at a cell, given the state and its Laplacians: the columns of JacobianP
   and, stacked over cells, the residual matrix A of docs/model.md section 9. */
static inline void GSParamDerivativePoint(GSField c, double lap_u, double lap_v, double dfu[GS_NPARAM], double dfv[GS_NPARAM])
{
  dfu[GS_PARAM_F]  = 1.0 - c.u;
  dfu[GS_PARAM_K]  = 0.0;
  dfu[GS_PARAM_DU] = lap_u;
  dfu[GS_PARAM_DV] = 0.0;
  dfv[GS_PARAM_F]  = -c.v;
  dfv[GS_PARAM_K]  = -c.v;
  dfv[GS_PARAM_DU] = 0.0;
  dfv[GS_PARAM_DV] = lap_v;
}

/* lambda . d(fu, fv)/d theta at a cell: GSParamDerivativePoint contracted with (lu, lv), written
   out so that the structural zeros cost nothing (tests hold the two equal). */
static inline void GSParamDerivativeDot(GSField c, double lap_u, double lap_v, GSField l, double t[GS_NPARAM])
{
  const double vl = c.v * l.v;
  t[GS_PARAM_F]   = (1.0 - c.u) * l.u - vl;
  t[GS_PARAM_K]   = -vl;
  t[GS_PARAM_DU]  = lap_u * l.u;
  t[GS_PARAM_DV]  = lap_v * l.v;
}

/* Largest D such that forward Euler is stable: D dt (2 / h^2) <= 1/2. */
static inline double GSExplicitDiffusionLimit(double h, double dt)
{
  return h * h / (4.0 * dt);
}

/* One forward-Euler step of a whole periodic nx x ny grid (row-major, x fastest, nx >= 3) from x
   to y: the fused reference loop, no ghosts, no library. */
void GSEulerStepPeriodic(const GSParams *p, double inv_h2, double dt, int nx, int ny, const GSField *x, GSField *y);

/* Periodic RHS of a whole nx x ny grid: f = F(x). */
void GSRHSPeriodic(const GSParams *p, double inv_h2, int nx, int ny, const GSField *x, GSField *f);

/* sum over cells of lambda . d f / d theta (the adjoint's parameter term, Jp^T lambda) for a whole
   periodic grid x (nx >= 3), or for an owned patch whose ghosted copy starts at xin (row stride
   gxm, as GS_SWEEP_GHOSTED). */
void GSParamGradientPeriodic(double inv_h2, int nx, int ny, const GSField *x, const GSField *lambda, double out[GS_NPARAM]);
void GSParamGradientGhosted(double inv_h2, int xm, int ym, int gxm, const GSField *xin, const GSField *lambda, double out[GS_NPARAM]);

/* One forward-Euler step y = x + dt f(x) of a whole periodic grid (nx >= 3) or of an owned patch
   (from the ghosted array whose first owned cell is xin into the owned part of another at yin,
   both with row stride gxm; ghosts untouched), with the run's per-step checks measured on the way:
   max |y - x|, the range of the new v, and whether anything is not finite (the fast path). */
struct GSStepStats_;
void GSEulerStepPeriodicChecked(const GSParams *p, double inv_h2, double dt, int nx, int ny, const GSField *x, GSField *y,
                                struct GSStepStats_ *stats);
void GSEulerStepGhostedChecked(const GSParams *p, double inv_h2, double dt, int xm, int ym, int gxm, const GSField *xin, GSField *yin,
                               struct GSStepStats_ *stats);
/* The same step in place: x (the whole grid) or the owned patch at xin (ghosts read, not written)
   becomes the new state, the same values bit for bit; work holds 3 rows (whole grid, nx cells
   each) or 2 rows (patch, xm cells each). A forward run then needs one state, not two. */
void GSEulerStepPeriodicCheckedInPlace(const GSParams *p, double inv_h2, double dt, int nx, int ny, GSField *x, GSField *work,
                                       struct GSStepStats_ *stats);
void GSEulerStepGhostedCheckedInPlace(const GSParams *p, double inv_h2, double dt, int xm, int ym, int gxm, GSField *xin, GSField *work,
                                      struct GSStepStats_ *stats);

/* One backward step of the discrete adjoint of forward Euler y = x + dt f(x): lambda_new =
   lambda + dt J(x)^T lambda and mu += dt (d f / d theta)(x)^T lambda, over a whole periodic grid
   (nx >= 3) or an owned patch (x, lambda and the new lambda in ghosted arrays whose first owned
   cells are xin, lin and lnew, row stride gxm; mu is then this patch's share, whose sum over the
   patches is the whole grid's). The new lambda must not alias lambda. */
void GSAdjointEulerStepPeriodic(const GSParams *p, double inv_h2, double dt, int nx, int ny, const GSField *x, const GSField *lam, GSField *lam_new,
                                double mu[GS_NPARAM]);
void GSAdjointEulerStepGhosted(const GSParams *p, double inv_h2, double dt, int xm, int ym, int gxm, const GSField *xin, const GSField *lin,
                               GSField *lnew, double mu[GS_NPARAM]);
