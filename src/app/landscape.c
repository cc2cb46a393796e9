/* gsinv landscape: losses over a 1-D or 2-D slice of theta, on groups of ranks, resumable. */
#include <petsctime.h>
#include <stdlib.h>

#include "gsinv/app/app.h"
#include "gsinv/core/interrupt.h"
#include "gsinv/physics/landscape_analysis.h"
#include "gsinv/sweep/landscape_output.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"

typedef struct {
  char      output[PETSC_MAX_PATH_LEN];
  PetscReal cliff_threshold;
  PetscBool keep_journal;
} LandscapeOptions;

/* Everything one run of the subcommand holds. */
typedef struct {
  GSSweepGroups    groups;
  GSLandscape      land;
  GSSweepAxes      axes;
  LandscapeOptions o;
  GSJournal        journal;
  GSSettings       settings;
  size_t           record_size;
  PetscLogDouble   start, busy, idle;
  PetscInt         points_run, npending; /* this group's points; everyone's still to do at the start */
  PetscInt         total, skipped;       /* points in all, and done before this run (progress lines) */
} Sweep;

static PetscErrorCode LandscapeOptionsRead(MPI_Comm comm, LandscapeOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(o->output, "landscape.h5", sizeof(o->output)));
  o->cliff_threshold = 0;
  o->keep_journal    = PETSC_FALSE;
  PetscOptionsBegin(comm, NULL, "gsinv landscape", "GSAppLandscape");
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write (finished points are kept in FILE.journal until it is)", "GSAppLandscape", o->output,
                               o->output, sizeof(o->output), NULL));
  PetscCall(GSOptionsReal("-gs_cliff_threshold", "Loss jump between neighbours that makes a cliff (0: a quarter of the 5-95% loss range)",
                          "GSAppLandscape", o->cliff_threshold, &o->cliff_threshold, NULL));
  PetscCall(GSOptionsBool("-gs_keep_journal", "Keep FILE.journal after the file is written", "GSAppLandscape", o->keep_journal, &o->keep_journal,
                          NULL));
  PetscOptionsEnd();
  PetscCheck(o->cliff_threshold >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_cliff_threshold %g must be >= 0", (double)o->cliff_threshold);
  PetscFunctionReturn(0);
}

/* The table rank 0 builds (every point with its gallery image) must fit before the first point. */
static PetscErrorCode LandscapeCheckSize(MPI_Comm comm, Sweep *s)
{
  PetscInt64 g = GSLandscapeGetGallerySize(s->land), points = GSSweepAxesSize(&s->axes);

  PetscFunctionBeginUser;
  PetscCall(GSOptionsCheckSize(comm, "-gs_n, -gs_gallery_size (the gallery of every point)", points * g * g, sizeof(float), PETSC_MAX_INT));
  PetscFunctionReturn(0);
}

/* Rank 0 reads the journal into a table; every rank learns which points are still to do. */
static PetscErrorCode ReadJournal(Sweep *s, GSLandscapeTable *t, PetscInt *npending, PetscInt **pending)
{
  PetscMPIInt rank;
  PetscInt    n = GSSweepAxesSize(&s->axes);

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(s->groups.world, &rank));
  if (rank == 0) {
    size_t nrec;
    void  *records;
    PetscCall(GSJournalReadAll(&s->journal, &nrec, &records));
    for (size_t r = 0; r < nrec; r++) GSLandscapeTableInsert(t, (char *)records + r * s->record_size);
    free(records);
  }
  PetscCall(GSLandscapeTableBroadcast(s->groups.world, t));
  PetscCall(PetscMalloc1(n, pending));
  *npending = 0;
  for (PetscInt i = 0; i < n; i++)
    if (!t->done[i]) (*pending)[(*npending)++] = i;
  PetscFunctionReturn(0);
}

