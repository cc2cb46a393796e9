/* The residual estimator of theta: normal-equation sums over cells, the quadratic loss, the 4x4 solve (docs/model.md section 9). */
#pragma once

#include <stdint.h>

#include "gsinv/physics/kernels.h"

/* Forms of the residual: steady (x_t = 0, data /state) or transient (x_t from consecutive /snapshots). */
typedef enum { GS_RESIDUAL_FORM_STEADY = 0, GS_RESIDUAL_FORM_TRANSIENT = 1 } GSResidualForm;

/* Return codes of the GSResidual functions; 0 is success. */
typedef enum {
  GS_RESIDUAL_OK = 0,
  GS_RESIDUAL_ERR_ARG,           /* NULL pointer */
  GS_RESIDUAL_ERR_EMPTY,         /* no cells accumulated */
  GS_RESIDUAL_ERR_NONFINITE,     /* NaN or Inf in the sums or the matrix */
  GS_RESIDUAL_ERR_NOT_CONVERGED, /* Jacobi sweeps exhausted (not expected for finite input) */
  GS_RESIDUAL_ERR_RANK_DEFICIENT /* A^T A has rank < 4: some direction of theta is unidentifiable */
} GSResidualStatus;

/* Sums of the normal equations of r = A theta - b over cells, b = x_t - c(x), with the rows
   of A from GSParamDerivativePoint and c(x) = GSReaction at theta = 0. Exactly GS_RESIDUAL_NSUMS
   doubles and nothing else, in this order: ata[16] (A^T A, row-major, full symmetric storage,
   GS_PARAM_* order), atb[4] (A^T b), btb (b^T b), ncells (cells added). Sums over ranks merge with
     MPI_Allreduce(MPI_IN_PLACE, &sums, GS_RESIDUAL_NSUMS, MPI_DOUBLE, MPI_SUM, comm). */
typedef struct {
  double ata[GS_NPARAM * GS_NPARAM];
  double atb[GS_NPARAM];
  double btb;
  double ncells;
} GSResidualSums;

enum { GS_RESIDUAL_NSUMS = GS_NPARAM * GS_NPARAM + GS_NPARAM + 2 };
_Static_assert(sizeof(GSResidualSums) == GS_RESIDUAL_NSUMS * sizeof(double), "GSResidualSums must be a plain array of doubles");

/* An eigenvalue counts towards the rank when it exceeds GS_RESIDUAL_RANK_RTOL times the largest
   (4 x 1e-12: the matrix size times a margin well above the round-off of the sums and of Jacobi). */
#define GS_RESIDUAL_RANK_RTOL (GS_NPARAM * 1e-12)

/* The least-squares fit from the sums. */
typedef struct {
  double eigval[GS_NPARAM];             /* eigenvalues of A^T A, descending */
  double eigvec[GS_NPARAM * GS_NPARAM]; /* eigvec[GS_NPARAM * i + j]: component i of the eigenvector of eigval[j] */
  int    rank;                          /* count of eigval[j] > GS_RESIDUAL_RANK_RTOL * eigval[0]; 0 if eigval[0] <= 0 */
  double condition;                     /* eigval[0] / eigval[3] at full rank, INFINITY otherwise */
  double theta[GS_NPARAM];              /* minimum-norm least-squares theta over the kept eigenpairs */
} GSResidualFit;

/* The observation mask: 1 when global cell (i, j) of the periodic nx x ny grid is observed, each
   cell independently with probability fraction (always when fraction >= 1). A counter-based draw
   keyed by (seed, cell), so the mask does not depend on the decomposition; i and j may lie one
   cell outside the grid (they wrap). */
int GSResidualCellObserved(uint64_t seed, double fraction, int64_t nx, int64_t ny, int64_t i, int64_t j);

/* Sets every sum to zero. */
void GSResidualSumsZero(GSResidualSums *sums);

/* Adds one cell: state x, its Laplacians lap_u, lap_v (computed with the forward stencil, e.g.
   GSLaplacian) and its time derivative x_t ({0, 0} for the steady residual; (x_{n+1} - x_n)/dt from
   two consecutive snapshots of forward Euler makes the residual vanish to round-off). */
void GSResidualSumsAddCell(GSResidualSums *sums, GSField x, double lap_u, double lap_v, GSField x_t);

/* into += from, entry by entry: the serial equivalent of the MPI_Allreduce above. */
void GSResidualSumsMerge(GSResidualSums *into, const GSResidualSums *from);

/* The pointwise residual f(x; p) - x_t, with f the reaction plus D times the given Laplacians. */
GSField GSResidualPoint(const GSParams *p, GSField x, double lap_u, double lap_v, GSField x_t);

/* L_res(theta) = mean over cells of r_u^2 + r_v^2 = (theta^T AtA theta - 2 theta^T Atb + btb) / ncells.
   Near the minimiser of exact data this difference of large terms has an absolute error of about
   1e-16 btb / ncells; evaluate GSResidualPoint directly when the residual itself must be resolved. */
GSResidualStatus GSResidualLoss(const GSResidualSums *sums, const double theta[GS_NPARAM], double *loss);

/* Eigen-decomposition of the symmetric part (a + a^T)/2 of a 4x4 row-major matrix by cyclic Jacobi
   rotations, swept until no off-diagonal entry exceeds DBL_EPSILON sqrt|a_pp a_qq| (at most 60 sweeps).
   eigval descending; eigvec[4 i + j] is component i of the unit eigenvector of eigval[j]. */
GSResidualStatus GSSymmetricEigen4(const double a[GS_NPARAM * GS_NPARAM], double eigval[GS_NPARAM], double eigvec[GS_NPARAM * GS_NPARAM]);

/* The least-squares theta from the sums through the eigen-decomposition of A^T A:
   theta = sum over the `rank` kept eigenpairs of v_j (v_j . Atb) / lambda_j. Returns
   GS_RESIDUAL_ERR_RANK_DEFICIENT (fit fully filled: rank, eigenpairs and the minimum-norm theta)
   when rank < 4, e.g. 0 on the trivial state (1, 0) and 2 on a uniform state (Du, Dv unidentifiable). */
GSResidualStatus GSResidualSolve(const GSResidualSums *sums, GSResidualFit *fit);
