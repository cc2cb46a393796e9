/* gsinv invert: recover theta from target states by gradient descent through the unrolled
   simulation (TAO or the paper's SGD), every iteration recorded as it happens; resumable. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gsinv/app/app.h"
#include "gsinv/app/basin.h"
#include "gsinv/core/interrupt.h"
#include "gsinv/inverse/inversion.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"
#include "gsinv/io/record.h"
#include "gsinv/sweep/sweep.h"
#include "gsinv/io/targets_file.h"

typedef struct {
  GSSweepGroups      groups;
  GSInversion        inv;
  char               output[PETSC_MAX_PATH_LEN];
  GSSettings         settings;
  const char        *signature;
  double             start[GS_NPARAM], truth[GS_NPARAM];
  GSIterationRecord *history;
  PetscInt           n, capacity;
  PetscBool          basin, interrupted;
  GSStop             stop; /* how the inversion stopped, once it has */
} Invert;

static PetscErrorCode InvertOptions(MPI_Comm comm, Invert *s)
{
  PetscInt n = GS_NPARAM;

  PetscFunctionBeginUser;
  s->start[GS_PARAM_F] = s->start[GS_PARAM_K] = 0.05;
  s->start[GS_PARAM_DU] = s->start[GS_PARAM_DV] = 0.12692801104297249; /* softplus(-2): the paper's start */
  PetscCall(PetscStrncpy(s->output, "inversion.h5", sizeof(s->output)));
  PetscOptionsBegin(comm, NULL, "gsinv invert", "GSAppInvert");
  PetscCall(GSOptionsRealArray("-gs_start", "Starting F,k,Du,Dv (default: the paper's 0.05,0.05,softplus(-2),softplus(-2))", "GSAppInvert", s->start,
                               &n, NULL, GS_NPARAM));
  PetscCall(PetscOptionsString("-gs_output", "HDF5 record of the iterations (rewritten after each; a rerun continues it)", "GSAppInvert", s->output,
                               s->output, sizeof(s->output), NULL));
  PetscCall(GSOptionsBool("-gs_basin", "Basin map: an inversion from every start of the grid -gs_axes, -gs_lo, -gs_hi, -gs_n (others at -gs_start)",
                          "GSAppInvert", s->basin, &s->basin, NULL));
  PetscOptionsEnd();
  for (int q = 0; q < GS_NPARAM; q++)
    PetscCheck(s->start[q] > 0, comm, PETSC_ERR_USER_INPUT, "-gs_start: %s = %g must be positive", GSParamNames[q], s->start[q]);
  PetscFunctionReturn(0);
}

