/* The report of gsinv bench: the columns (names, meanings, values), the terminal tables, and the
   CSV and HDF5 files. */
#include <math.h>
#include <stdio.h>

#include "gsinv/bench/bench.h"
#include "gsinv/core/fpmode.h"
#include "gsinv/io/h5file.h"
#include "gsinv/solver/run.h"

/* The least traffic a forward step can cause: read one state and write one, two doubles per cell
   each. A step at bandwidth B cannot go faster than B / 32 cell-steps per second from memory. */
#define GS_BENCH_FLOOR_BYTES 32.0

/* The real-valued columns of the CSV file and of /bench in the HDF5 file, and their meaning. */
enum {
  COL_BARE_SECONDS,
  COL_BARE_RATE,
  COL_PRODUCTION_SECONDS,
  COL_PRODUCTION_RATE,
  COL_PRODUCTION_VS_BARE,
  COL_PRODUCTION_BYTES,
  COL_PRODUCTION_SHARE,
  COL_BARE_BYTES,
  COL_BARE_SHARE,
  COL_TS_SECONDS,
  COL_TS_RATE,
  COL_TS_VS_BARE,
  COL_HALO_STEP,
  COL_FORWARD_SECONDS,
  COL_GRADIENT_SECONDS,
  COL_FORWARD_STEP,
  COL_ADJOINT_STEP,
  COL_RECOMPUTE_STEP,
  COL_GRADIENT_ADDS_STEP,
  COL_ADJOINT_VS_FORWARD,
  COL_GRADIENT_VS_FORWARD,
  COL_ADJOINT_VS_TS,
  COL_DIFF_PRODUCTION_TS,
  COL_DIFF_PRODUCTION_BARE,
  COL_BANDWIDTH_COPY,
  COL_BANDWIDTH_TRIAD,
  COL_PEAK_MIB,
  COL_STATE_MIB,
  COL_PEAK_FORWARD_MIB,
  COL_PEAK_GRADIENT_MIB,
  COL_RECOMPUTED_PER_STEP,
  COL_N
};

static const char *const column_names[COL_N] = {
  "bare_seconds",
  "bare_rate",
  "production_seconds",
  "production_rate",
  "production_vs_bare",
  "production_bytes_per_cell_step",
  "production_bandwidth_share",
  "bare_bytes_per_cell_step",
  "bare_bandwidth_share",
  "ts_seconds",
  "ts_rate",
  "ts_vs_bare",
  "halo_seconds_per_step",
  "forward_seconds",
  "gradient_seconds",
  "forward_step_seconds",
  "adjoint_step_seconds",
  "recompute_step_seconds",
  "gradient_added_step_seconds",
  "adjoint_vs_forward",
  "gradient_vs_forward",
  "adjoint_vs_ts_step",
  "diff_production_ts",
  "diff_production_bare",
  "bandwidth_copy_gbs",
  "bandwidth_triad_gbs",
  "peak_rss_mib",
  "state_mib",
  "forward_peak_rss_mib",
  "gradient_peak_rss_mib",
  "gradient_recomputed_per_step",
};

