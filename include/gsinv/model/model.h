/* GSModel: the Gray-Scott system on a periodic 2-D DMDA, its RHS and matrix-free Jacobians. */
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include "gsinv/io/grid.h"
#include "gsinv/model/halo.h"
#include "gsinv/physics/kernels.h"

typedef struct _p_GSModel *GSModel;

struct _p_GSModel {
  MPI_Comm  comm;
  DM        da;        /* dof 2 (u, v), periodic, star stencil of width 1 */
  DM        da_scalar; /* dof 1, same layout: single fields for I/O and losses */
  GSParams  params;
  PetscReal h, inv_h2;
  PetscInt  nx, ny;
  PetscInt  xs, ys, xm, ym;       /* owned patch */
  PetscInt  gxs, gys, gxm, gym;   /* ghosted patch */
  PetscBool whole_grid;           /* this rank owns every cell: wrap indices instead of ghosts */
  Vec       xlocal;               /* ghosted work vector (one rank: made on demand, GSModelEnsureLocalWork) */
  Vec       ylocal;               /* a second one: the fast path steps from one to the other */
  GSHalo    halo;                 /* edge-only ghost exchange (several ranks) */
  Vec       state;                /* state the Jacobians are linearised at */
  Vec       state_local;          /* its ghosted copy (for the parameter derivatives), made on demand */
  PetscBool state_local_valid;
  PetscObjectId    state_id;      /* the vector and version the state was copied from */
  PetscObjectState state_version;
  Mat       J;                    /* MatShell: MatMult and MatMultTranspose */
  Mat       Jp;                   /* MatShell: d f / d theta, rows like U, GS_NPARAM columns */
  PetscBool jp_zeroed;            /* MatZeroEntries was called on Jp since its last linearisation */
  PetscLogEvent event_rhs, event_halo, event_jac, event_jacp;
  GSGrid    grid;                 /* the grid as io sees it */
};

/* Offset, in cells, of the first owned cell in a ghosted array of the model (DMCreateLocalVector). */
static inline PetscInt GSModelFirstOwned(GSModel m)
{
  return (m->ys - m->gys) * m->gxm + (m->xs - m->gxs);
}

/* Creates the model on comm: reads -da_grid_x/-da_grid_y (128), -gs_h (1) and -gs_F, -gs_k,
   -gs_Du, -gs_Dv (the paper's ground truth), checks them, and builds the DMDA. Collective. */
PetscErrorCode GSModelCreate(MPI_Comm comm, GSModel *model);
PetscErrorCode GSModelDestroy(GSModel *model);

/* The grid (DMs, this rank's patch, spacing) for io, and theta. Not collective. */
const GSGrid   *GSModelGetGrid(GSModel model);
const GSParams *GSModelGetParams(GSModel model);
/* Makes model->xlocal if it is not there yet (one rank's forward runs never need it). Not collective. */
PetscErrorCode GSModelEnsureLocalWork(GSModel model);

/* Changes theta (no re-creation of the grid). Not collective, but all ranks must agree. */
PetscErrorCode GSModelSetParams(GSModel model, const GSParams *params);

/* f = F(X): the TS RHS callback (ctx is the GSModel). */
PetscErrorCode GSModelRHSFunction(TS ts, PetscReal t, Vec X, Vec F, void *ctx);
/* Records X as the linearisation state of J and Jp: the TS RHS Jacobian callback. */
PetscErrorCode GSModelRHSJacobian(TS ts, PetscReal t, Vec X, Mat J, Mat P, void *ctx);
/* Records X for Jp: the TS RHS JacobianP callback. */
PetscErrorCode GSModelRHSJacobianP(TS ts, PetscReal t, Vec X, Mat Jp, void *ctx);

/* Fills a dense (MATDENSE, rows like U, GS_NPARAM columns) JacobianP at X: for TSForward. */
PetscErrorCode GSModelRHSJacobianPDense(TS ts, PetscReal t, Vec X, Mat Jp, void *ctx);

/* Assembles the Jacobian at X into A (from DMCreateMatrix(model->da)). Collective. */
PetscErrorCode GSModelAssembleJacobian(GSModel model, Vec X, Mat A);
/* The TS RHS Jacobian callback for an assembled matrix. */
PetscErrorCode GSModelRHSJacobianAssembled(TS ts, PetscReal t, Vec X, Mat J, Mat P, void *ctx);

/* Linearises J and Jp at X directly (outside TS). Collective. */
PetscErrorCode GSModelSetLinearisationState(GSModel model, Vec X);

/* Checks theta: every entry finite and >= 0; the message names the option. Collective on comm. */
PetscErrorCode GSParamsCheck(MPI_Comm comm, const GSParams *params);

/* Creates J and Jp (called by GSModelCreate). */
PetscErrorCode GSModelCreateOperators(GSModel model);

/* Prints the grid and theta. */
PetscErrorCode GSModelPrintSummary(GSModel model, PetscViewer viewer);
