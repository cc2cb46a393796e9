/* One forward Euler step of the model, fused with the step's checks: the whole grid on one rank, or
   a ghosted patch with its edges exchanged. */
#include "gsinv/core/events.h"
#include "model_impl.h"

#define GS_EULER_FLOPS 24.0 /* per cell and step (kernels.c) */

/* Y := X + dt f(X) on the whole grid; in place when Y is X. */
PetscErrorCode GSModelEulerStep(GSModel m, PetscReal dt, Vec X, Vec Y, GSStepStats *local)
{
  const PetscScalar *x;
  PetscScalar       *y;

  PetscFunctionBeginUser;
  PetscCheck(m->patch.whole_grid, m->comm, PETSC_ERR_ARG_WRONG,
             "GSModelEulerStep is the one-rank step; several ranks step ghosted arrays (GSModelEulerStepLocal)");
  PetscCall(PetscLogEventBegin(m->event_rhs, 0, 0, 0, 0));
  PetscCall(VecGetArray(Y, &y));
  if (X == Y) GSEulerStepPeriodicCheckedInPlace(&m->params, m->patch.inv_h2, dt, (int)m->patch.nx, (int)m->patch.ny, (GSField *)y, m->rows, local);
  else {
    PetscCall(VecGetArrayRead(X, &x));
    GSEulerStepPeriodicChecked(&m->params, m->patch.inv_h2, dt, (int)m->patch.nx, (int)m->patch.ny, (const GSField *)x, (GSField *)y, local);
    PetscCall(VecRestoreArrayRead(X, &x));
  }
  PetscCall(VecRestoreArray(Y, &y));
  PetscCall(PetscLogFlops(GS_EULER_FLOPS * m->patch.xm * m->patch.ym));
  PetscCall(PetscLogEventEnd(m->event_rhs, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The owned part of y := x + dt f(x), then y's ghosts; in place when y is x. */
PetscErrorCode GSModelEulerStepLocal(GSModel m, PetscReal dt, const PetscScalar *x, PetscScalar *y, GSStepStats *local)
{
  const PetscInt first = m->patch.first_owned;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(m->event_rhs, 0, 0, 0, 0));
  if (x == y)
    GSEulerStepGhostedCheckedInPlace(&m->params, m->patch.inv_h2, dt, (int)m->patch.xm, (int)m->patch.ym, (int)m->patch.gxm, (GSField *)y + first,
                                     m->rows, local);
  else
    GSEulerStepGhostedChecked(&m->params, m->patch.inv_h2, dt, (int)m->patch.xm, (int)m->patch.ym, (int)m->patch.gxm, (const GSField *)x + first,
                              (GSField *)y + first, local);
  PetscCall(PetscLogFlops(GS_EULER_FLOPS * m->patch.xm * m->patch.ym));
  PetscCall(PetscLogEventEnd(m->event_rhs, 0, 0, 0, 0));
  PetscCall(PetscLogEventBegin(m->event_halo, 0, 0, 0, 0));
  PetscCall(GSHaloExchange(m->halo, y));
  PetscCall(PetscLogEventEnd(m->event_halo, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
