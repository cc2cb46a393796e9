/* gsinv targets: N steady states at one theta from seeded initial states, on groups of ranks,
   resumable, written as /targets/u and /targets/v [N][ny][nx]. */
#include <stdlib.h>
#include <string.h>

#include "gsinv/app/app.h"
#include "gsinv/model/initial.h"
#include "gsinv/core/interrupt.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"
#include "gsinv/solver/run.h"
#include "gsinv/sweep/sweep.h"
#include "gsinv/io/targets_file.h"

typedef struct {
  int64_t index;
  int32_t valid, reason;
  int64_t steps;
  double  final_change, seconds;
} TargetRecord;

typedef struct {
  GSSweepGroups    groups;
  GSModel          model;
  GSRun            run;
  GSInitialOptions init;
  Vec              X; /* the state of the target being run */
  GSJournal        journal;
  GSSettings       settings;
  char             output[PETSC_MAX_PATH_LEN];
  PetscInt         count;
  size_t           cells, record_size;
} Targets;

/* The one description of what determines the targets (journal signature, provenance). Group size
   counts: a simulation split over more ranks sums in another order. */
static PetscErrorCode TargetsSettings(Targets *t)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsCreate("targets", &t->settings));
  PetscCall(GSSettingsAddGrid(t->settings, GSModelGetGrid(t->model), GSModelGetParams(t->model)));
  PetscCall(GSSettingsAddTS(t->settings, GSRunGetTS(t->run)));
  PetscCall(GSSettingsAddReal(t->settings, "-gs_steady_tol", GSRunGetSteadyTol(t->run)));
  PetscCall(GSSettingsAddInt(t->settings, "-gs_targets", t->count));
  PetscCall(GSSettingsAddRecipe(t->settings, &t->init.recipe));
  PetscCall(GSSettingsAddInt(t->settings, "-gs_group_size", t->groups.group_size));
  PetscCall(GSSettingsAddGivenOptions(t->settings));
  PetscFunctionReturn(0);
}

static PetscErrorCode TargetsSetUp(MPI_Comm world, Targets *t, PetscBool *help)
{
  PetscFunctionBeginUser;
  PetscCall(GSSweepGroupsCreate(world, &t->groups));
  PetscCall(GSModelCreate(t->groups.group, &t->model));
  PetscCall(GSInitialOptionsFromOptions(t->groups.group, &t->init));
  PetscCall(GSRunCreate(t->model, 1e-4, 40000, &t->run));
  GSRunSetQuiet(t->run, PETSC_TRUE);
  t->count = 8;
  PetscCall(PetscStrncpy(t->output, "targets.h5", sizeof(t->output)));
  PetscOptionsBegin(world, NULL, "gsinv targets", "GSAppTargets");
  PetscCall(GSOptionsInt("-gs_targets", "Number of targets N (the paper: 512)", "GSAppTargets", t->count, &t->count, NULL));
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write (finished samples are kept in FILE.journal until it is)", "GSAppTargets", t->output,
                               t->output, sizeof(t->output), NULL));
  PetscOptionsEnd();
  PetscCheck(t->count >= 1 && t->count <= 1000000, world, PETSC_ERR_USER_INPUT, "-gs_targets %" PetscInt_FMT " must be in [1, 1000000]", t->count);
  PetscCall(GSOptionsCheckSize(world, "-gs_targets, -da_grid_x, -da_grid_y (every target's u and v)",
                               (PetscInt64)t->count * 2 * GSModelGetPatch(t->model)->nx * GSModelGetPatch(t->model)->ny, sizeof(double), INT64_MAX));
  PetscCheck(!t->init.file[0], world, PETSC_ERR_USER_INPUT, "-gs_initial: targets start from the seeded recipe (-gs_seed, -gs_sample)");
  PetscCall(GSAppHelpRequested(help));
  if (*help) PetscFunctionReturn(0);
  PetscCall(GSAppCheckOptionsUsed(world));
  PetscCall(GSAppBanner(world, "targets"));
  PetscCall(GSModelPrintSummary(t->model, PETSC_VIEWER_STDOUT_(world)));
  PetscCall(GSOutputCheckWritable(world, "-gs_output", t->output));
  t->cells       = (size_t)(GSModelGetPatch(t->model)->nx * GSModelGetPatch(t->model)->ny);
  t->record_size = sizeof(TargetRecord) + 2 * t->cells * sizeof(double);
  PetscCall(GSOutputCheckNotInput(world, "-gs_output", t->output));
  PetscCall(GSOutputLock(world, "-gs_output", t->output));
  PetscCall(TargetsSettings(t));
  PetscCall(GSJournalOpen(world, t->output, t->settings, t->record_size, &t->journal));
  PetscCall(GSInterruptInstall());
  PetscFunctionReturn(0);
}

