/* Residual estimator of theta: the observation mask, normal-equation sums from the pointwise model, quadratic loss, Jacobi eigen-solve. */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "gsinv/physics/noise.h"
#include "gsinv/physics/residual.h"

/* STREAM_MASK: the mask's draws, apart from the initial recipe's streams and the observation
   noise's (GSResidualObserve). */
enum { NP = GS_NPARAM, JACOBI_MAX_SWEEPS = 60, STREAM_MASK = 20 };

int GSResidualCellObserved(uint64_t seed, double fraction, int64_t nx, int64_t ny, int64_t i, int64_t j)
{
  const int64_t cell = ((j + ny) % ny) * nx + (i + nx) % nx;

  if (fraction >= 1.0) return 1;
  return ((double)(GSNoiseHash(seed, 0, cell, STREAM_MASK) >> 11) + 0.5) * (1.0 / 9007199254740992.0) < fraction;
}

void GSResidualSumsZero(GSResidualSums *sums)
{
  const GSResidualSums zero = {{0.0}, {0.0}, 0.0, 0.0};
  *sums                     = zero;
}

/* Row u of A is dfu, row v is dfv; b = x_t - c with c the model at theta = 0, so that
   A theta + c is exactly the right-hand side GSRHSPoint evaluates. */
void GSResidualSumsAddCell(GSResidualSums *sums, GSField x, double lap_u, double lap_v, GSField x_t)
{
  const GSParams no_params = {0.0, 0.0, 0.0, 0.0};
  const GSField  c         = GSReaction(&no_params, x);
  const double   b_u = x_t.u - c.u, b_v = x_t.v - c.v;
  double         dfu[NP], dfv[NP];

  GSParamDerivativePoint(x, lap_u, lap_v, dfu, dfv);
  for (int i = 0; i < NP; i++) {
    for (int j = 0; j < NP; j++) sums->ata[NP * i + j] += dfu[i] * dfu[j] + dfv[i] * dfv[j];
    sums->atb[i] += dfu[i] * b_u + dfv[i] * b_v;
  }
  sums->btb += b_u * b_u + b_v * b_v;
  sums->ncells += 1.0;
}

void GSResidualSumsMerge(GSResidualSums *into, const GSResidualSums *from)
{
  for (int i = 0; i < NP * NP; i++) into->ata[i] += from->ata[i];
  for (int i = 0; i < NP; i++) into->atb[i] += from->atb[i];
  into->btb += from->btb;
  into->ncells += from->ncells;
}

GSField GSResidualPoint(const GSParams *p, GSField x, double lap_u, double lap_v, GSField x_t)
{
  GSField r = GSReaction(p, x);
  r.u += p->Du * lap_u - x_t.u;
  r.v += p->Dv * lap_v - x_t.v;
  return r;
}

static int SumsAreFinite(const GSResidualSums *sums)
{
  int finite = isfinite(sums->btb) && isfinite(sums->ncells);
  for (int i = 0; i < NP * NP; i++) finite = finite && isfinite(sums->ata[i]);
  for (int i = 0; i < NP; i++) finite = finite && isfinite(sums->atb[i]);
  return finite;
}

/* A slightly negative result is round-off of a mean of squares and is clamped to 0. */
GSResidualStatus GSResidualLoss(const GSResidualSums *sums, const double theta[GS_NPARAM], double *loss)
{
  if (!sums || !theta || !loss) return GS_RESIDUAL_ERR_ARG;
  if (!(sums->ncells > 0.0)) return GS_RESIDUAL_ERR_EMPTY;
  double quadratic = sums->btb;
  for (int i = 0; i < NP; i++) {
    double row = 0.0;
    for (int j = 0; j < NP; j++) row += sums->ata[NP * i + j] * theta[j];
    quadratic += theta[i] * (row - 2.0 * sums->atb[i]);
  }
  *loss = fmax(quadratic, 0.0) / sums->ncells;
  return GS_RESIDUAL_OK;
}

/* One Jacobi rotation a <- J^T a J zeroing a[p][q], accumulated into v <- v J (Golub & Van Loan,
   sym.schur2); the smaller root t keeps the rotation angle below pi/4. */
static void JacobiRotate(double a[NP * NP], double v[NP * NP], int p, int q)
{
  const double tau = (a[NP * q + q] - a[NP * p + p]) / (2.0 * a[NP * p + q]);
  const double t   = (tau >= 0.0 ? 1.0 : -1.0) / (fabs(tau) + hypot(1.0, tau));
  const double c = 1.0 / sqrt(1.0 + t * t), s = t * c;

  for (int r = 0; r < NP; r++) {
    const double a_rp = a[NP * r + p], a_rq = a[NP * r + q];
    a[NP * r + p] = c * a_rp - s * a_rq;
    a[NP * r + q] = s * a_rp + c * a_rq;
  }
  for (int r = 0; r < NP; r++) {
    const double a_pr = a[NP * p + r], a_qr = a[NP * q + r];
    a[NP * p + r] = c * a_pr - s * a_qr;
    a[NP * q + r] = s * a_pr + c * a_qr;
  }
  a[NP * p + q] = a[NP * q + p] = 0.0;
  for (int r = 0; r < NP; r++) {
    const double v_rp = v[NP * r + p], v_rq = v[NP * r + q];
    v[NP * r + p] = c * v_rp - s * v_rq;
    v[NP * r + q] = s * v_rp + c * v_rq;
  }
}

