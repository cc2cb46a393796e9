/* CMocka tests of the residual estimator against exact data on a small periodic grid (docs/model.md section 9). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gsinv/physics/residual.h"

enum { NX = 16, NY = 12, NCELLS = NX * NY };

/* CMocka 1.1.5's assert_float_equal compares in single precision. */
static void AssertClose(double got, double want, double rtol, double atol, const char *expr, const char *file, int line)
{
  const double err = fabs(got - want);
  if (!(err <= atol + rtol * fabs(want))) {
    print_error("%s = %.17g, expected %.17g (error %.3g; rtol %.1g, atol %.1g)\n", expr, got, want, err, rtol, atol);
    _fail(file, line);
  }
}
#define assert_close(got, want, rtol, atol) AssertClose((got), (want), (rtol), (atol), #got, __FILE__, __LINE__)

/* Deterministic uniform numbers in [0, 1) (xorshift64*). */
static double Uniform01(uint64_t *rng)
{
  *rng ^= *rng >> 12;
  *rng ^= *rng << 25;
  *rng ^= *rng >> 27;
  return (double)((*rng * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

/* A smooth periodic field: a mean plus random low Fourier modes of the NX x NY grid. */
static void SmoothRandomField(uint64_t seed, GSField x[NCELLS])
{
  const double two_pi = 6.283185307179586;
  uint64_t     rng    = seed;

  for (int c = 0; c < NCELLS; c++) x[c] = (GSField){0.55, 0.25};
  for (int m = 0; m <= 2; m++) {
    for (int n = -2; n <= 2; n++) {
      const double amp_u = 0.06 * (Uniform01(&rng) - 0.5), amp_v = 0.06 * (Uniform01(&rng) - 0.5);
      const double phase_u = two_pi * Uniform01(&rng), phase_v = two_pi * Uniform01(&rng);
      for (int j = 0; j < NY; j++) {
        for (int i = 0; i < NX; i++) {
          const double angle = two_pi * ((double)m * i / NX + (double)n * j / NY);
          x[j * NX + i].u += amp_u * cos(angle + phase_u);
          x[j * NX + i].v += amp_v * cos(angle + phase_v);
        }
      }
    }
  }
}

/* The four periodic neighbours of cell (i, j): west, east, south, north. */
static void Neighbours(const GSField x[NCELLS], int i, int j, GSField nb[4])
{
  nb[0] = x[j * NX + (i + NX - 1) % NX];
  nb[1] = x[j * NX + (i + 1) % NX];
  nb[2] = x[((j + NY - 1) % NY) * NX + i];
  nb[3] = x[((j + 1) % NY) * NX + i];
}

static void PeriodicLaplacians(const GSField x[NCELLS], double inv_h2, double lap_u[NCELLS], double lap_v[NCELLS])
{
  for (int j = 0; j < NY; j++) {
    for (int i = 0; i < NX; i++) {
      const GSField c = x[j * NX + i];
      GSField       nb[4];
      Neighbours(x, i, j, nb);
      lap_u[j * NX + i] = GSLaplacian(c.u, nb[0].u, nb[1].u, nb[2].u, nb[3].u, inv_h2);
      lap_v[j * NX + i] = GSLaplacian(c.v, nb[0].v, nb[1].v, nb[2].v, nb[3].v, inv_h2);
    }
  }
}

/* The model's right-hand side through the stencil path GSRHSPoint (not through the Laplacians). */
static void PeriodicRHS(const GSParams *p, const GSField x[NCELLS], double inv_h2, GSField f[NCELLS])
{
  for (int j = 0; j < NY; j++) {
    for (int i = 0; i < NX; i++) {
      GSField nb[4];
      Neighbours(x, i, j, nb);
      f[j * NX + i] = GSRHSPoint(p, inv_h2, x[j * NX + i], nb[0], nb[1], nb[2], nb[3]);
    }
  }
}

/* Accumulates cells [begin, end) of x with time derivative x_t (NULL: steady). */
static void AddCells(GSResidualSums *sums, const GSField x[NCELLS], const GSField *x_t, double inv_h2, int begin, int end)
{
  double lap_u[NCELLS], lap_v[NCELLS];

  PeriodicLaplacians(x, inv_h2, lap_u, lap_v);
  for (int c = begin; c < end; c++) GSResidualSumsAddCell(sums, x[c], lap_u[c], lap_v[c], x_t ? x_t[c] : (GSField){0.0, 0.0});
}

static void AssertThetaClose(const double got[GS_NPARAM], const GSParams *want, double rtol)
{
  double want_theta[GS_NPARAM];

  GSParamsToArray(want, want_theta);
  for (int i = 0; i < GS_NPARAM; i++) assert_close(got[i], want_theta[i], rtol, 0.0);
}

/* x_t := f(x; theta) makes the residual vanish at theta: the solve must return theta. */
static void test_recovers_theta_from_rhs(void **state)
{
  const GSParams truth           = {GS_TRUTH_F, GS_TRUTH_K, GS_TRUTH_DU, GS_TRUTH_DV};
  const double   inv_h2_values[] = {1.0, 1.0 / (0.3 * 0.3)};
  GSField        x[NCELLS], x_t[NCELLS];

  (void)state;
  for (int s = 0; s < 2; s++) {
    GSResidualSums sums;
    GSResidualFit  fit;
    double         loss;
    SmoothRandomField(11 + s, x);
    PeriodicRHS(&truth, x, inv_h2_values[s], x_t);
    GSResidualSumsZero(&sums);
    AddCells(&sums, x, x_t, inv_h2_values[s], 0, NCELLS);
    assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_OK);
    assert_int_equal(fit.rank, GS_NPARAM);
    assert_true(isfinite(fit.condition) && fit.condition >= 1.0);
    AssertThetaClose(fit.theta, &truth, 1e-10);
    assert_int_equal(GSResidualLoss(&sums, fit.theta, &loss), GS_RESIDUAL_OK);
    assert_close(loss, 0.0, 0.0, 1e-14 * sums.btb / sums.ncells);
  }
}

/* x_t = (x_{n+1} - x_n)/dt from one forward-Euler step of the scheme itself. */
static void test_recovers_theta_from_euler_snapshots(void **state)
{
  const GSParams truth = {0.0367, 0.0649, 0.21, 0.105};
  const double   dt    = 1.0;
  GSField        x0[NCELLS], x1[NCELLS], f[NCELLS], x_t[NCELLS];
  GSResidualSums sums;
  GSResidualFit  fit;

  (void)state;
  SmoothRandomField(5, x0);
  PeriodicRHS(&truth, x0, 1.0, f);
  for (int c = 0; c < NCELLS; c++) {
    x1[c]  = (GSField){x0[c].u + dt * f[c].u, x0[c].v + dt * f[c].v};
    x_t[c] = (GSField){(x1[c].u - x0[c].u) / dt, (x1[c].v - x0[c].v) / dt};
  }
  GSResidualSumsZero(&sums);
  AddCells(&sums, x0, x_t, 1.0, 0, NCELLS);
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_OK);
  AssertThetaClose(fit.theta, &truth, 1e-10);
}

/* The trivial state (1, 0) makes A = 0: rank 0, every theta fits, theta_hat = 0. */
static void test_trivial_state_rank_zero(void **state)
{
  const double   theta[GS_NPARAM] = {0.03, 0.06, 0.1, 0.05};
  GSField        x[NCELLS];
  GSResidualSums sums;
  GSResidualFit  fit;
  double         loss;

  (void)state;
  for (int c = 0; c < NCELLS; c++) x[c] = (GSField){1.0, 0.0};
  GSResidualSumsZero(&sums);
  AddCells(&sums, x, NULL, 1.0, 0, NCELLS);
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_ERR_RANK_DEFICIENT);
  assert_int_equal(fit.rank, 0);
  assert_true(isinf(fit.condition));
  for (int i = 0; i < GS_NPARAM; i++) assert_true(fit.eigval[i] == 0.0 && fit.theta[i] == 0.0);
  assert_int_equal(GSResidualLoss(&sums, theta, &loss), GS_RESIDUAL_OK);
  assert_true(loss == 0.0);
}

