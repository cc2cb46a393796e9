/* gsinv invert: recover theta from target states by gradient descent through the unrolled
   simulation (TAO or the paper's SGD), every iteration recorded as it happens; resumable. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gsinv/app.h"
#include "gsinv/basin.h"
#include "gsinv/inversion.h"
#include "gsinv/io.h"
#include "gsinv/options.h"
#include "gsinv/sweep.h"
#include "gsinv/targets.h"

typedef struct {
  GSSweepGroups      groups;
  GSInversion        inv;
  char               output[PETSC_MAX_PATH_LEN], signature[4096];
  double             start[GS_NPARAM], truth[GS_NPARAM];
  GSIterationRecord *history;
  PetscInt           n, capacity;
  PetscBool          basin;
} Invert;

static PetscErrorCode InvertOptions(MPI_Comm comm, Invert *s)
{
  PetscInt n = GS_NPARAM;

  PetscFunctionBeginUser;
  s->start[GS_PARAM_F] = s->start[GS_PARAM_K] = 0.05;
  s->start[GS_PARAM_DU] = s->start[GS_PARAM_DV] = 0.12692801104297249; /* softplus(-2): the paper's start */
  PetscCall(PetscStrncpy(s->output, "inversion.h5", sizeof(s->output)));
  PetscOptionsBegin(comm, NULL, "gsinv invert", "GSAppInvert");
  PetscCall(GSOptionsRealArray("-gs_start", "Starting F,k,Du,Dv (default: the paper's 0.05,0.05,softplus(-2),softplus(-2))", "GSAppInvert", s->start, &n, NULL, GS_NPARAM));
  PetscCall(PetscOptionsString("-gs_output", "HDF5 record of the iterations (rewritten after each; a rerun continues it)", "GSAppInvert", s->output, s->output, sizeof(s->output), NULL));
  PetscCall(GSOptionsBool("-gs_basin", "Basin map: an inversion from every start of the grid -gs_axes, -gs_lo, -gs_hi, -gs_n (others at -gs_start)", "GSAppInvert", s->basin, &s->basin, NULL));
  PetscOptionsEnd();
  for (int q = 0; q < GS_NPARAM; q++) PetscCheck(s->start[q] > 0, comm, PETSC_ERR_USER_INPUT, "-gs_start: %s = %g must be positive", GSParamNames[q], s->start[q]);
  PetscFunctionReturn(0);
}

/* The record so far, written under a temporary name and renamed: always a complete file. */
/* finished: 0 running, 1 stopped for good, 2 stopped at the iteration cap (a rerun with a higher
   -gs_max_it continues). */
static PetscErrorCode WriteRecord(Invert *s, const char *reason, const double *theta_final, PetscInt finished)
{
  GSOutput    out;
  GSModel     m = GSInversionGetModel(s->inv);
  const char *ts_type;
  PetscReal   dt, *theta, *raw, *col[4];
  PetscInt64 *step, *tries, *valid;
  hsize_t     dims[2] = {(hsize_t)s->n, GS_NPARAM}, n = (hsize_t)s->n;
  const char *names[4] = {"loss", "grad_norm", "lr", "wall_time"};

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc5(s->n * GS_NPARAM + 1, &theta, s->n * GS_NPARAM + 1, &raw, s->n + 1, &step, s->n + 1, &tries, s->n + 1, &valid));
  for (int c = 0; c < 4; c++) PetscCall(PetscMalloc1(s->n + 1, &col[c]));
  for (PetscInt i = 0; i < s->n; i++) {
    const GSIterationRecord *r = &s->history[i];
    for (int q = 0; q < GS_NPARAM; q++) theta[i * GS_NPARAM + q] = r->theta[q], raw[i * GS_NPARAM + q] = r->raw_next[q];
    step[i] = r->iteration, tries[i] = r->lr_tries, valid[i] = r->valid;
    col[0][i] = r->loss, col[1][i] = r->grad_norm, col[2][i] = r->lr, col[3][i] = r->wall_time;
  }
  PetscCall(GSRunGetScheme(GSInversionGetRun(s->inv), &ts_type, &dt));
  PetscCall(GSOutputOpen(s->groups.world, "-gs_output", s->output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "invert", m, 0, ts_type, dt));
  PetscCall(GSH5WriteRealArray(&out, "/inversion/theta", 2, dims, theta));
  PetscCall(GSH5WriteRealArray(&out, "/inversion/raw_next", 2, dims, raw));
  for (int c = 0; c < 4; c++) {
    char path[64];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/inversion/%s", names[c]));
    PetscCall(GSH5WriteRealArray(&out, path, 1, &n, col[c]));
  }
  PetscCall(GSH5WriteIntArray(&out, "/inversion/step", 1, &n, step));
  PetscCall(GSH5WriteIntArray(&out, "/inversion/lr_tries", 1, &n, tries));
  PetscCall(GSH5WriteIntArray(&out, "/inversion/valid", 1, &n, valid));
  PetscCall(GSH5WriteAttributeString(&out, "/inversion", "signature", s->signature));
  PetscCall(GSH5WriteAttributeString(&out, "/inversion", "reason", reason ? reason : "running"));
  PetscCall(GSH5WriteAttributeInt(&out, "/inversion", "finished", finished));
  if (theta_final) {
    hsize_t four = GS_NPARAM;
    PetscCall(GSH5WriteRealArray(&out, "/inversion/theta_final", 1, &four, theta_final));
    PetscCall(GSH5WriteRealArray(&out, "/inversion/theta_truth", 1, &four, s->truth));
  }
  PetscCall(GSOutputClose(&out));
  for (int c = 0; c < 4; c++) PetscCall(PetscFree(col[c]));
  PetscCall(PetscFree5(theta, raw, step, tries, valid));
  PetscFunctionReturn(0);
}

