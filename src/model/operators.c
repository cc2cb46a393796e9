/* The model's operators on its patches: RHS, matrix-free Jacobian (and transpose), JacobianP. */
/* PetscObjectStateGet (the version counter of a vector) is declared with the implementation API. */
#include <petsc/private/petscimpl.h>

#include "model_impl.h"
#include "gsinv/physics/stencil.h"

typedef enum { OP_RHS, OP_JACOBIAN, OP_JACOBIAN_TRANSPOSE } GSOperatorKind;

/* The pointwise operator of each kind, applied by a sweep (st: linearisation state, may be NULL). */
#define GS_OPERATOR_BODY(kind, p, inv_h2, st, y) \
  do { \
    if ((kind) == OP_RHS) y[idx] = GSRHSPoint(p, inv_h2, c, w, e, s, n); \
    else { \
      double a[2][2]; \
      GSReactionJacobian(p, st[idx], a); \
      y[idx] = (kind) == OP_JACOBIAN ? GSJacobianPoint(p, inv_h2, a, c, w, e, s, n) : GSJacobianTransposePoint(p, inv_h2, a, c, w, e, s, n); \
    } \
  } while (0)

static void SweepPeriodic(GSOperatorKind kind, const GSParams *p, double inv_h2, int nx, int ny, const GSField *x, const GSField *st, GSField *y)
{
  if (kind == OP_RHS) GS_SWEEP_PERIODIC(nx, ny, x, y[idx] = GSRHSPoint(p, inv_h2, c, w, e, s, n));
  else GS_SWEEP_PERIODIC(nx, ny, x, GS_OPERATOR_BODY(kind, p, inv_h2, st, y));
}

static void SweepGhosted(GSOperatorKind kind, const GSParams *p, double inv_h2, int xm, int ym, int gxm, const GSField *xin, const GSField *st,
                         GSField *y)
{
  if (kind == OP_RHS) GS_SWEEP_GHOSTED(xm, ym, gxm, xin, y[idx] = GSRHSPoint(p, inv_h2, c, w, e, s, n));
  else GS_SWEEP_GHOSTED(xm, ym, gxm, xin, GS_OPERATOR_BODY(kind, p, inv_h2, st, y));
}

/* Fills the ghosted work vector from X and returns a pointer to its first owned cell. */
static PetscErrorCode GSModelHaloExchange(GSModel m, Vec X, Vec xlocal, const GSField **xin)
{
  const PetscScalar *xl;

  PetscFunctionBeginUser;
  PetscCall(GSModelGlobalToLocal(m, X, xlocal));
  PetscCall(VecGetArrayRead(xlocal, &xl));
  *xin = (const GSField *)xl + m->patch.first_owned;
  PetscFunctionReturn(0);
}