/* A uniform non-trivial state has zero Laplacians: rank 2, F and k still recovered, Du and Dv not. */
static void test_uniform_state_rank_two(void **state)
{
  const double   F = 0.05, k = 0.06, s = sqrt(1.0 - 4.0 * (F + k) * (F + k) / F);
  const GSField  upper = {0.5 * (1.0 - s), F * (1.0 + s) / (2.0 * (F + k))};
  GSField        x[NCELLS];
  GSResidualSums sums;
  GSResidualFit  fit;

  (void)state;
  for (int c = 0; c < NCELLS; c++) x[c] = upper;
  GSResidualSumsZero(&sums);
  AddCells(&sums, x, NULL, 1.0, 0, NCELLS);
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_ERR_RANK_DEFICIENT);
  assert_int_equal(fit.rank, 2);
  assert_true(isinf(fit.condition));
  assert_close(fit.theta[GS_PARAM_F], F, 1e-10, 0.0);
  assert_close(fit.theta[GS_PARAM_K], k, 1e-10, 0.0);
  assert_true(fit.theta[GS_PARAM_DU] == 0.0 && fit.theta[GS_PARAM_DV] == 0.0);
  for (int j = 2; j < GS_NPARAM; j++) { /* the null space is spanned by the Du and Dv directions */
    const double in_d = hypot(fit.eigvec[GS_NPARAM * GS_PARAM_DU + j], fit.eigvec[GS_NPARAM * GS_PARAM_DV + j]);
    assert_close(in_d, 1.0, 1e-14, 0.0);
  }
}

