/* Pixel, log-power-spectrum and windowed log-power-spectrum losses on v, with gradients (FFTW). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "gsinv/physics/loss.h"

#define GS_LOSS_LOG_FLOOR 1e-8

const char *const GSLossTypes[] = {"pixel", "spectrum", "windowed", "GSLossType", "GS_LOSS_", NULL};

/* count blocks of bx x by cells, each transformed by one r2c/c2r pair: the whole image (count 1)
   or its tiles. Only the bx/2+1 non-negative x frequencies are stored (Hermitian symmetry). */
typedef struct {
  int           bx, by, count;
  size_t        nhalf;      /* stored bins per block: by*(bx/2+1) */
  double       *real;       /* count*bx*by: the mean-removed blocks, then the block gradients */
  fftw_complex *spec;       /* count*nhalf: their DFTs */
  double       *target_log; /* count*nhalf: log(P* + floor) of the target */
  fftw_plan     forward, backward;
} GSSpectrum;

struct GSLoss_ {
  int        nx, ny, tile, has_target;
  double    *target;
  GSSpectrum global, windowed;
};

static void SpectrumDestroy(GSSpectrum *s)
{
  if (s->forward) fftw_destroy_plan(s->forward);
  if (s->backward) fftw_destroy_plan(s->backward);
  fftw_free(s->real);
  fftw_free(s->spec);
  free(s->target_log);
  memset(s, 0, sizeof(*s));
}

static int SpectrumCreate(int bx, int by, int count, GSSpectrum *s)
{
  const int n[2]  = {by, bx}; /* FFTW is row-major: the last (fastest) dimension is x */
  size_t    ncell = (size_t)bx * by;

  s->bx = bx, s->by = by, s->count = count;
  s->nhalf      = (size_t)by * (bx / 2 + 1);
  s->real       = fftw_malloc(sizeof(double) * ncell * count);
  s->spec       = fftw_malloc(sizeof(fftw_complex) * s->nhalf * count);
  s->target_log = malloc(sizeof(double) * s->nhalf * count);
  if (!s->real || !s->spec || !s->target_log) return GS_LOSS_ERR_MEMORY;
  s->forward  = fftw_plan_many_dft_r2c(2, n, count, s->real, NULL, 1, (int)ncell, s->spec, NULL, 1, (int)s->nhalf, FFTW_ESTIMATE);
  s->backward = fftw_plan_many_dft_c2r(2, n, count, s->spec, NULL, 1, (int)s->nhalf, s->real, NULL, 1, (int)ncell, FFTW_ESTIMATE);
  if (!s->forward || !s->backward) return GS_LOSS_ERR_MEMORY;
  return GS_LOSS_SUCCESS;
}

static double FieldMean(int n, const double *v)
{
  double sum = 0.0;
  for (int c = 0; c < n; c++) sum += v[c];
  return sum / n;
}

/* Copies v - mean into the blocks (block b is tile (b % tiles_x, b / tiles_x) of the image). */
static void SpectrumGather(GSSpectrum *s, int nx, const double *v, double mean)
{
  const int tiles_x = nx / s->bx;
  for (int b = 0; b < s->count; b++) {
    const double *src = v + (size_t)(b / tiles_x) * s->by * nx + (size_t)(b % tiles_x) * s->bx;
    double       *dst = s->real + (size_t)b * s->bx * s->by;
    for (int jj = 0; jj < s->by; jj++)
      for (int ii = 0; ii < s->bx; ii++) dst[jj * s->bx + ii] = src[(size_t)jj * nx + ii] - mean;
  }
}

/* The inverse of SpectrumGather's copy (without the mean). */
static void SpectrumScatter(const GSSpectrum *s, int nx, double *grad)
{
  const int tiles_x = nx / s->bx;
  for (int b = 0; b < s->count; b++) {
    double       *dst = grad + (size_t)(b / tiles_x) * s->by * nx + (size_t)(b % tiles_x) * s->bx;
    const double *src = s->real + (size_t)b * s->bx * s->by;
    for (int jj = 0; jj < s->by; jj++)
      for (int ii = 0; ii < s->bx; ii++) dst[(size_t)jj * nx + ii] = src[jj * s->bx + ii];
  }
}

