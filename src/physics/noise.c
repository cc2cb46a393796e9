/* Counter-based noise (SplitMix64 finaliser on a keyed counter) and the initial-state recipe. */
#include <math.h>

#include "gsinv/physics/noise.h"

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

GSInitialRecipe GSInitialRecipeDefault(uint64_t seed, int64_t sample)
{
  GSInitialRecipe r = {seed, sample, 0.02, 20, {0.5, 0.25}, {1.0, 0.0}};
  return r;
}

static inline double Clamp(double x, double lo, double hi)
{
  return x < lo ? lo : (x > hi ? hi : x);
}

static inline GSField CellFrom(const GSInitialRecipe *r, uint64_t sample_key, int64_t i, int64_t j, int64_t nx, int64_t ny)
{
  const int64_t bx0 = nx / 2 - r->block / 2, by0 = ny / 2 - r->block / 2;
  const int     inside = i >= bx0 && i < bx0 + r->block && j >= by0 && j < by0 + r->block;
  GSField       c;

  if (inside) c = r->block_value;
  else {
    const uint64_t key = CellKey(sample_key, j * nx + i);
    c.u                = r->background.u + r->noise * NormalFrom(key, 0);
    c.v                = r->background.v + r->noise * NormalFrom(key, 1);
  }
  c.u = Clamp(c.u, 0.0, 1.5);
  c.v = Clamp(c.v, 0.0, 1.0);
  return c;
}

GSField GSInitialCell(const GSInitialRecipe *r, int64_t i, int64_t j, int64_t nx, int64_t ny)
{
  return CellFrom(r, SampleKey(r->seed, r->sample), i, j, nx, ny);
}

void GSInitialRow(const GSInitialRecipe *r, int64_t i0, int64_t j, int64_t count, int64_t nx, int64_t ny, GSField *row)
{
  const uint64_t key = SampleKey(r->seed, r->sample);

  for (int64_t i = 0; i < count; i++) row[i] = CellFrom(r, key, i0 + i, j, nx, ny);
}
