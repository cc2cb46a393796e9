/* Landscape arrays: assembled from journal records, written as /landscape with curves and cliffs. */
#include <string.h>

#include "gsinv/landscape_analysis.h"
#include "gsinv/landscape_curves.h"
#include "gsinv/landscape_output.h"

PetscErrorCode GSLandscapeTableCreate(PetscInt n, PetscInt gallery, PetscBool gradient, GSLandscapeTable *t)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(t, sizeof(*t)));
  t->n = n, t->gallery = gallery, t->has_gradient = gradient;
  for (int l = 0; l < GS_NLOSS; l++) PetscCall(PetscMalloc1(n, &t->loss[l]));
  PetscCall(PetscCalloc5(n, &t->valid, n, &t->reason, n, &t->end_class, n, &t->steps, n, &t->done));
  PetscCall(PetscCalloc3(n * GS_NPARAM, &t->grad, n, &t->grad_norm, n, &t->seconds));
  PetscCall(PetscCalloc1(PetscMax(1, n * gallery * gallery), &t->gallery_v));
  PetscFunctionReturn(0);
}

PetscErrorCode GSLandscapeTableDestroy(GSLandscapeTable *t)
{
  PetscFunctionBeginUser;
  for (int l = 0; l < GS_NLOSS; l++) PetscCall(PetscFree(t->loss[l]));
  PetscCall(PetscFree5(t->valid, t->reason, t->end_class, t->steps, t->done));
  PetscCall(PetscFree3(t->grad, t->grad_norm, t->seconds));
  PetscCall(PetscFree(t->gallery_v));
  PetscFunctionReturn(0);
}

void GSLandscapeTableInsert(GSLandscapeTable *t, const void *record)
{
  GSPointRecord rec;
  const float  *gallery = (const float *)((const char *)record + sizeof(GSPointRecord));
  PetscReal     norm    = 0;

  memcpy(&rec, record, sizeof(rec));
  if (rec.index < 0 || rec.index >= t->n) return;
  for (int l = 0; l < GS_NLOSS; l++) t->loss[l][rec.index] = rec.loss[l];
  t->valid[rec.index] = rec.valid, t->reason[rec.index] = rec.reason, t->end_class[rec.index] = rec.end_class;
  t->steps[rec.index] = rec.steps, t->seconds[rec.index] = rec.seconds, t->done[rec.index] = 1;
  for (int q = 0; q < GS_NPARAM; q++) {
    t->grad[rec.index * GS_NPARAM + q] = rec.grad[q];
    norm += rec.grad[q] * rec.grad[q];
  }
  t->grad_norm[rec.index] = PetscSqrtReal(norm);
  for (PetscInt b = 0; b < t->gallery * t->gallery; b++) t->gallery_v[rec.index * t->gallery * t->gallery + b] = gallery[b];
}

PetscInt GSLandscapeTableCount(const GSLandscapeTable *t)
{
  PetscInt count = 0;
  for (PetscInt i = 0; i < t->n; i++) count += t->done[i] ? 1 : 0;
  return count;
}

PetscErrorCode GSLandscapeTableBroadcast(MPI_Comm comm, GSLandscapeTable *t)
{
  const PetscInt n = t->n;

  PetscFunctionBeginUser;
  for (int l = 0; l < GS_NLOSS; l++) PetscCallMPI(MPI_Bcast(t->loss[l], (int)n, MPIU_REAL, 0, comm));
  PetscInt64 *ints[5] = {t->valid, t->reason, t->end_class, t->steps, t->done};
  for (int k = 0; k < 5; k++) PetscCallMPI(MPI_Bcast(ints[k], (int)n, MPIU_INT64, 0, comm));
  PetscCallMPI(MPI_Bcast(t->grad, (int)(n * GS_NPARAM), MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(t->grad_norm, (int)n, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(t->seconds, (int)n, MPIU_REAL, 0, comm));
  if (t->gallery) PetscCallMPI(MPI_Bcast(t->gallery_v, (int)(n * t->gallery * t->gallery), MPIU_REAL, 0, comm));
  PetscFunctionReturn(0);
}

/* Grid-shaped dims: [n1][n0] (2-D) or [n0], with extra trailing dims. */
static int GridDims(const GSSweepAxes *a, int extra, const hsize_t *extra_dims, hsize_t dims[4])
{
  int r = 0;
  if (a->naxes == 2) dims[r++] = (hsize_t)a->n[1];
  dims[r++] = (hsize_t)a->n[0];
  for (int e = 0; e < extra; e++) dims[r++] = extra_dims[e];
  return r;
}

static PetscErrorCode WriteAxes(GSOutput *out, const GSSweepAxes *a)
{
  PetscReal *values;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(a->n[0], a->n[1]), &values));
  for (int k = 0; k < a->naxes; k++) {
    char    path[32];
    hsize_t n = (hsize_t)a->n[k];
    for (PetscInt i = 0; i < a->n[k]; i++) values[i] = GSSweepAxisValue(a, k, i);
    PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/axis%d", k));
    PetscCall(GSH5WriteRealArray(out, path, 1, &n, values));
    PetscCall(GSH5WriteAttributeString(out, path, "name", GSParamNames[a->param[k]]));
  }
  PetscCall(PetscFree(values));
  PetscFunctionReturn(0);
}

