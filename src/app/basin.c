/* gsinv invert -gs_basin: an inversion from every point of a grid of starts, groups of ranks
   taking starts one at a time; each finished start is kept in a journal, so a killed map resumes. */
#include <stdlib.h>
#include <string.h>

#include "gsinv/app/app.h"
#include "gsinv/app/basin.h"
#include "gsinv/core/interrupt.h"
#include "gsinv/io/h5file.h"
#include "gsinv/io/output_lock.h"
#include "gsinv/sweep/sweep.h"
#include "gsinv/io/targets_file.h"

typedef struct {
  int64_t index, iterations;
  double  theta_start[GS_NPARAM], theta_final[GS_NPARAM], loss;
  int32_t reason, converged;
} BasinRecord;

#define GS_BASIN_MAX_AXIS 1000

typedef struct {
  GSSweepGroups groups;
  GSSweepAxes   axes;
  GSInversion   inv;
  GSJournal     journal;
  GSSettings    settings;
  char          output[PETSC_MAX_PATH_LEN];
  double        truth[GS_NPARAM];
  BasinRecord   last;   /* the start being run: its last iteration */
  GSStop        reason; /* why its inversion stopped */
} Basin;

static PetscErrorCode LastIteration(GSInversion inv, const GSIterationRecord *rec, void *ctx)
{
  Basin *b = (Basin *)ctx;

  PetscFunctionBeginUser;
  (void)inv;
  /* TAO reports its start as iteration 0 before any step (learning rate 0); SGD reports
     iteration i after its step */
  b->last.iterations = rec->iteration + (rec->lr > 0 ? 1 : 0);
  b->last.loss       = rec->loss;
  PetscFunctionReturn(0);
}

/* One start: the inversion from the start's theta, its end kept in b->last by LastIteration. */
static PetscErrorCode BasinPoint(void *ctx, PetscInt index, void *record, PetscBool *failed, PetscBool *interrupted)
{
  Basin         *b     = ctx;
  const GSParams start = GSSweepAxesPoint(&b->axes, index);

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&b->last, sizeof(b->last)));
  b->last.index = index;
  GSParamsToArray(&start, b->last.theta_start);
  b->last.loss = NAN;
  PetscCall(GSInversionSolve(b->inv, b->last.theta_start, NULL, 0, b->last.theta_final, &b->reason));
  *interrupted = GSInterruptRequested();
  PetscCall(GSInterruptAnyRank(b->groups.group, *interrupted, interrupted));
  if (*interrupted) PetscFunctionReturn(0);
  b->last.reason    = (int32_t)b->reason.reason;
  b->last.converged = 1;
  for (int q = 0; q < GS_NPARAM; q++) b->last.converged &= PetscAbsReal(b->last.theta_final[q] / b->truth[q] - 1) <= 1e-2;
  *failed = (PetscBool)!b->last.converged;
  memcpy(record, &b->last, sizeof(b->last));
  PetscFunctionReturn(0);
}

static PetscErrorCode BasinReport(void *ctx, PetscInt index, const void *record, long done, long invalid)
{
  Basin             *b = ctx;
  const BasinRecord *r = record;

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_SELF,
                        "[group %" PetscInt_FMT "] start %" PetscInt_FMT
                        " (%.5g, %.5g, %.5g, %.5g) -> (%.5g, %.5g, %.5g, %.5g) loss %.3e after %lld iterations: %s | %ld done, %ld not converged\n",
                        b->groups.group_id, index, r->theta_start[0], r->theta_start[1], r->theta_start[2], r->theta_start[3], r->theta_final[0],
                        r->theta_final[1], r->theta_final[2], r->theta_final[3], r->loss, (long long)r->iterations, b->reason.text, done, invalid));
  PetscFunctionReturn(0);
}

/* Runs the starts this group takes; returns whether a stop was requested. */
static PetscErrorCode BasinRun(Basin *b, PetscBool *interrupted)
{
  PetscFunctionBeginUser;
  PetscCall(GSInversionSetMonitor(b->inv, LastIteration, b));
  PetscCall(GSSweepRun(&b->groups, &b->journal, sizeof(BasinRecord), BasinPoint, BasinReport, b, interrupted));
  PetscFunctionReturn(0);
}

/* Rank 0 reads the journal; records[i] (all ranks after the broadcast) and done[i]. */
static PetscErrorCode BasinRead(Basin *b, PetscInt n, BasinRecord *records, PetscInt *done)
{
  PetscMPIInt rank;
  size_t      count = 0;
  void       *raw   = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(b->groups.world, &rank));
  for (PetscInt i = 0; i < n; i++) done[i] = 0;
  if (rank == 0) PetscCall(GSJournalReadAll(&b->journal, &count, &raw));
  for (size_t r = 0; r < count; r++) {
    BasinRecord rec;
    memcpy(&rec, (char *)raw + r * sizeof(rec), sizeof(rec));
    if (rec.index >= 0 && rec.index < n) records[rec.index] = rec, done[rec.index] = 1;
  }
  free(raw);
  PetscCallMPI(MPI_Bcast(done, (PetscMPIInt)n, MPIU_INT, 0, b->groups.world));
  PetscCallMPI(MPI_Bcast(records, (PetscMPIInt)(n * sizeof(BasinRecord)), MPI_BYTE, 0, b->groups.world));
  PetscFunctionReturn(0);
}

