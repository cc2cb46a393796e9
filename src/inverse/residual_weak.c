/* Weak-form residual estimator on the DMDA: test-function rows summed per rank, one reduction, noise-corrected normal equations. */
#include <math.h>

#include "gsinv/inverse/residual_estimate.h"
#include "gsinv/physics/residual_weak.h"
#include "gsinv/physics/stencil.h"

/* Successive first differences per direction of the noise estimate: 4 leave a pattern of wavelength
   ~10 cells about 1e-5 of its amplitude, far below the noise levels that matter. */
enum { NOISE_ORDER = 4 };

/* Extra numbers reduced with the rows: the squared differenced u and v, and the cells counted. */
enum { NOISE_SSQ_U, NOISE_SSQ_V, NOISE_CELLS, NOISE_N };

/* D <- D - shift(D) along x or y (periodic, halo exchanged). */
static PetscErrorCode DifferenceOnce(GSModel m, Vec D, PetscBool along_x)
{
  const GSPatch     *patch = GSModelGetPatch(m);
  const PetscScalar *dl;
  PetscScalar       *da;
  const GSField     *din;
  GSField           *y;

  PetscFunctionBeginUser;
  PetscCall(GSModelEnsureLocalWork(m, PETSC_FALSE));
  PetscCall(GSModelGlobalToLocal(m, D, GSModelGetLocalX(m)));
  PetscCall(VecGetArrayRead(GSModelGetLocalX(m), &dl));
  din = (const GSField *)dl + patch->first_owned;
  PetscCall(VecGetArrayWrite(D, &da));
  y = (GSField *)da;
  GS_SWEEP_GHOSTED((int)patch->xm, (int)patch->ym, (int)patch->gxm, din, {
    const GSField prev = along_x ? w : s;
    (void)e, (void)n;
    y[idx].u = c.u - prev.u;
    y[idx].v = c.v - prev.v;
  });
  PetscCall(VecRestoreArrayWrite(D, &da));
  PetscCall(VecRestoreArrayRead(GSModelGetLocalX(m), &dl));
  PetscFunctionReturn(0);
}

/* This rank's share of the finest-scale content of X: sums of squares of the NOISE_ORDER-fold
   differenced fields along x and y, and the count of owned cells. */
static PetscErrorCode NoiseSums(GSModel m, Vec X, double noise[NOISE_N])
{
  const GSPatch     *patch = GSModelGetPatch(m);
  Vec                D;
  const PetscScalar *da;

  PetscFunctionBeginUser;
  PetscCall(GSModelCreateGlobalVector(m, &D));
  PetscCall(VecCopy(X, D));
  for (int pass = 0; pass < 2 * NOISE_ORDER; pass++) PetscCall(DifferenceOnce(m, D, (PetscBool)(pass < NOISE_ORDER)));
  PetscCall(VecGetArrayRead(D, &da));
  const GSField *d = (const GSField *)da;
  for (PetscInt c = 0; c < patch->xm * patch->ym; c++) {
    noise[NOISE_SSQ_U] += d[c].u * d[c].u;
    noise[NOISE_SSQ_V] += d[c].v * d[c].v;
  }
  noise[NOISE_CELLS] += (double)(patch->xm * patch->ym);
  PetscCall(VecRestoreArrayRead(D, &da));
  PetscCall(VecDestroy(&D));
  PetscFunctionReturn(0);
}

/* The axis entries of every owned index of one direction, 2 R + 1 slots each. */
static PetscErrorCode AxisTable(const GSWeakTests *t, PetscInt n, PetscInt nc, PetscInt start, PetscInt count, GSWeakAxisEntry **table, int **counts)
{
  const int slots = 2 * t->radius + 1;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2((size_t)count * slots, table, count, counts));
  for (PetscInt i = 0; i < count; i++) (*counts)[i] = GSWeakAxisEntries(t, n, nc, start + i, *table + (size_t)i * slots);
  PetscFunctionReturn(0);
}

