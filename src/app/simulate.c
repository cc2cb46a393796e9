/* gsinv simulate: one run from the recipe or a file, written to one HDF5 file (+ XDMF sidecar); a run
   stopped by a signal is continued by the same command. */
#include <stdlib.h>
#include <unistd.h>

#include "gsinv/app/app.h"
#include "gsinv/model/initial.h"
#include "gsinv/core/interrupt.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"
#include "gsinv/io/record.h"
#include "gsinv/io/settings.h"
#include "gsinv/solver/run.h"

typedef struct {
  char     output[PETSC_MAX_PATH_LEN];
  PetscInt snapshot_every;
} SimulateOptions;

static PetscErrorCode SimulateOptionsRead(MPI_Comm comm, SimulateOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(o->output, "simulate.h5", sizeof(o->output)));
  o->snapshot_every = 0;
  PetscOptionsBegin(comm, NULL, "gsinv simulate", "GSAppSimulate");
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write (an .xmf sidecar is written beside it)", "GSAppSimulate", o->output, o->output,
                               sizeof(o->output), NULL));
  PetscCall(GSOptionsInt("-gs_snapshot_every", "Write the state every N steps to /snapshots (0: none)", "GSAppSimulate", o->snapshot_every,
                         &o->snapshot_every, NULL));
  PetscOptionsEnd();
  PetscCheck(o->snapshot_every >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_snapshot_every %" PetscInt_FMT " must be >= 0", o->snapshot_every);
  PetscFunctionReturn(0);
}

static PetscErrorCode AppendSnapshot(GSRun run, PetscInt step, Vec X, void *ctx)
{
  PetscFunctionBeginUser;
  (void)run;
  PetscCall(GSSnapshotsAppend((GSSnapshots *)ctx, step, X));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteResult(GSOutput *out, GSModel m, GSRun run, const GSInitialOptions *init, GSSnapshots *snaps, Vec X)
{
  const char *ts_type;
  PetscReal   dt;

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(run, &ts_type, &dt));
  PetscCall(GSStateWrite(out, GSModelGetGrid(m), "/state", X));
  PetscCall(GSSnapshotsWriteSteps(snaps));
  for (int c = 0; c < 4; c++) {
    static const char *fields[4] = {"/state/u", "/state/v", "/snapshots/u", "/snapshots/v"};
    PetscInt           n;
    if (c < 2 || snaps->count) PetscCall(GSXdmfAddSlices(out, fields[c], &n));
  }
  PetscCall(GSOutputWriteProvenance(out, "simulate", GSModelGetGrid(m), GSModelGetParams(m), (PetscInt64)init->recipe.seed, ts_type, dt));
  PetscCall(GSH5WriteAttributeInt(out, "/", "sample", init->recipe.sample));
  PetscCall(GSH5WriteAttributeString(out, "/", "initial", init->file[0] ? init->file : "recipe"));
  PetscCall(GSH5WriteAttributeInt(out, "/", "steps", GSRunGetSteps(run)));
  PetscCall(GSH5WriteAttributeString(out, "/", "reason", GSRunReasonNames[GSRunGetReason(run)]));
  PetscCall(GSH5WriteAttributeInt(out, "/", "valid", GSRunReasonIsValid(GSRunGetReason(run))));
  PetscCall(GSH5WriteAttributeReal(out, "/", "steady_tol", GSRunGetSteadyTol(run)));
  PetscCall(GSH5WriteAttributeReal(out, "/", "final_max_change", GSRunGetStats(run)->max_change));
  PetscFunctionReturn(0);
}

/* The .xmf sidecar: the final state, or the snapshots as time steps at step x dt ending with the
   final state (Xdmf3 shows only the series of a file that has one). */
static PetscErrorCode WriteSidecar(GSModel m, GSRun run, const GSSnapshots *snaps, const char *path)
{
  const GSPatch *patch = GSModelGetPatch(m);
  GSXdmfSet      set   = {"state", 2, {"u", "v"}, {"/state/u", "/state/v"}, 0, patch->nx, patch->ny, 0, patch->h, NULL, {NULL, NULL}, 0};
  const char    *ts_type;
  PetscReal      dt, *times;

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(run, &ts_type, &dt));
  PetscCall(PetscMalloc1(snaps->count + 1, &times));
  for (PetscInt t = 0; t < snaps->count; t++) times[t] = (PetscReal)snaps->steps[t] * dt;
  if (snaps->count) {
    set = (GSXdmfSet){"snapshots", 2,     {"u", "v"},   {"/snapshots/u", "/snapshots/v"}, snaps->count, patch->nx, patch->ny, 0,
                      patch->h,    times, {NULL, NULL}, GSRunGetSteps(run) * dt};
    if (snaps->steps[snaps->count - 1] != GSRunGetSteps(run)) set.last[0] = "/state/u", set.last[1] = "/state/v";
  }
  PetscCall(GSXdmfWrite(GSModelGetComm(m), path, 1, &set));
  PetscCall(PetscFree(times));
  PetscFunctionReturn(0);
}

