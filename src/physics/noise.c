/* Counter-based noise (SplitMix64 finaliser on a keyed counter), two exact normal samplers on it,
   and the initial-state recipe. */
#include <math.h>
#include <string.h>

#include "gsinv/physics/noise.h"

const char *const GSNoiseSamplers[] = {"ziggurat", "boxmuller", "GSNoiseSampler", "GS_SAMPLER_", NULL};

static inline uint64_t Mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The hash is a chain: (seed, sample) -> cell -> stream. A fill computes the first two links once
   per run and once per cell, not once per number (same values). */
static inline uint64_t SampleKey(uint64_t seed, int64_t sample)
{
  return Mix64(Mix64(seed + 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)sample * 0xd1b54a32d192ed03ULL));
}

static inline uint64_t CellKey(uint64_t sample_key, int64_t cell)
{
  return Mix64(sample_key ^ ((uint64_t)cell * 0xabc98388fb8fac03ULL));
}

static inline uint64_t StreamHash(uint64_t cell_key, uint32_t stream)
{
  return Mix64(cell_key ^ ((uint64_t)stream * 0x8cb92ba72f3d8dd7ULL + 1));
}

uint64_t GSNoiseHash(uint64_t seed, int64_t sample, int64_t cell, uint32_t stream)
{
  return StreamHash(CellKey(SampleKey(seed, sample), cell), stream);
}