static PetscErrorCode GSModelApply(GSModel m, GSOperatorKind kind, Vec X, Vec Y)
{
  const PetscScalar *x, *st = NULL;
  PetscScalar       *y;

  PetscFunctionBeginUser;
  if (kind != OP_RHS) PetscCall(VecGetArrayRead(m->state, &st));
  if (m->patch.whole_grid) {
    PetscCall(VecGetArrayRead(X, &x));
    PetscCall(VecGetArrayWrite(Y, &y));
    SweepPeriodic(kind, &m->params, m->patch.inv_h2, (int)m->patch.nx, (int)m->patch.ny, (const GSField *)x, (const GSField *)st, (GSField *)y);
    PetscCall(VecRestoreArrayRead(X, &x));
  } else {
    const GSField *xin = NULL;
    PetscCall(GSModelHaloExchange(m, X, m->xlocal, &xin));
    PetscCall(VecGetArrayWrite(Y, &y));
    SweepGhosted(kind, &m->params, m->patch.inv_h2, (int)m->patch.xm, (int)m->patch.ym, (int)m->patch.gxm, xin, (const GSField *)st, (GSField *)y);
    PetscCall(VecRestoreArrayRead(m->xlocal, &x));
  }
  PetscCall(VecRestoreArrayWrite(Y, &y));
  if (kind != OP_RHS) PetscCall(VecRestoreArrayRead(m->state, &st));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelRHSFunction(TS ts, PetscReal t, Vec X, Vec F, void *ctx)
{
  GSModel m = (GSModel)ctx;

  PetscFunctionBeginUser;
  (void)ts;
  (void)t;
  PetscCall(PetscLogEventBegin(m->event_rhs, 0, 0, 0, 0));
  PetscCall(GSModelApply(m, OP_RHS, X, F));
  PetscCall(PetscLogEventEnd(m->event_rhs, 0, 0, 0, 0));
  PetscCall(PetscLogFlops(20.0 * m->patch.xm * m->patch.ym));
  PetscFunctionReturn(0);
}

static PetscErrorCode JacobianMult(Mat J, Vec X, Vec Y)
{
  GSModel m;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(J, &m));
  PetscCall(PetscLogEventBegin(m->event_jac, 0, 0, 0, 0));
  PetscCall(GSModelApply(m, OP_JACOBIAN, X, Y));
  PetscCall(PetscLogEventEnd(m->event_jac, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

static PetscErrorCode JacobianMultTranspose(Mat J, Vec X, Vec Y)
{
  GSModel m;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(J, &m));
  PetscCall(PetscLogEventBegin(m->event_jac, 0, 0, 0, 0));
  PetscCall(GSModelApply(m, OP_JACOBIAN_TRANSPOSE, X, Y));
  PetscCall(PetscLogEventEnd(m->event_jac, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Partial derivatives at every owned cell of the linearisation state: dfu, dfv per cell. */
#define GS_PARAM_DERIVATIVE_SWEEP(m, ...) \
  do { \
    const PetscScalar *sl; \
    if (!(m)->state_local_valid) { \
      PetscCall(GSModelGlobalToLocal((m), (m)->state, (m)->state_local)); \
      (m)->state_local_valid = PETSC_TRUE; \
    } \
    PetscCall(VecGetArrayRead((m)->state_local, &sl)); \
    const GSField *sin = (const GSField *)sl + (m)->patch.first_owned; \
    GS_SWEEP_GHOSTED((int)(m)->patch.xm, (int)(m)->patch.ym, (int)(m)->patch.gxm, sin, { \
      double dfu[GS_NPARAM], dfv[GS_NPARAM]; \
      GSParamDerivativePoint(c, GSLaplacian(c.u, w.u, e.u, s.u, n.u, (m)->patch.inv_h2), GSLaplacian(c.v, w.v, e.v, s.v, n.v, (m)->patch.inv_h2), \
                             dfu, dfv); \
      __VA_ARGS__; \
    }); \
    PetscCall(VecRestoreArrayRead((m)->state_local, &sl)); \
  } while (0)

/* Y (like U) = Jp dtheta, dtheta held on rank 0 (broadcast here). */
static PetscErrorCode JacobianPMult(Mat Jp, Vec dtheta, Vec Y)
{
  GSModel            m;
  PetscScalar        d[GS_NPARAM] = {0};
  const PetscScalar *dt;
  PetscScalar       *y;
  PetscInt           nlocal;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(Jp, &m));
  if (m->jp_zeroed) {
    PetscCall(VecSet(Y, 0.0));
    PetscFunctionReturn(0);
  }
  PetscCall(VecGetLocalSize(dtheta, &nlocal));
  PetscCall(VecGetArrayRead(dtheta, &dt));
  for (PetscInt i = 0; i < nlocal; i++) d[i] = dt[i];
  PetscCall(VecRestoreArrayRead(dtheta, &dt));
  PetscCallMPI(MPI_Bcast(d, GS_NPARAM, MPIU_SCALAR, 0, m->comm));
  PetscCall(VecGetArrayWrite(Y, &y));
  GSField *yf = (GSField *)y;
  GS_PARAM_DERIVATIVE_SWEEP(m, {
    yf[idx].u = dfu[0] * d[0] + dfu[1] * d[1] + dfu[2] * d[2] + dfu[3] * d[3];
    yf[idx].v = dfv[0] * d[0] + dfv[1] * d[1] + dfv[2] * d[2] + dfv[3] * d[3];
  });
  PetscCall(VecRestoreArrayWrite(Y, &y));
  PetscFunctionReturn(0);
}

/* Y (GS_NPARAM entries on rank 0) = Jp^T X. */
static PetscErrorCode JacobianPMultTranspose(Mat Jp, Vec X, Vec Y)
{
  GSModel            m;
  PetscScalar        local[GS_NPARAM] = {0}, global[GS_NPARAM];
  const PetscScalar *x;
  PetscScalar       *y;
  PetscInt           nlocal;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(Jp, &m));
  if (m->jp_zeroed) {
    PetscCall(VecSet(Y, 0.0));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscLogEventBegin(m->event_jacp, 0, 0, 0, 0));
  PetscCall(VecGetArrayRead(X, &x));
  if (m->patch.whole_grid) {
    const PetscScalar *st;
    PetscCall(VecGetArrayRead(m->state, &st));
    GSParamGradientPeriodic(m->patch.inv_h2, (int)m->patch.nx, (int)m->patch.ny, (const GSField *)st, (const GSField *)x, local);
    PetscCall(VecRestoreArrayRead(m->state, &st));
  } else {
    const PetscScalar *sl;
    if (!m->state_local_valid) {
      PetscCall(GSModelGlobalToLocal(m, m->state, m->state_local));
      m->state_local_valid = PETSC_TRUE;
    }
    PetscCall(VecGetArrayRead(m->state_local, &sl));
    GSParamGradientGhosted(m->patch.inv_h2, (int)m->patch.xm, (int)m->patch.ym, (int)m->patch.gxm, (const GSField *)sl + m->patch.first_owned,
                           (const GSField *)x, local);
    PetscCall(VecRestoreArrayRead(m->state_local, &sl));
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(PetscLogEventEnd(m->event_jacp, 0, 0, 0, 0));
  PetscCallMPI(MPI_Allreduce(local, global, GS_NPARAM, MPIU_SCALAR, MPIU_SUM, m->comm));
  PetscCall(VecGetLocalSize(Y, &nlocal));
  PetscCall(VecGetArrayWrite(Y, &y));
  for (PetscInt i = 0; i < nlocal; i++) y[i] = global[i];
  PetscCall(VecRestoreArrayWrite(Y, &y));
  PetscFunctionReturn(0);
}

/* The dense form of Jp (TSForward adds it to its dense sensitivities, which a shell cannot do). */
PetscErrorCode GSModelRHSJacobianPDense(TS ts, PetscReal t, Vec X, Mat Jp, void *ctx)
{
  GSModel      m = (GSModel)ctx;
  PetscScalar *a;
  PetscInt     lda;
  GSField     *y[GS_NPARAM];

  PetscFunctionBeginUser;
  (void)ts;
  (void)t;
  PetscCall(GSModelSetLinearisationState(m, X));
  PetscCall(MatDenseGetLDA(Jp, &lda));
  PetscCall(MatDenseGetArrayWrite(Jp, &a));
  for (int q = 0; q < GS_NPARAM; q++) y[q] = (GSField *)(a + q * lda);
  GS_PARAM_DERIVATIVE_SWEEP(m, {
    for (int q = 0; q < GS_NPARAM; q++) y[q][idx] = (GSField){dfu[q], dfv[q]};
  });
  PetscCall(MatDenseRestoreArrayWrite(Jp, &a));
  PetscFunctionReturn(0);
}

/* TS zeroes the JacobianP of some schemes (theta methods) before use: honoured until the next
   linearisation. */
static PetscErrorCode JacobianPZeroEntries(Mat Jp)
{
  GSModel m;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(Jp, &m));
  m->jp_zeroed = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelCreateOperators(GSModel m)
{
  PetscInt    nlocal;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
  nlocal = 2 * m->patch.xm * m->patch.ym;
  PetscCall(MatCreateShell(m->comm, nlocal, nlocal, PETSC_DETERMINE, PETSC_DETERMINE, m, &m->J));
  PetscCall(MatShellSetOperation(m->J, MATOP_MULT, (void (*)(void))JacobianMult));
  PetscCall(MatShellSetOperation(m->J, MATOP_MULT_TRANSPOSE, (void (*)(void))JacobianMultTranspose));
  if (m->da) PetscCall(MatSetDM(m->J, m->da));
  PetscCall(MatCreateShell(m->comm, nlocal, rank == 0 ? GS_NPARAM : 0, PETSC_DETERMINE, GS_NPARAM, m, &m->Jp));
  PetscCall(MatShellSetOperation(m->Jp, MATOP_MULT, (void (*)(void))JacobianPMult));
  PetscCall(MatShellSetOperation(m->Jp, MATOP_MULT_TRANSPOSE, (void (*)(void))JacobianPMultTranspose));
  PetscCall(MatShellSetOperation(m->Jp, MATOP_ZERO_ENTRIES, (void (*)(void))JacobianPZeroEntries));
  PetscFunctionReturn(0);
}

/* TS asks for J and Jp at the same state one after the other: the copy is made once, and the
   ghosted copy only when Jp is applied. */
PetscErrorCode GSModelSetLinearisationState(GSModel m, Vec X)
{
  PetscObjectId    id;
  PetscObjectState version;

  PetscFunctionBeginUser;
  m->jp_zeroed = PETSC_FALSE;
  /* made on first use: a forward run never linearises */
  if (!m->state) {
    PetscCall(GSModelCreateGlobalVector(m, &m->state));
    PetscCall(GSModelCreateLocalVector(m, &m->state_local));
  }
  PetscCall(PetscObjectGetId((PetscObject)X, &id));
  PetscCall(PetscObjectStateGet((PetscObject)X, &version));
  if (X != m->state && id == m->state_id && version == m->state_version) PetscFunctionReturn(0);
  PetscCall(VecCopy(X, m->state));
  m->state_id          = id;
  m->state_version     = version;
  m->state_local_valid = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelRHSJacobian(TS ts, PetscReal t, Vec X, Mat J, Mat P, void *ctx)
{
  GSModel m = (GSModel)ctx;

  PetscFunctionBeginUser;
  (void)ts;
  (void)t;
  PetscCall(GSModelSetLinearisationState(m, X));
  /* A fresh assembly drops any scale or shift TS applied to the shell on a previous call. */
  PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  if (P != J) {
    PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelRHSJacobianP(TS ts, PetscReal t, Vec X, Mat Jp, void *ctx)
{
  GSModel m = (GSModel)ctx;

  PetscFunctionBeginUser;
  (void)ts;
  (void)t;
  PetscCall(GSModelSetLinearisationState(m, X));
  PetscCall(MatAssemblyBegin(Jp, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(Jp, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}
