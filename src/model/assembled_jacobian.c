/* The Jacobian as an assembled AIJ matrix: for the routes that need entries (direct solves of the
   implicit-function gradient, PETSc's forward sensitivities of theta methods). The stepping and
   adjoint paths stay matrix-free. */
#include "model_impl.h"

/* Row of field c at cell (i, j): D lap + the reaction Jacobian a. */
static PetscErrorCode SetCellRows(GSModel m, Mat A, PetscInt i, PetscInt j, GSField state)
{
  const double D[2] = {m->params.Du, m->params.Dv};
  double       a[2][2];

  PetscFunctionBeginUser;
  GSReactionJacobian(&m->params, state, a);
  for (PetscInt c = 0; c < 2; c++) {
    const PetscReal off     = D[c] * m->patch.inv_h2;
    MatStencil      row     = {.k = 0, .j = j, .i = i, .c = c}, cols[6];
    PetscScalar     vals[6] = {-4.0 * off + a[c][c], a[c][1 - c], off, off, off, off};
    cols[0]                 = row;
    cols[1]                 = (MatStencil){.k = 0, .j = j, .i = i, .c = 1 - c};
    cols[2]                 = (MatStencil){.k = 0, .j = j, .i = i - 1, .c = c};
    cols[3]                 = (MatStencil){.k = 0, .j = j, .i = i + 1, .c = c};
    cols[4]                 = (MatStencil){.k = 0, .j = j - 1, .i = i, .c = c};
    cols[5]                 = (MatStencil){.k = 0, .j = j + 1, .i = i, .c = c};
    PetscCall(MatSetValuesStencil(A, 1, &row, 6, cols, vals, INSERT_VALUES));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelAssembleJacobian(GSModel m, Vec X, Mat A)
{
  const PetscScalar *x;

  PetscFunctionBeginUser;
  PetscCall(MatZeroEntries(A));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt j = 0; j < m->patch.ym; j++)
    for (PetscInt i = 0; i < m->patch.xm; i++)
      PetscCall(SetCellRows(m, A, m->patch.xs + i, m->patch.ys + j, ((const GSField *)x)[j * m->patch.xm + i]));
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelRHSJacobianAssembled(TS ts, PetscReal t, Vec X, Mat J, Mat P, void *ctx)
{
  GSModel m = (GSModel)ctx;

  PetscFunctionBeginUser;
  (void)ts;
  (void)t;
  PetscCall(GSModelSetLinearisationState(m, X));
  PetscCall(GSModelAssembleJacobian(m, X, P));
  if (J != P) PetscCall(GSModelAssembleJacobian(m, X, J));
  PetscFunctionReturn(0);
}
