/* The inversion's batch evaluation and its set-up: each member of a batch is one run from a
   seeded initial state against one target state, its loss and adjoint gradient; groups take
   members round-robin and the sums are reduced over the optimiser's communicator. */
#include <petsctao.h>
#include <petsctime.h>

#include "gsinv/model/initial.h"
#include "inversion_impl.h"
#include "gsinv/physics/noise.h"
#include "gsinv/core/options.h"
#include "gsinv/io/targets_file.h"

const char *const GSOptimizerTypes[] = {"tao", "sgd", "GSOptimizerType", "GS_OPTIMIZER_", NULL};

static PetscErrorCode InversionOptions(GSInversion inv)
{
  PetscEnum opt = (PetscEnum)GS_OPTIMIZER_TAO, rep = (PetscEnum)GS_REPARAM_IDENTITY;
  PetscInt  n = GS_NPARAM;
  PetscBool set;

  PetscFunctionBeginUser;
  inv->batch = 8, inv->max_it = 100, inv->lr = 1e-4, inv->weight_decay = 0, inv->seed = 0, inv->plateau_ratio = 0.5;
  for (int q = 0; q < GS_NPARAM; q++) inv->lower[q] = 1e-6;
  inv->upper[GS_PARAM_F] = inv->upper[GS_PARAM_K] = 0.1, inv->upper[GS_PARAM_DU] = inv->upper[GS_PARAM_DV] = 1.0;
  PetscCall(PetscStrncpy(inv->targets, "targets.h5", sizeof(inv->targets)));
  PetscOptionsBegin(inv->comm, NULL, "Inversion", "GSInversion");
  PetscCall(PetscOptionsString("-gs_targets_file", "Targets (gsinv targets output)", "GSInversionCreate", inv->targets, inv->targets,
                               sizeof(inv->targets), NULL));
  PetscCall(GSOptionsInt("-gs_batch", "Runs per iteration B (the paper: 8)", "GSInversionCreate", inv->batch, &inv->batch, NULL));
  PetscCall(GSOptionsBool("-gs_deterministic",
                          "Fixed batch: member b starts from the initial state of target b (reproducible; the loss is 0 at the truth)",
                          "GSInversionCreate", inv->deterministic, &inv->deterministic, NULL));
  PetscCall(GSOptionsIntRange("-gs_batch_seed", "Seed of the fresh initial states and target draws", "GSInversionCreate", inv->seed, &inv->seed, NULL,
                              0, PETSC_MAX_INT));
  PetscCall(GSOptionsEnum("-gs_optimizer", "tao (any -tao_type) or the paper's sgd with its safeguard", "GSInversionCreate", GSOptimizerTypes, opt,
                          &opt, NULL));
  PetscCall(GSOptionsEnum("-gs_reparam", "Variables the optimiser sees: identity, paper (softplus/sigmoid), log", "GSInversionCreate", GSReparamTypes,
                          rep, &rep, NULL));
  PetscCall(GSOptionsReal("-gs_lr", "SGD learning rate (the paper: 1e-4)", "GSInversionCreate", inv->lr, &inv->lr, NULL));
  PetscCall(GSOptionsReal("-gs_weight_decay", "SGD weight decay on the raw variables (the paper: 5e-4)", "GSInversionCreate", inv->weight_decay,
                          &inv->weight_decay, NULL));
  PetscCall(GSOptionsInt("-gs_max_it", "Iteration cap (the paper: 4000)", "GSInversionCreate", inv->max_it, &inv->max_it, NULL));
  PetscCall(GSOptionsReal("-gs_plateau_ratio", "A stop with a vanishing gradient is a plateau when loss - floor > ratio (flat - floor) (see GSStop)",
                          "GSInversionCreate", inv->plateau_ratio, &inv->plateau_ratio, NULL));
  PetscCall(GSOptionsRealArray("-gs_lower", "Lower bounds of F,k,Du,Dv (bounded TAO methods, identity variables)", "GSInversionCreate", inv->lower,
                               &n, &set, GS_NPARAM));
  PetscCheck(!set || n == GS_NPARAM, inv->comm, PETSC_ERR_USER_INPUT, "-gs_lower needs 4 values (F,k,Du,Dv), got %" PetscInt_FMT, n);
  n = GS_NPARAM;
  PetscCall(GSOptionsRealArray("-gs_upper", "Upper bounds of F,k,Du,Dv", "GSInversionCreate", inv->upper, &n, &set, GS_NPARAM));
  PetscCheck(!set || n == GS_NPARAM, inv->comm, PETSC_ERR_USER_INPUT, "-gs_upper needs 4 values (F,k,Du,Dv), got %" PetscInt_FMT, n);
  PetscOptionsEnd();
  for (int q = 0; q < GS_NPARAM; q++)
    PetscCheck(inv->lower[q] < inv->upper[q], inv->comm, PETSC_ERR_USER_INPUT, "-gs_lower %g >= -gs_upper %g for %s", (double)inv->lower[q],
               (double)inv->upper[q], GSParamNames[q]);
  PetscCheck(inv->seed >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-gs_batch_seed %" PetscInt_FMT " must be >= 0", inv->seed);
  inv->optimizer = (GSOptimizerType)opt, inv->reparam = (GSReparamType)rep;
  PetscCheck(inv->batch >= 1, inv->comm, PETSC_ERR_USER_INPUT, "-gs_batch %" PetscInt_FMT " must be >= 1", inv->batch);
  PetscCheck(inv->max_it >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-gs_max_it %" PetscInt_FMT " must be >= 0", inv->max_it);
  PetscCheck(inv->lr > 0, inv->comm, PETSC_ERR_USER_INPUT, "-gs_lr %g must be positive", (double)inv->lr);
  PetscCheck(inv->plateau_ratio > 0 && inv->plateau_ratio < 1, inv->comm, PETSC_ERR_USER_INPUT, "-gs_plateau_ratio %g must be in (0, 1)",
             (double)inv->plateau_ratio);
  PetscCheck(inv->weight_decay >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-gs_weight_decay %g must be >= 0", (double)inv->weight_decay);
  PetscFunctionReturn(0);
}

/* Each solve makes its own TAO object; one made here reads -tao_* now, so that they are checked
   (and listed by -help) with every other option. */
static PetscErrorCode ReadTaoOptions(GSInversion inv)
{
  Tao tao;

  PetscFunctionBeginUser;
  if (inv->optimizer != GS_OPTIMIZER_TAO) PetscFunctionReturn(0);
  PetscCall(GSOptionsCheckPetsc(inv->comm, "-tao_"));
  PetscCall(TaoCreate(inv->comm, &tao));
  PetscCall(TaoSetType(tao, TAOBLMVM));
  GSOptionsPetscCall(inv->comm, "-tao_* options (-tao_type, ...)", TaoSetFromOptions(tao));
  PetscCall(TaoDestroy(&tao));
  PetscFunctionReturn(0);
}

PetscErrorCode GSInversionCreate(MPI_Comm comm, MPI_Comm group, PetscInt ngroups, PetscInt group_id, GSInversion *out)
{
  GSInversion    inv;
  PetscBool      help;
  const GSPatch *patch;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&inv));
  inv->comm = comm, inv->group = group, inv->ngroups = ngroups, inv->group_id = group_id;
  PetscCallMPI(MPI_Comm_rank(group, &inv->group_rank));
  PetscCall(InversionOptions(inv));
  PetscCall(GSEvaluatorCreate(group, 5e-5, PETSC_TRUE, &inv->evaluator));
  PetscCall(ReadTaoOptions(inv));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (!help) { /* help reads no input files */
    PetscCall(GSTargetsInfo(group, "-gs_targets_file", inv->targets, &inv->ntargets, &inv->target_seed, &inv->target_sample0));
    PetscCheck(inv->ntargets > 0, comm, PETSC_ERR_USER_INPUT, "-gs_targets_file %s holds no target: /targets/v must be [N >= 1][ny][nx]",
               inv->targets); /* batch members take target b % N */
    PetscCheck(!inv->deterministic || inv->target_seed >= 0, comm, PETSC_ERR_USER_INPUT,
               "-gs_deterministic needs a targets file that records its seed (-gs_targets_file %s)", inv->targets);
    if (inv->deterministic)
      PetscCall(GSTargetsCheckRecipe(group, "-gs_targets_file", inv->targets, &InvInit(inv)->recipe,
                                     "-gs_deterministic starts each member from its target's initial state, so the recipe must be the same"));
  }
  PetscCall(GSModelCreateGlobalVector(InvModel(inv), &inv->X0));
  patch = GSModelGetPatch(InvModel(inv));
  PetscCall(PetscMalloc1(inv->group_rank == 0 ? patch->nx * patch->ny : 1, &inv->target_v));
  *out = inv;
  PetscFunctionReturn(0);
}

PetscErrorCode GSInversionDestroy(GSInversion *out)
{
  GSInversion inv = *out;

  PetscFunctionBeginUser;
  if (!inv) PetscFunctionReturn(0);
  PetscCall(PetscFree(inv->target_v));
  PetscCall(VecDestroy(&inv->X0));
  PetscCall(GSEvaluatorDestroy(&inv->evaluator));
  PetscCall(PetscFree(inv));
  *out = NULL;
  PetscFunctionReturn(0);
}

GSModel GSInversionGetModel(GSInversion inv)
{
  return InvModel(inv);
}

GSRun GSInversionGetRun(GSInversion inv)
{
  return InvRun(inv);
}

PetscInt GSInversionGetMaxIterations(GSInversion inv)
{
  return inv->max_it;
}

const char *GSInversionGetTargetsFile(GSInversion inv)
{
  return inv->targets;
}

PetscErrorCode GSInversionSetMonitor(GSInversion inv, GSInversionMonitor monitor, void *ctx)
{
  PetscFunctionBeginUser;
  inv->monitor = monitor, inv->monitor_ctx = ctx;
  PetscFunctionReturn(0);
}

/* The TAO solver's type and tolerances as a solve would set them (defaults, then -tao_*). */
static PetscErrorCode AddTaoSettings(GSInversion inv, GSSettings settings)
{
  Tao       tao;
  TaoType   type;
  PetscReal gatol, grtol, gttol;

  PetscFunctionBeginUser;
  PetscCall(TaoCreate(PETSC_COMM_SELF, &tao));
  PetscCall(TaoSetType(tao, TAOBLMVM));
  PetscCall(TaoSetTolerances(tao, 1e-12, 1e-10, 0));
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoGetType(tao, &type));
  PetscCall(TaoGetTolerances(tao, &gatol, &grtol, &gttol));
  PetscCall(GSSettingsAddString(settings, "-tao_type", type));
  PetscCall(GSSettingsAddReal(settings, "-tao_gatol", gatol));
  PetscCall(GSSettingsAddReal(settings, "-tao_grtol", grtol));
  PetscCall(GSSettingsAddReal(settings, "-tao_gttol", gttol));
  PetscCall(TaoDestroy(&tao));
  PetscFunctionReturn(0);
}