/* The typed stop: reason_code (GSStopReason), its name, the end-state counts and the loss references. */
static PetscErrorCode WriteStop(GSOutput *out, const GSStop *stop)
{
  PetscFunctionBeginUser;
  PetscCall(GSH5WriteAttributeInt(out, "/inversion", "reason_code", stop->reason));
  PetscCall(GSH5WriteAttributeString(out, "/inversion", "reason_name", GSStopReasonNames[stop->reason]));
  PetscCall(GSH5WriteAttributeString(out, "/inversion", "optimizer_reason", stop->optimizer_reason));
  for (int c = 0; c < GS_END_CLASS_N; c++) {
    char name[64];
    PetscCall(PetscSNPrintf(name, sizeof(name), "end_%s", GSEndClassNames[c]));
    PetscCall(GSH5WriteAttributeInt(out, "/inversion", name, stop->end_counts[c]));
  }
  PetscCall(GSH5WriteAttributeReal(out, "/inversion", "stop_loss", stop->loss));
  PetscCall(GSH5WriteAttributeReal(out, "/inversion", "loss_flat", stop->flat));
  PetscCall(GSH5WriteAttributeReal(out, "/inversion", "loss_floor", stop->floor));
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
  PetscCall(GSOutputWriteProvenance(&out, "invert", GSModelGetGrid(m), GSModelGetParams(m), 0, ts_type, dt));
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
  PetscCall(GSSettingsWriteAttributes(s->settings, &out));
  PetscCall(GSH5WriteAttributeString(&out, "/inversion", "reason", reason ? reason : "running"));
  PetscCall(GSH5WriteAttributeInt(&out, "/inversion", "finished", finished));
  if (reason) PetscCall(WriteStop(&out, &s->stop));
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
  /* A signal makes the runs in progress stop (invalid): an iteration they touched is not kept. */
  if (!s->interrupted) PetscCall(GSInterruptAgreed(s->groups.world, &s->interrupted));
  if (s->interrupted) PetscFunctionReturn(0);
  if (s->n == s->capacity) {
    s->capacity = PetscMax(64, 2 * s->capacity);
    s->history  = realloc(s->history, (size_t)s->capacity * sizeof(*s->history));
    PetscCheck(s->history, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory for the iteration record");
  }
  s->history[s->n++] = *rec;
  PetscCall(PetscPrintf(s->groups.world, "it %5lld  F %.6f  k %.6f  Du %.5f  Dv %.5f  loss %.6e  |g| %.3e  lr %.2e tries %d%s  %.1f s\n",
                        (long long)rec->iteration, rec->theta[0], rec->theta[1], rec->theta[2], rec->theta[3], rec->loss, rec->grad_norm, rec->lr,
                        (int)rec->lr_tries, rec->valid ? "" : " INVALID", rec->wall_time));
  PetscCall(WriteRecord(s, NULL, NULL, 0));
  PetscFunctionReturn(0);
}

/* Rank 0: the rows of an earlier record into s->history, every column checked (a damaged record is
   refused, never read as zeros); a message naming the dataset otherwise. */
static void ReadHistory(Invert *s, char *msg, size_t len)
{
  enum { STEP, RAW, LOSS, GRAD, LR, WALL, THETA, TRIES, VALID, NCOLS }; /* step first: the row count */
  const GSColumnSpec specs[NCOLS] = {
    {"step", PETSC_TRUE, 1},  {"raw_next", PETSC_FALSE, GS_NPARAM}, {"loss", PETSC_FALSE, 1},          {"grad_norm", PETSC_FALSE, 1},
    {"lr", PETSC_FALSE, 1},   {"wall_time", PETSC_FALSE, 1},        {"theta", PETSC_FALSE, GS_NPARAM}, {"lr_tries", PETSC_TRUE, 1},
    {"valid", PETSC_TRUE, 1},
  };
  void    *data[NCOLS];
  PetscInt n;
  char     why[PETSC_MAX_PATH_LEN];

  GSRecordRead(s->output, "/inversion", NCOLS, specs, &n, data, why, sizeof(why));
  if (!why[0]) {
    s->capacity = n + 64;
    s->history  = calloc((size_t)s->capacity, sizeof(*s->history));
    if (!s->history) snprintf(why, sizeof(why), "out of memory for %" PetscInt_FMT " iterations", n);
  }
  if (why[0]) {
    (void)PetscSNPrintf(msg, len, "-gs_output %s: damaged inversion record (%s): cannot continue it; remove it or choose another file", s->output,
                        why);
    return;
  }
  for (PetscInt i = 0; i < n; i++) {
    GSIterationRecord *r     = &s->history[i];
    const double      *theta = (const double *)data[THETA], *raw = (const double *)data[RAW];
    for (int q = 0; q < GS_NPARAM; q++) r->theta[q] = theta[i * GS_NPARAM + q], r->raw_next[q] = raw[i * GS_NPARAM + q];
    r->loss = ((double *)data[LOSS])[i], r->grad_norm = ((double *)data[GRAD])[i], r->lr = ((double *)data[LR])[i],
    r->wall_time = ((double *)data[WALL])[i];
    r->iteration = ((int64_t *)data[STEP])[i], r->lr_tries = (int32_t)((int64_t *)data[TRIES])[i], r->valid = (int32_t)((int64_t *)data[VALID])[i];
  }
  s->n = n;
  GSRecordFree(NCOLS, data);
}

/* An earlier record of the same inversion: how many iterations, how it finished. */
static PetscErrorCode ReadRecord(Invert *s, PetscInt *finished)
{
  PetscMPIInt rank;
  int64_t     info[2]                            = {0, 0}; /* iterations, finished */
  char        msg[2 * PETSC_MAX_PATH_LEN + 2600] = "", where[PETSC_MAX_PATH_LEN + 32];
  int         allocated;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(s->groups.world, &rank));
  if (rank == 0 && access(s->output, F_OK) == 0) {
    static char sig[65536];
    char        why[PETSC_MAX_PATH_LEN];
    PetscBool   has_group;
    GSRecordReadHead(s->output, "/inversion", &has_group, sig, sizeof(sig), &info[1], why, sizeof(why));
    PetscCall(PetscSNPrintf(where, sizeof(where), "the record -gs_output %s", s->output));
    if (why[0]) PetscCall(PetscSNPrintf(msg, sizeof(msg), "-gs_output %s: %s: remove it or choose another file", s->output, why));
    else if (!has_group)
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "-gs_output %s holds no inversion record: remove it or choose another file", s->output));
    else PetscCall(GSSettingsCompare(s->settings, sig, where, "remove it or choose another -gs_output", msg, sizeof(msg)));
    if (!msg[0] && info[1] < 0)
      PetscCall(PetscSNPrintf(
        msg, sizeof(msg),
        "-gs_output %s: damaged inversion record (no attribute 'finished' of /inversion): cannot continue it; remove it or choose another file",
        s->output));
    else if (!msg[0]) {
      ReadHistory(s, msg, sizeof(msg));
      info[0] = s->n;
    }
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, s->groups.world));
  PetscCheck(!msg[0], s->groups.world, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscCallMPI(MPI_Bcast(info, 2, MPI_INT64_T, 0, s->groups.world));
  s->n = (PetscInt)info[0];
  if (rank != 0 && s->n) {
    s->capacity = s->n + 64;
    s->history  = calloc((size_t)s->capacity, sizeof(*s->history));
  }
  allocated = !s->n || s->history;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &allocated, 1, MPI_INT, MPI_MIN, s->groups.world));
  PetscCheck(allocated, s->groups.world, PETSC_ERR_MEM, "out of memory for the %" PetscInt_FMT " iterations of -gs_output %s", s->n, s->output);
  if (s->n) PetscCallMPI(MPI_Bcast(s->history, (PetscMPIInt)(s->n * sizeof(*s->history)), MPI_BYTE, 0, s->groups.world));
  *finished = (PetscInt)info[1];
  PetscFunctionReturn(0);
}

