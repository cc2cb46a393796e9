/* gsinv bench: in one run and at several grid sizes, the speed of a bare fused forward-Euler loop
   (the reference), the production forward path, the TS path and the adjoint gradient, next to the
   memory bandwidth of the machine; printed and written to HDF5 and CSV. */
#include <stdlib.h>

#include "gsinv/app/app.h"
#include "gsinv/bench/bench.h"
#include "gsinv/core/fpmode.h"
#include "gsinv/model/initial.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"

/* One size: N (N x N) or NXxNY; the message names the option and the value. */
static PetscErrorCode BenchParseSize(MPI_Comm comm, const char *text, PetscInt *nx, PetscInt *ny)
{
  char     *end;
  long long x, y;

  PetscFunctionBeginUser;
  x = strtoll(text, &end, 10);
  y = x;
  if (end != text && (*end == 'x' || *end == 'X')) y = strtoll(end + 1, &end, 10);
  PetscCheck(end != text && *end == 0 && x >= 3 && y >= 3, comm, PETSC_ERR_USER_INPUT,
             "-gs_bench_sizes '%s': each size is N (an N x N grid) or NXxNY, with N >= 3", text);
  PetscCheck(
    2.0 * (double)x * (double)y <= (double)PETSC_MAX_INT, comm, PETSC_ERR_USER_INPUT,
    "-gs_bench_sizes %s: 2 x %lld x %lld values exceed the %d-bit indices of this PETSc (largest square grid with 32-bit indices: 32767 x 32767); build with meson -Dpetsc_pkg=PETSc64",
    text, x, y, (int)(8 * sizeof(PetscInt)));
  *nx = (PetscInt)x;
  *ny = (PetscInt)y;
  PetscFunctionReturn(0);
}

/* -gs_bench_sizes (the n strings read, if set), or the one size of -da_grid_x/-da_grid_y (as before
   there were several). */
static PetscErrorCode BenchSizesRead(MPI_Comm comm, char **sizes, PetscInt n, PetscBool set, GSBenchOptions *o)
{
  PetscBool grid_x, grid_y;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-da_grid_x", &grid_x));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-da_grid_y", &grid_y));
  PetscCheck(!set || !(grid_x || grid_y), comm, PETSC_ERR_USER_INPUT,
             "-gs_bench_sizes and -da_grid_x/-da_grid_y: give the sizes one way (bench sets -da_grid_x/-da_grid_y for each size)");
  PetscCheck(!set || n > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_sizes needs at least one size (at most %d)", GS_BENCH_MAX_SIZES);
  if (set) {
    for (PetscInt i = 0; i < n; i++) PetscCall(BenchParseSize(comm, sizes[i], &o->nx[i], &o->ny[i]));
    for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree(sizes[i]));
    o->nsizes = n;
  } else if (grid_x || grid_y) {
    o->nsizes = 1;
    o->nx[0] = o->ny[0] = 128;
    PetscCall(GSOptionsCheckPetsc(comm, "-da_grid"));
    PetscCall(PetscOptionsGetInt(NULL, NULL, "-da_grid_x", &o->nx[0], NULL));
    PetscCall(PetscOptionsGetInt(NULL, NULL, "-da_grid_y", &o->ny[0], NULL));
  } else {
    o->nsizes = 3;
    o->nx[0] = o->ny[0] = 128;
    o->nx[1] = o->ny[1] = 1024;
    o->nx[2] = o->ny[2] = 4096;
  }
  PetscFunctionReturn(0);
}

/* -gs_bench_budgets: MiB caps of -gs_checkpoint_memory to time gradients under (0: no cap). */
static PetscErrorCode BenchBudgetsCheck(MPI_Comm comm, const GSBenchOptions *o)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < o->nbudgets; i++)
    PetscCheck(o->budget_mib[i] >= 0 && PetscIsNormalReal(o->budget_mib[i] + 1), comm, PETSC_ERR_USER_INPUT,
               "-gs_bench_budgets entry %g must be a finite number of MiB >= 0 (0: no cap)", (double)o->budget_mib[i]);
  PetscFunctionReturn(0);
}