static PetscErrorCode BasinWrite(Basin *b, PetscInt n, const BasinRecord *rec)
{
  GSOutput    out;
  PetscReal  *start, *final, *loss, axis[2][GS_BASIN_MAX_AXIS];
  PetscInt64 *its, *reason, *conv;
  hsize_t     grid[3], four = GS_NPARAM;
  int         r          = 0;
  char        names[256] = "";
  const char *ts_type;
  PetscReal   dt;

  PetscFunctionBeginUser;
  if (b->axes.naxes == 2) grid[r++] = (hsize_t)b->axes.n[1];
  grid[r++] = (hsize_t)b->axes.n[0];
  grid[r]   = GS_NPARAM;
  PetscCall(PetscMalloc6(n * GS_NPARAM, &start, n * GS_NPARAM, &final, n, &loss, n, &its, n, &reason, n, &conv));
  for (PetscInt i = 0; i < n; i++) {
    for (int q = 0; q < GS_NPARAM; q++) start[i * GS_NPARAM + q] = rec[i].theta_start[q], final[i * GS_NPARAM + q] = rec[i].theta_final[q];
    loss[i] = rec[i].loss, its[i] = rec[i].iterations, reason[i] = rec[i].reason, conv[i] = rec[i].converged;
  }
  PetscCall(GSRunGetScheme(GSInversionGetRun(b->inv), &ts_type, &dt));
  PetscCall(GSOutputOpen(b->groups.world, "-gs_output", b->output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "invert", GSModelGetGrid(GSInversionGetModel(b->inv)), GSModelGetParams(GSInversionGetModel(b->inv)), 0,
                                    ts_type, dt));
  PetscCall(GSSettingsWriteAttributes(b->settings, &out));
  for (int k = 0; k < b->axes.naxes; k++) {
    char    path[32];
    hsize_t na = (hsize_t)b->axes.n[k];
    PetscAssert(b->axes.n[k] <= GS_BASIN_MAX_AXIS, b->groups.world, PETSC_ERR_PLIB, "basin axis longer than checked");
    for (PetscInt i = 0; i < b->axes.n[k]; i++) axis[k][i] = GSSweepAxisValue(&b->axes, k, i);
    PetscCall(PetscSNPrintf(path, sizeof(path), "/basin/axis%d", k));
    PetscCall(GSH5WriteRealArray(&out, path, 1, &na, axis[k]));
    PetscCall(GSH5WriteAttributeString(&out, path, "name", GSParamNames[b->axes.param[k]]));
  }
  PetscCall(GSH5WriteRealArray(&out, "/basin/theta_start", r + 1, grid, start));
  PetscCall(GSH5WriteRealArray(&out, "/basin/theta_final", r + 1, grid, final));
  PetscCall(GSH5WriteRealArray(&out, "/basin/loss", r, grid, loss));
  PetscCall(GSH5WriteIntArray(&out, "/basin/iterations", r, grid, its));
  PetscCall(GSH5WriteIntArray(&out, "/basin/reason", r, grid, reason));
  PetscCall(GSH5WriteIntArray(&out, "/basin/converged", r, grid, conv));
  PetscCall(GSH5WriteRealArray(&out, "/basin/theta_truth", 1, &four, b->truth));
  for (int i = 0; GSStopReasonNames[i]; i++) {
    PetscInt64 count = 0;
    if (i) PetscCall(PetscStrlcat(names, ",", sizeof(names)));
    PetscCall(PetscStrlcat(names, GSStopReasonNames[i], sizeof(names)));
    for (PetscInt k = 0; k < n; k++) count += rec[k].reason == i;
    PetscCall(GSH5WriteAttributeInt(&out, "/basin/reason", GSStopReasonNames[i], count));
  }
  PetscCall(GSH5WriteAttributeString(&out, "/basin/reason", "names", names));
  PetscCall(GSOutputClose(&out));
  PetscCall(PetscFree6(start, final, loss, its, reason, conv));
  PetscFunctionReturn(0);
}

/* Counts per stop reason: plateau and invalid stops apart from convergence. */
static PetscErrorCode BasinSummary(MPI_Comm world, PetscInt n, const BasinRecord *rec)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(world, "stops of %" PetscInt_FMT " starts:", n));
  for (int i = 0; GSStopReasonNames[i]; i++) {
    PetscInt count = 0;
    for (PetscInt k = 0; k < n; k++) count += rec[k].reason == i;
    PetscCall(PetscPrintf(world, " %" PetscInt_FMT " %s%s", count, GSStopReasonNames[i], GSStopReasonNames[i + 1] ? "," : "\n"));
  }
  PetscFunctionReturn(0);
}

