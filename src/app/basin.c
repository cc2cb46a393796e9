/* gsinv invert -gs_basin: an inversion from every point of a grid of starts, groups of ranks
   taking starts one at a time; each finished start is kept in a journal, so a killed map resumes. */
#include <stdlib.h>
#include <string.h>

#include "gsinv/app.h"
#include "gsinv/basin.h"
#include "gsinv/interrupt.h"
#include "gsinv/io.h"
#include "gsinv/sweep.h"
#include "gsinv/targets.h"

typedef struct {
  int64_t index, iterations;
  double  theta_start[GS_NPARAM], theta_final[GS_NPARAM], loss;
  int32_t reason, converged;
} BasinRecord;

const char *const GSBasinReasonNames[] = {"converged", "iteration_cap", "diverged", "safeguard_exhausted", "invalid_start", NULL};

typedef struct {
  GSSweepGroups groups;
  GSSweepAxes   axes;
  GSInversion   inv;
  GSJournal     journal;
  char          output[PETSC_MAX_PATH_LEN];
  double        truth[GS_NPARAM];
  BasinRecord   last; /* the start being run: its last iteration */
} Basin;

static int ReasonCode(const char *reason, PetscBool capped)
{
  if (capped) return 1;
  if (!strncmp(reason, "TAO CONVERGED", 13)) return 0;
  if (!strncmp(reason, "TAO", 3)) return 2;
  if (!strncmp(reason, "safeguard", 9)) return 3;
  return 4;
}

static PetscErrorCode LastIteration(GSInversion inv, const GSIterationRecord *rec, void *ctx)
{
  Basin *b = (Basin *)ctx;

  PetscFunctionBeginUser;
  (void)inv;
  b->last.iterations = rec->iteration + 1;
  b->last.loss       = rec->loss;
  PetscFunctionReturn(0);
}

/* Runs the starts this group takes; returns whether a stop was requested. */
static PetscErrorCode BasinRun(Basin *b, PetscBool *interrupted)
{
  PetscInt  index;
  char      reason[256];
  PetscBool capped, stop;
  long      done, invalid;

  PetscFunctionBeginUser;
  *interrupted = PETSC_FALSE;
  PetscCall(GSInversionSetMonitor(b->inv, LastIteration, b));
  for (;;) {
    PetscCall(GSSweepGroupsNext(&b->groups, &index));
    if (index < 0) break;
    const GSParams start = GSSweepAxesPoint(&b->axes, index);
    PetscCall(PetscMemzero(&b->last, sizeof(b->last)));
    b->last.index = index;
    GSParamsToArray(&start, b->last.theta_start);
    b->last.loss = NAN;
    PetscCall(GSInversionSolve(b->inv, b->last.theta_start, NULL, 0, b->last.theta_final, reason, sizeof(reason), &capped));
    stop = GSInterruptRequested();
    PetscCall(GSInterruptAnyRank(b->groups.group, stop, &stop));
    if (stop) {
      *interrupted = PETSC_TRUE;
      break;
    }
    b->last.reason    = ReasonCode(reason, capped);
    b->last.converged = 1;
    for (int q = 0; q < GS_NPARAM; q++) b->last.converged &= PetscAbsReal(b->last.theta_final[q] / b->truth[q] - 1) <= 1e-2;
    if (b->groups.group_rank == 0) {
      PetscCall(GSJournalAppend(&b->journal, &b->last));
      PetscCall(GSSweepGroupsCountDone(&b->groups, (PetscBool)!b->last.converged, &done, &invalid));
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "[group %" PetscInt_FMT "] start %" PetscInt_FMT " (%.5g, %.5g, %.5g, %.5g) -> (%.5g, %.5g, %.5g, %.5g) loss %.3e after %lld iterations: %s | %ld done, %ld not converged\n", b->groups.group_id, index, b->last.theta_start[0], b->last.theta_start[1], b->last.theta_start[2], b->last.theta_start[3],
                            b->last.theta_final[0], b->last.theta_final[1], b->last.theta_final[2], b->last.theta_final[3], b->last.loss, (long long)b->last.iterations, reason, done, invalid));
    }
  }
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
  PetscReal  *start, *final, *loss, axis[2][100000 / 100];
  PetscInt64 *its, *reason, *conv;
  hsize_t     grid[3], four = GS_NPARAM;
  int         r = 0;
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
  PetscCall(GSOutputWriteProvenance(&out, "invert", GSInversionGetModel(b->inv), 0, ts_type, dt));
  for (int k = 0; k < b->axes.naxes; k++) {
    char    path[32];
    hsize_t na = (hsize_t)b->axes.n[k];
    PetscCheck(b->axes.n[k] <= 1000, b->groups.world, PETSC_ERR_SUP, "basin maps take at most 1000 starts per axis");
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
  for (int i = 0; GSBasinReasonNames[i]; i++) {
    if (i) PetscCall(PetscStrlcat(names, ",", sizeof(names)));
    PetscCall(PetscStrlcat(names, GSBasinReasonNames[i], sizeof(names)));
  }
  PetscCall(GSH5WriteAttributeString(&out, "/basin/reason", "names", names));
  PetscCall(GSOutputClose(&out));
  PetscCall(PetscFree6(start, final, loss, its, reason, conv));
  PetscFunctionReturn(0);
}

