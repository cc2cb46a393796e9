/* Losses of the distributed v field: gathered per simulation in natural order, evaluated once. */
#pragma once

#include "gsinv/physics/loss.h"
#include "gsinv/model/model.h"

typedef struct _p_GSFieldLoss *GSFieldLoss;

/* Reads -gs_loss pixel|spectrum|windowed (pixel) and -gs_loss_tile (16). Collective. */
PetscErrorCode GSFieldLossCreate(GSModel model, GSFieldLoss *loss);
PetscErrorCode GSFieldLossDestroy(GSFieldLoss *loss);

/* The loss selected by -gs_loss. */
GSLossType GSFieldLossGetType(GSFieldLoss loss);

/* Whether the loss type can be evaluated on this grid (windowed needs tiles that divide it). */
PetscBool GSFieldLossAvailable(GSFieldLoss loss, GSLossType type);

/* The v field of X in natural order on rank 0 (NULL elsewhere), valid until the next call.
   Collective. */
PetscErrorCode GSFieldLossGatherV(GSFieldLoss loss, Vec X, const PetscScalar **v);

/* Uses a v field given in natural order on rank 0 (ignored elsewhere) as the target. Collective. */
PetscErrorCode GSFieldLossSetTargetNatural(GSFieldLoss loss, const PetscScalar *v);

/* Uses the v field of the state X as the target. Collective. */
PetscErrorCode GSFieldLossSetTarget(GSFieldLoss loss, Vec X);

/* The loss of type `type` of the state X's v field against the target (the same value on every
   rank and on any decomposition); G (state-shaped, may be NULL) receives dL/dX: 0 in u, dL/dv in v.
   Collective. */
PetscErrorCode GSFieldLossEvaluate(GSFieldLoss loss, GSLossType type, Vec X, PetscReal *value, Vec G);