/* The one description of what determines the map (journal signature, provenance). Group size
   counts: a simulation split over more ranks sums in another order. */
static PetscErrorCode BasinSettings(Basin *b, const double start[GS_NPARAM])
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsCreate("invert -gs_basin", &b->settings));
  PetscCall(GSInversionAddSettings(b->inv, b->settings));
  PetscCall(GSSweepAxesAddSettings(&b->axes, b->settings));
  PetscCall(GSSettingsAddReals(b->settings, "-gs_start", GS_NPARAM, start));
  PetscCall(GSSettingsAddInt(b->settings, "-gs_group_size", b->groups.group_size));
  PetscCall(GSSettingsAddGivenOptions(b->settings));
  PetscFunctionReturn(0);
}

/* A basin map writes at most GS_BASIN_MAX_AXIS starts per axis: refused before the first inversion. */
static PetscErrorCode BasinAxesCheck(MPI_Comm comm, const GSSweepAxes *axes)
{
  PetscFunctionBeginUser;
  for (int k = 0; k < axes->naxes; k++)
    PetscCheck(axes->n[k] <= GS_BASIN_MAX_AXIS, comm, PETSC_ERR_USER_INPUT, "-gs_n %" PetscInt_FMT ": a basin map takes at most %d starts per axis",
               axes->n[k], GS_BASIN_MAX_AXIS);
  PetscFunctionReturn(0);
}

PetscErrorCode GSInvertBasin(MPI_Comm world, GSSweepGroups *groups, const double start[GS_NPARAM], const char *output)
{
  Basin        b;
  PetscBool    help, interrupted, any;
  PetscInt     n, npending = 0, *pending, *done;
  BasinRecord *records;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&b, sizeof(b)));
  b.groups = *groups;
  PetscCall(PetscStrncpy(b.output, output, sizeof(b.output)));
  GSParams base = GSParamsFromArray(start);
  PetscCall(GSSweepAxesFromOptions(world, &base, &b.axes));
  PetscCall(BasinAxesCheck(world, &b.axes));
  PetscCall(GSInversionCreate(b.groups.group, b.groups.group, 1, 0, &b.inv));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(world));
    PetscCall(GSAppBanner(world, "invert (basin map)"));
    PetscCall(GSOutputCheckWritable(world, "-gs_output", b.output));
    PetscCall(GSTargetsTheta(world, "-gs_targets_file", GSInversionGetTargetsFile(b.inv), b.truth));
    PetscCall(GSOutputCheckNotInput(world, "-gs_output", b.output));
    PetscCall(GSOutputLock(world, "-gs_output", b.output));
    PetscCall(BasinSettings(&b, start));
    PetscCall(GSJournalOpen(world, b.output, b.settings, sizeof(BasinRecord), &b.journal));
    PetscCall(GSInterruptInstall());
    n = GSSweepAxesSize(&b.axes);
    PetscCall(PetscCalloc3(n, &records, n, &done, n, &pending));
    PetscCall(BasinRead(&b, n, records, done));
    for (PetscInt i = 0; i < n; i++)
      if (!done[i]) pending[npending++] = i;
    PetscCall(PetscPrintf(world,
                          "%" PetscInt_FMT " starts, %" PetscInt_FMT " already in %s; %" PetscInt_FMT " group(s) of %" PetscInt_FMT " rank(s)\n", n,
                          n - npending, b.journal.dir, b.groups.ngroups, b.groups.group_size));
    PetscCall(GSSweepGroupsSetPending(&b.groups, npending, pending));
    PetscCall(BasinRun(&b, &interrupted));
    PetscCall(GSInterruptAnyRank(world, interrupted, &any));
    if (any) {
      char part[PETSC_MAX_PATH_LEN + 128];
      PetscCall(GSJournalClose(world, &b.journal, PETSC_FALSE));
      PetscCall(PetscSNPrintf(part, sizeof(part), "finished starts are saved in %s; run the same command again to continue", b.journal.dir));
      PetscCall(GSInterruptReport(world, b.output, part));
    } else {
      PetscCall(BasinRead(&b, n, records, done));
      PetscCall(BasinWrite(&b, n, records));
      PetscCall(BasinSummary(world, n, records));
      PetscCall(GSJournalClose(world, &b.journal, PETSC_TRUE));
      PetscCall(PetscPrintf(world, "wrote %s: %" PetscInt_FMT " starts\n", b.output, n));
    }
    PetscCall(PetscFree3(records, done, pending));
  }
  PetscCall(GSSettingsDestroy(&b.settings));
  PetscCall(GSOutputUnlock(world));
  PetscCall(GSInversionDestroy(&b.inv));
  *groups = b.groups;
  PetscFunctionReturn(0);
}