/* A uniform in (0, 1), never 0, from the top 53 bits. */
static inline double Uniform(uint64_t h)
{
  return ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Box-Muller from the cell's streams 2 stream and 2 stream + 1. */
static inline double NormalFrom(uint64_t cell_key, uint32_t stream)
{
  const double u1 = Uniform(StreamHash(cell_key, 2 * stream));
  const double u2 = Uniform(StreamHash(cell_key, 2 * stream + 1));
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double GSNoiseNormal(uint64_t seed, int64_t sample, int64_t cell, uint32_t stream)
{
  return NormalFrom(CellKey(SampleKey(seed, sample), cell), stream);
}

/* Draw n of the cell's stream: a counter of its own per normal number (draw 0 is StreamHash). */
static inline uint64_t DrawHash(uint64_t cell_key, uint32_t stream, uint32_t n)
{
  return Mix64(cell_key ^ ((((uint64_t)n << 32) | stream) * 0x8cb92ba72f3d8dd7ULL + 1));
}

/* The ziggurat of docs/model.md section 3: 256 layers of equal area V under f(x) = exp(-x^2 / 2),
   x[1] = R the widest, x[256] = 0; layer 0 is the base strip [0, R] plus the tail, x[0] = V / f(R). */
#define ZIG_LAYERS 256
#define ZIG_R      3.6541528853610088

static struct {
  int    ready;
  double x[ZIG_LAYERS + 1], f[ZIG_LAYERS + 1];
} zig;

static double Gauss(double x)
{
  return exp(-0.5 * x * x);
}

static void ZigguratTables(void)
{
  const double v = ZIG_R * Gauss(ZIG_R) + sqrt(M_PI / 2) * erfc(ZIG_R / M_SQRT2); /* strip + tail */

  zig.x[0] = v / Gauss(ZIG_R), zig.x[1] = ZIG_R;
  for (int i = 1; i < ZIG_LAYERS - 1; i++) zig.x[i + 1] = sqrt(-2.0 * log(v / zig.x[i] + Gauss(zig.x[i])));
  zig.x[ZIG_LAYERS] = 0;
  for (int i = 0; i <= ZIG_LAYERS; i++) zig.f[i] = Gauss(zig.x[i]);
  zig.ready = 1;
}

/* Beyond R: Marsaglia's exact tail, from draws *n, *n + 1, ... */
static double Tail(uint64_t cell_key, uint32_t stream, uint32_t *n)
{
  for (;;) {
    const double a = -log(Uniform(DrawHash(cell_key, stream, (*n)++))) / ZIG_R;
    const double b = -log(Uniform(DrawHash(cell_key, stream, (*n)++)));
    if (2.0 * b > a * a) return ZIG_R + a;
  }
}

/* A draw's layer (bits 0-7), position in it (the top 53 bits) and sign (bit 8). */
static inline int Layer(uint64_t h)
{
  return (int)(h & (ZIG_LAYERS - 1));
}

static inline double Position(uint64_t h)
{
  return (double)(int64_t)(h >> 11) * (1.0 / 9007199254740992.0) * zig.x[Layer(h)];
}

static inline double Signed(double x, uint64_t h)
{
  uint64_t bits;

  memcpy(&bits, &x, sizeof(bits));
  bits ^= (h & ZIG_LAYERS) << 55; /* bit 8 to the sign bit: -x without a branch */
  memcpy(&x, &bits, sizeof(x));
  return x;
}

/* Draw 0 fell outside its layer's inner rectangle: the tail, the wedge test, or further draws. */
static double ZigguratRest(uint64_t cell_key, uint32_t stream, uint64_t h)
{
  for (uint32_t n = 1;; h = DrawHash(cell_key, stream, n++)) {
    const int    i = Layer(h);
    const double x = Position(h);
    if (x < zig.x[i + 1]) return Signed(x, h);
    if (i == 0) return Signed(Tail(cell_key, stream, &n), h);
    if (zig.f[i] + Uniform(DrawHash(cell_key, stream, n++)) * (zig.f[i + 1] - zig.f[i]) < Gauss(x)) return Signed(x, h);
  }
}

/* Most numbers end at the first comparison, inline; the tables must be ready. */
static inline double ZigguratFrom(uint64_t cell_key, uint32_t stream)
{
  const uint64_t h = DrawHash(cell_key, stream, 0);
  const double   x = Position(h);

  return x < zig.x[Layer(h) + 1] ? Signed(x, h) : ZigguratRest(cell_key, stream, h);
}

static inline void ZigguratReady(void)
{
  if (!zig.ready) ZigguratTables();
}

double GSNoiseNormalZiggurat(uint64_t seed, int64_t sample, int64_t cell, uint32_t stream)
{
  ZigguratReady();
  return ZigguratFrom(CellKey(SampleKey(seed, sample), cell), stream);
}

double GSNoiseZigguratClosure(void)
{
  ZigguratReady();
  return zig.x[ZIG_LAYERS - 1] * (1.0 - zig.f[ZIG_LAYERS - 1]) / (zig.x[1] * (zig.f[2] - zig.f[1]));
}

GSInitialRecipe GSInitialRecipeDefault(uint64_t seed, int64_t sample)
{
  GSInitialRecipe r = {seed, sample, 0.02, 20, {0.5, 0.25}, {1.0, 0.0}, GS_SAMPLER_ZIGGURAT};
  return r;
}

static inline double Clamp(double x, double lo, double hi)
{
  return fmin(fmax(x, lo), hi); /* no branch on the sign of the noise (half the cells clamp v) */
}

static inline GSField CellFrom(const GSInitialRecipe *r, uint64_t sample_key, int64_t i, int64_t j, int64_t nx, int64_t ny)
{
  const int64_t bx0 = nx / 2 - r->block / 2, by0 = ny / 2 - r->block / 2;
  const int     inside = i >= bx0 && i < bx0 + r->block && j >= by0 && j < by0 + r->block;
  GSField       c;

  if (inside) c = r->block_value;
  else {
    const uint64_t key = CellKey(sample_key, j * nx + i);
    const int      zig = r->sampler == GS_SAMPLER_ZIGGURAT;
    c.u                = r->background.u + r->noise * (zig ? ZigguratFrom(key, 0) : NormalFrom(key, 0));
    c.v                = r->background.v + r->noise * (zig ? ZigguratFrom(key, 1) : NormalFrom(key, 1));
  }
  c.u = Clamp(c.u, 0.0, 1.5);
  c.v = Clamp(c.v, 0.0, 1.0);
  return c;
}

GSField GSInitialCell(const GSInitialRecipe *r, int64_t i, int64_t j, int64_t nx, int64_t ny)
{
  ZigguratReady();
  return CellFrom(r, SampleKey(r->seed, r->sample), i, j, nx, ny);
}

void GSInitialRow(const GSInitialRecipe *r, int64_t i0, int64_t j, int64_t count, int64_t nx, int64_t ny, GSField *row)
{
  const uint64_t key = SampleKey(r->seed, r->sample);

  ZigguratReady();
  for (int64_t i = 0; i < count; i++) row[i] = CellFrom(r, key, i0 + i, j, nx, ny);
}