/* Rank 0 reads the journal; done[i] says which samples exist (all ranks), data on rank 0. */
static PetscErrorCode TargetsRead(Targets *t, char **data, PetscInt *done)
{
  PetscMPIInt rank;
  size_t      n       = 0;
  void       *records = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(t->groups.world, &rank));
  for (PetscInt i = 0; i < t->count; i++) done[i] = 0;
  if (rank == 0) PetscCall(GSJournalReadAll(&t->journal, &n, &records));
  for (size_t r = 0; r < n; r++) {
    TargetRecord rec;
    memcpy(&rec, (char *)records + r * t->record_size, sizeof(rec));
    if (rec.index >= 0 && rec.index < t->count) done[rec.index] = (PetscInt)r + 1;
  }
  PetscCallMPI(MPI_Bcast(done, (PetscMPIInt)t->count, MPIU_INT, 0, t->groups.world));
  *data = records;
  PetscFunctionReturn(0);
}

/* One target: its seeded initial state run to the end; the record, then u and v gathered. */
static PetscErrorCode TargetPoint(void *ctx, PetscInt index, void *record, PetscBool *failed, PetscBool *interrupted)
{
  Targets        *t = ctx;
  GSInitialRecipe r = t->init.recipe;
  TargetRecord    rec;

  PetscFunctionBeginUser;
  r.sample += index;
  PetscCall(GSInitialRecipeFill(t->model, &r, t->X));
  PetscCall(GSRunSolve(t->run, t->X));
  *interrupted = (PetscBool)(GSRunGetReason(t->run) == GS_RUN_INTERRUPTED);
  if (*interrupted) PetscFunctionReturn(0);
  rec     = (TargetRecord){index,
                           GSRunReasonIsValid(GSRunGetReason(t->run)),
                           (int32_t)GSRunGetReason(t->run),
                           GSRunGetSteps(t->run),
                           GSRunGetStats(t->run)->max_change,
                           GSRunGetElapsed(t->run)};
  *failed = (PetscBool)!rec.valid;
  memcpy(record, &rec, sizeof(rec));
  PetscCall(GSFieldGather(GSModelGetGrid(t->model), t->X, 0, (PetscScalar *)((char *)record + sizeof(rec))));
  PetscCall(GSFieldGather(GSModelGetGrid(t->model), t->X, 1, (PetscScalar *)((char *)record + sizeof(rec)) + t->cells));
  PetscFunctionReturn(0);
}

static PetscErrorCode TargetReport(void *ctx, PetscInt index, const void *record, long done, long invalid)
{
  Targets     *t = ctx;
  TargetRecord rec;

  PetscFunctionBeginUser;
  memcpy(&rec, record, sizeof(rec));
  PetscCall(PetscPrintf(PETSC_COMM_SELF,
                        "[group %" PetscInt_FMT "] target %" PetscInt_FMT ": %s after %lld steps in %.2f s | %ld done this run, %ld invalid\n",
                        t->groups.group_id, index, GSRunReasonNames[rec.reason], (long long)rec.steps, rec.seconds, done, invalid));
  PetscFunctionReturn(0);
}

static PetscErrorCode TargetsRun(Targets *t, PetscBool *interrupted)
{
  PetscFunctionBeginUser;
  PetscCall(GSModelCreateGlobalVector(t->model, &t->X));
  PetscCall(GSSweepRun(&t->groups, &t->journal, t->record_size, TargetPoint, TargetReport, t, interrupted));
  PetscCall(VecDestroy(&t->X));
  PetscFunctionReturn(0);
}

/* Assembles the journal into the targets file and its .xmf sidecar (rank 0 holds the data; writes
   are collective). */
