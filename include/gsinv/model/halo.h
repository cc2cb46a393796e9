/* GSHalo: the ghost exchange of the star stencil on a periodic 2-D DMDA of width 1, sending only
   the four edges of each patch (DMGlobalToLocal copies the whole patch as well). */
#pragma once

#include <petscdmda.h>

typedef struct _p_GSHalo *GSHalo;

/* For da (periodic in x and y, star stencil, width 1, any dof). Collective on da. */
PetscErrorCode GSHaloCreate(DM da, GSHalo *halo);
PetscErrorCode GSHaloDestroy(GSHalo *halo);

/* Fills the west, east, south and north ghost cells of a ghosted local array of da (the layout
   of DMCreateLocalVector: gxm x gym cells, dof values each, x fastest) from the owned edges of
   the neighbouring patches (itself where a direction has one patch). Corners are not filled:
   the star stencil does not read them. Collective on da. */
PetscErrorCode GSHaloExchange(GSHalo halo, PetscScalar *local);
