/* Losses on the v field (docs/model.md section 7) and their gradients with respect to v. Plain C. */
#pragma once

/* Which loss: pixel MSE, global log power spectrum, or tiled (windowed) log power spectrum. */
typedef enum { GS_LOSS_PIXEL = 0, GS_LOSS_SPECTRUM = 1, GS_LOSS_WINDOWED = 2 } GSLossType;

#define GS_NLOSS 3

/* Names for PetscOptionsEnum: {"pixel","spectrum","windowed","GSLossType","GS_LOSS_",NULL}. */
extern const char *const GSLossTypes[];

/* Return codes of the GSLoss functions: 0 is success, anything else a failure. */
typedef enum {
  GS_LOSS_SUCCESS       = 0,
  GS_LOSS_ERR_SIZE      = 1, /* nx or ny < 1, or nx*ny too large for FFTW */
  GS_LOSS_ERR_TILE      = 2, /* tile < 0, tile not dividing nx and ny, or windowed loss with tile 0 */
  GS_LOSS_ERR_MEMORY    = 3, /* allocation or FFTW plan creation failed */
  GS_LOSS_ERR_NO_TARGET = 4, /* GSLossEvaluate before GSLossSetTarget */
  GS_LOSS_ERR_ARG       = 5  /* NULL pointer or unknown GSLossType */
} GSLossError;

/* Opaque: sizes, tile, FFTW plans and buffers, the cached target field and log spectra. */
typedef struct GSLoss_ *GSLoss;

/* Creates a loss object for nx x ny fields (row-major, x fastest: index j*nx + i).
   tile is the windowed-loss block edge (-gs_loss_tile, 16 in the paper) and must divide nx and ny,
   else GS_LOSS_ERR_TILE is returned here, before any simulation runs; tile 0 skips the windowed
   set-up, and a later windowed GSLossEvaluate then returns GS_LOSS_ERR_TILE.
   Not collective (plain C); FFTW plans use FFTW_ESTIMATE, so results are deterministic.
   On failure *loss is NULL. */
int GSLossCreate(int nx, int ny, int tile, GSLoss *loss);

/* Frees everything and sets *loss to NULL; a NULL or already destroyed object is fine. */
void GSLossDestroy(GSLoss *loss);

/* Stores the target v* (nx*ny values, copied) and caches its global and per-tile log spectra.
   May be called again to change target. */
int GSLossSetTarget(GSLoss loss, const double *target_v);

/* Value of one loss of v (nx*ny values) against the current target in *value; if grad is not
   NULL it receives dL/dv (nx*ny values). grad may alias v. */
int GSLossEvaluate(GSLoss loss, GSLossType type, const double *v, double *value, double *grad);

/* A short static description of a GSLoss return code, for the caller's error message. */
const char *GSLossErrorString(int code);
