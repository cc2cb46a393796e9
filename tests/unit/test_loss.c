/* CMocka tests of the v-field losses: closed forms, brute-force DFT, finite-difference gradients. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "gsinv/physics/loss.h"

#define TWO_PI 6.283185307179586
#define FLOOR  1e-8

/* CMocka's assert_float_equal is single precision: |a - b| <= atol + rtol |b| in double. */
#define assert_close(a, b, rtol, atol) AssertClose((a), (b), (rtol), (atol), __FILE__, __LINE__)

static void AssertClose(double a, double b, double rtol, double atol, const char *file, int line)
{
  if (!(fabs(a - b) <= atol + rtol * fabs(b))) {
    print_error("%s:%d: %.17g != %.17g (rtol %g, atol %g)\n", file, line, a, b, rtol, atol);
    _fail(file, line);
  }
}

/* Deterministic uniform numbers in [0, 1). */
static double Uniform(uint64_t *state)
{
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

/* A field with structure: two waves, a Gaussian spot and a little noise, so no DFT bin is exactly 0. */
static double *StructuredField(int nx, int ny, uint64_t seed)
{
  double  *v     = malloc(sizeof(double) * nx * ny);
  uint64_t state = seed;
  double   phase = TWO_PI * Uniform(&state), cx = nx * Uniform(&state), cy = ny * Uniform(&state);
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      double r2     = (i - cx) * (i - cx) + (j - cy) * (j - cy);
      v[j * nx + i] = 0.3 + 0.2 * cos(TWO_PI * (2.0 * i / nx + 1.0 * j / ny) + phase) + 0.1 * sin(TWO_PI * 3.0 * j / ny) + 0.25 * exp(-r2 / 6.0) +
                      0.05 * Uniform(&state);
    }
  return v;
}

static GSLoss CreateWithTarget(int nx, int ny, int tile, const double *target)
{
  GSLoss loss = NULL;
  assert_int_equal(GSLossCreate(nx, ny, tile, &loss), 0);
  assert_int_equal(GSLossSetTarget(loss, target), 0);
  return loss;
}

static double Evaluate(GSLoss loss, GSLossType type, const double *v, double *grad)
{
  double value = NAN;
  assert_int_equal(GSLossEvaluate(loss, type, v, &value, grad), 0);
  return value;
}

/* O(N^2) definition: mean over all full-DFT bins of all bx x by tiles, mean removed over the image. */
static double BruteForceLoss(int nx, int ny, int bx, int by, const double *v, const double *target)
{
  const double *fields[2] = {v, target};
  double        mean[2] = {0, 0}, sum = 0.0;
  for (int f = 0; f < 2; f++) {
    for (int c = 0; c < nx * ny; c++) mean[f] += fields[f][c];
    mean[f] /= nx * ny;
  }
  for (int ty = 0; ty < ny / by; ty++)
    for (int tx = 0; tx < nx / bx; tx++)
      for (int ky = 0; ky < by; ky++)
        for (int kx = 0; kx < bx; kx++) {
          double logp[2];
          for (int f = 0; f < 2; f++) {
            double re = 0, im = 0;
            for (int jj = 0; jj < by; jj++)
              for (int ii = 0; ii < bx; ii++) {
                double w = fields[f][(ty * by + jj) * nx + tx * bx + ii] - mean[f], a = -TWO_PI * ((double)kx * ii / bx + (double)ky * jj / by);
                re += w * cos(a), im += w * sin(a);
              }
            logp[f] = log(re * re + im * im + FLOOR);
          }
          sum += (logp[0] - logp[1]) * (logp[0] - logp[1]);
        }
  return sum / (nx * ny);
}

static void TestPixelClosedForm(void **state)
{
  const int nx = 16, ny = 12, n = nx * ny;
  double    v[16 * 12], zero[16 * 12] = {0}, grad[16 * 12];
  GSLoss    loss = CreateWithTarget(nx, ny, 4, zero);
  (void)state;
  for (int c = 0; c < n; c++) v[c] = 2.5;
  assert_close(Evaluate(loss, GS_LOSS_PIXEL, v, grad), 6.25, 1e-15, 0);
  for (int c = 0; c < n; c++) assert_close(grad[c], 5.0 / n, 1e-15, 0);
  for (int c = 0; c < n; c++) v[c] = cos(TWO_PI * 3 * (c % nx) / nx); /* mean of cos^2 over whole periods is 1/2 */
  assert_close(Evaluate(loss, GS_LOSS_PIXEL, v, NULL), 0.5, 1e-14, 0);
  GSLossDestroy(&loss);
  assert_null(loss);
}

