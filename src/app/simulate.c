/* gsinv simulate: one run from the recipe or a file, written to one HDF5 file (+ XDMF sidecar). */
#include "gsinv/app/app.h"
#include "gsinv/model/initial.h"
#include "gsinv/core/interrupt.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"
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

static PetscErrorCode PrintOutcome(GSModel m, GSRun run, const char *path)
{
  const GSPatch *patch      = GSModelGetPatch(m);
  const double   cell_steps = (double)patch->nx * patch->ny * GSRunGetSteps(run);

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(GSModelGetComm(m), "%s after %" PetscInt_FMT " steps (max change %.3e) in %.2f s, %.3g cell-steps/s; wrote %s\n",
                        GSRunReasonNames[GSRunGetReason(run)], GSRunGetSteps(run), GSRunGetStats(run)->max_change, GSRunGetElapsed(run),
                        GSRunGetElapsed(run) > 0 ? cell_steps / GSRunGetElapsed(run) : 0.0, path));
  PetscFunctionReturn(0);
}

/* An interrupted run wrote its last state and snapshots: a new run can continue from that state. */
static PetscErrorCode SimulateReportInterrupted(MPI_Comm comm, GSRun run, const char *path)
{
  char saved[2 * PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(saved, sizeof(saved),
                          "the state after %" PetscInt_FMT
                          " steps and the snapshots so far are in %s (continue with -gs_initial %s and the steps left)",
                          GSRunGetSteps(run), path, path));
  PetscCall(GSInterruptReport(comm, path, saved));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppSimulate(MPI_Comm comm)
{
  GSModel          m;
  GSRun            run;
  GSInitialOptions init;
  SimulateOptions  opts;
  GSOutput         out;
  GSSnapshots      snaps = {0};
  PetscBool        help;
  Vec              X;

  PetscFunctionBeginUser;
  PetscCall(GSModelCreate(comm, &m));
  PetscCall(GSInitialOptionsFromOptions(comm, &init));
  PetscCall(SimulateOptionsRead(comm, &opts));
  PetscCall(GSRunCreate(m, 1e-4, 40000, &run));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(comm));
    PetscCall(GSAppBanner(comm, "simulate"));
    PetscCall(GSModelPrintSummary(m, PETSC_VIEWER_STDOUT_(comm)));
    PetscCall(GSRunCheckStability(run));
    PetscCall(GSOutputCheckNotInput(comm, "-gs_output", opts.output));
    PetscCall(GSOutputLock(comm, "-gs_output", opts.output));
    PetscCall(GSOutputOpen(comm, "-gs_output", opts.output, &out));
    PetscCall(DMCreateGlobalVector(GSModelGetDM(m), &X));
    PetscCall(GSInitialStateFill(m, &init, X));
    snaps.out  = &out;
    snaps.grid = GSModelGetGrid(m);
    PetscCall(GSRunSetSnapshot(run, opts.snapshot_every, AppendSnapshot, &snaps));
    PetscCall(GSInterruptInstall());
    PetscCall(GSRunSolve(run, X));
    PetscCall(WriteResult(&out, m, run, &init, &snaps, X));
    PetscCall(GSOutputClose(&out));
    PetscCall(WriteSidecar(m, run, &snaps, opts.output));
    PetscCall(PrintOutcome(m, run, opts.output));
    if (GSRunGetReason(run) == GS_RUN_INTERRUPTED) PetscCall(SimulateReportInterrupted(comm, run, opts.output));
    PetscCall(GSOutputUnlock(comm));
    PetscCall(GSSnapshotsDestroy(&snaps));
    PetscCall(VecDestroy(&X));
  }
  PetscCall(GSRunDestroy(&run));
  PetscCall(GSModelDestroy(&m));
  PetscFunctionReturn(0);
}