/* Adds every owned cell to the rows of the test functions that cover it. */
static PetscErrorCode RowsAddOwned(GSModel m, const GSWeakTests *t, Vec X, Vec Xnext, PetscReal dt_pair, double *rows)
{
  const GSPatch     *patch  = GSModelGetPatch(m);
  const int          slots  = 2 * t->radius + 1;
  const double       inv_dt = Xnext ? 1.0 / dt_pair : 0.0;
  const PetscScalar *xa, *xna = NULL;
  GSWeakAxisEntry   *ex, *ey;
  int               *nex, *ney;

  PetscFunctionBeginUser;
  PetscCall(AxisTable(t, patch->nx, t->ncx, patch->xs, patch->xm, &ex, &nex));
  PetscCall(AxisTable(t, patch->ny, t->ncy, patch->ys, patch->ym, &ey, &ney));
  PetscCall(VecGetArrayRead(X, &xa));
  if (Xnext) PetscCall(VecGetArrayRead(Xnext, &xna));
  const GSField *x = (const GSField *)xa, *xn = (const GSField *)xna;
  for (PetscInt j = 0; j < patch->ym; j++) {
    for (PetscInt i = 0; i < patch->xm; i++) {
      const PetscInt c   = j * patch->xm + i;
      const GSField  x_t = {xn ? (xn[c].u - x[c].u) * inv_dt : 0.0, xn ? (xn[c].v - x[c].v) * inv_dt : 0.0};
      for (int b = 0; b < ney[j]; b++) {
        const GSWeakAxisEntry *y1 = &ey[(size_t)j * slots + b];
        for (int a = 0; a < nex[i]; a++) {
          const GSWeakAxisEntry *x1  = &ex[(size_t)i * slots + a];
          const double           phi = x1->b * y1->b, lap_phi = (x1->d2b * y1->b + x1->b * y1->d2b) * t->inv_h2;
          if (phi != 0.0 || lap_phi != 0.0) GSWeakRowAddCell(&rows[(y1->centre * t->ncx + x1->centre) * GS_WEAK_NROW], phi, lap_phi, x[c], x_t);
        }
      }
    }
  }
  if (Xnext) PetscCall(VecRestoreArrayRead(Xnext, &xna));
  PetscCall(VecRestoreArrayRead(X, &xa));
  PetscCall(PetscFree2(ex, nex));
  PetscCall(PetscFree2(ey, ney));
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualWeakAddCells(GSModel m, const GSObservation *obs, Vec X, Vec Xnext, PetscReal dt_pair, GSResidualSums *local)
{
  const GSPatch *patch = GSModelGetPatch(m);
  GSWeakTests    t;
  PetscMPIInt    rank;
  double        *buf, *noise, sigma_u, sigma_v;
  int64_t        ntest;

  PetscFunctionBeginUser;
  PetscCheck(GSWeakTestsSetUp(&t, patch->nx, patch->ny, patch->h, (int)obs->weak_radius, (int)obs->weak_spacing, (int)obs->weak_power) == 0,
             GSModelGetComm(m), PETSC_ERR_USER_INPUT,
             "-gs_weak_radius %" PetscInt_FMT " (>= 2, 2 R + 2 <= the grid's %" PetscInt_FMT " x %" PetscInt_FMT "), -gs_weak_spacing %" PetscInt_FMT
             " (>= 1) and -gs_weak_power %" PetscInt_FMT " (>= 1): out of range",
             obs->weak_radius, patch->nx, patch->ny, obs->weak_spacing, obs->weak_power);
  ntest = GSWeakTestsCount(&t);
  PetscCall(PetscCalloc1((size_t)ntest * GS_WEAK_NROW + NOISE_N, &buf));
  noise = buf + ntest * GS_WEAK_NROW;
  PetscCall(RowsAddOwned(m, &t, X, Xnext, dt_pair, buf));
  PetscCall(NoiseSums(m, X, noise));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf, (PetscMPIInt)(ntest * GS_WEAK_NROW + NOISE_N), MPI_DOUBLE, MPI_SUM, GSModelGetComm(m)));
  sigma_u = sqrt(noise[NOISE_SSQ_U] / (noise[NOISE_CELLS] * GSWeakNoiseGain(NOISE_ORDER)));
  sigma_v = obs->sigma >= 0 ? obs->sigma : sqrt(noise[NOISE_SSQ_V] / (noise[NOISE_CELLS] * GSWeakNoiseGain(NOISE_ORDER)));
  if (obs->sigma >= 0) sigma_u = obs->sigma;
  if (obs->sigma_used) {
    obs->sigma_used[0] = sigma_u;
    obs->sigma_used[1] = sigma_v;
  }
  PetscCallMPI(MPI_Comm_rank(GSModelGetComm(m), &rank));
  if (rank == 0)
    for (int64_t k = 0; k < ntest; k++) GSWeakSumsAddRow(local, &buf[k * GS_WEAK_NROW], sigma_v * sigma_v, obs->fields == GS_OBS_FIELDS_V);
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}
