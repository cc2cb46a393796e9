/* Landscape arrays: assembled from journal records, written as /landscape with curves and cliffs. */
#include <string.h>

#include "gsinv/physics/landscape_analysis.h"
#include "gsinv/sweep/landscape_curves.h"
#include "gsinv/sweep/landscape_output.h"

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
  int         r          = GridDims(a, 0, NULL, dims);
  const char *ints[4]    = {"valid", "reason", "class", "steps"};
  PetscInt64 *data[4]    = {t->valid, t->reason, t->end_class, t->steps};
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
    PetscCall(GSH5WriteAttributeString(out, path, "family", cv->map ? "map" : "ode"));
  }
  PetscFunctionReturn(0);
}

/* The cliffs' distances to one family of curves, as written: distance, nearest curve, summary. */
typedef struct {
  const char            *suffix; /* "" (the ODE's curves) or "_map" */
  PetscReal             *distance;
  PetscInt64            *nearest;
  GSCliffDistanceSummary sum;
  char                   names[256]; /* the family's curve names, nearest indexes them */
} CliffFamily;

static PetscErrorCode WriteCliffFamily(GSOutput *out, hsize_t n, const CliffFamily *f)
{
  char path[64];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/cliffs/distance%s", f->suffix));
  PetscCall(GSH5WriteRealArray(out, path, 1, &n, f->distance));
  PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/cliffs/nearest%s", f->suffix));
  PetscCall(GSH5WriteIntArray(out, path, 1, &n, f->nearest));
  PetscCall(GSH5WriteAttributeString(out, path, "names", f->names));
  PetscCall(PetscSNPrintf(path, sizeof(path), "median_distance%s", f->suffix));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", path, f->sum.median));
  PetscCall(PetscSNPrintf(path, sizeof(path), "fraction_within_1%s", f->suffix));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", path, f->sum.frac_within_1));
  PetscCall(PetscSNPrintf(path, sizeof(path), "fraction_within_2%s", f->suffix));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", path, f->sum.frac_within_2));
  PetscCall(PetscPrintf(out->comm,
                        "  distance to the nearest %s curve: median %.2f grid spacings, %.0f%% within 1, %.0f%% within 2 (%zu without a curve)\n",
                        f->suffix[0] ? "map" : "ODE", f->sum.median, 100 * f->sum.frac_within_1, 100 * f->sum.frac_within_2, f->sum.n_undefined));
  PetscFunctionReturn(0);
}

/* Writes the cliffs' midpoints, jumps, kinds and distances to each family; prints the summaries. */
static PetscErrorCode WriteCliffs(GSOutput *out, size_t n, const GSCliff *cliffs, CliffFamily fam[2], GSLossType loss, PetscReal threshold)
{
  PetscReal  *cols[3];
  PetscInt64 *kind;
  hsize_t     dims     = (hsize_t)n;
  const char *names[3] = {"x", "y", "jump"};

  PetscFunctionBeginUser;
  for (int c = 0; c < 3; c++) PetscCall(PetscMalloc1(PetscMax(n, 1), &cols[c]));
  PetscCall(PetscMalloc1(PetscMax(n, 1), &kind));
  for (size_t i = 0; i < n; i++) {
    cols[0][i] = cliffs[i].x, cols[1][i] = cliffs[i].y, cols[2][i] = cliffs[i].jump;
    kind[i] = cliffs[i].kind;
  }
  for (int c = 0; c < 3; c++) {
    char path[64];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/landscape/cliffs/%s", names[c]));
    PetscCall(GSH5WriteRealArray(out, path, 1, &dims, cols[c]));
    PetscCall(PetscFree(cols[c]));
  }
  PetscCall(GSH5WriteIntArray(out, "/landscape/cliffs/kind", 1, &dims, kind));
  PetscCall(PetscFree(kind));
  PetscCall(GSH5WriteAttributeString(out, "/landscape/cliffs", "loss", GSLossTypes[loss]));
  PetscCall(GSH5WriteAttributeReal(out, "/landscape/cliffs", "threshold", threshold));
  PetscCall(PetscPrintf(out->comm, "cliffs of the %s loss (jump > %.3g): %zu jumps between neighbouring points, %zu validity edges\n",
                        GSLossTypes[loss], (double)threshold, fam[0].sum.count + fam[0].sum.n_undefined,
                        n - fam[0].sum.count - fam[0].sum.n_undefined));
  for (int f = 0; f < 2; f++)
    if (fam[f].names[0]) PetscCall(WriteCliffFamily(out, dims, &fam[f]));
  PetscFunctionReturn(0);
}

