/* Field losses on the DMDA: v is gathered to rank 0 in natural order (each rank's patch straight
   into its place), the plain-C loss (FFTW) runs there, the gradient is scattered back. One
   evaluation per simulation end, so the gather is cheap next to the run, and the value does not
   depend on the decomposition. */
#include <stdlib.h>

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
  PetscScalar  *gathered; /* rank 0: the whole v field in natural order (NULL elsewhere) */
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
  PetscInt    tile = (m->patch.nx % PetscMax(fl->tile, 1) || m->patch.ny % PetscMax(fl->tile, 1)) ? 0 : fl->tile;

  PetscFunctionBeginUser;
  PetscCheck(fl->type != GS_LOSS_WINDOWED || tile > 0, m->comm, PETSC_ERR_USER_INPUT,
             "-gs_loss_tile %" PetscInt_FMT " must divide the grid %" PetscInt_FMT " x %" PetscInt_FMT " for -gs_loss windowed", fl->tile,
             m->patch.nx, m->patch.ny);
  PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
  fl->windowed = (PetscBool)(tile > 0);
  if (rank == 0) code = GSLossCreate((int)m->patch.nx, (int)m->patch.ny, (int)tile, &fl->loss);
  if (rank == 0 && !code && !(fl->gathered = malloc(sizeof(PetscScalar) * (size_t)m->patch.nx * (size_t)m->patch.ny))) code = GS_LOSS_ERR_MEMORY;
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
  free(fl->gathered);
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
  PetscFunctionBeginUser;
  PetscCall(GSFieldGather(&fl->model->grid, X, 1, fl->gathered));
  PetscFunctionReturn(0);
}

/* fl->gathered (rank 0) back into the v component of G; u is zero. */
static PetscErrorCode Scatter(GSFieldLoss fl, Vec G)
{
  PetscFunctionBeginUser;
  PetscCall(VecSet(G, 0.0));
  PetscCall(GSFieldScatter(&fl->model->grid, fl->gathered, 1, G));
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
  *v = rank == 0 ? fl->gathered : NULL;
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
  if (rank == 0) code = GSLossSetTarget(fl->loss, fl->gathered);
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
  if (rank == 0) result[1] = GSLossEvaluate(fl->loss, type, fl->gathered, &result[0], G ? fl->gathered : NULL);
  PetscCallMPI(MPI_Bcast(result, 2, MPI_DOUBLE, 0, fl->model->comm));
  PetscCheck(result[1] == 0, fl->model->comm, PETSC_ERR_LIB, "loss %s failed: %s", GSLossTypes[type], GSLossErrorString((int)result[1]));
  *value = result[0];
  if (G) PetscCall(Scatter(fl, G));
  PetscCall(PetscLogEventEnd(fl->event, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