static PetscErrorCode PrintProgress(Sweep *s, PetscInt index, const GSPointRecord *rec, long done, long invalid, PetscInt total, PetscInt skipped)
{
  PetscLogDouble now;
  const GSParams p = GSSweepAxesPoint(&s->axes, index);
  double         theta[GS_NPARAM], elapsed, remaining;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  GSParamsToArray(&p, theta);
  elapsed   = now - s->start;
  remaining = elapsed / (double)done * (double)(total - skipped - done);
  PetscCall(PetscPrintf(PETSC_COMM_SELF,
                        "[group %" PetscInt_FMT "] point %" PetscInt_FMT " (%s=%.5g%s%s%s%.5g): %-11s %-12s %6lld steps %7.2f s | %ld/%" PetscInt_FMT
                        " done, %ld invalid, %.0f s elapsed, ~%.0f s left\n",
                        s->groups.group_id, index, GSParamNames[s->axes.param[0]], theta[s->axes.param[0]], s->axes.naxes == 2 ? " " : "",
                        s->axes.naxes == 2 ? GSParamNames[s->axes.param[1]] : "", s->axes.naxes == 2 ? "=" : "",
                        s->axes.naxes == 2 ? theta[s->axes.param[1]] : 0.0, GSEndClassNames[rec->end_class], GSRunReasonNames[rec->reason],
                        (long long)rec->steps, rec->seconds, done + skipped, total, invalid, elapsed, remaining));
  PetscFunctionReturn(0);
}

/* One point: the landscape's losses at its theta (timed: the group's busy time). */
static PetscErrorCode LandscapePoint(void *ctx, PetscInt index, void *record, PetscBool *failed, PetscBool *interrupted)
{
  Sweep         *s     = ctx;
  GSPointRecord *rec   = record;
  const GSParams theta = GSSweepAxesPoint(&s->axes, index);
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(GSLandscapeEvaluate(s->land, &theta, rec, (float *)((char *)record + sizeof(GSPointRecord))));
  PetscCall(PetscTime(&t1));
  s->busy += t1 - t0;
  *interrupted = (PetscBool)(rec->reason == GS_RUN_INTERRUPTED);
  if (*interrupted) PetscFunctionReturn(0);
  rec->index = index;
  *failed    = (PetscBool)!rec->valid;
  s->points_run++;
  PetscFunctionReturn(0);
}

static PetscErrorCode LandscapeReport(void *ctx, PetscInt index, const void *record, long done, long invalid)
{
  Sweep *s = ctx;

  PetscFunctionBeginUser;
  PetscCall(PrintProgress(s, index, (const GSPointRecord *)record, done, invalid, s->total, s->skipped));
  PetscFunctionReturn(0);
}

/* Takes points until none is left or a stop is requested; returns whether it was interrupted. */
static PetscErrorCode RunPoints(Sweep *s, PetscInt total, PetscInt skipped, PetscBool *interrupted)
{
  PetscFunctionBeginUser;
  s->total   = total;
  s->skipped = skipped;
  PetscCall(GSSweepRun(&s->groups, &s->journal, s->record_size, LandscapePoint, LandscapeReport, s, interrupted));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteLandscape(Sweep *s, GSLandscapeTable *t)
{
  GSOutput    out;
  GSModel     m = GSLandscapeGetModel(s->land);
  const char *ts_type;
  PetscReal   dt;
  PetscInt    steps;
  GSMapGrid   map;
  PetscBool   euler;

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(GSLandscapeGetRun(s->land), &ts_type, &dt));
  PetscCall(TSGetMaxSteps(GSRunGetTS(GSLandscapeGetRun(s->land)), &steps));
  PetscCall(GSModelSetParams(m, &s->axes.base));
  PetscCall(GSOutputOpen(s->groups.world, "-gs_output", s->o.output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "landscape", GSModelGetGrid(m), GSModelGetParams(m),
                                    (PetscInt64)GSLandscapeGetInitial(s->land)->recipe.seed, ts_type, dt));
  PetscCall(GSH5WriteAttributeString(&out, "/", "target_mode", GSTargetModes[GSLandscapeGetTargetMode(s->land)]));
  PetscCall(GSH5WriteAttributeInt(&out, "/", "targets", GSLandscapeGetTargets(s->land)));
  PetscCall(GSH5WriteAttributeInt(&out, "/", "steps", steps));
  PetscCall(GSH5WriteAttributeReal(&out, "/", "steady_tol", GSRunGetSteadyTol(GSLandscapeGetRun(s->land))));
  PetscCall(GSSettingsWriteAttributes(s->settings, &out));
  PetscCall(GSLandscapeGetMapGrid(s->land, &map, &euler));
  PetscCall(GSLandscapeTableWrite(&out, &s->axes, euler ? &map : NULL, t, GSFieldLossGetType(GSLandscapeGetLoss(s->land)), s->o.cliff_threshold));
  PetscCall(GSOutputClose(&out));
  PetscCall(GSLandscapeTableWriteSidecar(s->groups.world, s->o.output, &s->axes, t));
  PetscFunctionReturn(0);
}