static PetscErrorCode BenchOptionsRead(MPI_Comm comm, GSBenchOptions *o)
{
  char     *sizes[GS_BENCH_MAX_SIZES];
  PetscInt  n = GS_BENCH_MAX_SIZES, nbudgets = GS_BENCH_MAX_BUDGETS;
  PetscBool set, budgets_set;

  PetscFunctionBeginUser;
  o->steps          = 0;
  o->gradient_steps = 0;
  o->repeat         = 3;
  o->seconds        = 0.25;
  o->stream_mib     = 64;
  o->ts = o->gradient = o->bandwidth = PETSC_TRUE;
  PetscCall(PetscStrncpy(o->output, "bench.h5", sizeof(o->output)));
  PetscCall(PetscStrncpy(o->csv, "bench.csv", sizeof(o->csv)));
  PetscOptionsBegin(comm, NULL, "gsinv bench", "GSAppBench");
  PetscCall(GSOptionsStringArray("-gs_bench_sizes", "Grid sizes, N (N x N) or NXxNY, comma-separated (default 128,1024,4096)", "GSAppBench", sizes,
                                 &n, &set, 1));
  PetscCall(BenchSizesRead(comm, sizes, n, set, o));
  PetscCall(GSOptionsInt("-gs_bench_steps", "Steps per timed forward run (0: chosen per size to take about -gs_bench_seconds)", "GSAppBench",
                         o->steps, &o->steps, NULL));
  PetscCall(GSOptionsReal("-gs_bench_seconds", "Target duration of one timed run when the steps are chosen per size", "GSAppBench", o->seconds,
                          &o->seconds, NULL));
  PetscCall(GSOptionsInt("-gs_bench_repeat", "Timed runs per path (the fastest counts)", "GSAppBench", o->repeat, &o->repeat, NULL));
  PetscCall(GSOptionsBool("-gs_bench_ts", "Also time the TS path (and compare the production path with it)", "GSAppBench", o->ts, &o->ts, NULL));
  PetscCall(GSOptionsBool("-gs_bench_gradient", "Also time the adjoint gradient", "GSAppBench", o->gradient, &o->gradient, NULL));
  PetscCall(GSOptionsInt("-gs_bench_gradient_steps", "Steps of the timed gradient runs (0: chosen per size)", "GSAppBench", o->gradient_steps,
                         &o->gradient_steps, NULL));
  PetscCall(GSOptionsBool("-gs_bench_bandwidth", "Also measure the memory bandwidth (copy and triad)", "GSAppBench", o->bandwidth, &o->bandwidth,
                          NULL));
  PetscCall(GSOptionsRealArray("-gs_bench_budgets",
                               "Also time one gradient under each of these -gs_checkpoint_memory caps, MiB per rank (0: no cap), e.g. 64,512,0",
                               "GSAppBench", o->budget_mib, &nbudgets, &budgets_set, 1));
  o->nbudgets = budgets_set ? nbudgets : 0;
  PetscCall(GSOptionsInt("-gs_bench_stream_mib", "MiB per array and rank of the bandwidth probe (well above the last-level cache)", "GSAppBench",
                         o->stream_mib, &o->stream_mib, NULL));
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write (empty: none)", "GSAppBench", o->output, o->output, sizeof(o->output), NULL));
  PetscCall(PetscOptionsString("-gs_bench_csv", "CSV file to write, one row per size (empty: none)", "GSAppBench", o->csv, o->csv, sizeof(o->csv),
                               NULL));
  PetscOptionsEnd();
  PetscCheck(o->steps >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_steps %" PetscInt_FMT " must be >= 0", o->steps);
  PetscCheck(o->gradient_steps >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_gradient_steps %" PetscInt_FMT " must be >= 0", o->gradient_steps);
  PetscCheck(o->repeat > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_repeat %" PetscInt_FMT " must be positive", o->repeat);
  PetscCheck(o->seconds > 0 && o->seconds <= 600, comm, PETSC_ERR_USER_INPUT, "-gs_bench_seconds %g must be in (0, 600]", (double)o->seconds);
  PetscCheck(o->stream_mib > 0, comm, PETSC_ERR_USER_INPUT, "-gs_bench_stream_mib %" PetscInt_FMT " must be positive", o->stream_mib);
  PetscCall(BenchBudgetsCheck(comm, o));
  PetscFunctionReturn(0);
}

/* Before the first measurement: unknown options, banner, output paths, the bandwidth probe. */
static PetscErrorCode BenchStart(MPI_Comm comm, const GSBenchOptions *o, GSBenchBandwidth *bw)
{
  PetscFunctionBeginUser;
  PetscCall(GSAppCheckOptionsUsed(comm));
  PetscCall(GSAppBanner(comm, "bench"));
  if (o->output[0]) PetscCall(GSOutputCheckWritable(comm, "-gs_output", o->output));
  if (o->csv[0]) PetscCall(GSOutputCheckWritable(comm, "-gs_bench_csv", o->csv));
  PetscCall(PetscPrintf(comm, "denormals %s\n", GSFlushDenormalsActive() ? "flushed to zero (FTZ/DAZ)" : "not flushed"));
  bw->copy = bw->triad = 0;
  if (o->bandwidth) {
    PetscCall(GSBenchBandwidthMeasure(comm, o->stream_mib, bw));
    PetscCall(PetscPrintf(comm, "memory bandwidth (%" PetscInt_FMT " MiB arrays per rank, all ranks at once): copy %.2f GB/s, triad %.2f GB/s\n",
                          o->stream_mib, bw->copy, bw->triad));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppBench(MPI_Comm comm)
{
  GSInitialOptions init;
  GSBenchOptions   o;
  GSBenchRecord    recs[GS_BENCH_MAX_SIZES];
  GSBenchBandwidth bw = {0, 0};
  GSBenchSize      b;
  PetscBool        help;

  PetscFunctionBeginUser;
  /* main.c sets the mode for every subcommand; setting it here too makes what bench reports the
     mode it measured, whatever the start-up did. */
  PetscCall(GSFloatingPointModeFromOptions(comm));
  PetscCall(GSInitialOptionsFromOptions(comm, &init));
  PetscCall(BenchOptionsRead(comm, &o));
  PetscCall(GSAppHelpRequested(&help));
  PetscCall(PetscMemzero(recs, sizeof(recs)));
  if (help) { /* every object lists its options; a small grid does, whatever the sizes */
    PetscCall(GSBenchSizeCreate(comm, 8, 8, &init, &b));
    if (o.gradient) PetscCall(GSBenchSizeCreateGradient(&b, 100, &recs[0]));
    PetscCall(GSBenchSizeDestroy(&b));
    PetscFunctionReturn(0);
  }
  for (PetscInt i = 0; i < o.nsizes; i++) {
    PetscCall(GSBenchSizeCreate(comm, o.nx[i], o.ny[i], &init, &b));
    PetscCall(GSBenchSizeChooseSteps(&b, &o, &recs[i]));
    if (o.gradient) PetscCall(GSBenchSizeCreateGradient(&b, recs[i].gradient_steps, &recs[i]));
    if (i == 0) PetscCall(BenchStart(comm, &o, &bw));
    PetscCall(GSBenchSizeMeasure(&b, &o, &recs[i]));
    PetscCall(GSBenchPrintSize(comm, &recs[i], &bw, b.size));
    if (i == o.nsizes - 1) {
      PetscCall(GSBenchPrintSummary(comm, o.nsizes, recs, &bw));
      PetscCall(GSBenchWriteFiles(&b, &o, &init, recs, &bw));
    }
    PetscCall(GSBenchSizeDestroy(&b));
  }
  PetscFunctionReturn(0);
}
