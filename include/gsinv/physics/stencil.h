/* Star-stencil sweeps shared by every grid loop: one place that knows how neighbours are found. */
#pragma once

#include <stddef.h>

#include "gsinv/physics/kernels.h"

/* Runs the statement(s) given last for every cell of a whole nx x ny periodic grid x (row-major, x fastest), with
   idx (the cell's index) and the GSField values c, w, e, s, n in scope. Rows are split into the
   two wrapped edge cells and a branch-free interior so that the interior vectorises. */
#define GS_SWEEP_PERIODIC(nx, ny, x, ...) \
  do { \
    for (int gs_j = 0; gs_j < (ny); gs_j++) { \
      const GSField *gs_row = (x) + (size_t)gs_j * (nx); \
      const GSField *gs_s   = (x) + (size_t)((gs_j + (ny)-1) % (ny)) * (nx); \
      const GSField *gs_n   = (x) + (size_t)((gs_j + 1) % (ny)) * (nx); \
      for (int gs_i = 0; gs_i < (nx); gs_i++) { \
        const int gs_w = gs_i == 0 ? (nx)-1 : gs_i - 1, gs_e = gs_i == (nx)-1 ? 0 : gs_i + 1; \
        if (gs_i == 1 && (nx) > 2) { \
          for (; gs_i < (nx)-1; gs_i++) { \
            const size_t  idx = (size_t)gs_j * (nx) + gs_i; \
            const GSField c = gs_row[gs_i], w = gs_row[gs_i - 1], e = gs_row[gs_i + 1], s = gs_s[gs_i], n = gs_n[gs_i]; \
            (void)idx, (void)c; \
            __VA_ARGS__; \
          } \
          gs_i--; \
          continue; \
        } \
        { \
          const size_t  idx = (size_t)gs_j * (nx) + gs_i; \
          const GSField c = gs_row[gs_i], w = gs_row[gs_w], e = gs_row[gs_e], s = gs_s[gs_i], n = gs_n[gs_i]; \
          (void)idx, (void)c; \
          __VA_ARGS__; \
        } \
      } \
    } \
  } while (0)

/* Runs the statement(s) given last for every owned cell of an xm x ym patch whose ghosted copy (ghost width 1, row
   stride gxm) has its first owned cell at xin; idx is the cell's index in the unghosted patch. */
#define GS_SWEEP_GHOSTED(xm, ym, gxm, xin, ...) \
  do { \
    for (int gs_j = 0; gs_j < (ym); gs_j++) { \
      const GSField *gs_row = (xin) + (ptrdiff_t)gs_j * (gxm); \
      const GSField *gs_s = gs_row - (gxm), *gs_n = gs_row + (gxm); \
      for (int gs_i = 0; gs_i < (xm); gs_i++) { \
        const size_t  idx = (size_t)gs_j * (xm) + gs_i; \
        const GSField c = gs_row[gs_i], w = gs_row[gs_i - 1], e = gs_row[gs_i + 1], s = gs_s[gs_i], n = gs_n[gs_i]; \
        (void)idx, (void)c; \
        __VA_ARGS__; \
      } \
    } \
  } while (0)