/* v == v* gives bit-identical spectra, so loss and gradient are exactly 0. */
static void TestSpectralZeroForTarget(void **state)
{
  const int nx = 16, ny = 12;
  double   *v    = StructuredField(nx, ny, 1), grad[16 * 12];
  GSLoss    loss = CreateWithTarget(nx, ny, 4, v);
  (void)state;
  for (GSLossType t = GS_LOSS_PIXEL; t <= GS_LOSS_WINDOWED; t++) {
    assert_true(Evaluate(loss, t, v, grad) == 0.0);
    for (int c = 0; c < nx * ny; c++) assert_true(grad[c] == 0.0);
  }
  GSLossDestroy(&loss);
  free(v);
}

/* Adding a constant to v changes neither spectral loss (rtol 1e-10), and their gradients sum to 0. */
static void TestSpectralConstantInvariance(void **state)
{
  const int nx = 16, ny = 12;
  double   *v = StructuredField(nx, ny, 2), *target = StructuredField(nx, ny, 3), shifted[16 * 12], grad[16 * 12];
  GSLoss    loss = CreateWithTarget(nx, ny, 4, target);
  (void)state;
  for (int c = 0; c < nx * ny; c++) shifted[c] = v[c] + 3.7;
  for (GSLossType t = GS_LOSS_SPECTRUM; t <= GS_LOSS_WINDOWED; t++) {
    double value = Evaluate(loss, t, v, grad), sum = 0.0, norm = 0.0;
    assert_true(value > 0.1);
    assert_close(Evaluate(loss, t, shifted, NULL), value, 1e-10, 0);
    for (int c = 0; c < nx * ny; c++) sum += grad[c], norm += fabs(grad[c]);
    assert_close(sum, 0.0, 0, 1e-13 * norm);
  }
  GSLossDestroy(&loss);
  free(v);
  free(target);
}

/* cos(2 pi (mx i / nx + my j / ny)) against v* = 0: bins (my, mx) and (-my, -mx) have X = N/2
   (one bin with X = N when the mode is its own mirror), all others P = 0. */
static double CosineLoss(int nx, int ny, int mx, int my)
{
  const int n  = nx * ny;
  int       nb = ((2 * mx) % nx == 0 && (2 * my) % ny == 0) ? 1 : 2;
  double    x = nb == 1 ? n : n / 2.0, r = log(x * x + FLOOR) - log(FLOOR);
  return nb * r * r / n;
}

static void TestSpectrumCosine(void **state)
{
  const int nx = 16, ny = 12;
  const int modes[][2] = {{3, 0}, {0, 2}, {5, 4}, {8, 0}, {8, 6}, {13, 9}};
  double    v[16 * 12], zero[16 * 12] = {0};
  GSLoss    loss = CreateWithTarget(nx, ny, 0, zero);
  (void)state;
  for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
    for (int c = 0; c < nx * ny; c++) v[c] = cos(TWO_PI * ((double)modes[m][0] * (c % nx) / nx + (double)modes[m][1] * (c / nx) / ny));
    assert_close(Evaluate(loss, GS_LOSS_SPECTRUM, v, NULL), CosineLoss(nx, ny, modes[m][0], modes[m][1]), 1e-12, 0);
  }
  GSLossDestroy(&loss);
}

/* cos(2 pi 4 i / 16) on 4 x 4 tiles: one period per tile, so every tile scores like a single mode. */
static void TestWindowedCosine(void **state)
{
  const int nx = 16, ny = 12, tile = 4;
  double    v[16 * 12], zero[16 * 12] = {0};
  GSLoss    loss = CreateWithTarget(nx, ny, tile, zero);
  (void)state;
  for (int c = 0; c < nx * ny; c++) v[c] = cos(TWO_PI * 4 * (c % nx) / nx);
  assert_close(Evaluate(loss, GS_LOSS_WINDOWED, v, NULL), CosineLoss(tile, tile, 1, 0), 1e-12, 0);
  GSLossDestroy(&loss);
}

