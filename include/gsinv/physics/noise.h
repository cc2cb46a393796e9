/* Counter-based noise and the paper's initial-state recipe: same field on any decomposition. */
#pragma once

#include <stdint.h>

#include "gsinv/physics/kernels.h"

/* How the recipe turns hashes into normal numbers (-gs_init_sampler). Both are exact; the ziggurat
   needs about one hash per number, Box-Muller two hashes, a log, a square root and a cosine (the
   recipe of gsinv before the ziggurat, kept to reproduce earlier results). */
typedef enum { GS_SAMPLER_ZIGGURAT, GS_SAMPLER_BOXMULLER } GSNoiseSampler;
extern const char *const GSNoiseSamplers[];

/* The recipe of docs/model.md section 3, with its defaults. */
typedef struct {
  uint64_t       seed;        /* -gs_seed */
  int64_t        sample;      /* -gs_sample: which draw of the seed */
  double         noise;       /* -gs_init_noise: standard deviation of the Gaussian noise (0.02) */
  int            block;       /* -gs_init_block: side of the centred block (20) */
  GSField        block_value; /* (0.5, 0.25) */
  GSField        background;  /* (1, 0) */
  GSNoiseSampler sampler;     /* -gs_init_sampler (ziggurat) */
} GSInitialRecipe;

/* The recipe with the paper's values for a given seed and sample. */
GSInitialRecipe GSInitialRecipeDefault(uint64_t seed, int64_t sample);

/* A well-mixed 64-bit hash of (seed, sample, cell, stream): the counter-based generator. */
uint64_t GSNoiseHash(uint64_t seed, int64_t sample, int64_t cell, uint32_t stream);

/* A standard normal value for (seed, sample, cell, stream), by Box-Muller on two hashed uniforms. */
double GSNoiseNormal(uint64_t seed, int64_t sample, int64_t cell, uint32_t stream);
/* A standard normal value for (seed, sample, cell, stream) by the ziggurat: draw n of the number
   hashes (seed, sample, cell, stream, n). */
double GSNoiseNormalZiggurat(uint64_t seed, int64_t sample, int64_t cell, uint32_t stream);
/* Area of the ziggurat's top layer over that of its second: 1 when the tables close exactly. */
double GSNoiseZigguratClosure(void);

/* The initial (u, v) of global cell (i, j) of an nx x ny grid. */
GSField GSInitialCell(const GSInitialRecipe *r, int64_t i, int64_t j, int64_t nx, int64_t ny);
/* Cells (i0 .. i0 + count - 1, j) into row: the same values as GSInitialCell, the hash's per-run part
   computed once. */
void GSInitialRow(const GSInitialRecipe *r, int64_t i0, int64_t j, int64_t count, int64_t nx, int64_t ny, GSField *row);