/* How many bins of the full DFT a stored bin with x frequency kx stands for: its Hermitian mirror
   (-ky, -kx) is a distinct unstored bin unless kx is 0 or the Nyquist frequency of an even bx. */
static double HermitianWeight(int bx, int kx)
{
  return (kx == 0 || 2 * kx == bx) ? 1.0 : 2.0;
}

static double BinPower(const fftw_complex x)
{
  return x[0] * x[0] + x[1] * x[1];
}

/* Mean-removed DFT of v into s->spec. */
static void SpectrumTransform(GSSpectrum *s, int nx, int ny, const double *v)
{
  SpectrumGather(s, nx, v, FieldMean(nx * ny, v));
  fftw_execute(s->forward);
}

static void SpectrumSetTarget(GSSpectrum *s, int nx, int ny, const double *target)
{
  const size_t nbin = s->nhalf * s->count;
  SpectrumTransform(s, nx, ny, target);
  for (size_t k = 0; k < nbin; k++) s->target_log[k] = log(BinPower(s->spec[k]) + GS_LOSS_LOG_FLOOR);
}

/* Loss L = (1/M) sum over all M full-DFT bins of all blocks of r^2, r = log(P + floor) - log(P* + floor).
   With want_grad, each stored bin X is replaced by 4 r X / (M (P + floor)), i.e. 2 (dL/dP) X. */
static double SpectrumValue(GSSpectrum *s, int want_grad)
{
  const int    nkx   = s->bx / 2 + 1;
  const double nfull = (double)s->bx * s->by * s->count;
  double       sum   = 0.0;

  for (size_t k = 0; k < s->nhalf * s->count; k++) {
    const double p = BinPower(s->spec[k]) + GS_LOSS_LOG_FLOOR;
    const double r = log(p) - s->target_log[k];
    sum += HermitianWeight(s->bx, (int)(k % nkx)) * r * r;
    if (want_grad) {
      const double scale = 4.0 * r / (nfull * p);
      s->spec[k][0] *= scale;
      s->spec[k][1] *= scale;
    }
  }
  return sum / nfull;
}

/* dL/dw_n = sum_k dL/dP_k dP_k/dw_n = 2 Re sum_k (dL/dP_k) X_k e^{+2 pi i k.n / N}: an unnormalised
   inverse DFT of a Hermitian array, which the c2r transform sums over all bins. The mean removal
   w = v - mean(v) is a symmetric projection, so dL/dv is dL/dw minus its mean. */
static void SpectrumGradient(GSSpectrum *s, int nx, int ny, double *grad)
{
  double mean;
  fftw_execute(s->backward);
  SpectrumScatter(s, nx, grad);
  mean = FieldMean(nx * ny, grad);
  for (int c = 0; c < nx * ny; c++) grad[c] -= mean;
}

static double PixelEvaluate(const GSLoss loss, const double *v, double *grad)
{
  const int n   = loss->nx * loss->ny;
  double    sum = 0.0;
  for (int c = 0; c < n; c++) {
    const double d = v[c] - loss->target[c];
    sum += d * d;
    if (grad) grad[c] = 2.0 * d / n;
  }
  return sum / n;
}

int GSLossCreate(int nx, int ny, int tile, GSLoss *loss)
{
  GSLoss l;

  if (!loss) return GS_LOSS_ERR_ARG;
  *loss = NULL;
  if (nx < 1 || ny < 1 || (long long)nx * ny > INT_MAX / 2) return GS_LOSS_ERR_SIZE;
  if (tile < 0 || (tile > 0 && (nx % tile || ny % tile))) return GS_LOSS_ERR_TILE;
  l = calloc(1, sizeof(*l));
  if (!l) return GS_LOSS_ERR_MEMORY;
  l->nx = nx, l->ny = ny, l->tile = tile;
  l->target = malloc(sizeof(double) * (size_t)nx * ny);
  if (!l->target) {
    GSLossDestroy(&l);
    return GS_LOSS_ERR_MEMORY;
  }
  *loss = l;
  return GS_LOSS_SUCCESS;
}