/* The r2c Hermitian weighting reproduces the full complex DFT on odd and even grids (rtol 1e-10). */
static void TestBruteForceDFT(void **state)
{
  const int grids[][3] = {{5, 7, 0}, {7, 5, 0}, {6, 8, 2}, {15, 10, 5}, {16, 12, 4}};
  (void)state;
  for (size_t g = 0; g < sizeof(grids) / sizeof(grids[0]); g++) {
    const int nx = grids[g][0], ny = grids[g][1], tile = grids[g][2];
    double   *v = StructuredField(nx, ny, 10 + g), *target = StructuredField(nx, ny, 20 + g);
    GSLoss    loss = CreateWithTarget(nx, ny, tile, target);
    assert_close(Evaluate(loss, GS_LOSS_SPECTRUM, v, NULL), BruteForceLoss(nx, ny, nx, ny, v, target), 1e-10, 0);
    if (tile) assert_close(Evaluate(loss, GS_LOSS_WINDOWED, v, NULL), BruteForceLoss(nx, ny, tile, tile, v, target), 1e-10, 0);
    GSLossDestroy(&loss);
    free(v);
    free(target);
  }
}

static void TestWindowedWholeTileIsSpectrum(void **state)
{
  const int n = 12;
  double   *v = StructuredField(n, n, 4), *target = StructuredField(n, n, 5);
  GSLoss    loss = CreateWithTarget(n, n, n, target);
  (void)state;
  assert_close(Evaluate(loss, GS_LOSS_WINDOWED, v, NULL), Evaluate(loss, GS_LOSS_SPECTRUM, v, NULL), 1e-13, 0);
  GSLossDestroy(&loss);
  free(v);
  free(target);
}

/* Central differences, step 1e-6, at 12 random cells: |fd - grad| <= 1e-6 |grad| + 1e-8 max|grad|. */
static void CheckGradientFD(int nx, int ny, int tile, GSLossType type, uint64_t seed)
{
  const double h = 1e-6;
  double      *v = StructuredField(nx, ny, seed), *target = StructuredField(nx, ny, seed + 1);
  double      *grad = malloc(sizeof(double) * nx * ny), gmax = 0.0;
  uint64_t     pick = seed;
  GSLoss       loss = CreateWithTarget(nx, ny, tile, target);

  Evaluate(loss, type, v, grad);
  for (int c = 0; c < nx * ny; c++) gmax = fmax(gmax, fabs(grad[c]));
  assert_true(gmax > 0.0);
  for (int s = 0; s < 12; s++) {
    int    c  = (int)(Uniform(&pick) * nx * ny);
    double v0 = v[c], plus, minus;
    v[c]      = v0 + h;
    plus      = Evaluate(loss, type, v, NULL);
    v[c]      = v0 - h;
    minus     = Evaluate(loss, type, v, NULL);
    v[c]      = v0;
    assert_close((plus - minus) / (2 * h), grad[c], 1e-6, 1e-8 * gmax);
  }
  GSLossDestroy(&loss);
  free(v);
  free(target);
  free(grad);
}

static void TestGradientPixel(void **state)
{
  (void)state;
  CheckGradientFD(16, 12, 4, GS_LOSS_PIXEL, 100);
}

static void TestGradientSpectrum(void **state)
{
  (void)state;
  CheckGradientFD(16, 12, 4, GS_LOSS_SPECTRUM, 200);
  CheckGradientFD(15, 9, 3, GS_LOSS_SPECTRUM, 300);
}

static void TestGradientWindowed(void **state)
{
  (void)state;
  CheckGradientFD(16, 12, 4, GS_LOSS_WINDOWED, 400);
  CheckGradientFD(15, 10, 5, GS_LOSS_WINDOWED, 500);
}

/* Taylor test along a random direction: R(eps) = |L(v + eps d) - L(v) - eps g.d| must fall at
   rate 2, i.e. R(eps) / R(eps/2) in [3.5, 4.5] for eps = 5e-4 ... 6.25e-5. */