static const char *const column_meanings[COL_N] = {
  "fastest timed run of the bare fused loop (one rank: the whole grid; several: each rank's patch alone, no communication)",
  "cell-steps per second of the bare loop (all ranks)",
  "fastest timed run of the production path (GSRunSolve, fused Euler with the run checks)",
  "cell-steps per second of the production path",
  "production rate / bare rate",
  "memory bandwidth / production rate (bytes per cell-step the measured bandwidth allows)",
  "32 bytes per cell-step x production rate / bandwidth (above 1: the grid works from cache)",
  "memory bandwidth / bare rate",
  "32 bytes per cell-step x bare rate / bandwidth",
  "fastest timed run of the TS path (TSRK 1fe, run checks in the post-step)",
  "cell-steps per second of the TS path",
  "TS rate / bare rate",
  "one ghost exchange of the state: GSHaloExchange (the patch edges, as the production path on several ranks; one rank wraps its own)",
  "production forward run and loss (GSGradientLoss) over gradient_steps steps",
  "forward run with checkpoints and adjoint (GSGradientAdjoint) over gradient_steps steps",
  "forward_seconds / gradient_steps: one production forward step",
  "one adjoint step: the time of the backward sweeps (lambda_n and mu from lambda_{n+1}, with lambda's halo exchange) / their number",
  "recomputation of the checkpointed segments (forward steps from each checkpoint) / number of adjoint steps",
  "(gradient_seconds - forward_seconds) / gradient_steps: what a gradient adds per step (recomputation, adjoint step, checkpoint copies)",
  "adjoint_step_seconds / forward_step_seconds",
  "gradient_seconds / forward_seconds: a gradient's cost in forward runs",
  "adjoint_step_seconds / (ts_seconds / steps)",
  "max |x_production - x_TS| after steps steps",
  "max |x_production - x_bare| after steps steps (one rank)",
  "copy bandwidth (a = s b, 16 bytes per element), all ranks at once, GB/s",
  "triad bandwidth (a = b + s c, 24 bytes per element), all ranks at once, GB/s",
  "peak resident memory of this size's measurements (the larger of the forward and gradient peaks), largest over the ranks, MiB",
  "one state (u and v, 16 bytes a cell) on the largest patch, MiB per rank",
  "resident-memory high-water mark of the forward paths alone (bare, production, TS; reset before them), largest over the ranks, MiB",
  "resident-memory high-water mark of the timed gradients alone (reset before them), largest over the ranks, MiB",
  "forward steps the timed gradient recomputed (checkpoint schedule and segment refills) per step",
};

/* The bandwidth against which cell-step rates are judged: the better of copy and triad. */
static double BenchBandwidthBest(const GSBenchBandwidth *bw)
{
  return PetscMax(bw->copy, bw->triad) * 1e9;
}

/* A column's value for one record, or NaN where it was not measured. */
static double BenchValue(const GSBenchRecord *r, const GSBenchBandwidth *bw, int col)
{
  const double cs = (double)r->nx * r->ny, bw_best = BenchBandwidthBest(bw), nan = NAN;
  const double bare = r->t_bare > 0 ? cs * r->steps / r->t_bare : nan, production = cs * r->steps / r->t_production;
  const double ts = r->t_ts > 0 ? cs * r->steps / r->t_ts : nan, fwd = r->t_forward > 0 ? r->t_forward / r->gradient_steps : nan;
  const double adj   = r->t_gradient > 0 && r->backward_steps > 0 ? r->t_backward / r->backward_steps : nan;
  const double added = r->t_gradient > 0 ? (r->t_gradient - r->t_forward) / r->gradient_steps : nan;

  switch (col) {
  case COL_BARE_SECONDS:
    return r->t_bare > 0 ? r->t_bare : nan;
  case COL_BARE_RATE:
    return bare;
  case COL_PRODUCTION_SECONDS:
    return r->t_production;
  case COL_PRODUCTION_RATE:
    return production;
  case COL_PRODUCTION_VS_BARE:
    return production / bare;
  case COL_PRODUCTION_BYTES:
    return bw_best > 0 ? bw_best / production : nan;
  case COL_PRODUCTION_SHARE:
    return bw_best > 0 ? GS_BENCH_FLOOR_BYTES * production / bw_best : nan;
  case COL_BARE_BYTES:
    return bw_best > 0 ? bw_best / bare : nan;
  case COL_BARE_SHARE:
    return bw_best > 0 ? GS_BENCH_FLOOR_BYTES * bare / bw_best : nan;
  case COL_TS_SECONDS:
    return r->t_ts > 0 ? r->t_ts : nan;
  case COL_TS_RATE:
    return ts;
  case COL_TS_VS_BARE:
    return ts / bare;
  case COL_HALO_STEP:
    return r->t_halo_step;
  case COL_FORWARD_SECONDS:
    return r->t_forward > 0 ? r->t_forward : nan;
  case COL_GRADIENT_SECONDS:
    return r->t_gradient > 0 ? r->t_gradient : nan;
  case COL_FORWARD_STEP:
    return fwd;
  case COL_ADJOINT_STEP:
    return adj;
  case COL_RECOMPUTE_STEP:
    return r->t_gradient > 0 && r->backward_steps > 0 ? r->t_recompute / r->backward_steps : nan;
  case COL_GRADIENT_ADDS_STEP:
    return added;
  case COL_ADJOINT_VS_FORWARD:
    return adj / fwd;
  case COL_GRADIENT_VS_FORWARD:
    return r->t_gradient > 0 ? r->t_gradient / r->t_forward : nan;
  case COL_ADJOINT_VS_TS:
    return adj / (r->t_ts / r->steps);
  case COL_DIFF_PRODUCTION_TS:
    return r->diff_production_ts >= 0 ? r->diff_production_ts : nan;
  case COL_DIFF_PRODUCTION_BARE:
    return r->diff_production_bare >= 0 ? r->diff_production_bare : nan;
  case COL_BANDWIDTH_COPY:
    return bw->copy > 0 ? bw->copy : nan;
  case COL_BANDWIDTH_TRIAD:
    return bw->triad > 0 ? bw->triad : nan;
  case COL_PEAK_MIB:
    return r->peak_mib;
  case COL_STATE_MIB:
    return r->state_mib;
  case COL_PEAK_FORWARD_MIB:
    return r->peak_forward_mib > 0 ? r->peak_forward_mib : nan;
  case COL_PEAK_GRADIENT_MIB:
    return r->peak_gradient_mib > 0 ? r->peak_gradient_mib : nan;
  case COL_RECOMPUTED_PER_STEP:
    return r->t_gradient > 0 ? r->recomputed_per_step : nan;
  default:
    return nan;
  }
}