static PetscErrorCode PrintOutcome(Invert *s, const double theta[GS_NPARAM], const char *reason)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(s->groups.world, "stopped: %s\nfinal theta: F %.8g  k %.8g  Du %.8g  Dv %.8g\n", reason, theta[0], theta[1], theta[2],
                        theta[3]));
  if (PetscIsNormalReal(s->truth[0]))
    PetscCall(PetscPrintf(s->groups.world, "relative error against the targets' theta: F %.2e  k %.2e  Du %.2e  Dv %.2e\n",
                          PetscAbsReal(theta[0] / s->truth[0] - 1), PetscAbsReal(theta[1] / s->truth[1] - 1),
                          PetscAbsReal(theta[2] / s->truth[2] - 1), PetscAbsReal(theta[3] / s->truth[3] - 1)));
  PetscFunctionReturn(0);
}

/* Continues an earlier record (SGD exactly, from the raw variables after its last step; TAO from
   its last iterate with a fresh quasi-Newton memory), or starts from -gs_start. */
static PetscErrorCode Run(Invert *s)
{
  PetscInt finished = 0, max_it;
  double   theta[GS_NPARAM];

  PetscFunctionBeginUser;
  PetscCall(ReadRecord(s, &finished));
  max_it = GSInversionGetMaxIterations(s->inv);
  if (finished == 1 || (finished == 2 && s->n >= max_it)) {
    PetscCall(PetscPrintf(s->groups.world, "%s already holds a finished inversion of %" PetscInt_FMT " iterations: nothing to do\n", s->output,
                          s->n));
    PetscFunctionReturn(0);
  }
  if (s->n) PetscCall(PetscPrintf(s->groups.world, "continuing %s after iteration %lld\n", s->output, (long long)s->history[s->n - 1].iteration));
  PetscCall(GSInversionSetMonitor(s->inv, Record, s));
  PetscCall(GSInversionSolve(s->inv, s->start, s->n ? s->history[s->n - 1].raw_next : NULL, s->n ? s->history[s->n - 1].iteration + 1 : 0, theta,
                             &s->stop));
  if (!s->interrupted) PetscCall(GSInterruptAgreed(s->groups.world, &s->interrupted));
  if (s->interrupted) {
    char text[PETSC_MAX_PATH_LEN + 128];
    PetscCall(PetscSNPrintf(text, sizeof(text), "%" PetscInt_FMT " finished iterations are saved in %s; run the same command again to continue", s->n,
                            s->output));
    PetscCall(GSInterruptReport(s->groups.world, s->output, text));
    PetscFunctionReturn(0);
  }
  PetscCall(WriteRecord(s, s->stop.text, theta, s->stop.capped ? 2 : 1));
  PetscCall(PrintOutcome(s, theta, s->stop.text));
  PetscFunctionReturn(0);
}

/* The one description of what determines the record (resume signature, provenance). The
   iteration cap may change: a rerun with a higher -gs_max_it continues. Group size counts: a
   simulation split over more ranks sums in another order. */
static PetscErrorCode InvertSettings(Invert *s)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsCreate("invert", &s->settings));
  PetscCall(GSInversionAddSettings(s->inv, s->settings));
  PetscCall(GSSettingsAddReals(s->settings, "-gs_start", GS_NPARAM, s->start));
  PetscCall(GSSettingsAddInt(s->settings, "-gs_group_size", s->groups.group_size));
  PetscCall(GSSettingsAddGivenOptions(s->settings));
  PetscCall(GSSettingsRemove(s->settings, "-gs_max_it"));
  PetscCall(GSSettingsGetSignature(s->settings, &s->signature));
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
    PetscCall(GSOutputCheckNotInput(world, "-gs_output", s.output));
    PetscCall(GSOutputLock(world, "-gs_output", s.output));
    PetscCall(InvertSettings(&s));
    PetscCall(GSTargetsTheta(world, "-gs_targets_file", GSInversionGetTargetsFile(s.inv), s.truth));
    PetscCall(GSInterruptInstall());
    PetscCall(Run(&s));
  }
  PetscCall(GSSettingsDestroy(&s.settings));
  PetscCall(GSOutputUnlock(world));
  PetscCall(GSInversionDestroy(&s.inv));
  PetscCall(GSSweepGroupsDestroy(&s.groups));
  free(s.history);
  PetscFunctionReturn(0);
}