PetscErrorCode GSInvertBasin(MPI_Comm world, GSSweepGroups *groups, const double start[GS_NPARAM], const char *output)
{
  Basin        b;
  PetscBool    help, interrupted, any;
  PetscInt     n, npending = 0, *pending, *done;
  BasinRecord *records;
  char         signature[8192], part[4096];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&b, sizeof(b)));
  b.groups = *groups;
  PetscCall(PetscStrncpy(b.output, output, sizeof(b.output)));
  GSParams base = GSParamsFromArray(start);
  PetscCall(GSSweepAxesFromOptions(world, &base, &b.axes));
  PetscCall(GSInversionCreate(b.groups.group, b.groups.group, 1, 0, &b.inv));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(world));
    PetscCall(GSAppBanner(world, "invert (basin map)"));
    PetscCall(GSOutputCheckWritable(world, "-gs_output", b.output));
    PetscCall(GSTargetsTheta(world, "-gs_targets_file", GSInversionGetTargetsFile(b.inv), b.truth));
    PetscCall(GSSweepAxesDescribe(&b.axes, signature, sizeof(signature)));
    PetscCall(GSInversionDescribe(b.inv, part, sizeof(part)));
    PetscCall(PetscStrlcat(signature, " basin ", sizeof(signature)));
    PetscCall(PetscStrlcat(signature, part, sizeof(signature)));
    PetscCall(GSJournalOpen(world, b.output, signature, sizeof(BasinRecord), &b.journal));
    PetscCall(GSInterruptInstall());
    n = GSSweepAxesSize(&b.axes);
    PetscCall(PetscCalloc3(n, &records, n, &done, n, &pending));
    PetscCall(BasinRead(&b, n, records, done));
    for (PetscInt i = 0; i < n; i++)
      if (!done[i]) pending[npending++] = i;
    PetscCall(PetscPrintf(world, "%" PetscInt_FMT " starts, %" PetscInt_FMT " already in %s; %" PetscInt_FMT " group(s) of %" PetscInt_FMT " rank(s)\n", n, n - npending, b.journal.dir, b.groups.ngroups, b.groups.group_size));
    PetscCall(GSSweepGroupsSetPending(&b.groups, npending, pending));
    PetscCall(BasinRun(&b, &interrupted));
    PetscCall(GSInterruptAnyRank(world, interrupted, &any));
    if (any) {
      PetscCall(GSJournalClose(world, &b.journal, PETSC_FALSE));
      PetscCall(PetscPrintf(world, "interrupted: finished starts are saved in %s; run the same command again to continue\n", b.journal.dir));
    } else {
      PetscCall(BasinRead(&b, n, records, done));
      PetscCall(BasinWrite(&b, n, records));
      PetscCall(GSJournalClose(world, &b.journal, PETSC_TRUE));
      PetscCall(PetscPrintf(world, "wrote %s: %" PetscInt_FMT " starts\n", b.output, n));
    }
    PetscCall(PetscFree3(records, done, pending));
  }
  PetscCall(GSInversionDestroy(&b.inv));
  *groups = b.groups;
  PetscFunctionReturn(0);
}