/* A number for the terminal: "-" where not measured. */
static const char *Fmt(char *buf, size_t len, const char *format, double value)
{
  if (PetscIsNanReal(value) || PetscIsInfReal(value)) snprintf(buf, len, "-");
  else snprintf(buf, len, format, value);
  return buf;
}

static PetscErrorCode BenchPrintPath(MPI_Comm comm, const char *name, double seconds, double rate, double ratio, double bytes, double share)
{
  char s[5][32];

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "  %-40s %9s %13s %8s %12s %8s\n", name, Fmt(s[0], 32, "%.4f", seconds), Fmt(s[1], 32, "%.4g", rate),
                        Fmt(s[2], 32, "%.3f", ratio), Fmt(s[3], 32, "%.1f", bytes), Fmt(s[4], 32, "%.0f%%", 100 * share)));
  PetscFunctionReturn(0);
}

PetscErrorCode GSBenchPrintSize(MPI_Comm comm, const GSBenchRecord *r, const GSBenchBandwidth *bw, PetscMPIInt size)
{
  double v[COL_N];
  char   s[3][32];

  PetscFunctionBeginUser;
  for (int c = 0; c < COL_N; c++) v[c] = BenchValue(r, bw, c);
  PetscCall(PetscPrintf(comm, "grid %" PetscInt_FMT " x %" PetscInt_FMT ": %" PetscInt_FMT " steps per forward run, %d rank%s\n", r->nx, r->ny,
                        r->steps, size, size > 1 ? "s" : ""));
  PetscCall(PetscPrintf(comm, "  %-40s %9s %13s %8s %12s %8s\n", "path", "seconds", "cell-steps/s", "vs bare", "B/cell-step", "of BW"));
  PetscCall(BenchPrintPath(comm, size == 1 ? "bare fused loop (reference)" : "bare fused loop (each rank's patch alone)", v[COL_BARE_SECONDS],
                           v[COL_BARE_RATE], v[COL_BARE_RATE] / v[COL_BARE_RATE], v[COL_BARE_BYTES], v[COL_BARE_SHARE]));
  PetscCall(BenchPrintPath(comm, "production path (fused Euler + checks)", v[COL_PRODUCTION_SECONDS], v[COL_PRODUCTION_RATE],
                           v[COL_PRODUCTION_VS_BARE], v[COL_PRODUCTION_BYTES], v[COL_PRODUCTION_SHARE]));
  PetscCall(BenchPrintPath(comm, "TS path (TSRK 1fe + run checks)", v[COL_TS_SECONDS], v[COL_TS_RATE], v[COL_TS_VS_BARE], NAN, NAN));
  PetscCall(PetscPrintf(comm, "  halo exchange (%s): %.3g s per step\n",
                        size > 1 ? "GSHaloExchange, the patch edges" : "GSHaloExchange onto itself: one rank needs none", v[COL_HALO_STEP]));
  if (r->t_gradient > 0) {
    PetscCall(PetscPrintf(comm, "  gradient over %" PetscInt_FMT " steps: forward %.4f s, forward + adjoint %.4f s (%.2f forward runs)\n",
                          r->gradient_steps, r->t_forward, r->t_gradient, v[COL_GRADIENT_VS_FORWARD]));
    PetscCall(PetscPrintf(
      comm,
      "    one adjoint step %.3g s = %.2f x a production step (%s x a TS step); recomputing the checkpointed states %.3g s per step; all a gradient adds per step %.3g s = %.2f x a production step\n",
      v[COL_ADJOINT_STEP], v[COL_ADJOINT_VS_FORWARD], Fmt(s[0], 32, "%.2f", v[COL_ADJOINT_VS_TS]), v[COL_RECOMPUTE_STEP], v[COL_GRADIENT_ADDS_STEP],
      v[COL_GRADIENT_ADDS_STEP] / v[COL_FORWARD_STEP]));
  }
  PetscCall(PetscPrintf(comm, "  max |x_production - x_TS| = %s, max |x_production - x_bare| = %s\n",
                        Fmt(s[1], 32, "%.3e", v[COL_DIFF_PRODUCTION_TS]), Fmt(s[2], 32, "%.3e", v[COL_DIFF_PRODUCTION_BARE])));
  PetscCall(PetscPrintf(
    comm,
    "  memory per rank: a state %.1f MiB; peak %.0f MiB in the forward paths (%.1f states), %s MiB in the gradients (%s steps recomputed per step)\n",
    r->state_mib, r->peak_forward_mib, r->peak_forward_mib / r->state_mib, Fmt(s[0], 32, "%.0f", v[COL_PEAK_GRADIENT_MIB]),
    Fmt(s[1], 32, "%.2f", v[COL_RECOMPUTED_PER_STEP])));
  if (r->gradient_cap_mib > 0)
    PetscCall(PetscPrintf(comm,
                          "  (the timed gradient ran under -gs_checkpoint_memory %s MiB: the cap given holds fewer than 3 states of this size)\n",
                          Fmt(s[0], 32, "%g", r->gradient_cap_mib)));
  for (PetscInt i = 0; i < r->nbudgets; i++) {
    const GSBenchBudget *b = &r->budgets[i];
    if (b->seconds < 0) {
      PetscCall(PetscPrintf(comm, "  gradient under -gs_checkpoint_memory %s MiB: refused, fewer than 3 states of %.1f MiB fit\n",
                            Fmt(s[2], 32, "%g", b->budget_mib), r->state_mib));
      continue;
    }
    PetscCall(
      PetscPrintf(comm,
                  "  gradient under -gs_checkpoint_memory %s: %.3f s = %.2f forward runs, %.2f steps recomputed per step, segments of %" PetscInt_FMT
                  ", %" PetscInt_FMT " slots in memory, peak %.0f MiB\n",
                  b->budget_mib > 0 ? Fmt(s[2], 32, "%g MiB", b->budget_mib) : "(no cap)", b->seconds, b->vs_forward, b->recomputed_per_step,
                  b->segment_length, b->memory_slots, b->peak_mib));
  }
  PetscFunctionReturn(0);
}

