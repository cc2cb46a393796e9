/* Data completion: the unobserved field values and theta estimated jointly by minimising the steady residual loss with TAO. */
#pragma once

#include <petsctao.h>

#include "gsinv/io/h5file.h"
#include "gsinv/inverse/residual_estimate.h"

typedef struct _p_GSCompletion *GSCompletion;

/* What a completion found. theta, the relative errors and the field errors are valid on every rank. */
typedef struct {
  double             theta_start[GS_NPARAM], theta[GS_NPARAM];
  double             rel[GS_NPARAM]; /* (theta - truth) / truth, when the truth is known */
  PetscBool          has_truth;
  double             loss_start, loss;     /* mean over all cells of r_u^2 + r_v^2 */
  double             completed;            /* count of completed (unobserved) values, both fields */
  double             error_max, error_rms; /* completed values against the input file's values there */
  PetscInt           iterations;
  TaoConvergedReason reason;
  double             seconds;
} GSCompletionResult;

/* Creates the optimiser on the grid of m: a TAO (default lmvm, options prefix -gs_complete_, e.g.
   -gs_complete_tao_type blmvm, -gs_complete_tao_max_it, -gs_complete_tao_gatol, -gs_complete_tao_monitor)
   that reads its options here, so call it before the check for unused options. Collective. */
PetscErrorCode GSCompletionCreate(GSModel m, GSCompletion *comp);
PetscErrorCode GSCompletionDestroy(GSCompletion *comp);

/* The starting theta: the normal-equation fit when it has full rank; from v alone (rank 2) the
   paper's starting guess (F = k = 0.05, Du = Dv = 0.1269, docs/model.md section 3) with F + k and Dv
   replaced by the fitted ones (F = k = (F + k)/2). Not collective. */
void GSCompletionThetaStart(const GSResidualFit *fit, double theta_start[GS_NPARAM]);

/* Reads the steady state of path, applies the observation model obs and completes the values it
   leaves unobserved (u everywhere with obs->fields v; both fields in the cells left out by
   obs->fraction) together with theta, starting from theta_start; truth (may be NULL) gives the
   relative errors. Unobserved values start at the mean of that field's observed values, or at 1
   (the value of u on the trivial state) when none of the field is observed. Collective. */
PetscErrorCode GSCompletionSolve(GSCompletion comp, const char *path, const GSObservation *obs, const double theta_start[GS_NPARAM],
                                 const double *truth, GSCompletionResult *res);

/* Prints the summary lines; writes /residual/completion/{theta,theta_start,field_error,loss,
   iterations,reason} (field_error = [max, rms]). Collective. */
PetscErrorCode GSCompletionPrint(MPI_Comm comm, const GSCompletionResult *res);
PetscErrorCode GSCompletionWrite(GSOutput *out, const GSCompletionResult *res);
