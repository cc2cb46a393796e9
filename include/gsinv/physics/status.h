/* Per-step run statistics and the steady/invalid classification of docs/model.md section 6. */
#pragma once

#include <stddef.h>

#include "gsinv/physics/kernels.h"

/* Why a run ended (or GS_RUN_RUNNING). Valid results: STEADY and FIXED_STEPS. */
typedef enum {
  GS_RUN_RUNNING = 0,
  GS_RUN_STEADY,
  GS_RUN_FIXED_STEPS,
  GS_RUN_INVALID_RANGE,
  GS_RUN_INVALID_NONFINITE,
  GS_RUN_NO_STEADY,
  GS_RUN_SOLVER_FAILED,
  GS_RUN_INTERRUPTED
} GSRunReason;

extern const char *const GSRunReasonNames[];

/* Statistics of one step over some cells; the packed array form is what ranks reduce with MAX. */
typedef struct GSStepStats_ {
  double max_change; /* max over cells of max(|du|, |dv|) */
  double neg_vmin;   /* -min v (negated so that every entry reduces with MAX) */
  double vmax;
  double nonfinite; /* 1 if any u or v is NaN or Inf */
  double interrupt; /* 1 if this rank was asked to stop (SIGTERM): all ranks of a run stop together */
} GSStepStats;

#define GS_STEP_STATS_N 5

void GSStepStatsReset(GSStepStats *s);

/* Accumulates n cells of the new state x against the previous state prev in one pass over both
   arrays. prev may be NULL (no change measured). */
void GSStepStatsUpdate(GSStepStats *s, size_t n, const GSField *x, const GSField *prev);

/* Merges b into a (what an MPI MAX reduction of the packed arrays does). */
void GSStepStatsMerge(GSStepStats *a, const GSStepStats *b);

/* The reason to stop after step `step` (1-based count of steps taken), or GS_RUN_RUNNING. An
   interrupt wins over everything.
   steady_tol 0 means a fixed number of steps. */
GSRunReason GSRunClassify(const GSStepStats *s, double steady_tol, long step, long max_steps);

/* 1 for the reasons that give a usable result. */
int GSRunReasonIsValid(GSRunReason r);