PetscErrorCode GSInversionAddSettings(GSInversion inv, GSSettings settings)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsAddGrid(settings, GSModelGetGrid(InvModel(inv)), GSModelGetParams(InvModel(inv))));
  PetscCall(GSSettingsAddTS(settings, GSRunGetTS(InvRun(inv))));
  PetscCall(GSSettingsAddReal(settings, "-gs_steady_tol", GSRunGetSteadyTol(InvRun(inv))));
  PetscCall(GSSettingsAddReal(settings, "-gs_init_noise", InvInit(inv)->recipe.noise));
  PetscCall(GSSettingsAddInt(settings, "-gs_init_block", InvInit(inv)->recipe.block));
  PetscCall(GSSettingsAddString(settings, "-gs_init_sampler", GSNoiseSamplers[InvInit(inv)->recipe.sampler]));
  PetscCall(GSSettingsAddString(settings, "-gs_targets_file", inv->targets));
  PetscCall(GSSettingsAddInt(settings, "-gs_batch", inv->batch));
  PetscCall(GSSettingsAddInt(settings, "-gs_deterministic", inv->deterministic));
  PetscCall(GSSettingsAddInt(settings, "-gs_batch_seed", inv->seed));
  PetscCall(GSSettingsAddInt(settings, "-gs_max_it", inv->max_it));
  PetscCall(GSSettingsAddString(settings, "-gs_optimizer", GSOptimizerTypes[inv->optimizer]));
  PetscCall(GSSettingsAddString(settings, "-gs_reparam", GSReparamTypes[inv->reparam]));
  PetscCall(GSSettingsAddString(settings, "-gs_loss", GSLossTypes[GSFieldLossGetType(InvLoss(inv))]));
  PetscCall(GSSettingsAddReals(settings, "-gs_lower", GS_NPARAM, inv->lower));
  PetscCall(GSSettingsAddReals(settings, "-gs_upper", GS_NPARAM, inv->upper));
  if (inv->optimizer == GS_OPTIMIZER_TAO) PetscCall(AddTaoSettings(inv, settings));
  else {
    PetscCall(GSSettingsAddReal(settings, "-gs_lr", inv->lr));
    PetscCall(GSSettingsAddReal(settings, "-gs_weight_decay", inv->weight_decay));
  }
  PetscFunctionReturn(0);
}