/* Closed-form quadratic against the direct mean of squared pointwise residuals at random theta. */
static void test_quadratic_equals_direct(void **state)
{
  const GSParams base = {GS_TRUTH_F, GS_TRUTH_K, GS_TRUTH_DU, GS_TRUTH_DV};
  GSField        x[NCELLS], x_t[NCELLS];
  double         lap_u[NCELLS], lap_v[NCELLS];
  GSResidualSums sums;
  uint64_t       rng = 99;

  (void)state;
  SmoothRandomField(3, x);
  PeriodicRHS(&base, x, 1.0, x_t);
  for (int c = 0; c < NCELLS; c++) x_t[c].u += 1e-3 * (Uniform01(&rng) - 0.5); /* inexact data */
  PeriodicLaplacians(x, 1.0, lap_u, lap_v);
  GSResidualSumsZero(&sums);
  for (int c = 0; c < NCELLS; c++) GSResidualSumsAddCell(&sums, x[c], lap_u[c], lap_v[c], x_t[c]);
  for (int trial = 0; trial < 20; trial++) {
    const GSParams p = {0.1 * Uniform01(&rng), 0.1 * Uniform01(&rng), 0.25 * Uniform01(&rng), 0.25 * Uniform01(&rng)};
    double         theta[GS_NPARAM], loss, direct = 0.0;
    GSParamsToArray(&p, theta);
    for (int c = 0; c < NCELLS; c++) {
      const GSField r = GSResidualPoint(&p, x[c], lap_u[c], lap_v[c], x_t[c]);
      direct += r.u * r.u + r.v * r.v;
    }
    assert_int_equal(GSResidualLoss(&sums, theta, &loss), GS_RESIDUAL_OK);
    assert_close(loss, direct / NCELLS, 1e-12, 0.0);
  }
}

/* Q = (I - 2 w1 w1^T)(I - 2 w2 w2^T) with unit w: a dense orthogonal matrix. */
static void DenseOrthogonal(double q[GS_NPARAM * GS_NPARAM])
{
  const double w1[GS_NPARAM] = {0.5, -0.5, 0.5, 0.5}, w2[GS_NPARAM] = {0.8, 0.0, -0.36, 0.48};

  for (int i = 0; i < GS_NPARAM; i++) {
    for (int j = 0; j < GS_NPARAM; j++) {
      double entry = 0.0;
      for (int m = 0; m < GS_NPARAM; m++) entry += ((i == m) - 2.0 * w1[i] * w1[m]) * ((m == j) - 2.0 * w2[m] * w2[j]);
      q[GS_NPARAM * i + j] = entry;
    }
  }
}

