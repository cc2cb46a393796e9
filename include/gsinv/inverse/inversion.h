/* Recovering theta from target states by gradient descent through the unrolled simulation: the
   paper's experiment. A batch of B runs per iteration, spread over groups of ranks. */
#pragma once

#include <stdint.h>

#include "gsinv/gradient/gradient.h"
#include "gsinv/physics/landscape_analysis.h"
#include "gsinv/physics/reparam.h"
#include "gsinv/io/settings.h"

typedef enum { GS_OPTIMIZER_TAO = 0, GS_OPTIMIZER_SGD = 1 } GSOptimizerType;
extern const char *const GSOptimizerTypes[];

/* One iteration as recorded: theta where the batch was evaluated, its loss and gradient norm (in
   the raw variables), the raw variables after the step, the safeguard's trial runs. */
typedef struct {
  int64_t iteration;
  double  theta[GS_NPARAM], raw_next[GS_NPARAM];
  double  loss, grad_norm, lr, wall_time;
  int32_t lr_tries, valid;
} GSIterationRecord;

/* Why an inversion stopped: the codes of /inversion reason_code and /basin/reason. */
typedef enum {
  GS_STOP_CONVERGED           = 0, /* TAO's convergence test held at a loss near the floor, with a non-trivial end state */
  GS_STOP_ITERATION_CAP       = 1, /* -gs_max_it reached (a rerun with a higher cap continues) */
  GS_STOP_DIVERGED            = 2, /* TAO gave up (line search failure, ...) */
  GS_STOP_SAFEGUARD_EXHAUSTED = 3, /* SGD: every trial step made an invalid run */
  GS_STOP_INVALID             = 4, /* a run of the batch at the final theta is invalid (e.g. an invalid start under TAO) */
  GS_STOP_PLATEAU             = 5  /* stopped on the plateau: see GSStop */
} GSStopReason;

/* "converged", "iteration_cap", "diverged", "safeguard_exhausted", "invalid", "plateau", NULL. */
extern const char *const GSStopReasonNames[];

/* How an inversion stopped, measured at the final theta. A stop is a plateau when every member of
   the batch ends trivial or uniform there, or when TAO's convergence test held (a vanishing gradient)
   at a loss far above the floor: loss - floor > -gs_plateau_ratio (0.5) x (flat - floor), with flat
   the loss of the trivial state (1, 0) against the targets and floor the loss of the targets against
   each other (0 with -gs_deterministic, where the truth reproduces every target). */
typedef struct {
  GSStopReason reason;
  PetscBool    capped;    /* the iteration cap ended it (also for a plateau found at the cap) */
  char         text[512]; /* e.g. "plateau (TAO CONVERGED_GATOL (3); |g| 1e-86; loss 1.3e-02 (flat 1.3e-02, floor 0); end states: 8 trivial)" */
  char         optimizer_reason[128]; /* the optimiser's own words, e.g. "TAO CONVERGED_GATOL (3)" */
  double       loss, grad_norm, flat, floor;
  PetscInt     end_counts[GS_END_CLASS_N]; /* batch members per GSEndClass at the final theta */
} GSStop;

typedef struct _p_GSInversion *GSInversion;

/* Called on every rank of the optimiser's communicator after each iteration. */
typedef PetscErrorCode (*GSInversionMonitor)(GSInversion inv, const GSIterationRecord *rec, void *ctx);

/* The optimiser runs on comm; simulations run on group (a sub-communicator of comm, one of
   ngroups that share the batch; group_id is this rank's). Reads -gs_targets_file, -gs_batch,
   -gs_deterministic, -gs_optimizer, -gs_reparam, -gs_lr, -gs_weight_decay, -gs_max_it, -gs_lower,
   -gs_upper and the model, run, loss and gradient options. Collective on comm. */
PetscErrorCode GSInversionCreate(MPI_Comm comm, MPI_Comm group, PetscInt ngroups, PetscInt group_id, GSInversion *inv);
PetscErrorCode GSInversionDestroy(GSInversion *inv);

GSModel     GSInversionGetModel(GSInversion inv);
GSRun       GSInversionGetRun(GSInversion inv);
const char *GSInversionGetTargetsFile(GSInversion inv);
PetscInt    GSInversionGetMaxIterations(GSInversion inv);
/* Adds what determines an inversion's record to a description of the run: grid, theta, scheme,
   steps, initial recipe, targets file, batch, seeds, iteration cap, optimiser (TAO type and
   tolerances, or SGD rate and decay), reparameterisation, loss, bounds. Not collective. */
PetscErrorCode GSInversionAddSettings(GSInversion inv, GSSettings settings);
PetscErrorCode GSInversionSetMonitor(GSInversion inv, GSInversionMonitor monitor, void *ctx);

/* Runs from physical theta0 (iterations first, first + 1, ...; SGD continues exactly from
   raw0 when it is not NULL) until converged, the cap or the safeguard gives up; stop says why, as
   measured at the final theta (GSStop; one more batch evaluation when the last one was elsewhere).
   Collective on comm. */
PetscErrorCode GSInversionSolve(GSInversion inv, const double theta0[GS_NPARAM], const double *raw0, PetscInt first, double theta[GS_NPARAM],
                                GSStop *stop);

/* Completes stop (whose reason, capped, optimizer_reason and grad_norm the optimiser set) at the
   final theta of the last iteration: end-state classes, loss, floor and flat loss, the plateau and
   invalid rules, and the text. Collective on comm. */
PetscErrorCode GSInversionStopFinish(GSInversion inv, const double theta[GS_NPARAM], PetscInt iteration, GSStop *stop);

/* Mean loss (and gradient) of the batch of `iteration` at theta; valid is false if any run of
   the batch was invalid. Collective on comm. */
PetscErrorCode GSInversionEvaluate(GSInversion inv, const double theta[GS_NPARAM], PetscInt iteration, PetscBool gradient, double *loss,
                                   double grad[GS_NPARAM], PetscBool *valid);
