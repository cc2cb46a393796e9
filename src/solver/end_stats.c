/* The summary of a run's end state that the end-state classes are decided from. */
#include "run_impl.h"

PetscErrorCode GSRunEndStats(GSRun run, Vec X, PetscBool valid, GSEndStats *es)
{
  const GSPatch     *patch = GSModelGetPatch(run->model);
  const double       cells = (double)patch->nx * patch->ny;
  const PetscScalar *x;
  PetscInt           n;
  double             sums[4] = {0, 0, 0, 0}, vmax = -INFINITY, global[4], gmax;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(X, &n));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt c = 0; c < n / 2; c++) {
    const GSField f = ((const GSField *)x)[c];
    sums[0] += f.u, sums[1] += f.u * f.u, sums[2] += f.v, sums[3] += f.v * f.v;
    vmax = PetscMax(vmax, f.v);
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCallMPI(MPI_Allreduce(sums, global, 4, MPI_DOUBLE, MPI_SUM, GSModelGetComm(run->model)));
  PetscCallMPI(MPI_Allreduce(&vmax, &gmax, 1, MPI_DOUBLE, MPI_MAX, GSModelGetComm(run->model)));
  es->valid        = valid;
  es->u_mean       = global[0] / cells;
  es->u_std        = PetscSqrtReal(PetscMax(global[1] / cells - es->u_mean * es->u_mean, 0));
  es->v_mean       = global[2] / cells;
  es->v_std        = PetscSqrtReal(PetscMax(global[3] / cells - es->v_mean * es->v_mean, 0));
  es->v_max        = gmax;
  es->final_change = run->stats.max_change;
  PetscFunctionReturn(0);
}
