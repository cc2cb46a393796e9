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
  PetscCheck(m->whole_grid, m->comm, PETSC_ERR_ARG_WRONG,
             "GSModelEulerStep is the one-rank step; several ranks step ghosted arrays (GSModelEulerStepLocal)");
  PetscCall(PetscLogEventBegin(m->event_rhs, 0, 0, 0, 0));
  PetscCall(VecGetArray(Y, &y));
  if (X == Y) GSEulerStepPeriodicCheckedInPlace(&m->params, m->inv_h2, dt, (int)m->nx, (int)m->ny, (GSField *)y, m->rows, local);
  else {
    PetscCall(VecGetArrayRead(X, &x));
    GSEulerStepPeriodicChecked(&m->params, m->inv_h2, dt, (int)m->nx, (int)m->ny, (const GSField *)x, (GSField *)y, local);
    PetscCall(VecRestoreArrayRead(X, &x));
  }
  PetscCall(VecRestoreArray(Y, &y));
  PetscCall(PetscLogFlops(GS_EULER_FLOPS * m->xm * m->ym));
  PetscCall(PetscLogEventEnd(m->event_rhs, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The owned part of y := x + dt f(x), then y's ghosts; in place when y is x. */
PetscErrorCode GSModelEulerStepLocal(GSModel m, PetscReal dt, const PetscScalar *x, PetscScalar *y, GSStepStats *local)
{
  const PetscInt first = GSModelFirstOwned(m);

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(m->event_rhs, 0, 0, 0, 0));
  if (x == y) GSEulerStepGhostedCheckedInPlace(&m->params, m->inv_h2, dt, (int)m->xm, (int)m->ym, (int)m->gxm, (GSField *)y + first, m->rows, local);
  else
    GSEulerStepGhostedChecked(&m->params, m->inv_h2, dt, (int)m->xm, (int)m->ym, (int)m->gxm, (const GSField *)x + first, (GSField *)y + first,
                              local);
  PetscCall(PetscLogFlops(GS_EULER_FLOPS * m->xm * m->ym));
  PetscCall(PetscLogEventEnd(m->event_rhs, 0, 0, 0, 0));
  PetscCall(PetscLogEventBegin(m->event_halo, 0, 0, 0, 0));
  PetscCall(GSHaloExchange(m->halo, y));
  PetscCall(PetscLogEventEnd(m->event_halo, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelGlobalToGhosted(GSModel m, Vec X, PetscScalar *local)
{
  GSField       *owned = (GSField *)local + GSModelFirstOwned(m);
  const GSField *x;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, (const PetscScalar **)&x));
  for (PetscInt j = 0; j < m->ym; j++) PetscCall(PetscArraycpy(owned + j * m->gxm, x + j * m->xm, m->xm));
  PetscCall(VecRestoreArrayRead(X, (const PetscScalar **)&x));
  PetscCall(GSHaloExchange(m->halo, local));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelOwnedToGlobal(GSModel m, const PetscScalar *local, Vec X)
{
  const GSField *owned = (const GSField *)local + GSModelFirstOwned(m);
  GSField       *x;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayWrite(X, (PetscScalar **)&x));
  for (PetscInt j = 0; j < m->ym; j++) PetscCall(PetscArraycpy(x + j * m->xm, owned + j * m->gxm, m->xm));
  PetscCall(VecRestoreArrayWrite(X, (PetscScalar **)&x));
  PetscFunctionReturn(0);
}
