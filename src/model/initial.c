/* Initial states: the recipe evaluated cell by cell from global indices, or read from a file. */
#include "gsinv/model/initial.h"
#include "gsinv/core/events.h"
#include "model_impl.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"

PetscErrorCode GSInitialOptionsFromOptions(MPI_Comm comm, GSInitialOptions *opts)
{
  PetscInt seed = 0, sample = 0, block;

  PetscFunctionBeginUser;
  opts->file[0] = 0;
  opts->recipe  = GSInitialRecipeDefault(0, 0);
  block         = opts->recipe.block;
  PetscOptionsBegin(comm, NULL, "Initial state", "GSInitial");
  PetscCall(PetscOptionsString("-gs_initial", "HDF5 file with /state/u and /state/v to start from (default: the seeded recipe)", "GSInitialStateFill",
                               opts->file, opts->file, sizeof(opts->file), NULL));
  PetscCall(GSOptionsIntRange("-gs_seed", "Seed of the initial-state noise", "GSInitialStateFill", seed, &seed, NULL, 0, PETSC_MAX_INT));
  PetscCall(GSOptionsIntRange("-gs_sample", "Sample index: which draw of that seed", "GSInitialStateFill", sample, &sample, NULL, 0, PETSC_MAX_INT));
  PetscCall(GSOptionsReal("-gs_init_noise", "Standard deviation of the initial noise on u and v", "GSInitialStateFill", opts->recipe.noise,
                          &opts->recipe.noise, NULL));
  PetscCall(GSOptionsInt("-gs_init_block", "Side of the centred seeding block (u = 0.5, v = 0.25)", "GSInitialStateFill", block, &block, NULL));
  PetscCall(GSOptionsEnum("-gs_init_sampler", "Normal sampler of the noise (boxmuller: gsinv's recipe before the ziggurat)", "GSInitialStateFill",
                          GSNoiseSamplers, (PetscEnum)opts->recipe.sampler, (PetscEnum *)&opts->recipe.sampler, NULL));
  PetscOptionsEnd();
  PetscCheck(seed >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_seed %" PetscInt_FMT " must be >= 0", seed);
  PetscCheck(sample >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_sample %" PetscInt_FMT " must be >= 0", sample);
  PetscCheck(opts->recipe.noise >= 0 && PetscIsNormalReal(opts->recipe.noise + 1), comm, PETSC_ERR_USER_INPUT, "-gs_init_noise %g must be >= 0",
             opts->recipe.noise);
  PetscCheck(block >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_init_block %" PetscInt_FMT " must be >= 0", block);
  opts->recipe.seed   = (uint64_t)seed;
  opts->recipe.sample = sample;
  opts->recipe.block  = (int)block;
  PetscFunctionReturn(0);
}

PetscErrorCode GSInitialRecipeFill(GSModel m, const GSInitialRecipe *recipe, Vec X)
{
  GSField *x;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayWrite(X, (PetscScalar **)&x));
  for (PetscInt j = 0; j < m->patch.ym; j++)
    GSInitialRow(recipe, m->patch.xs, m->patch.ys + j, m->patch.xm, m->patch.nx, m->patch.ny, x + j * m->patch.xm);
  PetscCall(VecRestoreArrayWrite(X, (PetscScalar **)&x));
  PetscFunctionReturn(0);
}

PetscErrorCode GSInitialStateFill(GSModel m, const GSInitialOptions *opts, Vec X)
{
  PetscLogEvent initial;

  PetscFunctionBeginUser;
  PetscCall(GSLogEventGet(GS_EVENT_INITIAL, &initial));
  PetscCall(PetscLogEventBegin(initial, 0, 0, 0, 0));
  if (opts->file[0]) PetscCall(GSStateRead(GSModelGetGrid(m), "-gs_initial", opts->file, X));
  else PetscCall(GSInitialRecipeFill(m, &opts->recipe, X));
  PetscCall(PetscLogEventEnd(initial, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