void GSLossDestroy(GSLoss *loss)
{
  if (!loss || !*loss) return;
  SpectrumDestroy(&(*loss)->global);
  SpectrumDestroy(&(*loss)->windowed);
  free((*loss)->target);
  free(*loss);
  *loss = NULL;
}

int GSLossSetTarget(GSLoss loss, const double *target_v)
{
  if (!loss || !target_v) return GS_LOSS_ERR_ARG;
  memcpy(loss->target, target_v, sizeof(double) * (size_t)loss->nx * loss->ny);
  if (loss->global.real) SpectrumSetTarget(&loss->global, loss->nx, loss->ny, target_v);
  if (loss->windowed.real) SpectrumSetTarget(&loss->windowed, loss->nx, loss->ny, target_v);
  loss->has_target = 1;
  return GS_LOSS_SUCCESS;
}

/* A spectrum's buffers and plans (about 2.5 fields) are made at its first evaluation, from the
   stored target: a run that uses the pixel loss holds only the target. */
static int SpectrumPrepare(GSLoss loss, GSLossType type, GSSpectrum *s)
{
  const int tile = type == GS_LOSS_SPECTRUM ? 0 : loss->tile;
  const int err  = tile ? SpectrumCreate(tile, tile, (loss->nx / tile) * (loss->ny / tile), s) : SpectrumCreate(loss->nx, loss->ny, 1, s);

  if (err) {
    SpectrumDestroy(s);
    return err;
  }
  SpectrumSetTarget(s, loss->nx, loss->ny, loss->target);
  return GS_LOSS_SUCCESS;
}

int GSLossEvaluate(GSLoss loss, GSLossType type, const double *v, double *value, double *grad)
{
  GSSpectrum *s;
  int         err;

  if (!loss || !v || !value) return GS_LOSS_ERR_ARG;
  if (type != GS_LOSS_PIXEL && type != GS_LOSS_SPECTRUM && type != GS_LOSS_WINDOWED) return GS_LOSS_ERR_ARG;
  if (!loss->has_target) return GS_LOSS_ERR_NO_TARGET;
  if (type == GS_LOSS_PIXEL) {
    *value = PixelEvaluate(loss, v, grad);
    return GS_LOSS_SUCCESS;
  }
  if (type == GS_LOSS_WINDOWED && !loss->tile) return GS_LOSS_ERR_TILE;
  s = type == GS_LOSS_SPECTRUM ? &loss->global : &loss->windowed;
  if (!s->real && (err = SpectrumPrepare(loss, type, s))) return err;
  SpectrumTransform(s, loss->nx, loss->ny, v);
  *value = SpectrumValue(s, grad != NULL);
  if (grad) SpectrumGradient(s, loss->nx, loss->ny, grad);
  return GS_LOSS_SUCCESS;
}

const char *GSLossErrorString(int code)
{
  switch (code) {
  case GS_LOSS_SUCCESS:
    return "success";
  case GS_LOSS_ERR_SIZE:
    return "grid size must be positive and nx*ny small enough for FFTW";
  case GS_LOSS_ERR_TILE:
    return "tile must be positive and divide both grid sizes";
  case GS_LOSS_ERR_MEMORY:
    return "out of memory or FFTW plan creation failed";
  case GS_LOSS_ERR_NO_TARGET:
    return "no target set";
  case GS_LOSS_ERR_ARG:
    return "NULL argument or unknown loss type";
  default:
    return "unknown GSLoss error";
  }
}
