/* GSGrid from the DMDAs it describes. */
#include "gsinv/io/grid.h"

PetscErrorCode GSGridFromDMDA(DM da, DM da_scalar, PetscReal h, GSGrid *grid)
{
  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)da, &grid->comm));
  grid->da        = da;
  grid->da_scalar = da_scalar;
  grid->h         = h;
  PetscCall(DMDAGetInfo(da, NULL, &grid->nx, &grid->ny, NULL, NULL, NULL, NULL, &grid->ncomp, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDAGetCorners(da, &grid->xs, &grid->ys, NULL, &grid->xm, &grid->ym, NULL));
  PetscFunctionReturn(0);
}
