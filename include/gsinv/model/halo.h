/* GSHalo: the ghost exchange of the star stencil of width 1 on a periodic 2-D decomposition,
   sending only the four edges of each patch (DMGlobalToLocal copies the whole patch as well). */
#pragma once

#include "gsinv/model/decomposition.h"

typedef struct _p_GSHalo *GSHalo;

/* For the patches of d (periodic in x and y), dof values per cell. Collective on comm. */
PetscErrorCode GSHaloCreate(MPI_Comm comm, const GSDecomposition *d, PetscInt dof, GSHalo *halo);
PetscErrorCode GSHaloDestroy(GSHalo *halo);

/* Fills the west, east, south and north ghost cells of a ghosted local array (the layout of a
   DMDA's local vector: (xm + 2) x (ym + 2) cells, dof values each, x fastest) from the owned edges
   of the neighbouring patches (itself where a direction has one patch). Corners are not filled:
   the star stencil does not read them. Collective. */
PetscErrorCode GSHaloExchange(GSHalo halo, PetscScalar *local);