/* "a,b,c" from a NULL-terminated list. */
static PetscErrorCode JoinNames(const char *const *list, char *buf, size_t len)
{
  PetscFunctionBeginUser;
  buf[0] = 0;
  for (int i = 0; list[i]; i++) {
    if (i) PetscCall(PetscStrlcat(buf, ",", len));
    PetscCall(PetscStrlcat(buf, list[i], len));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteFields(GSOutput *out, const GSSweepAxes *a, const GSLandscapeTable *t)
{
  hsize_t     dims[4], four = GS_NPARAM, g2[2] = {(hsize_t)t->gallery, (hsize_t)t->gallery};
  int         r = GridDims(a, 0, NULL, dims);
  const char *ints[4] = {"valid", "reason", "class", "steps"};
  PetscInt64 *data[4] = {t->valid, t->reason, t->end_class, t->steps};
  char        names[512] = "";

  PetscFunctionBeginUser;
  for (int l = 0; l < GS_NLOSS; l++) {
    char path[64];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/%s", GSLossTypes[l]));
    PetscCall(GSH5WriteRealArray(out, path, r, dims, t->loss[l]));
    PetscCall(GSH5WriteAttributeString(out, path, "loss", GSLossTypes[l]));
  }
  for (int k = 0; k < 4; k++) {
    char path[64];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/%s", ints[k]));
    PetscCall(GSH5WriteIntArray(out, path, r, dims, data[k]));
  }
  PetscCall(JoinNames(GSRunReasonNames, names, sizeof(names)));
  PetscCall(GSH5WriteAttributeString(out, "/landscape/reason", "names", names));
  PetscCall(JoinNames(GSEndClassNames, names, sizeof(names)));
  PetscCall(GSH5WriteAttributeString(out, "/landscape/class", "names", names));
  if (t->has_gradient) {
    PetscCall(GSH5WriteRealArray(out, "/landscape/grad", GridDims(a, 1, &four, dims), dims, t->grad));
    PetscCall(GSH5WriteRealArray(out, "/landscape/grad_norm", r, dims, t->grad_norm));
  }
  if (t->gallery) {
    PetscInt count;
    PetscCall(GSH5WriteRealArray(out, "/landscape/gallery", GridDims(a, 2, g2, dims), dims, t->gallery_v));
    PetscCall(GSXdmfAddSlices(out, "/landscape/gallery", &count));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteCurves(GSOutput *out, const GSLandscapeCurves *curves)
{
  PetscFunctionBeginUser;
  for (int c = 0; c < curves->n; c++) {
    const GSLandscapeCurve *cv = &curves->curve[c];
    PetscReal               xy[2 * GS_CURVE_MAX_POINTS];
    hsize_t                 dims[2] = {(hsize_t)cv->n, 2};
    char                    path[64];
    for (int i = 0; i < cv->n; i++) xy[2 * i] = cv->x[i], xy[2 * i + 1] = cv->y[i];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/curves/%s", cv->name));
    PetscCall(GSH5WriteRealArray(out, path, 2, dims, xy));
    PetscCall(GSH5WriteAttributeString(out, path, "label", cv->name));
  }
  PetscFunctionReturn(0);
}

/* Writes the cliffs' midpoints, jumps, kinds and distances; prints the distance summary. */
static PetscErrorCode WriteCliffs(GSOutput *out, size_t n, const GSCliff *cliffs, const GSCliffDistanceSummary *sum, GSLossType loss, PetscReal threshold)
{
  PetscReal *cols[4];
  PetscInt64 *kind;
  hsize_t     dims = (hsize_t)n;
  const char *names[4] = {"x", "y", "jump", "distance"};

  PetscFunctionBeginUser;
  for (int c = 0; c < 4; c++) PetscCall(PetscMalloc1(PetscMax(n, 1), &cols[c]));
  PetscCall(PetscMalloc1(PetscMax(n, 1), &kind));
  for (size_t i = 0; i < n; i++) {
    cols[0][i] = cliffs[i].x, cols[1][i] = cliffs[i].y, cols[2][i] = cliffs[i].jump, cols[3][i] = cliffs[i].distance;
    kind[i] = cliffs[i].kind;
  }
  for (int c = 0; c < 4; c++) {
    char path[64];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/cliffs/%s", names[c]));
    PetscCall(GSH5WriteRealArray(out, path, 1, &dims, cols[c]));
    PetscCall(PetscFree(cols[c]));
  }
  PetscCall(GSH5WriteIntArray(out, "/landscape/cliffs/kind", 1, &dims, kind));
  PetscCall(PetscFree(kind));
  PetscCall(GSH5WriteAttributeString(out, "/landscape/cliffs", "loss", GSLossTypes[loss]));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", "threshold", threshold));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", "median_distance", sum->median));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", "fraction_within_1", sum->frac_within_1));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", "fraction_within_2", sum->frac_within_2));
  PetscCall(PetscPrintf(out->comm, "cliffs of the %s loss (jump > %.3g): %zu jumps between neighbouring points, %zu validity edges; distance to the nearest curve: median %.2f grid spacings, %.0f%% within 1, %.0f%% within 2 (%zu without a curve)\n", GSLossTypes[loss], (double)threshold,
                        sum->count + sum->n_undefined, n - sum->count - sum->n_undefined, sum->median, 100 * sum->frac_within_1, 100 * sum->frac_within_2, sum->n_undefined));
  PetscFunctionReturn(0);
}

