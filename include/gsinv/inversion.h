/* Recovering theta from target states by gradient descent through the unrolled simulation: the
   paper's experiment. A batch of B runs per iteration, spread over groups of ranks. */
#pragma once

#include <stdint.h>

#include "gsinv/gradient.h"
#include "gsinv/reparam.h"
#include "gsinv/settings.h"

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

typedef struct _p_GSInversion *GSInversion;

/* Called on every rank of the optimiser's communicator after each iteration. */
typedef PetscErrorCode (*GSInversionMonitor)(GSInversion inv, const GSIterationRecord *rec, void *ctx);

/* The optimiser runs on comm; simulations run on group (a sub-communicator of comm, one of
   ngroups that share the batch; group_id is this rank's). Reads -gs_targets_file, -gs_batch,
   -gs_deterministic, -gs_optimizer, -gs_reparam, -gs_lr, -gs_weight_decay, -gs_max_it, -gs_lower,
   -gs_upper and the model, run, loss and gradient options. Collective on comm. */
PetscErrorCode GSInversionCreate(MPI_Comm comm, MPI_Comm group, PetscInt ngroups, PetscInt group_id, GSInversion *inv);
PetscErrorCode GSInversionDestroy(GSInversion *inv);

GSModel        GSInversionGetModel(GSInversion inv);
GSRun          GSInversionGetRun(GSInversion inv);
const char    *GSInversionGetTargetsFile(GSInversion inv);
PetscInt       GSInversionGetMaxIterations(GSInversion inv);
/* Adds what determines an inversion's record to a description of the run: grid, theta, scheme,
   steps, initial recipe, targets file, batch, seeds, iteration cap, optimiser (TAO type and
   tolerances, or SGD rate and decay), reparameterisation, loss, bounds. Not collective. */
PetscErrorCode GSInversionAddSettings(GSInversion inv, GSSettings settings);
PetscErrorCode GSInversionSetMonitor(GSInversion inv, GSInversionMonitor monitor, void *ctx);

/* Runs from physical theta0 (iterations first, first + 1, ...; SGD continues exactly from
   raw0 when it is not NULL) until converged, the cap or the safeguard gives up; reason describes
   the stop, capped says it was the iteration cap (a later call may go on). Collective on comm. */
PetscErrorCode GSInversionSolve(GSInversion inv, const double theta0[GS_NPARAM], const double *raw0, PetscInt first, double theta[GS_NPARAM], char *reason, size_t len, PetscBool *capped);

/* Mean loss (and gradient) of the batch of `iteration` at theta; valid is false if any run of
   the batch was invalid. Collective on comm. */
PetscErrorCode GSInversionEvaluate(GSInversion inv, const double theta[GS_NPARAM], PetscInt iteration, PetscBool gradient, double *loss, double grad[GS_NPARAM], PetscBool *valid);