static void TestTaylorRemainder(void **state)
{
  const int nx = 16, ny = 12, n = nx * ny;
  double   *v = StructuredField(nx, ny, 6), *target = StructuredField(nx, ny, 7);
  double    dir[16 * 12], grad[16 * 12], trial[16 * 12];
  uint64_t  rng  = 8;
  GSLoss    loss = CreateWithTarget(nx, ny, 4, target);
  (void)state;
  for (int c = 0; c < n; c++) dir[c] = Uniform(&rng) - 0.5;
  for (GSLossType t = GS_LOSS_SPECTRUM; t <= GS_LOSS_WINDOWED; t++) {
    double value = Evaluate(loss, t, v, grad), slope = 0.0, previous = 0.0;
    for (int c = 0; c < n; c++) slope += grad[c] * dir[c];
    for (int k = 0; k < 4; k++) {
      double eps = 5e-4 / (1 << k), remainder;
      for (int c = 0; c < n; c++) trial[c] = v[c] + eps * dir[c];
      remainder = fabs(Evaluate(loss, t, trial, NULL) - value - eps * slope);
      if (k) assert_in_range((uint64_t)(100 * previous / remainder), 350, 450);
      previous = remainder;
    }
  }
  GSLossDestroy(&loss);
  free(v);
  free(target);
}

/* Changing target on one object matches a fresh object, and repeated evaluations are identical. */
static void TestReuse(void **state)
{
  const int nx = 16, ny = 12;
  double   *v = StructuredField(nx, ny, 30), *a = StructuredField(nx, ny, 31), *b = StructuredField(nx, ny, 32);
  GSLoss    reused = CreateWithTarget(nx, ny, 4, a), fresh = CreateWithTarget(nx, ny, 4, b);
  (void)state;
  for (GSLossType t = GS_LOSS_PIXEL; t <= GS_LOSS_WINDOWED; t++) Evaluate(reused, t, v, NULL);
  assert_int_equal(GSLossSetTarget(reused, b), 0);
  for (GSLossType t = GS_LOSS_PIXEL; t <= GS_LOSS_WINDOWED; t++) {
    double first = Evaluate(reused, t, v, NULL);
    assert_true(first == Evaluate(fresh, t, v, NULL));
    assert_true(first == Evaluate(reused, t, v, NULL));
  }
  GSLossDestroy(&reused);
  GSLossDestroy(&fresh);
  free(v);
  free(a);
  free(b);
}

/* A tile not dividing the grid fails in GSLossCreate; tile 0 fails only a windowed GSLossEvaluate. */
static void TestBadArguments(void **state)
{
  double zero[16 * 12] = {0}, value;
  GSLoss loss          = (GSLoss)zero;
  (void)state;
  assert_int_equal(GSLossCreate(16, 12, 5, &loss), GS_LOSS_ERR_TILE);
  assert_null(loss);
  assert_int_equal(GSLossCreate(16, 12, 8, &loss), GS_LOSS_ERR_TILE);
  assert_int_equal(GSLossCreate(16, 12, -4, &loss), GS_LOSS_ERR_TILE);
  assert_int_equal(GSLossCreate(0, 12, 4, &loss), GS_LOSS_ERR_SIZE);
  assert_int_equal(GSLossCreate(16, 12, 0, &loss), 0);
  assert_int_equal(GSLossEvaluate(loss, GS_LOSS_PIXEL, zero, &value, NULL), GS_LOSS_ERR_NO_TARGET);
  assert_int_equal(GSLossSetTarget(loss, zero), 0);
  assert_int_equal(GSLossEvaluate(loss, GS_LOSS_WINDOWED, zero, &value, NULL), GS_LOSS_ERR_TILE);
  assert_int_equal(GSLossEvaluate(loss, (GSLossType)GS_NLOSS, zero, &value, NULL), GS_LOSS_ERR_ARG);
  assert_int_equal(GSLossEvaluate(loss, GS_LOSS_SPECTRUM, zero, &value, NULL), 0);
  assert_string_equal(GSLossTypes[GS_LOSS_WINDOWED], "windowed");
  assert_non_null(GSLossErrorString(GS_LOSS_ERR_TILE));
  GSLossDestroy(&loss);
  GSLossDestroy(&loss);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(TestPixelClosedForm),
    cmocka_unit_test(TestSpectralZeroForTarget),
    cmocka_unit_test(TestSpectralConstantInvariance),
    cmocka_unit_test(TestSpectrumCosine),
    cmocka_unit_test(TestWindowedCosine),
    cmocka_unit_test(TestBruteForceDFT),
    cmocka_unit_test(TestWindowedWholeTileIsSpectrum),
    cmocka_unit_test(TestGradientPixel),
    cmocka_unit_test(TestGradientSpectrum),
    cmocka_unit_test(TestGradientWindowed),
    cmocka_unit_test(TestTaylorRemainder),
    cmocka_unit_test(TestReuse),
    cmocka_unit_test(TestBadArguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
