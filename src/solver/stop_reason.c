/* Honest stops of the inversion: end-state classes of the batch at the final theta, the loss's flat and floor references, the plateau rule. */
#include <math.h>
#include <string.h>

#include "gsinv/inversion_impl.h"
#include "gsinv/targets.h"

const char *const GSStopReasonNames[] = {"converged", "iteration_cap", "diverged", "safeguard_exhausted", "invalid", "plateau", NULL};

PetscErrorCode GSInversionEndClass(GSInversion inv, GSRunReason reason, GSEndClass *end_class)
{
  const GSModel      m = inv->model;
  const PetscScalar *x;
  PetscInt           n;
  double             local[5] = {0, 0, 0, 0, -PETSC_INFINITY}, sums[4], vmax;
  const double       cells = (double)m->nx * m->ny;
  GSEndStats         es;

  PetscFunctionBeginUser;
  *end_class = GS_CLASS_INVALID;
  if (!GSRunReasonIsValid(reason)) PetscFunctionReturn(0);
  PetscCall(VecGetLocalSize(GSGradientFinalState(inv->gradient), &n));
  PetscCall(VecGetArrayRead(GSGradientFinalState(inv->gradient), &x));
  for (PetscInt c = 0; c < n / 2; c++) {
    const GSField f = ((const GSField *)x)[c];
    local[0] += f.u, local[1] += f.u * f.u, local[2] += f.v, local[3] += f.v * f.v, local[4] = PetscMax(local[4], f.v);
  }
  PetscCall(VecRestoreArrayRead(GSGradientFinalState(inv->gradient), &x));
  PetscCallMPI(MPI_Allreduce(local, sums, 4, MPI_DOUBLE, MPI_SUM, inv->group));
  PetscCallMPI(MPI_Allreduce(&local[4], &vmax, 1, MPI_DOUBLE, MPI_MAX, inv->group));
  es.valid        = 1;
  es.u_mean       = sums[0] / cells;
  es.u_std        = PetscSqrtReal(PetscMax(sums[1] / cells - es.u_mean * es.u_mean, 0));
  es.v_mean       = sums[2] / cells;
  es.v_std        = PetscSqrtReal(PetscMax(sums[3] / cells - es.v_mean * es.v_mean, 0));
  es.v_max        = vmax;
  es.final_change = inv->run->stats.max_change;
  *end_class      = GSEndStateClassify(&es, NULL);
  PetscFunctionReturn(0);
}

/* X = (1, v of target `index`): a target as a prediction (the loss reads v only). */
static PetscErrorCode StateFromTarget(GSInversion inv, PetscInt index, Vec X)
{
  const GSModel m = inv->model;
  Vec           natural, v;

  PetscFunctionBeginUser;
  PetscCall(GSTargetsReadV(m, "-gs_targets_file", inv->targets, index, inv->target_v));
  PetscCall(DMDACreateNaturalVector(m->da_scalar, &natural));
  PetscCall(DMGetGlobalVector(m->da_scalar, &v));
  if (inv->group_rank == 0)
    for (PetscInt c = 0; c < m->nx * m->ny; c++) PetscCall(VecSetValue(natural, c, inv->target_v[c], INSERT_VALUES));
  PetscCall(VecAssemblyBegin(natural));
  PetscCall(VecAssemblyEnd(natural));
  PetscCall(DMDANaturalToGlobalBegin(m->da_scalar, natural, INSERT_VALUES, v));
  PetscCall(DMDANaturalToGlobalEnd(m->da_scalar, natural, INSERT_VALUES, v));
  PetscCall(VecSet(X, 1.0));
  PetscCall(VecStrideScatter(v, 1, X, INSERT_VALUES));
  PetscCall(DMRestoreGlobalVector(m->da_scalar, &v));
  PetscCall(VecDestroy(&natural));
  PetscFunctionReturn(0);
}

/* The loss of X against target `index`. */
static PetscErrorCode LossAgainst(GSInversion inv, Vec X, PetscInt index, double *value)
{
  PetscReal loss;

  PetscFunctionBeginUser;
  PetscCall(GSTargetsReadV(inv->model, "-gs_targets_file", inv->targets, index, inv->target_v));
  PetscCall(GSFieldLossSetTargetNatural(inv->loss, inv->target_v));
  PetscCall(GSFieldLossEvaluate(inv->loss, GSFieldLossGetType(inv->loss), X, &loss, NULL));
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
  PetscCall(DMGetGlobalVector(inv->model->da, &X));
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
  PetscCall(DMRestoreGlobalVector(inv->model->da, &X));
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
  if (stop->reason == GS_STOP_CONVERGED && stop->flat > stop->floor && stop->loss - stop->floor > inv->plateau_ratio * (stop->flat - stop->floor)) return GS_STOP_PLATEAU;
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
  PetscCall(PetscSNPrintf(stop->text, sizeof(stop->text), "%s (%s; |g| %.3g; loss %.4g (flat %.4g, floor %.4g); end states: %s)", GSStopReasonNames[stop->reason], stop->optimizer_reason, stop->grad_norm, stop->loss, stop->flat, stop->floor, ends));
  PetscFunctionReturn(0);
}
