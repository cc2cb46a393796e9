/* The measurements of gsinv bench: per grid size the bare fused loop, the production and TS forward
   paths, the halo exchange and the adjoint gradient; the memory bandwidth; their report. */
#pragma once

#include <petsctime.h>

#include "gsinv/model/field_loss.h"
#include "gsinv/gradient/gradient.h"
#include "gsinv/model/initial.h"
#include "gsinv/model/model.h"
#include "gsinv/physics/kernels.h"
#include "gsinv/solver/run.h"

#define GS_BENCH_MAX_SIZES   16
#define GS_BENCH_MAX_BUDGETS 8

/* The settings of one bench run (-gs_bench_*, -gs_output). */
typedef struct {
  PetscInt  nsizes, nx[GS_BENCH_MAX_SIZES], ny[GS_BENCH_MAX_SIZES];
  PetscInt  steps, gradient_steps, repeat, stream_mib;
  PetscReal seconds;
  PetscBool ts, gradient, bandwidth;
  PetscInt  nbudgets;                         /* -gs_bench_budgets: gradients under these caps too */
  PetscReal budget_mib[GS_BENCH_MAX_BUDGETS]; /* 0: no cap */
  char      output[PETSC_MAX_PATH_LEN], csv[PETSC_MAX_PATH_LEN];
} GSBenchOptions;

/* One gradient under one -gs_checkpoint_memory cap. */
typedef struct {
  double   budget_mib, seconds, vs_forward, recomputed_per_step, peak_mib;
  PetscInt segment_length, memory_slots;
} GSBenchBudget;

/* Aggregate over the ranks (all ranks stream at once), GB/s = 1e9 bytes/s, STREAM's byte count. */
typedef struct {
  double copy, triad;
} GSBenchBandwidth;

/* What one grid size measured; times are the fastest of -gs_bench_repeat, max over ranks. A time
   of 0 means "not measured". */
typedef struct {
  PetscInt      nx, ny, steps, gradient_steps;
  double        t_bare, t_production, t_ts, t_halo_step, t_forward, t_gradient;
  double        t_recompute, t_backward; /* of the fastest gradient run: its two backward phases */
  PetscInt      backward_steps;
  double        diff_production_ts, diff_production_bare; /* < 0: not compared */
  double        peak_mib;                                 /* the whole size, from the start of the process */
  double        state_mib;                                /* one state (u and v) on the largest patch */
  double        peak_forward_mib, peak_gradient_mib;      /* high-water mark of each path alone (reset before it) */
  double        recomputed_per_step;                      /* of the timed gradient: forward steps recomputed per step */
  PetscInt      nbudgets;
  GSBenchBudget budgets[GS_BENCH_MAX_BUDGETS];
  PetscBool     bare_global;      /* one rank: the bare loop ran the same problem and its result is compared */
  double        gradient_cap_mib; /* > 0: the timed gradient ran under this cap, -gs_checkpoint_memory holding fewer than 3 states */
} GSBenchRecord;

/* The objects of one grid size. */
typedef struct {
  GSModel     m;
  GSRun       run;
  GSFieldLoss loss;
  GSGradient  grad;
  Vec         X0, X, Y, Z; /* initial state; production, TS and bare results */
  Vec         W;           /* the bare loop's second array (it steps from one array into another) */
  PetscMPIInt size;
  int         bare_nx, bare_ny; /* grid of the bare loop (0: not run: a patch narrower than 3) */
} GSBenchSize;

/* Starts a timing on every rank at once: a barrier, then the clock into t0. Collective. */
PetscErrorCode GSBenchStartClock(MPI_Comm comm, PetscLogDouble *t0);
/* Seconds since t0 on this rank, then the slowest rank's. Collective. */
PetscErrorCode GSBenchElapsedMax(MPI_Comm comm, PetscLogDouble t0, double *seconds);

/* Sets -da_grid_x/-da_grid_y to nx, ny and creates the model, run (quiet, fixed steps), state
   vectors and initial state of that size. Collective. */
PetscErrorCode GSBenchSizeCreate(MPI_Comm comm, PetscInt nx, PetscInt ny, const GSInitialOptions *init, GSBenchSize *b);
/* Creates the loss and gradient objects of a size for gradient runs of `steps` steps; when
   -gs_checkpoint_memory holds fewer than 3 states of this size, the timed gradient gets a cap of 4
   states instead, recorded in rec->gradient_cap_mib. Collective. */
PetscErrorCode GSBenchSizeCreateGradient(GSBenchSize *b, PetscInt steps, GSBenchRecord *rec);
/* Destroys the objects of a size. Collective. */
PetscErrorCode GSBenchSizeDestroy(GSBenchSize *b);
/* Sets rec->steps and rec->gradient_steps from the options (-gs_bench_steps, -gs_bench_seconds,
   -gs_bench_gradient_steps), calibrating with short untimed runs where they are 0. Collective. */
PetscErrorCode GSBenchSizeChooseSteps(GSBenchSize *b, const GSBenchOptions *o, GSBenchRecord *rec);
/* Resets this process's resident-memory high-water mark (Linux /proc/self/clear_refs; elsewhere a
   no-op) and reads it, the largest over the ranks, in MiB. Collective (the read). */
PetscErrorCode GSBenchPeakReset(void);
PetscErrorCode GSBenchPeakRead(MPI_Comm comm, double *mib);
/* The gradient of rec->gradient_steps steps under each cap of o->budget_mib (rebuilding the
   gradient object with -gs_checkpoint_memory set), into rec->budgets. Collective. */
PetscErrorCode GSBenchSizeMeasureBudgets(GSBenchSize *b, const GSBenchOptions *o, GSBenchRecord *rec);
/* Every measurement of one size into rec (its steps chosen first). Collective. */
PetscErrorCode GSBenchSizeMeasure(GSBenchSize *b, const GSBenchOptions *o, GSBenchRecord *rec);

/* Copy and triad bandwidth with arrays of stream_mib MiB on every rank at once. Collective. */
PetscErrorCode GSBenchBandwidthMeasure(MPI_Comm comm, PetscInt stream_mib, GSBenchBandwidth *bw);

/* Prints the table of one size on rank 0; size is the number of ranks. Collective. */
PetscErrorCode GSBenchPrintSize(MPI_Comm comm, const GSBenchRecord *r, const GSBenchBandwidth *bw, PetscMPIInt size);
/* Prints the one-screen summary of the n sizes on rank 0. Collective. */
PetscErrorCode GSBenchPrintSummary(MPI_Comm comm, PetscInt n, const GSBenchRecord *recs, const GSBenchBandwidth *bw);
/* Writes the HDF5 file (-gs_output) and the CSV file (-gs_bench_csv) of the o->nsizes records,
   where their paths are not empty; b is the last size (its model gives the provenance). Collective. */
PetscErrorCode GSBenchWriteFiles(GSBenchSize *b, const GSBenchOptions *o, const GSInitialOptions *init, const GSBenchRecord *recs,
                                 const GSBenchBandwidth *bw);
