/* Field losses on the DMDA: v is gathered to rank 0 in natural order, the plain-C loss (FFTW)
   runs there, the gradient is scattered back. One evaluation per simulation end, so the gather is
   cheap next to the run, and the value does not depend on the decomposition. */
#include "gsinv/core/events.h"
#include "gsinv/model/field_loss.h"
#include "model_impl.h"
#include "gsinv/core/options.h"

struct _p_GSFieldLoss {
  GSModel       model;
  GSLossType    type;
  PetscInt      tile;
  PetscBool     windowed; /* the tile divides the grid */
  GSLoss        loss;     /* rank 0 only */
  Vec           v;        /* v field on the scalar DMDA */
  Vec           natural;  /* the same in natural order */
  Vec           gathered; /* the whole field on rank 0 (empty elsewhere) */
  VecScatter    to_zero;
  PetscLogEvent event;
};

static PetscErrorCode GSFieldLossOptions(GSFieldLoss fl)
{
  MPI_Comm  comm = fl->model->comm;
  PetscEnum type = (PetscEnum)GS_LOSS_PIXEL;

  PetscFunctionBeginUser;
  fl->tile = 16;
  PetscOptionsBegin(comm, NULL, "Loss on the v field", "GSFieldLoss");
  PetscCall(GSOptionsEnum("-gs_loss", "Loss: pixel MSE, global log power spectrum, windowed log power spectrum", "GSFieldLossCreate", GSLossTypes,
                          type, &type, NULL));
  PetscCall(GSOptionsInt("-gs_loss_tile", "Tile side of the windowed spectrum loss", "GSFieldLossCreate", fl->tile, &fl->tile, NULL));
  PetscOptionsEnd();
  fl->type = (GSLossType)type;
  PetscCheck(fl->tile >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_loss_tile %" PetscInt_FMT " must be >= 0", fl->tile);
  PetscFunctionReturn(0);
}

/* The windowed loss needs tiles that divide the grid: checked (collectively) before any run. */
static PetscErrorCode GSFieldLossCreateKernel(GSFieldLoss fl)
{
  GSModel     m = fl->model;
  PetscMPIInt rank;
  int         code = 0;
  PetscInt    tile = (m->nx % PetscMax(fl->tile, 1) || m->ny % PetscMax(fl->tile, 1)) ? 0 : fl->tile;

  PetscFunctionBeginUser;
  PetscCheck(fl->type != GS_LOSS_WINDOWED || tile > 0, m->comm, PETSC_ERR_USER_INPUT,
             "-gs_loss_tile %" PetscInt_FMT " must divide the grid %" PetscInt_FMT " x %" PetscInt_FMT " for -gs_loss windowed", fl->tile, m->nx,
             m->ny);
  PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
  fl->windowed = (PetscBool)(tile > 0);
  if (rank == 0) code = GSLossCreate((int)m->nx, (int)m->ny, (int)tile, &fl->loss);
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, m->comm));
  PetscCheck(!code, m->comm, PETSC_ERR_LIB, "cannot set up the loss: %s", GSLossErrorString(code));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldLossCreate(GSModel m, GSFieldLoss *out)
{
  GSFieldLoss fl;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&fl));
  fl->model = m;
  PetscCall(GSFieldLossOptions(fl));
  PetscCall(GSFieldLossCreateKernel(fl));
  PetscCall(DMCreateGlobalVector(m->da_scalar, &fl->v));
  PetscCall(DMDACreateNaturalVector(m->da_scalar, &fl->natural));
  PetscCall(VecScatterCreateToZero(fl->natural, &fl->to_zero, &fl->gathered));
  PetscCall(GSLogEventGet(GS_EVENT_LOSS, &fl->event));
  *out = fl;
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldLossDestroy(GSFieldLoss *loss)
{
  GSFieldLoss fl = *loss;

  PetscFunctionBeginUser;
  if (!fl) PetscFunctionReturn(0);
  GSLossDestroy(&fl->loss);
  PetscCall(VecScatterDestroy(&fl->to_zero));
  PetscCall(VecDestroy(&fl->gathered));
  PetscCall(VecDestroy(&fl->natural));
  PetscCall(VecDestroy(&fl->v));
  PetscCall(PetscFree(fl));
  *loss = NULL;
  PetscFunctionReturn(0);
}

GSLossType GSFieldLossGetType(GSFieldLoss loss)
{
  return loss->type;
}