/* Member b of the batch of `iteration`: its initial state and target. Deterministic: target b's
   own initial state (the loss is 0 at the truth); else fresh noise and a hashed target draw. */
static PetscErrorCode BatchMember(GSInversion inv, PetscInt iteration, PetscInt b, PetscInt *target)
{
  GSInitialRecipe r;

  PetscFunctionBeginUser;
  r = InvInit(inv)->recipe;
  if (inv->deterministic) {
    *target  = b % inv->ntargets;
    r.seed   = (uint64_t)inv->target_seed;
    r.sample = inv->target_sample0 + *target;
  } else {
    *target  = (PetscInt)(GSNoiseHash((uint64_t)inv->seed, iteration, b, 7) % (uint64_t)inv->ntargets);
    r.seed   = (uint64_t)inv->seed + 1000003;
    r.sample = iteration * inv->batch + b;
  }
  PetscCall(GSInitialRecipeFill(InvModel(inv), &r, inv->X0));
  PetscFunctionReturn(0);
}

/* Each member's result goes to its own slot, so that the batch sums are taken in member order
   whatever the number of groups: the same batch gives the same bits on any layout. */
PetscErrorCode GSInversionEvaluate(GSInversion inv, const double theta[GS_NPARAM], PetscInt iteration, PetscBool gradient, double *loss,
                                   double grad[GS_NPARAM], PetscBool *valid)
{
  const int w = GS_NPARAM + 3; /* loss, gradient, invalid, end class */
  double   *slots, *total, sums[GS_NPARAM + 3] = {0};
  GSParams  p = GSParamsFromArray(theta);

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(w * inv->batch, &slots, w * inv->batch, &total));
  PetscCall(GSModelSetParams(InvModel(inv), &p));
  for (PetscInt b = inv->group_id; b < inv->batch; b += inv->ngroups) {
    GSGradientResult r;
    GSEndClass       end_class;
    Vec              final;
    PetscInt         target;
    double          *slot = slots + w * b;
    PetscCall(BatchMember(inv, iteration, b, &target));
    PetscCall(GSTargetsReadV(GSModelGetGrid(InvModel(inv)), "-gs_targets_file", inv->targets, target, inv->target_v));
    PetscCall(GSEvaluatorMember(inv->evaluator, inv->X0, inv->target_v, gradient, &r, &final));
    PetscCall(GSInversionEndClass(inv, r.reason, final, &end_class));
    if (inv->group_rank != 0) continue;
    slot[GS_NPARAM + 2] = (double)end_class;
    if (!GSRunReasonIsValid(r.reason)) slot[GS_NPARAM + 1] = 1;
    else {
      slot[0] = r.loss;
      for (int q = 0; q < GS_NPARAM; q++) slot[1 + q] = r.grad[q];
    }
  }
  PetscCallMPI(MPI_Allreduce(slots, total, w * (PetscMPIInt)inv->batch, MPI_DOUBLE, MPI_SUM, inv->comm));
  for (int c = 0; c < GS_END_CLASS_N; c++) inv->end_counts[c] = 0;
  for (PetscInt b = 0; b < inv->batch; b++) {
    for (int k = 0; k < w - 1; k++) sums[k] += total[w * b + k];
    inv->end_counts[(int)total[w * b + w - 1]]++;
  }
  *loss  = sums[0] / (double)inv->batch;
  *valid = (PetscBool)(sums[GS_NPARAM + 1] == 0);
  for (int q = 0; q < GS_NPARAM && grad; q++) grad[q] = sums[1 + q] / (double)inv->batch;
  for (int q = 0; q < GS_NPARAM; q++) inv->end_theta[q] = theta[q];
  inv->have_end = PETSC_TRUE, inv->end_iteration = iteration, inv->end_loss = *loss, inv->end_valid = *valid;
  PetscCall(PetscFree2(slots, total));
  PetscFunctionReturn(0);
}