/* a = Q diag(lambda) Q^T. */
static void MatrixWithEigenvalues(const double lambda[GS_NPARAM], double a[GS_NPARAM * GS_NPARAM])
{
  double q[GS_NPARAM * GS_NPARAM];

  DenseOrthogonal(q);
  for (int i = 0; i < GS_NPARAM; i++) {
    for (int j = 0; j < GS_NPARAM; j++) {
      a[GS_NPARAM * i + j] = 0.0;
      for (int m = 0; m < GS_NPARAM; m++) a[GS_NPARAM * i + j] += q[GS_NPARAM * i + m] * lambda[m] * q[GS_NPARAM * j + m];
    }
  }
}

/* Eigenvalues (given in descending order), eigen-equation residuals and orthonormality. */
static void AssertEigenDecomposition(const double lambda[GS_NPARAM])
{
  double a[GS_NPARAM * GS_NPARAM], eigval[GS_NPARAM], eigvec[GS_NPARAM * GS_NPARAM], scale = 0.0;

  MatrixWithEigenvalues(lambda, a);
  for (int j = 0; j < GS_NPARAM; j++) scale = fmax(scale, fabs(lambda[j]));
  assert_int_equal(GSSymmetricEigen4(a, eigval, eigvec), GS_RESIDUAL_OK);
  for (int j = 0; j < GS_NPARAM; j++) {
    assert_close(eigval[j], lambda[j], 0.0, 1e-14 * scale);
    for (int i = 0; i < GS_NPARAM; i++) {
      double av = 0.0, dot = 0.0;
      for (int m = 0; m < GS_NPARAM; m++) av += a[GS_NPARAM * i + m] * eigvec[GS_NPARAM * m + j];
      assert_close(av, eigval[j] * eigvec[GS_NPARAM * i + j], 0.0, 1e-14 * scale);
      for (int m = 0; m < GS_NPARAM; m++) dot += eigvec[GS_NPARAM * m + i] * eigvec[GS_NPARAM * m + j];
      assert_close(dot, i == j ? 1.0 : 0.0, 0.0, 1e-14);
    }
  }
}

static void test_jacobi_known_eigenvalues(void **state)
{
  const double distinct[GS_NPARAM] = {3.0, 2.0, 1e-6, -1.0}, repeated[GS_NPARAM] = {2.0, 2.0, 2.0, 1.0};
  const double single[GS_NPARAM] = {5.0, 0.0, 0.0, 0.0}, zero[GS_NPARAM * GS_NPARAM] = {0.0};
  const double diagonal[GS_NPARAM * GS_NPARAM] = {1.0, 0, 0, 0, 0, 4.0, 0, 0, 0, 0, -2.0, 0, 0, 0, 0, 3.0};
  double       eigval[GS_NPARAM], eigvec[GS_NPARAM * GS_NPARAM], bad[GS_NPARAM * GS_NPARAM] = {0.0};

  (void)state;
  AssertEigenDecomposition(distinct);
  AssertEigenDecomposition(repeated);
  AssertEigenDecomposition(single);
  assert_int_equal(GSSymmetricEigen4(diagonal, eigval, eigvec), GS_RESIDUAL_OK);
  assert_true(eigval[0] == 4.0 && eigval[1] == 3.0 && eigval[2] == 1.0 && eigval[3] == -2.0);
  assert_true(eigvec[GS_NPARAM * 1 + 0] == 1.0 && eigvec[GS_NPARAM * 3 + 1] == 1.0);
  assert_int_equal(GSSymmetricEigen4(zero, eigval, eigvec), GS_RESIDUAL_OK);
  for (int j = 0; j < GS_NPARAM; j++) assert_true(eigval[j] == 0.0 && eigvec[GS_NPARAM * j + j] == 1.0);
  bad[5] = NAN;
  assert_int_equal(GSSymmetricEigen4(bad, eigval, eigvec), GS_RESIDUAL_ERR_NONFINITE);
}

