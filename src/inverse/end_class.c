/* The end state of one forward run of the inversion, classified (steady pattern, uniform, invalid ...). */
#include "inversion_impl.h"

PetscErrorCode GSInversionEndClass(GSInversion inv, GSRunReason reason, GSEndClass *end_class)
{
  const GSModel      m = inv->model;
  const GSPatch *patch = GSModelGetPatch(m);
  const PetscScalar *x;
  PetscInt           n;
  double             local[5] = {0, 0, 0, 0, -PETSC_INFINITY}, sums[4], vmax;
  const double       cells = (double)patch->nx * patch->ny;
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
  es.final_change = GSRunGetStats(inv->run)->max_change;
  *end_class      = GSEndStateClassify(&es, NULL);
  PetscFunctionReturn(0);
}