/* v of X, in natural order, into fl->gathered on rank 0. */
static PetscErrorCode Gather(GSFieldLoss fl, Vec X)
{
  DM da = fl->model->da_scalar;

  PetscFunctionBeginUser;
  PetscCall(VecStrideGather(X, 1, fl->v, INSERT_VALUES));
  PetscCall(DMDAGlobalToNaturalBegin(da, fl->v, INSERT_VALUES, fl->natural));
  PetscCall(DMDAGlobalToNaturalEnd(da, fl->v, INSERT_VALUES, fl->natural));
  PetscCall(VecScatterBegin(fl->to_zero, fl->natural, fl->gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(fl->to_zero, fl->natural, fl->gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscFunctionReturn(0);
}

/* fl->gathered (rank 0) back into the v component of G; u is zero. */
static PetscErrorCode Scatter(GSFieldLoss fl, Vec G)
{
  DM da = fl->model->da_scalar;

  PetscFunctionBeginUser;
  PetscCall(VecScatterBegin(fl->to_zero, fl->gathered, fl->natural, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(fl->to_zero, fl->gathered, fl->natural, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(DMDANaturalToGlobalBegin(da, fl->natural, INSERT_VALUES, fl->v));
  PetscCall(DMDANaturalToGlobalEnd(da, fl->natural, INSERT_VALUES, fl->v));
  PetscCall(VecSet(G, 0.0));
  PetscCall(VecStrideScatter(fl->v, 1, G, INSERT_VALUES));
  PetscFunctionReturn(0);
}

PetscBool GSFieldLossAvailable(GSFieldLoss fl, GSLossType type)
{
  return (PetscBool)(type != GS_LOSS_WINDOWED || fl->windowed);
}

PetscErrorCode GSFieldLossGatherV(GSFieldLoss fl, Vec X, const PetscScalar **v)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(Gather(fl, X));
  PetscCallMPI(MPI_Comm_rank(fl->model->comm, &rank));
  *v = NULL;
  if (rank == 0) {
    PetscCall(VecGetArrayRead(fl->gathered, v));
    PetscCall(VecRestoreArrayRead(fl->gathered, v));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldLossSetTargetNatural(GSFieldLoss fl, const PetscScalar *v)
{
  PetscMPIInt rank;
  int         code = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(fl->model->comm, &rank));
  if (rank == 0) code = GSLossSetTarget(fl->loss, v);
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, fl->model->comm));
  PetscCheck(!code, fl->model->comm, PETSC_ERR_LIB, "cannot set the loss target: %s", GSLossErrorString(code));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldLossSetTarget(GSFieldLoss fl, Vec X)
{
  PetscMPIInt rank;
  int         code = 0;

  PetscFunctionBeginUser;
  PetscCall(Gather(fl, X));
  PetscCallMPI(MPI_Comm_rank(fl->model->comm, &rank));
  if (rank == 0) {
    const PetscScalar *v;
    PetscCall(VecGetArrayRead(fl->gathered, &v));
    code = GSLossSetTarget(fl->loss, v);
    PetscCall(VecRestoreArrayRead(fl->gathered, &v));
  }
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, fl->model->comm));
  PetscCheck(!code, fl->model->comm, PETSC_ERR_LIB, "cannot set the loss target: %s", GSLossErrorString(code));
  PetscFunctionReturn(0);
}

PetscErrorCode GSFieldLossEvaluate(GSFieldLoss fl, GSLossType type, Vec X, PetscReal *value, Vec G)
{
  PetscMPIInt rank;
  double      result[2] = {0, 0}; /* value, error code */

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fl->event, 0, 0, 0, 0));
  PetscCall(Gather(fl, X));
  PetscCallMPI(MPI_Comm_rank(fl->model->comm, &rank));
  if (rank == 0) {
    PetscScalar *v;
    PetscCall(VecGetArray(fl->gathered, &v));
    result[1] = GSLossEvaluate(fl->loss, type, v, &result[0], G ? v : NULL);
    PetscCall(VecRestoreArray(fl->gathered, &v));
  }
  PetscCallMPI(MPI_Bcast(result, 2, MPI_DOUBLE, 0, fl->model->comm));
  PetscCheck(result[1] == 0, fl->model->comm, PETSC_ERR_LIB, "loss %s failed: %s", GSLossTypes[type], GSLossErrorString((int)result[1]));
  *value = result[0];
  if (G) PetscCall(Scatter(fl, G));
  PetscCall(PetscLogEventEnd(fl->event, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