/* Sums with a prescribed A^T A = Q diag(lambda) Q^T and A^T b = A^T A theta_true. */
static void SumsWithSpectrum(const double lambda[GS_NPARAM], const double theta_true[GS_NPARAM], GSResidualSums *sums)
{
  GSResidualSumsZero(sums);
  MatrixWithEigenvalues(lambda, sums->ata);
  for (int i = 0; i < GS_NPARAM; i++)
    for (int j = 0; j < GS_NPARAM; j++) sums->atb[i] += sums->ata[GS_NPARAM * i + j] * theta_true[j];
  sums->btb    = 1.0;
  sums->ncells = 1.0;
}

static void test_rank_and_condition(void **state)
{
  const double   well[GS_NPARAM] = {4.0, 1.0, 0.25, 1e-3}, below[GS_NPARAM] = {4.0, 1.0, 0.25, 1e-13}, above[GS_NPARAM] = {4.0, 1.0, 0.25, 1e-10};
  const double   theta_true[GS_NPARAM] = {0.035, 0.065, 0.16, 0.08};
  double         q[GS_NPARAM * GS_NPARAM], in_range[GS_NPARAM];
  GSResidualSums sums;
  GSResidualFit  fit;

  (void)state;
  SumsWithSpectrum(well, theta_true, &sums);
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_OK);
  assert_int_equal(fit.rank, 4);
  assert_close(fit.condition, 4.0e3, 1e-10, 0.0);
  for (int i = 0; i < GS_NPARAM; i++) assert_close(fit.theta[i], theta_true[i], 1e-11, 0.0);
  SumsWithSpectrum(above, theta_true, &sums);
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_OK);
  assert_close(fit.condition, 4.0e10, 1e-4, 0.0);
  /* theta in the span of the three kept eigenvectors: the minimum-norm solution is theta itself */
  DenseOrthogonal(q);
  for (int i = 0; i < GS_NPARAM; i++) in_range[i] = q[GS_NPARAM * i + 0] - 2.0 * q[GS_NPARAM * i + 1] + 0.5 * q[GS_NPARAM * i + 2];
  SumsWithSpectrum(below, in_range, &sums);
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_ERR_RANK_DEFICIENT);
  assert_int_equal(fit.rank, 3);
  assert_true(isinf(fit.condition));
  for (int i = 0; i < GS_NPARAM; i++) assert_close(fit.theta[i], in_range[i], 0.0, 1e-13);
}

static void AssertSumsClose(const GSResidualSums *got, const GSResidualSums *want, double rtol)
{
  for (int i = 0; i < GS_NPARAM * GS_NPARAM; i++) assert_close(got->ata[i], want->ata[i], rtol, 0.0);
  for (int i = 0; i < GS_NPARAM; i++) assert_close(got->atb[i], want->atb[i], rtol, 0.0);
  assert_close(got->btb, want->btb, rtol, 0.0);
  assert_true(got->ncells == want->ncells);
}

/* Three "ranks" accumulate their cells, then merge; the raw-double sum that MPI_Allreduce performs
   on GS_RESIDUAL_NSUMS doubles gives bit for bit the same as GSResidualSumsMerge. */