static PetscErrorCode Cliffs(GSOutput *out, const GSSweepAxes *a, const GSLandscapeTable *t, const GSLandscapeCurves *curves, GSLossType loss, PetscReal threshold)
{
  double                *axis[2];
  unsigned char         *valid;
  GSCliff               *cliffs = NULL;
  size_t                 n      = 0;
  double                 dx, dy;
  GSCurve                cv[GS_CURVE_MAX];
  GSCliffDistanceSummary sum;

  PetscFunctionBeginUser;
  if (a->n[0] < 2) PetscFunctionReturn(0);
  PetscCall(PetscMalloc3(a->n[0], &axis[0], a->n[1], &axis[1], t->n, &valid));
  for (int k = 0; k < 2; k++)
    for (PetscInt i = 0; i < a->n[k]; i++) axis[k][i] = GSSweepAxisValue(a, k, i);
  for (PetscInt i = 0; i < t->n; i++) valid[i] = (unsigned char)(t->valid[i] != 0);
  if (threshold <= 0) threshold = GSCliffDefaultThreshold((size_t)t->n, t->loss[loss], valid);
  for (int c = 0; c < curves->n; c++) cv[c] = (GSCurve){curves->curve[c].name, (size_t)curves->curve[c].n, curves->curve[c].x, curves->curve[c].y};
  PetscCheck(GSGridSpacing((int)a->n[0], (int)a->n[1], axis[0], a->naxes == 2 ? axis[1] : NULL, &dx, &dy) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "the axes need increasing values");
  if (PetscIsNormalReal(threshold) && GSCliffFind((int)a->n[0], (int)a->n[1], axis[0], a->naxes == 2 ? axis[1] : NULL, t->loss[loss], valid, threshold, &cliffs, &n) == 0) {
    PetscCheck(GSCliffDistances(n, cliffs, (size_t)curves->n, cv, dx, dy) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cliff distances failed");
    PetscCheck(GSCliffDistanceSummarize(n, cliffs, GS_CLIFF_JUMP, 0, NULL, NULL, &sum) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cliff summary failed");
    PetscCall(WriteCliffs(out, n, cliffs, &sum, loss, threshold));
  }
  GSCliffDestroy(&cliffs);
  PetscCall(PetscFree3(axis[0], axis[1], valid));
  PetscFunctionReturn(0);
}

PetscErrorCode GSLandscapeTableWrite(GSOutput *out, const GSSweepAxes *a, const GSLandscapeTable *t, GSLossType cliff_loss, PetscReal cliff_threshold)
{
  GSLandscapeCurves curves;

  PetscFunctionBeginUser;
  GSLandscapeCurvesCompute(a, &curves);
  PetscCall(WriteAxes(out, a));
  PetscCall(WriteFields(out, a, t));
  PetscCall(WriteCurves(out, &curves));
  PetscCall(Cliffs(out, a, t, &curves, cliff_loss, cliff_threshold));
  PetscFunctionReturn(0);
}

PetscErrorCode GSLandscapeTableWriteSidecar(MPI_Comm comm, const char *path, const GSSweepAxes *a, const GSLandscapeTable *t)
{
  GSXdmfSet set = {"gallery", 1, {"v", NULL}, {"/landscape/gallery", NULL}, t->n, t->gallery, t->gallery, a->n[0], 1, NULL, {NULL, NULL}, 0};

  PetscFunctionBeginUser;
  if (t->gallery) PetscCall(GSXdmfWrite(comm, path, 1, &set));
  PetscFunctionReturn(0);
}