static PetscErrorCode Record(GSInversion inv, const GSIterationRecord *rec, void *ctx)
{
  Invert *s = (Invert *)ctx;

  PetscFunctionBeginUser;
  (void)inv;
  if (s->n == s->capacity) {
    s->capacity = PetscMax(64, 2 * s->capacity);
    s->history  = realloc(s->history, (size_t)s->capacity * sizeof(*s->history));
    PetscCheck(s->history, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory for the iteration record");
  }
  s->history[s->n++] = *rec;
  PetscCall(PetscPrintf(s->groups.world, "it %5lld  F %.6f  k %.6f  Du %.5f  Dv %.5f  loss %.6e  |g| %.3e  lr %.2e tries %d%s  %.1f s\n", (long long)rec->iteration, rec->theta[0], rec->theta[1], rec->theta[2], rec->theta[3], rec->loss, rec->grad_norm, rec->lr, (int)rec->lr_tries, rec->valid ? "" : " INVALID", rec->wall_time));
  PetscCall(WriteRecord(s, NULL, NULL, 0));
  PetscFunctionReturn(0);
}

/* Rank 0 reads a dataset of n rows into every row's field at offset (stride: record size). */
static int ReadColumn(hid_t file, const char *path, hid_t type, size_t n, size_t width, void *buf)
{
  hid_t dset = H5Dopen2(file, path, H5P_DEFAULT);
  int   ok   = dset >= 0 && H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  (void)n, (void)width;
  if (dset >= 0) H5Dclose(dset);
  return ok;
}

/* An earlier record of the same inversion: how many iterations, how it finished. */
static PetscErrorCode ReadRecord(Invert *s, PetscInt *finished)
{
  PetscMPIInt rank;
  int64_t     info[2] = {0, 0}; /* iterations, finished */
  char        msg[PETSC_MAX_PATH_LEN + 128] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(s->groups.world, &rank));
  if (rank == 0 && access(s->output, F_OK) == 0) {
    hid_t file = H5Fis_hdf5(s->output) > 0 ? H5Fopen(s->output, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    hid_t grp  = file >= 0 && H5Lexists(file, "/inversion", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/inversion", H5P_DEFAULT) : -1;
    char  sig[4096] = "";
    if (grp >= 0 && H5Aexists(grp, "signature") > 0) {
      hid_t attr = H5Aopen(grp, "signature", H5P_DEFAULT), type = H5Aget_type(attr);
      if (H5Tget_size(type) < sizeof(sig)) H5Aread(attr, type, sig);
      H5Tclose(type);
      H5Aclose(attr);
    }
    if (grp < 0 || strcmp(sig, s->signature)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "-gs_output %s holds another inversion (other options): remove it or choose another file", s->output));
    else {
      hid_t   dset = H5Dopen2(file, "/inversion/step", H5P_DEFAULT), space = H5Dget_space(dset);
      hsize_t n;
      hid_t   attr = H5Aopen(grp, "finished", H5P_DEFAULT);
      H5Sget_simple_extent_dims(space, &n, NULL);
      H5Aread(attr, H5T_NATIVE_INT64, &info[1]);
      H5Aclose(attr), H5Sclose(space), H5Dclose(dset);
      info[0]     = (int64_t)n;
      s->capacity = (PetscInt)n + 64;
      s->history  = calloc((size_t)s->capacity, sizeof(*s->history));
      double  *buf = malloc(n * GS_NPARAM * sizeof(double) + 8);
      int64_t *ib  = malloc(n * sizeof(int64_t) + 8);
      ReadColumn(file, "/inversion/theta", H5T_NATIVE_DOUBLE, n, GS_NPARAM, buf);
      for (hsize_t i = 0; i < n; i++) memcpy(s->history[i].theta, buf + i * GS_NPARAM, sizeof(s->history[i].theta));
      ReadColumn(file, "/inversion/raw_next", H5T_NATIVE_DOUBLE, n, GS_NPARAM, buf);
      for (hsize_t i = 0; i < n; i++) memcpy(s->history[i].raw_next, buf + i * GS_NPARAM, sizeof(s->history[i].raw_next));
      const char *cols[4] = {"/inversion/loss", "/inversion/grad_norm", "/inversion/lr", "/inversion/wall_time"};
      for (int c = 0; c < 4; c++) {
        ReadColumn(file, cols[c], H5T_NATIVE_DOUBLE, n, 1, buf);
        for (hsize_t i = 0; i < n; i++) {
          double *field[4] = {&s->history[i].loss, &s->history[i].grad_norm, &s->history[i].lr, &s->history[i].wall_time};
          *field[c]        = buf[i];
        }
      }
      ReadColumn(file, "/inversion/step", H5T_NATIVE_INT64, n, 1, ib);
      for (hsize_t i = 0; i < n; i++) s->history[i].iteration = ib[i];
      ReadColumn(file, "/inversion/lr_tries", H5T_NATIVE_INT64, n, 1, ib);
      for (hsize_t i = 0; i < n; i++) s->history[i].lr_tries = (int32_t)ib[i];
      ReadColumn(file, "/inversion/valid", H5T_NATIVE_INT64, n, 1, ib);
      for (hsize_t i = 0; i < n; i++) s->history[i].valid = (int32_t)ib[i];
      free(buf), free(ib);
    }
    if (grp >= 0) H5Gclose(grp);
    if (file >= 0) H5Fclose(file);
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, s->groups.world));
  PetscCheck(!msg[0], s->groups.world, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscCallMPI(MPI_Bcast(info, 2, MPI_INT64_T, 0, s->groups.world));
  s->n = (PetscInt)info[0];
  if (rank != 0 && s->n) {
    s->capacity = s->n + 64;
    s->history  = calloc((size_t)s->capacity, sizeof(*s->history));
  }
  if (s->n) PetscCallMPI(MPI_Bcast(s->history, (PetscMPIInt)(s->n * sizeof(*s->history)), MPI_BYTE, 0, s->groups.world));
  *finished = (PetscInt)info[1];
  PetscFunctionReturn(0);
}

static PetscErrorCode PrintOutcome(Invert *s, const double theta[GS_NPARAM], const char *reason)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(s->groups.world, "stopped: %s\nfinal theta: F %.8g  k %.8g  Du %.8g  Dv %.8g\n", reason, theta[0], theta[1], theta[2], theta[3]));
  if (PetscIsNormalReal(s->truth[0]))
    PetscCall(PetscPrintf(s->groups.world, "relative error against the targets' theta: F %.2e  k %.2e  Du %.2e  Dv %.2e\n", PetscAbsReal(theta[0] / s->truth[0] - 1), PetscAbsReal(theta[1] / s->truth[1] - 1), PetscAbsReal(theta[2] / s->truth[2] - 1), PetscAbsReal(theta[3] / s->truth[3] - 1)));
  PetscFunctionReturn(0);
}