/* The one-screen summary of every size. */
PetscErrorCode GSBenchPrintSummary(MPI_Comm comm, PetscInt n, const GSBenchRecord *recs, const GSBenchBandwidth *bw)
{
  char s[9][32];

  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "\nsummary (bandwidth: copy %.2f GB/s, triad %.2f GB/s; floor %.0f bytes per cell-step)\n", bw->copy, bw->triad,
                        GS_BENCH_FLOOR_BYTES));
  PetscCall(PetscPrintf(comm, "%-12s %11s %11s %9s %8s %8s %8s %11s %9s %10s %9s\n", "grid", "bare c-s/s", "prod c-s/s", "prod/bare", "TS/bare",
                        "B/c-s", "of BW", "adjoint/fwd", "grad/fwd", "|prod-TS|", "peak MiB"));
  for (PetscInt i = 0; i < n; i++) {
    const GSBenchRecord *r = &recs[i];
    char                 grid[32];
    PetscCall(PetscSNPrintf(grid, sizeof(grid), "%" PetscInt_FMT "x%" PetscInt_FMT, r->nx, r->ny));
    PetscCall(PetscPrintf(comm, "%-12s %11s %11s %9s %8s %8s %8s %11s %9s %10s %9.0f\n", grid,
                          Fmt(s[0], 32, "%.4g", BenchValue(r, bw, COL_BARE_RATE)), Fmt(s[1], 32, "%.4g", BenchValue(r, bw, COL_PRODUCTION_RATE)),
                          Fmt(s[2], 32, "%.3f", BenchValue(r, bw, COL_PRODUCTION_VS_BARE)), Fmt(s[3], 32, "%.3f", BenchValue(r, bw, COL_TS_VS_BARE)),
                          Fmt(s[4], 32, "%.1f", BenchValue(r, bw, COL_PRODUCTION_BYTES)),
                          Fmt(s[5], 32, "%.0f%%", 100 * BenchValue(r, bw, COL_PRODUCTION_SHARE)),
                          Fmt(s[6], 32, "%.2f", BenchValue(r, bw, COL_ADJOINT_VS_FORWARD)),
                          Fmt(s[8], 32, "%.2f", BenchValue(r, bw, COL_GRADIENT_VS_FORWARD)),
                          Fmt(s[7], 32, "%.1e", BenchValue(r, bw, COL_DIFF_PRODUCTION_TS)), r->peak_mib));
  }
  PetscFunctionReturn(0);
}