static void test_merge_equals_single_pass(void **state)
{
  const GSParams truth  = {GS_TRUTH_F, GS_TRUTH_K, GS_TRUTH_DU, GS_TRUTH_DV};
  const int      cuts[] = {0, 50, 131, NCELLS};
  GSField        x[NCELLS], x_t[NCELLS];
  GSResidualSums all, part[3], merged;
  double         raw[GS_RESIDUAL_NSUMS] = {0.0}, piece[GS_RESIDUAL_NSUMS];

  (void)state;
  assert_int_equal(GS_RESIDUAL_NSUMS, 22);
  SmoothRandomField(7, x);
  PeriodicRHS(&truth, x, 1.0, x_t);
  GSResidualSumsZero(&all);
  AddCells(&all, x, x_t, 1.0, 0, NCELLS);
  GSResidualSumsZero(&merged);
  for (int r = 0; r < 3; r++) {
    GSResidualSumsZero(&part[r]);
    AddCells(&part[r], x, x_t, 1.0, cuts[r], cuts[r + 1]);
    GSResidualSumsMerge(&merged, &part[r]);
    memcpy(piece, &part[r], sizeof piece);
    for (int i = 0; i < GS_RESIDUAL_NSUMS; i++) raw[i] += piece[i];
  }
  AssertSumsClose(&merged, &all, 1e-13);
  assert_true(merged.ncells == NCELLS);
  assert_memory_equal(raw, &merged, sizeof raw);
}

static void test_empty_and_bad_input(void **state)
{
  const double   theta[GS_NPARAM] = {0.0};
  GSResidualSums sums;
  GSResidualFit  fit;
  double         loss;

  (void)state;
  GSResidualSumsZero(&sums);
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_ERR_EMPTY);
  assert_int_equal(GSResidualLoss(&sums, theta, &loss), GS_RESIDUAL_ERR_EMPTY);
  GSResidualSumsAddCell(&sums, (GSField){NAN, 0.2}, 0.0, 0.0, (GSField){0.0, 0.0});
  assert_int_equal(GSResidualSolve(&sums, &fit), GS_RESIDUAL_ERR_NONFINITE);
  assert_int_equal(GSResidualSolve(NULL, &fit), GS_RESIDUAL_ERR_ARG);
  assert_int_equal(GSResidualLoss(&sums, NULL, &loss), GS_RESIDUAL_ERR_ARG);
}

/* The observation mask: all cells at fraction >= 1, none at 0, about `fraction` of them otherwise,
   nested in the fraction (one draw per cell), periodic one cell outside the grid, keyed by the seed. */
static void test_cell_observed_mask(void **state)
{
  enum { SIDE = 256 };
  int64_t observed = 0, differ = 0;

  (void)state;
  for (int64_t j = -1; j <= NY; j++) {
    for (int64_t i = -1; i <= NX; i++) {
      const int64_t wi = (i + NX) % NX, wj = (j + NY) % NY;
      assert_int_equal(GSResidualCellObserved(5, 1.0, NX, NY, i, j), 1);
      assert_int_equal(GSResidualCellObserved(5, 1.5, NX, NY, i, j), 1);
      assert_int_equal(GSResidualCellObserved(5, 0.0, NX, NY, i, j), 0);
      assert_int_equal(GSResidualCellObserved(5, 0.5, NX, NY, i, j), GSResidualCellObserved(5, 0.5, NX, NY, wi, wj));
    }
  }
  for (int64_t j = 0; j < SIDE; j++) {
    for (int64_t i = 0; i < SIDE; i++) {
      const int at_03 = GSResidualCellObserved(5, 0.3, SIDE, SIDE, i, j);
      observed += at_03;
      if (at_03) assert_int_equal(GSResidualCellObserved(5, 0.7, SIDE, SIDE, i, j), 1);
      differ += at_03 != GSResidualCellObserved(6, 0.3, SIDE, SIDE, i, j);
    }
  }
  /* 0.01 is more than 5 standard deviations of the observed share of SIDE^2 cells */
  assert_true(fabs((double)observed / (SIDE * SIDE) - 0.3) < 0.01);
  assert_true(differ > SIDE * SIDE / 4);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_recovers_theta_from_rhs), cmocka_unit_test(test_recovers_theta_from_euler_snapshots),
    cmocka_unit_test(test_trivial_state_rank_zero), cmocka_unit_test(test_uniform_state_rank_two),
    cmocka_unit_test(test_quadratic_equals_direct), cmocka_unit_test(test_jacobi_known_eigenvalues),
    cmocka_unit_test(test_rank_and_condition),      cmocka_unit_test(test_merge_equals_single_pass),
    cmocka_unit_test(test_empty_and_bad_input),     cmocka_unit_test(test_cell_observed_mask),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