/* Busy and idle seconds and points of every group, as measured (idle: waiting for the others at
   the end). */
static PetscErrorCode ReportLoadBalance(Sweep *s)
{
  PetscMPIInt size, rank;
  double      mine[3] = {s->busy, s->idle, (double)s->points_run}, *all = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(s->groups.world, &size));
  PetscCallMPI(MPI_Comm_rank(s->groups.world, &rank));
  if (rank == 0) PetscCall(PetscMalloc1(3 * size, &all));
  PetscCallMPI(MPI_Gather(mine, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, 0, s->groups.world));
  for (PetscInt g = 0; rank == 0 && g < s->groups.ngroups; g++) {
    const double *r = all + 3 * g * s->groups.group_size;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "  group %" PetscInt_FMT ": %.0f points, busy %.2f s, idle %.2f s at the end\n", g, r[2], r[0], r[1]));
  }
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* The one description of what determines the sweep's points (journal signature, provenance).
   Group size counts: a simulation split over more ranks sums in another order. */
static PetscErrorCode SweepSettings(Sweep *s)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsCreate("landscape", &s->settings));
  PetscCall(GSLandscapeAddSettings(s->land, s->settings));
  PetscCall(GSSweepAxesAddSettings(&s->axes, s->settings));
  PetscCall(GSSettingsAddInt(s->settings, "-gs_group_size", s->groups.group_size));
  PetscCall(GSSettingsAddGivenOptions(s->settings));
  PetscFunctionReturn(0);
}

static PetscErrorCode SweepSetUp(MPI_Comm world, Sweep *s, PetscBool *help)
{
  PetscInt g;

  PetscFunctionBeginUser;
  PetscCall(GSSweepGroupsCreate(world, &s->groups));
  PetscCall(GSLandscapeCreate(s->groups.group, &s->land));
  PetscCall(GSSweepAxesFromOptions(world, GSModelGetParams(GSLandscapeGetModel(s->land)), &s->axes));
  PetscCall(LandscapeOptionsRead(world, &s->o));
  PetscCall(LandscapeCheckSize(world, s));
  PetscCall(GSAppHelpRequested(help));
  if (*help) PetscFunctionReturn(0);
  PetscCall(GSAppCheckOptionsUsed(world));
  PetscCall(GSAppBanner(world, "landscape"));
  PetscCall(GSModelPrintSummary(GSLandscapeGetModel(s->land), PETSC_VIEWER_STDOUT_(world)));
  PetscCall(GSOutputCheckWritable(world, "-gs_output", s->o.output));
  PetscCall(GSOutputCheckNotInput(world, "-gs_output", s->o.output));
  PetscCall(GSOutputLock(world, "-gs_output", s->o.output));
  PetscCall(SweepSettings(s));
  g              = GSLandscapeGetGallerySize(s->land);
  s->record_size = sizeof(GSPointRecord) + (size_t)(g * g) * sizeof(float);
  PetscCall(GSJournalOpen(world, s->o.output, s->settings, s->record_size, &s->journal));
  PetscCall(GSInterruptInstall());
  PetscFunctionReturn(0);
}