/* first: the step the run started from (a continued run), for the rate of this run's own steps */
static PetscErrorCode PrintOutcome(GSModel m, GSRun run, PetscInt64 first, const char *path)
{
  const GSPatch *patch      = GSModelGetPatch(m);
  const double   cell_steps = (double)patch->nx * patch->ny * (double)(GSRunGetSteps(run) - first);

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(GSModelGetComm(m), "%s after %" PetscInt_FMT " steps (max change %.3e) in %.2f s, %.3g cell-steps/s; wrote %s\n",
                        GSRunReasonNames[GSRunGetReason(run)], GSRunGetSteps(run), GSRunGetStats(run)->max_change, GSRunGetElapsed(run),
                        GSRunGetElapsed(run) > 0 ? cell_steps / GSRunGetElapsed(run) : 0.0, path));
  PetscFunctionReturn(0);
}

/* An interrupted run wrote its last state and snapshots: the same command continues it. */
static PetscErrorCode SimulateReportInterrupted(MPI_Comm comm, GSRun run, const char *path)
{
  char saved[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(saved, sizeof(saved),
                          "the state after %" PetscInt_FMT " steps and the snapshots so far are in %s (the same command continues it)",
                          GSRunGetSteps(run), path));
  PetscCall(GSInterruptReport(comm, path, saved));
  PetscFunctionReturn(0);
}

typedef struct {
  MPI_Comm         comm;
  GSModel          m;
  GSRun            run;
  GSInitialOptions init;
  SimulateOptions  opts;
  GSSettings       settings;
  GSSimulationHead earlier; /* an interrupted run in the output file, to continue */
} Simulate;

/* What determines the result (a continued run must match it); -ts_max_steps may grow. */
static PetscErrorCode SimulateSettings(Simulate *s)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsCreate("simulate", &s->settings));
  PetscCall(GSSettingsAddGrid(s->settings, GSModelGetGrid(s->m), GSModelGetParams(s->m)));
  PetscCall(GSSettingsAddTS(s->settings, GSRunGetTS(s->run)));
  PetscCall(GSSettingsAddReal(s->settings, "-gs_steady_tol", GSRunGetSteadyTol(s->run)));
  if (s->init.file[0]) PetscCall(GSSettingsAddString(s->settings, "-gs_initial", s->init.file));
  else PetscCall(GSSettingsAddRecipe(s->settings, &s->init.recipe));
  PetscCall(GSSettingsAddInt(s->settings, "-gs_snapshot_every", s->opts.snapshot_every));
  PetscCall(GSSettingsAddGivenOptions(s->settings));
  PetscCall(GSSettingsRemove(s->settings, "-ts_max_steps"));
  PetscFunctionReturn(0);
}

/* Rank 0 reads the head of an existing output: an interrupted simulate run of the same settings is
   continued, one of other settings refused; any other file is replaced, as before. */
static PetscErrorCode SimulateCheckEarlier(Simulate *s, PetscInt max_steps, char *msg, size_t len)
{
  static char sig[65536];
  char        where[PETSC_MAX_PATH_LEN + 48], why[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  GSSimulationReadHead(s->opts.output, &s->earlier, sig, sizeof(sig), why, sizeof(why));
  if (!s->earlier.interrupted) PetscFunctionReturn(0); /* not a run to continue (or not HDF5): replaced */
  PetscCall(PetscSNPrintf(where, sizeof(where), "the interrupted run -gs_output %s", s->opts.output));
  if (why[0]) PetscCall(PetscSNPrintf(msg, len, "-gs_output %s: %s: cannot continue it; remove it or choose another file", s->opts.output, why));
  else PetscCall(GSSettingsCompare(s->settings, sig, where, "remove it or choose another -gs_output", msg, len));
  if (!msg[0] && s->earlier.steps >= max_steps)
    PetscCall(PetscSNPrintf(msg, len, "-ts_max_steps %" PetscInt_FMT ": %s has already taken %lld steps (raise -ts_max_steps to continue it)",
                            max_steps, where, (long long)s->earlier.steps));
  PetscFunctionReturn(0);
}

/* Every rank learns whether the output holds a run to continue, from which step, and the steps of
   its snapshots (into snaps; rank 0 frees what it read). */
static PetscErrorCode SimulateReadEarlier(Simulate *s, GSSnapshots *snaps)
{
  PetscMPIInt rank;
  PetscInt    max_steps;
  char        msg[2 * PETSC_MAX_PATH_LEN + 2600] = "";
  int64_t     info[3]                            = {0, 0, 0}; /* interrupted, steps, snapshots */

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(s->comm, &rank));
  PetscCall(TSGetMaxSteps(GSRunGetTS(s->run), &max_steps));
  if (rank == 0 && access(s->opts.output, F_OK) == 0) {
    PetscCall(SimulateCheckEarlier(s, max_steps, msg, sizeof(msg)));
    info[0] = s->earlier.interrupted, info[1] = s->earlier.steps, info[2] = msg[0] ? 0 : s->earlier.nsnapshots;
    if (info[2]) PetscCall(PetscMalloc1(info[2], &snaps->steps));
    if (info[2]) PetscCall(PetscArraycpy(snaps->steps, s->earlier.snapshot_steps, info[2]));
    free(s->earlier.snapshot_steps);
    s->earlier.snapshot_steps = NULL;
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, s->comm));
  PetscCheck(!msg[0], s->comm, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscCallMPI(MPI_Bcast(info, 3, MPI_INT64_T, 0, s->comm));
  s->earlier.interrupted = (PetscBool)info[0], s->earlier.steps = info[1];
  snaps->count = snaps->capacity = (PetscInt)info[2];
  if (rank != 0 && info[2]) PetscCall(PetscMalloc1(info[2], &snaps->steps));
  if (info[2]) PetscCallMPI(MPI_Bcast(snaps->steps, (PetscMPIInt)info[2], MPI_INT64_T, 0, s->comm));
  PetscFunctionReturn(0);
}

