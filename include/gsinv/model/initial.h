/* Initial states on the DMDA: the paper's seeded recipe or a state read from HDF5. */
#pragma once

#include "gsinv/model/model.h"
#include "gsinv/physics/noise.h"

/* Options of the initial state: -gs_initial FILE, or the recipe with -gs_seed, -gs_sample,
   -gs_init_noise, -gs_init_block. */
typedef struct {
  char            file[PETSC_MAX_PATH_LEN]; /* empty: use the recipe */
  GSInitialRecipe recipe;
} GSInitialOptions;

PetscErrorCode GSInitialOptionsFromOptions(MPI_Comm comm, GSInitialOptions *opts);

/* Fills X with the recipe for (seed, sample): the same field on any decomposition. */
PetscErrorCode GSInitialRecipeFill(GSModel model, const GSInitialRecipe *recipe, Vec X);

/* Fills X as the options say. Collective. */
PetscErrorCode GSInitialStateFill(GSModel model, const GSInitialOptions *opts, Vec X);
