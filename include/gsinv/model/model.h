/* GSModel: the Gray-Scott system on a periodic 2-D DMDA, its RHS and matrix-free Jacobians. */
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include "gsinv/io/grid.h"
#include "gsinv/model/decomposition.h"
#include "gsinv/model/halo.h"
#include "gsinv/physics/kernels.h"
#include "gsinv/physics/status.h"

typedef struct _p_GSModel *GSModel;

/* The title of the grid's options in -help (gsinv's help lists them with its own). */
#define GS_GRID_OPTIONS_TITLE "Grid (periodic)"

/* Creates the model on comm: reads -da_grid_x/-da_grid_y (128), -da_processors_x/-da_processors_y,
   -gs_h (1) and -gs_F, -gs_k, -gs_Du, -gs_Dv (the paper's ground truth), checks them, and splits
   the grid over the ranks. Collective. */
PetscErrorCode GSModelCreate(MPI_Comm comm, GSModel *model);
PetscErrorCode GSModelDestroy(GSModel *model);

/* This rank's cells, for loops written against the model's arrays: the owned patch, the ghosted
   patch of the local work vectors, and the stencil's constants. */
typedef struct {
  PetscInt  nx, ny;             /* cells of the whole grid */
  PetscInt  xs, ys, xm, ym;     /* owned patch */
  PetscInt  gxs, gys, gxm, gym; /* ghosted patch */
  PetscInt  first_owned;        /* offset, in cells, of the first owned cell in a ghosted array */
  PetscBool whole_grid;         /* this rank owns every cell: indices wrap instead of ghosts */
  PetscReal h, inv_h2;          /* spacing and 1/h^2 */
} GSPatch;

/* What other layers read of a model (the struct is private to the model layer). Not collective. */
MPI_Comm GSModelGetComm(GSModel model);
/* The DMDA of the state (2 fields per cell, periodic, star stencil of width 1, the model's patches),
   made on the first call: only the paths that hand the grid to PETSc (TS, DMCreateMatrix) need it.
   Collective on the first call. */
PetscErrorCode GSModelGetDM(GSModel model, DM *da);
/* A state vector (2 fields per cell, interleaved, this rank's patch; the layout of the DMDA's global
   vectors) and a ghosted work vector (one ghost cell on every side of the patch; the layout of the
   DMDA's local vectors), made without the DMDA. Collective (global), not collective (local). */
PetscErrorCode GSModelCreateGlobalVector(GSModel model, Vec *X);
PetscErrorCode GSModelCreateLocalVector(GSModel model, Vec *L);
/* L := X with its ghost cells from the neighbouring patches (what DMGlobalToLocal gives for the star
   stencil; the four corner ghosts are not filled). Collective. */
PetscErrorCode GSModelGlobalToLocal(GSModel model, Vec X, Vec L);
const GSPatch *GSModelGetPatch(GSModel model);
/* The ghosted work vectors (layout of DMCreateLocalVector): x on several ranks (made on demand on
   one), y made on demand (GSModelEnsureLocalWork; NULL before). */
Vec GSModelGetLocalX(GSModel model);
Vec GSModelGetLocalY(GSModel model);
/* The edge-only ghost exchange (on one rank too: it wraps the grid onto itself). */
GSHalo GSModelGetHalo(GSModel model);
/* The matrix-free Jacobian df/dX and parameter Jacobian df/dtheta (MatShell). */
Mat GSModelGetJacobian(GSModel model);
Mat GSModelGetJacobianP(GSModel model);

/* The grid (the DMDA, this rank's patch, spacing) for io, and theta. Not collective. */
const GSGrid   *GSModelGetGrid(GSModel model);
const GSParams *GSModelGetParams(GSModel model);
/* Makes model->xlocal if it is not there yet (one rank's forward runs never need it), and with
   `pair` also model->ylocal (forward runs step in place and never need it). Not collective. */
PetscErrorCode GSModelEnsureLocalWork(GSModel model, PetscBool pair);

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

/* One rank (the model's whole grid): Y = X + dt f(X) in one fused sweep, with the step's checks
   (stats). */
PetscErrorCode GSModelEulerStep(GSModel model, PetscReal dt, Vec X, Vec Y, GSStepStats *stats);
/* The same on several ranks from the ghosted array x (the layout of model->xlocal) into the owned
   part of the ghosted array y, then y's ghosts (GSHaloExchange: the patch edges only). Collective. */
PetscErrorCode GSModelEulerStepLocal(GSModel model, PetscReal dt, const PetscScalar *x, PetscScalar *y, GSStepStats *stats);
/* Both step in place when the output is the input (Y == X, y == x): the same states bit for bit,
   row by row with the model's row buffers, so a forward run holds one state. */
/* Copies the owned cells of a ghosted array into the global vector X. Not collective. */
PetscErrorCode GSModelOwnedToGlobal(GSModel model, const PetscScalar *local, Vec X);
/* The reverse: X's owned cells into a ghosted array of the model, then its edge ghosts by the
   model's halo exchange (what DMGlobalToLocal gives for the star stencil, without the DMDA).
   Collective. */
PetscErrorCode GSModelGlobalToGhosted(GSModel model, Vec X, PetscScalar *local);