/* A new output from the initial state, or the interrupted one continued from its last state. */
static PetscErrorCode SimulateStart(Simulate *s, GSOutput *out, GSSnapshots *snaps, Vec X)
{
  PetscFunctionBeginUser;
  snaps->out  = out;
  snaps->grid = GSModelGetGrid(s->m);
  if (!s->earlier.interrupted) {
    PetscCall(GSOutputOpen(s->comm, "-gs_output", s->opts.output, out));
    PetscCall(GSInitialStateFill(s->m, &s->init, X));
    PetscFunctionReturn(0);
  }
  PetscCall(GSStateRead(GSModelGetGrid(s->m), "-gs_output", s->opts.output, X));
  PetscCall(GSOutputOpenToContinue(s->comm, "-gs_output", s->opts.output, out));
  GSRunSetFirstStep(s->run, (PetscInt)s->earlier.steps);
  PetscCall(PetscPrintf(s->comm, "continuing the interrupted run in %s from step %lld (%" PetscInt_FMT " snapshots)\n", s->opts.output,
                        (long long)s->earlier.steps, snaps->count));
  PetscFunctionReturn(0);
}

static PetscErrorCode SimulateRun(Simulate *s)
{
  GSOutput    out;
  GSSnapshots snaps = {0};
  Vec         X;

  PetscFunctionBeginUser;
  PetscCall(GSAppCheckOptionsUsed(s->comm));
  PetscCall(GSAppBanner(s->comm, "simulate"));
  PetscCall(GSModelPrintSummary(s->m, PETSC_VIEWER_STDOUT_(s->comm)));
  PetscCall(GSRunCheckStability(s->run));
  PetscCall(GSOutputCheckNotInput(s->comm, "-gs_output", s->opts.output));
  PetscCall(GSOutputLock(s->comm, "-gs_output", s->opts.output));
  PetscCall(SimulateSettings(s));
  PetscCall(SimulateReadEarlier(s, &snaps));
  PetscCall(GSModelCreateGlobalVector(s->m, &X));
  PetscCall(SimulateStart(s, &out, &snaps, X));
  PetscCall(GSRunSetSnapshot(s->run, s->opts.snapshot_every, AppendSnapshot, &snaps));
  PetscCall(GSInterruptInstall());
  PetscCall(GSRunSolve(s->run, X));
  PetscCall(WriteResult(&out, s->m, s->run, &s->init, &snaps, X));
  PetscCall(GSSettingsWriteAttributes(s->settings, &out));
  PetscCall(GSOutputClose(&out));
  PetscCall(WriteSidecar(s->m, s->run, &snaps, s->opts.output));
  PetscCall(PrintOutcome(s->m, s->run, s->earlier.steps, s->opts.output));
  if (GSRunGetReason(s->run) == GS_RUN_INTERRUPTED) PetscCall(SimulateReportInterrupted(s->comm, s->run, s->opts.output));
  PetscCall(GSOutputUnlock(s->comm));
  PetscCall(GSSnapshotsDestroy(&snaps));
  PetscCall(VecDestroy(&X));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppSimulate(MPI_Comm comm)
{
  Simulate  s = {0};
  PetscBool help;

  PetscFunctionBeginUser;
  s.comm = comm;
  PetscCall(GSModelCreate(comm, &s.m));
  PetscCall(GSInitialOptionsFromOptions(comm, &s.init));
  PetscCall(SimulateOptionsRead(comm, &s.opts));
  PetscCall(GSRunCreate(s.m, 1e-4, 40000, &s.run));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) PetscCall(SimulateRun(&s));
  PetscCall(GSSettingsDestroy(&s.settings));
  PetscCall(GSRunDestroy(&s.run));
  PetscCall(GSModelDestroy(&s.m));
  PetscFunctionReturn(0);
}
