/* Honest stops of the inversion: end-state classes of the batch at the final theta, the loss's flat and floor references, the plateau rule. */
#include <math.h>
#include <string.h>

#include "inversion_impl.h"
#include "gsinv/io/targets_file.h"

const char *const GSStopReasonNames[] = {"converged", "iteration_cap", "diverged", "safeguard_exhausted", "invalid", "plateau", NULL};

/* X = (1, v of target `index`): a target as a prediction (the loss reads v only). */
static PetscErrorCode StateFromTarget(GSInversion inv, PetscInt index, Vec X)
{
  const GSModel m = InvModel(inv);

  PetscFunctionBeginUser;
  PetscCall(GSTargetsReadV(GSModelGetGrid(m), "-gs_targets_file", inv->targets, index, inv->target_v));
  PetscCall(VecSet(X, 1.0));
  PetscCall(GSFieldScatter(GSModelGetGrid(m), inv->target_v, 1, X));
  PetscFunctionReturn(0);
}

/* The loss of X against target `index`. */
static PetscErrorCode LossAgainst(GSInversion inv, Vec X, PetscInt index, double *value)
{
  PetscReal loss;

  PetscFunctionBeginUser;
  PetscCall(GSTargetsReadV(GSModelGetGrid(InvModel(inv)), "-gs_targets_file", inv->targets, index, inv->target_v));
  PetscCall(GSFieldLossSetTargetNatural(InvLoss(inv), inv->target_v));
  PetscCall(GSFieldLossEvaluate(InvLoss(inv), GSFieldLossGetType(InvLoss(inv)), X, &loss, NULL));
  *value = loss;
  PetscFunctionReturn(0);
}

/* flat: mean loss of the trivial state (1, 0) against the targets; floor: mean loss of target b + 1
   against target b (0 with -gs_deterministic or a single target). The same on every group. */
static PetscErrorCode References(GSInversion inv)
{
  Vec    X;
  double value;

  PetscFunctionBeginUser;
  if (inv->have_references) PetscFunctionReturn(0);
  inv->flat = inv->floor = 0;
  PetscCall(GSModelCreateGlobalVector(InvModel(inv), &X));
  PetscCall(VecSet(X, 0.0));
  PetscCall(VecStrideSet(X, 0, 1.0));
  for (PetscInt b = 0; b < inv->ntargets; b++) {
    PetscCall(LossAgainst(inv, X, b, &value));
    inv->flat += value / (double)inv->ntargets;
  }
  if (!inv->deterministic && inv->ntargets > 1) {
    for (PetscInt b = 0; b < inv->ntargets; b++) {
      PetscCall(StateFromTarget(inv, (b + 1) % inv->ntargets, X));
      PetscCall(LossAgainst(inv, X, b, &value));
      inv->floor += value / (double)inv->ntargets;
    }
  }
  PetscCall(VecDestroy(&X));
  inv->have_references = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* "8 trivial" or "6 pattern, 2 uniform". */
static PetscErrorCode DescribeEndStates(const PetscInt counts[GS_END_CLASS_N], char *buf, size_t len)
{
  PetscFunctionBeginUser;
  buf[0] = 0;
  for (int c = 0; c < GS_END_CLASS_N; c++) {
    char part[64];
    if (!counts[c]) continue;
    PetscCall(PetscSNPrintf(part, sizeof(part), "%s%" PetscInt_FMT " %s", buf[0] ? ", " : "", counts[c], GSEndClassNames[c]));
    PetscCall(PetscStrlcat(buf, part, len));
  }
  PetscFunctionReturn(0);
}

/* The plateau and invalid rules of GSStop, given the measured stop. */
static GSStopReason Decide(const GSInversion inv, const GSStop *stop)
{
  const PetscInt flat_ends = stop->end_counts[GS_CLASS_TRIVIAL] + stop->end_counts[GS_CLASS_UNIFORM];

  if (!inv->end_valid) return stop->reason == GS_STOP_SAFEGUARD_EXHAUSTED ? stop->reason : GS_STOP_INVALID;
  if (flat_ends == inv->batch) return GS_STOP_PLATEAU;
  if (stop->reason == GS_STOP_CONVERGED && stop->flat > stop->floor && stop->loss - stop->floor > inv->plateau_ratio * (stop->flat - stop->floor))
    return GS_STOP_PLATEAU;
  return stop->reason;
}

PetscErrorCode GSInversionStopFinish(GSInversion inv, const double theta[GS_NPARAM], PetscInt iteration, GSStop *stop)
{
  char ends[256];

  PetscFunctionBeginUser;
  if (!inv->have_end || memcmp(inv->end_theta, theta, sizeof(inv->end_theta)) || (!inv->deterministic && inv->end_iteration != iteration)) {
    double    loss;
    PetscBool valid;
    PetscCall(GSInversionEvaluate(inv, theta, iteration, PETSC_FALSE, &loss, NULL, &valid));
  }
  PetscCall(References(inv));
  stop->loss  = inv->end_valid ? inv->end_loss : INFINITY;
  stop->flat  = inv->flat;
  stop->floor = inv->floor;
  for (int c = 0; c < GS_END_CLASS_N; c++) stop->end_counts[c] = inv->end_counts[c];
  stop->reason = Decide(inv, stop);
  PetscCall(DescribeEndStates(stop->end_counts, ends, sizeof(ends)));
  PetscCall(PetscSNPrintf(stop->text, sizeof(stop->text), "%s (%s; |g| %.3g; loss %.4g (flat %.4g, floor %.4g); end states: %s)",
                          GSStopReasonNames[stop->reason], stop->optimizer_reason, stop->grad_norm, stop->loss, stop->flat, stop->floor, ends));
  PetscFunctionReturn(0);
}