/* Targets, then points; everything finished is in the journal whatever happens. */
static PetscErrorCode SweepRun(Sweep *s, PetscInt total, PetscInt npending, PetscBool *interrupted)
{
  PetscLogDouble t_end, t_after;
  PetscBool      mine = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&s->start));
  if (npending > 0) {
    PetscCall(GSLandscapeSetUpTargets(s->land, s->groups.world, s->groups.ngroups, s->groups.group_id, s->groups.group_size));
    mine = (PetscBool)(GSRunGetReason(GSLandscapeGetRun(s->land)) == GS_RUN_INTERRUPTED);
    if (!mine) PetscCall(RunPoints(s, total, total - npending, &mine));
  }
  PetscCall(PetscTime(&t_end));
  PetscCallMPI(MPI_Barrier(s->groups.world));
  PetscCall(PetscTime(&t_after));
  s->idle = t_after - t_end;
  PetscCall(GSInterruptAnyRank(s->groups.world, mine, interrupted));
  PetscFunctionReturn(0);
}

static PetscErrorCode SweepFinish(Sweep *s, PetscInt total)
{
  GSLandscapeTable t;
  PetscInt         npending, *pending;
  PetscLogDouble   now;

  PetscFunctionBeginUser;
  PetscCall(GSLandscapeTableCreate(total, GSLandscapeGetGallerySize(s->land), GSLandscapeHasGradient(s->land), &t));
  PetscCall(ReadJournal(s, &t, &npending, &pending));
  PetscCall(PetscFree(pending));
  PetscCheck(npending == 0, s->groups.world, PETSC_ERR_PLIB, "%" PetscInt_FMT " points are missing from the journal %s", npending, s->journal.dir);
  PetscCall(WriteLandscape(s, &t));
  PetscCall(GSJournalClose(s->groups.world, &s->journal, (PetscBool)!s->o.keep_journal));
  PetscCall(PetscTime(&now));
  PetscCall(PetscPrintf(s->groups.world,
                        "wrote %s: %" PetscInt_FMT " points; %" PetscInt_FMT " run now in %.1f s (targets included): %.0f points per hour\n",
                        s->o.output, total, s->npending, now - s->start, s->npending > 0 ? 3600.0 * s->npending / (now - s->start) : 0.0));
  PetscCall(GSLandscapeTableDestroy(&t));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppLandscape(MPI_Comm world)
{
  Sweep            s;
  GSLandscapeTable t;
  PetscBool        help, interrupted;
  PetscInt         total, npending, *pending;
  char             saved[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&s, sizeof(s)));
  PetscCall(SweepSetUp(world, &s, &help));
  if (!help) {
    total = GSSweepAxesSize(&s.axes);
    PetscCall(GSLandscapeTableCreate(total, GSLandscapeGetGallerySize(s.land), GSLandscapeHasGradient(s.land), &t));
    PetscCall(ReadJournal(&s, &t, &npending, &pending));
    PetscCall(GSLandscapeTableDestroy(&t));
    PetscCall(PetscPrintf(world,
                          "%" PetscInt_FMT " points (%" PetscInt_FMT " x %" PetscInt_FMT "), %" PetscInt_FMT " already in %s; %" PetscInt_FMT
                          " group(s) of %" PetscInt_FMT " rank(s); %" PetscInt_FMT " target(s), %s mode\n",
                          total, s.axes.n[0], s.axes.n[1], total - npending, s.journal.dir, s.groups.ngroups, s.groups.group_size,
                          GSLandscapeGetTargets(s.land), GSTargetModes[GSLandscapeGetTargetMode(s.land)]));
    PetscCall(GSSweepGroupsSetPending(&s.groups, npending, pending));
    PetscCall(PetscFree(pending));
    s.npending = npending;
    PetscCall(SweepRun(&s, total, npending, &interrupted));
    PetscCall(ReportLoadBalance(&s));
    if (interrupted) {
      PetscCall(GSJournalClose(world, &s.journal, PETSC_FALSE));
      PetscCall(PetscSNPrintf(saved, sizeof(saved), "finished points are saved in %s; run the same command again to continue", s.journal.dir));
      PetscCall(GSInterruptReport(world, s.o.output, saved));
    } else PetscCall(SweepFinish(&s, total));
  }
  PetscCall(GSSettingsDestroy(&s.settings));
  PetscCall(GSOutputUnlock(world));
  PetscCall(GSLandscapeDestroy(&s.land));
  PetscCall(GSSweepGroupsDestroy(&s.groups));
  PetscFunctionReturn(0);
}