/* Splits the curves into the ODE's (family 0) and the map's (family 1), with their names. */
static PetscErrorCode SplitCurves(const GSLandscapeCurves *curves, GSCurve cv[2][GS_CURVE_MAX], size_t ncv[2], CliffFamily fam[2])
{
  PetscFunctionBeginUser;
  ncv[0] = ncv[1] = 0;
  for (int c = 0; c < curves->n; c++) {
    const GSLandscapeCurve *lc = &curves->curve[c];
    const int               f  = lc->map ? 1 : 0;
    if (ncv[f]) PetscCall(PetscStrlcat(fam[f].names, ",", sizeof(fam[f].names)));
    PetscCall(PetscStrlcat(fam[f].names, lc->name, sizeof(fam[f].names)));
    cv[f][ncv[f]++] = (GSCurve){lc->name, (size_t)lc->n, lc->x, lc->y};
  }
  PetscFunctionReturn(0);
}

/* Fills every family's distance columns and summary (jumps only) from the cliffs. */
static PetscErrorCode FamilyColumns(size_t n, GSCliff *cliffs, CliffFamily fam[2])
{
  PetscFunctionBeginUser;
  for (int f = 0; f < 2; f++) {
    PetscCall(PetscMalloc2(PetscMax(n, 1), &fam[f].distance, PetscMax(n, 1), &fam[f].nearest));
    for (size_t i = 0; i < n; i++) {
      fam[f].distance[i] = f ? cliffs[i].distance_map : cliffs[i].distance;
      fam[f].nearest[i]  = f ? cliffs[i].curve_map : cliffs[i].curve;
    }
  }
  PetscCheck(GSCliffDistanceSummarize(n, cliffs, GS_CLIFF_JUMP, 0, NULL, NULL, &fam[0].sum) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB,
             "cliff summary failed");
  for (size_t i = 0; i < n; i++) cliffs[i].distance = cliffs[i].distance_map;
  PetscCheck(GSCliffDistanceSummarize(n, cliffs, GS_CLIFF_JUMP, 0, NULL, NULL, &fam[1].sum) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB,
             "cliff summary failed");
  PetscFunctionReturn(0);
}

static PetscErrorCode Cliffs(GSOutput *out, const GSSweepAxes *a, const GSLandscapeTable *t, const GSLandscapeCurves *curves, GSLossType loss,
                             PetscReal threshold)
{
  double        *axis[2];
  unsigned char *valid;
  GSCliff       *cliffs = NULL;
  size_t         n      = 0, ncv[2];
  double         dx, dy;
  GSCurve        cv[2][GS_CURVE_MAX];
  CliffFamily    fam[2] = {{.suffix = ""}, {.suffix = "_map"}};

  PetscFunctionBeginUser;
  if (a->n[0] < 2) PetscFunctionReturn(0);
  PetscCall(PetscMalloc3(a->n[0], &axis[0], a->n[1], &axis[1], t->n, &valid));
  for (int k = 0; k < 2; k++)
    for (PetscInt i = 0; i < a->n[k]; i++) axis[k][i] = GSSweepAxisValue(a, k, i);
  for (PetscInt i = 0; i < t->n; i++) valid[i] = (unsigned char)(t->valid[i] != 0);
  if (threshold <= 0) threshold = GSCliffDefaultThreshold((size_t)t->n, t->loss[loss], valid);
  PetscCall(SplitCurves(curves, cv, ncv, fam));
  PetscCheck(GSGridSpacing((int)a->n[0], (int)a->n[1], axis[0], a->naxes == 2 ? axis[1] : NULL, &dx, &dy) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG,
             "the axes need increasing values");
  if (PetscIsNormalReal(threshold) &&
      GSCliffFind((int)a->n[0], (int)a->n[1], axis[0], a->naxes == 2 ? axis[1] : NULL, t->loss[loss], valid, threshold, &cliffs, &n) == 0) {
    PetscCheck(GSCliffDistances(n, cliffs, ncv[0], cv[0], dx, dy) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cliff distances failed");
    PetscCheck(GSCliffMapDistances(n, cliffs, ncv[1], cv[1], dx, dy) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cliff distances failed");
    PetscCall(FamilyColumns(n, cliffs, fam));
    if (!fam[0].names[0]) PetscCall(PetscStrncpy(fam[0].names, "none", sizeof(fam[0].names)));
    PetscCall(WriteCliffs(out, n, cliffs, fam, loss, threshold));
    for (int f = 0; f < 2; f++) PetscCall(PetscFree2(fam[f].distance, fam[f].nearest));
  }
  GSCliffDestroy(&cliffs);
  PetscCall(PetscFree3(axis[0], axis[1], valid));
  PetscFunctionReturn(0);
}

PetscErrorCode GSLandscapeTableWrite(GSOutput *out, const GSSweepAxes *a, const GSMapGrid *map, const GSLandscapeTable *t, GSLossType cliff_loss,
                                     PetscReal cliff_threshold)
{
  GSLandscapeCurves curves;

  PetscFunctionBeginUser;
  GSLandscapeCurvesCompute(a, map, &curves);
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
