/* The weak form of the residual estimator: test functions, summation by parts, noise-corrected rows. Plain C. */
#pragma once

#include <stdint.h>

#include "gsinv/physics/residual.h"

/* The test functions: tensor bumps phi(i, j) = b(i - cx) b(j - cy), b(d) = (1 - (d/R)^2)^p for
   |d| < R (0 elsewhere, periodic distance), centred on an ncx x ncy lattice of the nx x ny grid,
   centre a at floor(a n / nc). Their discrete Laplacian (5-point, 1/h^2) is nonzero for |d| <= R. */
typedef struct {
  int64_t nx, ny;
  int     radius, power;
  int64_t ncx, ncy;
  double  inv_h2;
} GSWeakTests;

/* Numbers accumulated per test function, in this order: sum phi (1 - u), sum u L(phi), sum phi v,
   sum v L(phi), sum phi (u_t + u v^2), sum phi (v_t - u v^2), sum phi u (the bias correction). */
enum { GS_WEAK_ROW_ONE_MINUS_U, GS_WEAK_ROW_LAP_U, GS_WEAK_ROW_V, GS_WEAK_ROW_LAP_V, GS_WEAK_ROW_B_U, GS_WEAK_ROW_B_V, GS_WEAK_ROW_U, GS_WEAK_NROW };

/* One direction's share of a test function at a grid index: which centre, b(d) and the second
   difference b(d + 1) + b(d - 1) - 2 b(d). */
typedef struct {
  int64_t centre;
  double  b, d2b;
} GSWeakAxisEntry;

/* Sets the lattice: about n / spacing centres per direction (at least 1). Returns 0, or -1 when an
   argument is out of range (radius < 2, power < 1, spacing < 1, 2 radius + 2 > nx or ny, h <= 0). */
int GSWeakTestsSetUp(GSWeakTests *t, int64_t nx, int64_t ny, double h, int radius, int spacing, int power);

/* The number of test functions, ncx ncy. */
int64_t GSWeakTestsCount(const GSWeakTests *t);

/* The 1-D bump b(d) (d in cells). */
double GSWeakBump(const GSWeakTests *t, int64_t d);

/* The entries of the centres whose discrete support (|d| <= R) covers index i of an axis of length n
   with nc centres; at most 2 R + 1 of them fit in `entries`, and their count is returned. */
int GSWeakAxisEntries(const GSWeakTests *t, int64_t n, int64_t nc, int64_t i, GSWeakAxisEntry *entries);

/* Adds one cell to the GS_WEAK_NROW numbers of one test function, with phi and L(phi) at the cell:
   L(u) is moved onto phi by summation by parts (exact on the periodic grid). */
void GSWeakRowAddCell(double row[GS_WEAK_NROW], double phi, double lap_phi, GSField x, GSField x_t);

/* Adds the weak rows of one test function to the normal equations: the u-row
   [sum phi (1 - u), 0, sum u L(phi), 0] theta = sum phi (u_t + u v^2 - u sigma_v^2) (unless v_only) and the
   v-row [-sum phi v, -sum phi v, 0, sum v L(phi)] theta = sum phi (v_t - u v^2 + u sigma_v^2); u sigma_v^2 is
   the bias of the observed cubic term, E[(u + e)(v + d)^2] = u v^2 + u sigma_v^2 for independent zero-mean
   noise e, d. ncells counts the test functions. */
void GSWeakSumsAddRow(GSResidualSums *sums, const double row[GS_WEAK_NROW], double sigma_v2, int v_only);

/* Normalisation of the noise estimate from 2 m successive first differences (m along x, m along y) of
   white noise of variance s^2: the differenced field has variance s^2 C(2m, m)^2. */
double GSWeakNoiseGain(int order);
