/* The model's vectors in the DMDA's layouts, made without the DMDA, and the copies between a state
   and its ghosted array (the edges by the model's halo exchange). */
#include "model_impl.h"

PetscErrorCode GSModelCreateGlobalVector(GSModel m, Vec *X)
{
  PetscFunctionBeginUser;
  PetscCall(VecCreate(m->comm, X));
  PetscCall(VecSetSizes(*X, 2 * m->patch.xm * m->patch.ym, PETSC_DETERMINE));
  PetscCall(VecSetBlockSize(*X, 2));
  PetscCall(VecSetType(*X, VECSTANDARD));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelCreateLocalVector(GSModel m, Vec *L)
{
  PetscFunctionBeginUser;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, 2 * m->patch.gxm * m->patch.gym, L));
  PetscCall(VecSetBlockSize(*L, 2));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelGlobalToLocal(GSModel m, Vec X, Vec L)
{
  PetscScalar *l;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(m->event_halo, 0, 0, 0, 0));
  PetscCall(VecGetArray(L, &l));
  PetscCall(GSModelGlobalToGhosted(m, X, l));
  PetscCall(VecRestoreArray(L, &l));
  PetscCall(PetscLogEventEnd(m->event_halo, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelEnsureLocalWork(GSModel m, PetscBool pair)
{
  PetscFunctionBeginUser;
  if (!m->xlocal) PetscCall(GSModelCreateLocalVector(m, &m->xlocal));
  if (pair && !m->ylocal) PetscCall(VecDuplicate(m->xlocal, &m->ylocal));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelGlobalToGhosted(GSModel m, Vec X, PetscScalar *local)
{
  GSField       *owned = (GSField *)local + m->patch.first_owned;
  const GSField *x;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, (const PetscScalar **)&x));
  for (PetscInt j = 0; j < m->patch.ym; j++) PetscCall(PetscArraycpy(owned + j * m->patch.gxm, x + j * m->patch.xm, m->patch.xm));
  PetscCall(VecRestoreArrayRead(X, (const PetscScalar **)&x));
  PetscCall(GSHaloExchange(m->halo, local));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelOwnedToGlobal(GSModel m, const PetscScalar *local, Vec X)
{
  const GSField *owned = (const GSField *)local + m->patch.first_owned;
  GSField       *x;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayWrite(X, (PetscScalar **)&x));
  for (PetscInt j = 0; j < m->patch.ym; j++) PetscCall(PetscArraycpy(x + j * m->patch.xm, owned + j * m->patch.gxm, m->patch.xm));
  PetscCall(VecRestoreArrayWrite(X, (PetscScalar **)&x));
  PetscFunctionReturn(0);
}
