/* Target files: N steady states at one theta, /targets/u and /targets/v [N][ny][nx]. */
#pragma once

#include "gsinv/io/grid.h"
#include "gsinv/physics/noise.h"

/* Reads the v field of target `index` of a targets file on rank 0 of the model's communicator
   (natural order into v, nx*ny values; untouched elsewhere); a missing file, dataset, index or a
   grid of another size stops with a message naming option and file. Collective. */
PetscErrorCode GSTargetsReadV(const GSGrid *grid, const char *option, const char *path, PetscInt index, PetscScalar *v);

/* Number of targets in the file, its recipe seed and first sample (-1 if unknown). Collective. */
PetscErrorCode GSTargetsInfo(MPI_Comm comm, const char *option, const char *path, PetscInt *count, PetscInt *seed, PetscInt *sample0);

/* Stops with a message naming the setting and ending in `why` if the file records an initial-state
   recipe (-gs_init_noise, -gs_init_block, -gs_init_sampler) other than `recipe`'s. Collective. */
PetscErrorCode GSTargetsCheckRecipe(MPI_Comm comm, const char *option, const char *path, const GSInitialRecipe *recipe, const char *why);

/* The theta the targets were made at (root attributes F, k, Du, Dv). Collective. */
PetscErrorCode GSTargetsTheta(MPI_Comm comm, const char *option, const char *path, double theta[GS_NPARAM]);