static PetscErrorCode TargetsWrite(Targets *t)
{
  const GSPatch *patch   = GSModelGetPatch(t->model);
  char          *records = NULL;
  PetscInt      *done;
  PetscScalar   *u = NULL, *v = NULL;
  PetscInt64    *steps, *valid, *reason;
  PetscMPIInt    rank;
  GSOutput       out;
  const char    *ts_type;
  PetscReal      dt;
  hsize_t        dims[3] = {(hsize_t)t->count, (hsize_t)patch->ny, (hsize_t)patch->nx}, n = (hsize_t)t->count;
  PetscInt       n_fields;
  GSXdmfSet sidecar = {"targets", 2, {"u", "v"}, {"/targets/u", "/targets/v"}, t->count, patch->nx, patch->ny, 0, patch->h, NULL, {NULL, NULL}, 0};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(t->groups.world, &rank));
  PetscCall(PetscMalloc4(t->count, &done, t->count, &steps, t->count, &valid, t->count, &reason));
  PetscCall(TargetsRead(t, &records, done));
  if (rank == 0) PetscCall(PetscMalloc2(t->count * t->cells, &u, t->count * t->cells, &v));
  for (PetscInt i = 0; i < t->count; i++) {
    TargetRecord rec = {0};
    PetscCheck(done[i], t->groups.world, PETSC_ERR_PLIB, "target %" PetscInt_FMT " is missing from %s", i, t->journal.dir);
    if (rank != 0) continue;
    const char *r = records + (size_t)(done[i] - 1) * t->record_size;
    memcpy(&rec, r, sizeof(rec));
    steps[i] = rec.steps, valid[i] = rec.valid, reason[i] = rec.reason;
    PetscCall(PetscArraycpy(u + i * t->cells, (const PetscScalar *)(r + sizeof(rec)), t->cells));
    PetscCall(PetscArraycpy(v + i * t->cells, (const PetscScalar *)(r + sizeof(rec)) + t->cells, t->cells));
  }
  PetscCall(GSRunGetScheme(t->run, &ts_type, &dt));
  PetscCall(GSOutputOpen(t->groups.world, "-gs_output", t->output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "targets", GSModelGetGrid(t->model), GSModelGetParams(t->model), (PetscInt64)t->init.recipe.seed, ts_type,
                                    dt));
  PetscCall(GSH5WriteRealArray(&out, "/targets/u", 3, dims, u));
  PetscCall(GSH5WriteRealArray(&out, "/targets/v", 3, dims, v));
  PetscCall(GSXdmfAddSlices(&out, "/targets/u", &n_fields));
  PetscCall(GSXdmfAddSlices(&out, "/targets/v", &n_fields));
  PetscCall(GSH5WriteIntArray(&out, "/targets/steps", 1, &n, steps));
  PetscCall(GSH5WriteIntArray(&out, "/targets/valid", 1, &n, valid));
  PetscCall(GSH5WriteIntArray(&out, "/targets/reason", 1, &n, reason));
  PetscCall(GSH5WriteAttributeInt(&out, "/targets", "seed", (PetscInt64)t->init.recipe.seed));
  PetscCall(GSH5WriteAttributeInt(&out, "/targets", "sample0", t->init.recipe.sample));
  PetscCall(GSH5WriteAttributeReal(&out, "/", "steady_tol", GSRunGetSteadyTol(t->run)));
  PetscCall(GSSettingsWriteAttributes(t->settings, &out));
  PetscCall(GSOutputClose(&out));
  PetscCall(GSXdmfWrite(t->groups.world, t->output, 1, &sidecar));
  PetscCall(PetscFree2(u, v));
  PetscCall(PetscFree4(done, steps, valid, reason));
  free(records);
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppTargets(MPI_Comm world)
{
  Targets   t;
  PetscBool help, interrupted = PETSC_FALSE, any;
  PetscInt *done, npending    = 0, *pending;
  char     *records, saved[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&t, sizeof(t)));
  PetscCall(TargetsSetUp(world, &t, &help));
  if (!help) {
    PetscCall(PetscMalloc2(t.count, &done, t.count, &pending));
    PetscCall(TargetsRead(&t, &records, done));
    free(records);
    for (PetscInt i = 0; i < t.count; i++)
      if (!done[i]) pending[npending++] = i;
    PetscCall(PetscPrintf(world,
                          "%" PetscInt_FMT " targets, %" PetscInt_FMT " already in %s; %" PetscInt_FMT " group(s) of %" PetscInt_FMT " rank(s)\n",
                          t.count, t.count - npending, t.journal.dir, t.groups.ngroups, t.groups.group_size));
    PetscCall(GSSweepGroupsSetPending(&t.groups, npending, pending));
    PetscCall(PetscFree2(done, pending));
    PetscCall(TargetsRun(&t, &interrupted));
    PetscCall(GSInterruptAnyRank(world, interrupted, &any));
    if (any) {
      PetscCall(GSJournalClose(world, &t.journal, PETSC_FALSE));
      PetscCall(PetscSNPrintf(saved, sizeof(saved), "finished targets are saved in %s; run the same command again to continue", t.journal.dir));
      PetscCall(GSInterruptReport(world, t.output, saved));
    } else {
      PetscCall(TargetsWrite(&t));
      PetscCall(GSJournalClose(world, &t.journal, PETSC_TRUE));
      PetscCall(PetscPrintf(world, "wrote %s: %" PetscInt_FMT " targets\n", t.output, t.count));
    }
  }
  PetscCall(GSSettingsDestroy(&t.settings));
  PetscCall(GSOutputUnlock(world));
  PetscCall(GSRunDestroy(&t.run));
  PetscCall(GSModelDestroy(&t.model));
  PetscCall(GSSweepGroupsDestroy(&t.groups));
  PetscFunctionReturn(0);
}