/* One header line, one row per size; an empty field where nothing was measured. Rank 0 writes. */
static PetscErrorCode BenchWriteCSV(MPI_Comm comm, const char *path, PetscInt n, const GSBenchRecord *recs, const GSBenchBandwidth *bw,
                                    PetscMPIInt size)
{
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(PetscFOpen(comm, path, "w", &fp));
  PetscCall(PetscFPrintf(comm, fp, "nx,ny,ranks,steps,gradient_steps,flush_denormals"));
  for (int c = 0; c < COL_N; c++) PetscCall(PetscFPrintf(comm, fp, ",%s", column_names[c]));
  PetscCall(PetscFPrintf(comm, fp, "\n"));
  for (PetscInt i = 0; i < n; i++) {
    const GSBenchRecord *r = &recs[i];
    PetscCall(PetscFPrintf(comm, fp, "%" PetscInt_FMT ",%" PetscInt_FMT ",%d,%" PetscInt_FMT ",%" PetscInt_FMT ",%d", r->nx, r->ny, size, r->steps,
                           r->t_gradient > 0 ? r->gradient_steps : 0, (int)GSFlushDenormalsActive()));
    for (int c = 0; c < COL_N; c++) {
      const double v = BenchValue(r, bw, c);
      if (PetscIsNanReal(v) || PetscIsInfReal(v)) PetscCall(PetscFPrintf(comm, fp, ","));
      else PetscCall(PetscFPrintf(comm, fp, ",%.9g", v));
    }
    PetscCall(PetscFPrintf(comm, fp, "\n"));
  }
  PetscCall(PetscFClose(comm, fp));
  PetscFunctionReturn(0);
}

/* /bench/budgets/<what> [n][nbudgets]: the gradients under each -gs_bench_budgets cap. */
static PetscErrorCode BenchWriteBudgets(GSOutput *out, PetscInt n, const GSBenchRecord *recs)
{
  const PetscInt           nb      = recs[0].nbudgets;
  const hsize_t            dims[2] = {(hsize_t)n, (hsize_t)nb};
  static const char *const names[] = {"budget_mib",   "seconds",        "gradient_vs_forward", "recomputed_per_step",
                                      "peak_rss_mib", "segment_length", "memory_slots"};
  PetscReal               *values;
  char                     path[64];

  PetscFunctionBeginUser;
  if (!nb) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(n * nb, &values));
  for (int w = 0; w < 7; w++) {
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < nb; j++) {
        const GSBenchBudget *b = &recs[i].budgets[j];
        const double all[7]    = {b->budget_mib,          b->seconds, b->vs_forward, b->recomputed_per_step, b->peak_mib, (double)b->segment_length,
                                  (double)b->memory_slots};
        values[i * nb + j]     = all[w];
      }
    PetscCall(PetscSNPrintf(path, sizeof(path), "/bench/budgets/%s", names[w]));
    PetscCall(GSH5WriteRealArray(out, path, 2, dims, values));
  }
  PetscCall(GSH5WriteAttributeString(
    out, "/bench/budgets", "meaning",
    "one gradient of gradient_steps steps per size (rows) under each -gs_checkpoint_memory cap (columns; budget_mib 0: no cap; seconds -1: refused, the cap holds fewer than 3 states); peak_rss_mib is that gradient's own high-water mark"));
  PetscCall(PetscFree(values));
  PetscFunctionReturn(0);
}