/* One cyclic sweep; returns how many rotations it made. The threshold relative to the diagonal
   (Demmel & Veselic) keeps small eigenvalues of well-scaled positive matrices relatively accurate. */
static int JacobiSweep(double a[NP * NP], double v[NP * NP])
{
  int rotations = 0;

  for (int p = 0; p < NP - 1; p++) {
    for (int q = p + 1; q < NP; q++) {
      const double a_pq = a[NP * p + q];
      if (a_pq == 0.0 || fabs(a_pq) <= DBL_EPSILON * sqrt(fabs(a[NP * p + p] * a[NP * q + q]))) continue;
      JacobiRotate(a, v, p, q);
      rotations++;
    }
  }
  return rotations;
}

/* Orders the eigenpairs by descending eigenvalue (selection sort, swapping eigenvector columns). */
static void SortEigenpairs(double eigval[NP], double eigvec[NP * NP])
{
  for (int j = 0; j < NP - 1; j++) {
    int best = j;
    for (int m = j + 1; m < NP; m++)
      if (eigval[m] > eigval[best]) best = m;
    if (best == j) continue;
    const double swap_val = eigval[j];
    eigval[j]             = eigval[best];
    eigval[best]          = swap_val;
    for (int r = 0; r < NP; r++) {
      const double swap_vec = eigvec[NP * r + j];
      eigvec[NP * r + j]    = eigvec[NP * r + best];
      eigvec[NP * r + best] = swap_vec;
    }
  }
}

/* Works on (a + a^T)/2, so round-off asymmetry in the input does not matter. */
GSResidualStatus GSSymmetricEigen4(const double a[GS_NPARAM * GS_NPARAM], double eigval[GS_NPARAM], double eigvec[GS_NPARAM * GS_NPARAM])
{
  double work[NP * NP];
  int    sweep;

  if (!a || !eigval || !eigvec) return GS_RESIDUAL_ERR_ARG;
  for (int i = 0; i < NP; i++) {
    for (int j = 0; j < NP; j++) {
      if (!isfinite(a[NP * i + j])) return GS_RESIDUAL_ERR_NONFINITE;
      work[NP * i + j]   = 0.5 * (a[NP * i + j] + a[NP * j + i]);
      eigvec[NP * i + j] = i == j ? 1.0 : 0.0;
    }
  }
  for (sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++)
    if (JacobiSweep(work, eigvec) == 0) break;
  for (int i = 0; i < NP; i++) eigval[i] = work[NP * i + i];
  SortEigenpairs(eigval, eigvec);
  return sweep < JACOBI_MAX_SWEEPS ? GS_RESIDUAL_OK : GS_RESIDUAL_ERR_NOT_CONVERGED;
}

static int NumericalRank(const double eigval[NP])
{
  int rank = 0;

  if (!(eigval[0] > 0.0)) return 0;
  for (int j = 0; j < NP; j++) rank += eigval[j] > GS_RESIDUAL_RANK_RTOL * eigval[0];
  return rank;
}

GSResidualStatus GSResidualSolve(const GSResidualSums *sums, GSResidualFit *fit)
{
  if (!sums || !fit) return GS_RESIDUAL_ERR_ARG;
  if (!(sums->ncells > 0.0)) return GS_RESIDUAL_ERR_EMPTY;
  if (!SumsAreFinite(sums)) return GS_RESIDUAL_ERR_NONFINITE;
  const GSResidualStatus status = GSSymmetricEigen4(sums->ata, fit->eigval, fit->eigvec);
  if (status) return status;
  fit->rank      = NumericalRank(fit->eigval);
  fit->condition = fit->rank == NP ? fit->eigval[0] / fit->eigval[NP - 1] : (double)INFINITY;
  for (int i = 0; i < NP; i++) fit->theta[i] = 0.0;
  for (int j = 0; j < fit->rank; j++) {
    double projection = 0.0;
    for (int i = 0; i < NP; i++) projection += fit->eigvec[NP * i + j] * sums->atb[i];
    for (int i = 0; i < NP; i++) fit->theta[i] += fit->eigvec[NP * i + j] * projection / fit->eigval[j];
  }
  return fit->rank == NP ? GS_RESIDUAL_OK : GS_RESIDUAL_ERR_RANK_DEFICIENT;
}