/* Continues an earlier record (SGD exactly, from the raw variables after its last step; TAO from
   its last iterate with a fresh quasi-Newton memory), or starts from -gs_start. */
static PetscErrorCode Run(Invert *s)
{
  PetscInt  finished = 0, max_it;
  PetscBool capped;
  double    theta[GS_NPARAM];
  char      reason[256];

  PetscFunctionBeginUser;
  PetscCall(ReadRecord(s, &finished));
  max_it = GSInversionGetMaxIterations(s->inv);
  if (finished == 1 || (finished == 2 && s->n >= max_it)) {
    PetscCall(PetscPrintf(s->groups.world, "%s already holds a finished inversion of %" PetscInt_FMT " iterations: nothing to do\n", s->output, s->n));
    PetscFunctionReturn(0);
  }
  if (s->n) PetscCall(PetscPrintf(s->groups.world, "continuing %s after iteration %lld\n", s->output, (long long)s->history[s->n - 1].iteration));
  PetscCall(GSInversionSetMonitor(s->inv, Record, s));
  PetscCall(GSInversionSolve(s->inv, s->start, s->n ? s->history[s->n - 1].raw_next : NULL, s->n ? s->history[s->n - 1].iteration + 1 : 0, theta, reason, sizeof(reason), &capped));
  PetscCall(WriteRecord(s, reason, theta, capped ? 2 : 1));
  PetscCall(PrintOutcome(s, theta, reason));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppInvert(MPI_Comm world)
{
  Invert    s;
  PetscBool help;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&s, sizeof(s)));
  PetscCall(GSSweepGroupsCreate(world, &s.groups));
  PetscCall(InvertOptions(world, &s));
  if (s.basin) {
    PetscCall(GSInvertBasin(world, &s.groups, s.start, s.output));
    PetscCall(GSSweepGroupsDestroy(&s.groups));
    PetscFunctionReturn(0);
  }
  PetscCall(GSInversionCreate(world, s.groups.group, s.groups.ngroups, s.groups.group_id, &s.inv));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(world));
    PetscCall(GSAppBanner(world, "invert"));
    PetscCall(GSOutputCheckWritable(world, "-gs_output", s.output));
    PetscCall(GSInversionDescribe(s.inv, s.signature, sizeof(s.signature)));
    PetscCall(GSTargetsTheta(world, "-gs_targets_file", GSInversionGetTargetsFile(s.inv), s.truth));
    PetscCall(Run(&s));
  }
  PetscCall(GSInversionDestroy(&s.inv));
  PetscCall(GSSweepGroupsDestroy(&s.groups));
  free(s.history);
  PetscFunctionReturn(0);
}