/* /bench/<column> [n] with a "meaning" attribute (NaN: not measured), plus the sizes and steps. */
static PetscErrorCode BenchWriteTables(GSOutput *out, PetscInt n, const GSBenchRecord *recs, const GSBenchBandwidth *bw)
{
  const hsize_t dims[1] = {(hsize_t)n};
  PetscInt64   *ints;
  PetscReal    *values;
  char          path[64];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n, &ints, n, &values));
  for (int c = 0; c < COL_N; c++) {
    for (PetscInt i = 0; i < n; i++) values[i] = BenchValue(&recs[i], bw, c);
    PetscCall(PetscSNPrintf(path, sizeof(path), "/bench/%s", column_names[c]));
    PetscCall(GSH5WriteRealArray(out, path, 1, dims, values));
    PetscCall(GSH5WriteAttributeString(out, path, "meaning", column_meanings[c]));
  }
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].nx;
  PetscCall(GSH5WriteIntArray(out, "/bench/nx", 1, dims, ints));
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].ny;
  PetscCall(GSH5WriteIntArray(out, "/bench/ny", 1, dims, ints));
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].steps;
  PetscCall(GSH5WriteIntArray(out, "/bench/steps", 1, dims, ints));
  for (PetscInt i = 0; i < n; i++) ints[i] = recs[i].t_gradient > 0 ? recs[i].gradient_steps : 0;
  PetscCall(GSH5WriteIntArray(out, "/bench/gradient_steps", 1, dims, ints));
  PetscCall(PetscFree2(ints, values));
  PetscCall(BenchWriteBudgets(out, n, recs));
  PetscFunctionReturn(0);
}

/* The HDF5 file: provenance (its "grid" is the last size; /bench/nx, /bench/ny list every size),
   the tables, and the settings that frame them. Collective. */
static PetscErrorCode BenchWriteHDF5(GSBenchSize *b, const GSBenchOptions *o, const GSInitialOptions *init, const GSBenchRecord *recs,
                                     const GSBenchBandwidth *bw)
{
  GSOutput    out;
  const char *ts_type;
  PetscReal   dt;

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(b->run, &ts_type, &dt));
  PetscCall(GSOutputOpen(GSModelGetComm(b->m), "-gs_output", o->output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "bench", GSModelGetGrid(b->m), GSModelGetParams(b->m), (PetscInt64)init->recipe.seed, ts_type, dt));
  PetscCall(GSOutputWriteRecipe(&out, &init->recipe));
  PetscCall(BenchWriteTables(&out, o->nsizes, recs, bw));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "ranks", b->size));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "flush_denormals", GSFlushDenormalsActive()));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "repeat", o->repeat));
  PetscCall(GSH5WriteAttributeInt(&out, "/bench", "stream_mib", o->stream_mib));
  PetscCall(GSH5WriteAttributeReal(&out, "/bench", "floor_bytes_per_cell_step", GS_BENCH_FLOOR_BYTES));
  PetscCall(GSOutputClose(&out));
  PetscFunctionReturn(0);
}

PetscErrorCode GSBenchWriteFiles(GSBenchSize *b, const GSBenchOptions *o, const GSInitialOptions *init, const GSBenchRecord *recs,
                                 const GSBenchBandwidth *bw)
{
  PetscLogEvent event_io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&event_io));
  PetscCall(PetscLogEventBegin(event_io, 0, 0, 0, 0));
  if (o->output[0]) PetscCall(BenchWriteHDF5(b, o, init, recs, bw));
  if (o->csv[0]) PetscCall(BenchWriteCSV(GSModelGetComm(b->m), o->csv, o->nsizes, recs, bw, b->size));
  PetscCall(PetscLogEventEnd(event_io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
