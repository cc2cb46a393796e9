/* Sweep grids: which parameters vary, over which range, at how many points. */
#include <string.h>

#include "gsinv/core/options.h"
#include "gsinv/sweep/sweep.h"

PetscErrorCode GSParamIndex(MPI_Comm comm, const char *option, const char *name, PetscInt *param)
{
  PetscFunctionBeginUser;
  for (PetscInt q = 0; q < GS_NPARAM; q++)
    if (!strcmp(name, GSParamNames[q])) {
      *param = q;
      PetscFunctionReturn(0);
    }
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: unknown parameter '%s' (one of F, k, Du, Dv)", option, name);
}

/* Past this many points a sweep's arrays and journal no longer fit memory sensibly (and take years). */
#define GS_SWEEP_MAX_POINTS 10000000

/* An axis of n > 1 points needs distinct, increasing values (the cliff and curve analysis divide by
   the spacing): checked before any point is computed. */
static PetscErrorCode AxisCheckIncreasing(MPI_Comm comm, const GSSweepAxes *a, int k)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 1; i < a->n[k]; i++)
    PetscCheck(GSSweepAxisValue(a, k, i) > GSSweepAxisValue(a, k, i - 1), comm, PETSC_ERR_USER_INPUT,
               "-gs_lo %g -gs_hi %g -gs_n %" PetscInt_FMT ": the %s axis needs lo < hi and distinct values for %" PetscInt_FMT " points",
               (double)a->lo[k], (double)a->hi[k], a->n[k], GSParamNames[a->param[k]], a->n[k]);
  PetscFunctionReturn(0);
}

/* Reads the four options; a count is 0 when its option was not given. */
static PetscErrorCode AxesRead(MPI_Comm comm, GSSweepAxes *a, char *names[2], PetscInt count[4])
{
  PetscBool set[4];

  PetscFunctionBeginUser;
  for (int k = 0; k < 4; k++) count[k] = 2;
  PetscOptionsBegin(comm, NULL, "Sweep grid", "GSSweepAxes");
  PetscCall(GSOptionsStringArray("-gs_axes", "One or two of F, k, Du, Dv (default F,k)", "GSSweepAxesFromOptions", names, &count[0], &set[0], 1));
  PetscCall(GSOptionsRealArray("-gs_lo", "Lowest value of each axis (default 0.03,0.06)", "GSSweepAxesFromOptions", a->lo, &count[1], &set[1], 1));
  PetscCall(GSOptionsRealArray("-gs_hi", "Highest value of each axis (default 0.04,0.07)", "GSSweepAxesFromOptions", a->hi, &count[2], &set[2], 1));
  PetscCall(GSOptionsIntArray("-gs_n", "Points along each axis, both ends included (default 9,9)", "GSSweepAxesFromOptions", a->n, &count[3], &set[3],
                              1));
  PetscOptionsEnd();
  for (int k = 0; k < 4; k++)
    if (!set[k]) count[k] = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode GSSweepAxesFromOptions(MPI_Comm comm, const GSParams *base, GSSweepAxes *a)
{
  char       *names[2] = {NULL, NULL};
  PetscInt    count[4];
  const char *option[4] = {"-gs_axes", "-gs_lo", "-gs_hi", "-gs_n"};

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(a, sizeof(*a)));
  a->base     = *base;
  a->naxes    = 2;
  a->param[0] = GS_PARAM_F, a->param[1] = GS_PARAM_K;
  a->lo[0] = 0.030, a->hi[0] = 0.040, a->lo[1] = 0.060, a->hi[1] = 0.070;
  a->n[0] = a->n[1] = 9;
  PetscCall(AxesRead(comm, a, names, count));
  if (count[0]) {
    a->naxes = count[0];
    for (PetscInt k = 0; k < a->naxes; k++) PetscCall(GSParamIndex(comm, "-gs_axes", names[k], &a->param[k]));
    PetscCheck(count[1] && count[2], comm, PETSC_ERR_USER_INPUT, "-gs_axes needs -gs_lo and -gs_hi");
  }
  for (PetscInt k = 0; k < 2; k++) PetscCall(PetscFree(names[k]));
  for (int k = 1; k < 4; k++)
    PetscCheck(count[k] == 0 || count[k] == a->naxes, comm, PETSC_ERR_USER_INPUT, "%s needs one value per axis (%" PetscInt_FMT ")", option[k],
               a->naxes);
  PetscCheck(a->naxes == 1 || a->param[0] != a->param[1], comm, PETSC_ERR_USER_INPUT, "-gs_axes: the two axes must differ");
  if (a->naxes == 1) a->n[1] = 1;
  for (PetscInt k = 0; k < a->naxes; k++) {
    PetscCheck(a->n[k] >= 1 && a->n[k] <= 100000, comm, PETSC_ERR_USER_INPUT, "-gs_n %" PetscInt_FMT " must be in [1, 100000]", a->n[k]);
    PetscCheck(a->lo[k] <= a->hi[k] && a->lo[k] >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_lo %g -gs_hi %g: need 0 <= lo <= hi", (double)a->lo[k],
               (double)a->hi[k]);
    PetscCall(AxisCheckIncreasing(comm, a, (int)k));
  }
  PetscCheck((PetscInt64)a->n[0] * a->n[1] <= GS_SWEEP_MAX_POINTS, comm, PETSC_ERR_USER_INPUT,
             "-gs_n %" PetscInt_FMT ",%" PetscInt_FMT ": %" PetscInt64_FMT " points exceed the limit of %d per sweep", a->n[0], a->n[1],
             (PetscInt64)a->n[0] * a->n[1], GS_SWEEP_MAX_POINTS);
  PetscFunctionReturn(0);
}

PetscInt GSSweepAxesSize(const GSSweepAxes *a)
{
  return a->n[0] * a->n[1];
}

PetscReal GSSweepAxisValue(const GSSweepAxes *a, int axis, PetscInt i)
{
  if (a->n[axis] == 1) return a->lo[axis];
  return a->lo[axis] + (a->hi[axis] - a->lo[axis]) * (PetscReal)i / (PetscReal)(a->n[axis] - 1);
}

GSParams GSSweepAxesPoint(const GSSweepAxes *a, PetscInt index)
{
  double theta[GS_NPARAM];

  GSParamsToArray(&a->base, theta);
  theta[a->param[0]] = GSSweepAxisValue(a, 0, index % a->n[0]);
  if (a->naxes == 2) theta[a->param[1]] = GSSweepAxisValue(a, 1, index / a->n[0]);
  return GSParamsFromArray(theta);
}

PetscErrorCode GSSweepAxesAddSettings(const GSSweepAxes *a, GSSettings settings)
{
  char names[32], counts[64];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(names, sizeof(names), "%s%s%s", GSParamNames[a->param[0]], a->naxes == 2 ? "," : "",
                          a->naxes == 2 ? GSParamNames[a->param[1]] : ""));
  PetscCall(PetscSNPrintf(counts, sizeof(counts), a->naxes == 2 ? "%" PetscInt_FMT ",%" PetscInt_FMT : "%" PetscInt_FMT, a->n[0], a->n[1]));
  PetscCall(GSSettingsAddString(settings, "-gs_axes", names));
  PetscCall(GSSettingsAddReals(settings, "-gs_lo", a->naxes, a->lo));
  PetscCall(GSSettingsAddReals(settings, "-gs_hi", a->naxes, a->hi));
  PetscCall(GSSettingsAddString(settings, "-gs_n", counts));
  PetscFunctionReturn(0);
}
