/* Landscape points on one group of ranks: targets once, then any number of points. */
#include <petsctime.h>

#include "gsinv/gradient/evaluator.h"
#include "gsinv/sweep/landscape.h"
#include "gsinv/physics/landscape_analysis.h"
#include "gsinv/core/options.h"
#include "gsinv/io/targets_file.h"

const char *const GSTargetModes[] = {"paper", "steady", "file", "GSTargetMode", "GS_TARGET_", NULL};

struct _p_GSLandscape {
  MPI_Comm     comm;
  GSEvaluator  evaluator; /* the model, run, loss, gradient (NULL unless -gs_landscape_gradient) and initial options */
  GSTargetMode mode;
  PetscInt     ntargets, gallery;
  GSParams     base;
  Vec          X0[GS_MAX_TARGETS], X;
  char         targets_file[PETSC_MAX_PATH_LEN];
  PetscScalar *target_v; /* the K target v fields in natural order (group rank 0) */
};

/* The parts of the evaluator the landscape works with. */
static inline GSModel Model(GSLandscape l)
{
  return GSEvaluatorGetModel(l->evaluator);
}
static inline GSRun Run(GSLandscape l)
{
  return GSEvaluatorGetRun(l->evaluator);
}
static inline GSFieldLoss Loss(GSLandscape l)
{
  return GSEvaluatorGetLoss(l->evaluator);
}
static inline GSGradient Gradient(GSLandscape l)
{
  return GSEvaluatorGetGradient(l->evaluator);
}
static inline const GSInitialOptions *Init(GSLandscape l)
{
  return GSEvaluatorGetInitial(l->evaluator);
}

static PetscErrorCode LandscapeOptions(MPI_Comm comm, GSLandscape l, PetscBool *gradient)
{
  PetscEnum mode = (PetscEnum)GS_TARGET_PAPER;

  PetscFunctionBeginUser;
  l->ntargets = 4;
  l->gallery  = 0;
  *gradient   = PETSC_FALSE;
  PetscOptionsBegin(comm, NULL, "Landscape points", "GSLandscape");
  PetscCall(GSOptionsEnum("-gs_target_mode",
                          "paper: fixed steps from the targets' initial states; steady: to a steady state; file: targets from -gs_targets_file",
                          "GSLandscapeCreate", GSTargetModes, mode, &mode, NULL));
  PetscCall(PetscOptionsString("-gs_targets_file", "File mode: a gsinv targets file", "GSLandscapeCreate", l->targets_file, l->targets_file,
                               sizeof(l->targets_file), NULL));
  PetscCall(GSOptionsInt("-gs_targets", "Initial states (and targets) per point: the loss is their mean", "GSLandscapeCreate", l->ntargets,
                         &l->ntargets, NULL));
  PetscCall(GSOptionsBool("-gs_landscape_gradient", "Also the adjoint gradient at every point", "GSLandscapeCreate", *gradient, gradient, NULL));
  PetscCall(GSOptionsInt("-gs_gallery_size", "Keep the final v of every point downsampled to N x N (0: none)", "GSLandscapeCreate", l->gallery,
                         &l->gallery, NULL));
  PetscOptionsEnd();
  l->mode = (GSTargetMode)mode;
  PetscCheck(l->ntargets >= 1 && l->ntargets <= GS_MAX_TARGETS, comm, PETSC_ERR_USER_INPUT, "-gs_targets %" PetscInt_FMT " must be in [1, %d]",
             l->ntargets, GS_MAX_TARGETS);
  PetscCheck(l->gallery >= 0 && l->gallery <= 256, comm, PETSC_ERR_USER_INPUT, "-gs_gallery_size %" PetscInt_FMT " must be in [0, 256]", l->gallery);
  PetscFunctionReturn(0);
}

PetscErrorCode GSLandscapeCreate(MPI_Comm comm, GSLandscape *out)
{
  GSLandscape l;
  PetscBool   gradient;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&l));
  l->comm = comm;
  PetscCall(LandscapeOptions(comm, l, &gradient));
  PetscCall(GSEvaluatorCreate(comm, l->mode == GS_TARGET_PAPER ? 0.0 : 1e-4, gradient, &l->evaluator));
  l->base = *GSModelGetParams(Model(l));
  PetscCheck(l->mode != GS_TARGET_PAPER || GSRunGetSteadyTol(Run(l)) == 0, comm, PETSC_ERR_USER_INPUT,
             "-gs_steady_tol %g: the paper's mode runs a fixed number of steps (use -gs_target_mode steady)", (double)GSRunGetSteadyTol(Run(l)));
  PetscCheck(l->mode != GS_TARGET_STEADY || GSRunGetSteadyTol(Run(l)) > 0, comm, PETSC_ERR_USER_INPUT,
             "-gs_target_mode steady needs -gs_steady_tol > 0");
  PetscCheck(l->mode != GS_TARGET_FILE || l->targets_file[0], comm, PETSC_ERR_USER_INPUT, "-gs_target_mode file needs -gs_targets_file");
  PetscCall(GSModelCreateGlobalVector(Model(l), &l->X));
  for (PetscInt k = 0; k < l->ntargets; k++) {
    PetscCall(VecDuplicate(l->X, &l->X0[k]));
  }
  *out = l;
  PetscFunctionReturn(0);
}

PetscErrorCode GSLandscapeDestroy(GSLandscape *out)
{
  GSLandscape l = *out;

  PetscFunctionBeginUser;
  if (!l) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < l->ntargets; k++) {
    PetscCall(VecDestroy(&l->X0[k]));
  }
  PetscCall(VecDestroy(&l->X));
  PetscCall(PetscFree(l->target_v));
  PetscCall(GSEvaluatorDestroy(&l->evaluator));
  PetscCall(PetscFree(l));
  *out = NULL;
  PetscFunctionReturn(0);
}

GSModel GSLandscapeGetModel(GSLandscape l)
{
  return Model(l);
}
GSRun GSLandscapeGetRun(GSLandscape l)
{
  return Run(l);
}
PetscErrorCode GSLandscapeGetMapGrid(GSLandscape l, GSMapGrid *map, PetscBool *euler)
{
  const GSPatch *patch = GSModelGetPatch(Model(l));
  PetscBool      rk, fe;
  PetscReal      dt;

  PetscFunctionBeginUser;
  PetscCall(GSRunGetScheme(Run(l), NULL, &dt));
  PetscCall(PetscObjectTypeCompare((PetscObject)GSRunGetTS(Run(l)), TSRK, &rk));
  PetscCall(PetscObjectTypeCompare((PetscObject)GSRunGetTS(Run(l)), TSEULER, &fe));
  if (rk) {
    TSRKType type;
    PetscCall(TSRKGetType(GSRunGetTS(Run(l)), &type));
    PetscCall(PetscStrcmp(type, TSRK1FE, &fe));
  }
  map->dt = fe ? (double)dt : 0.0, map->h = (double)patch->h;
  map->nx = (int)patch->nx, map->ny = (int)patch->ny;
  *euler = fe;
  PetscFunctionReturn(0);
}

GSTargetMode GSLandscapeGetTargetMode(GSLandscape l)
{
  return l->mode;
}
PetscInt GSLandscapeGetTargets(GSLandscape l)
{
  return l->ntargets;
}
PetscInt GSLandscapeGetGallerySize(GSLandscape l)
{
  return l->gallery;
}
PetscBool GSLandscapeHasGradient(GSLandscape l)
{
  return (PetscBool)(Gradient(l) != NULL);
}
GSFieldLoss GSLandscapeGetLoss(GSLandscape l)
{
  return Loss(l);
}
const GSInitialOptions *GSLandscapeGetInitial(GSLandscape l)
{
  return Init(l);
}

PetscErrorCode GSLandscapeAddSettings(GSLandscape l, GSSettings settings)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsAddGrid(settings, GSModelGetGrid(Model(l)), GSModelGetParams(Model(l))));
  PetscCall(GSSettingsAddTS(settings, GSRunGetTS(Run(l))));
  PetscCall(GSSettingsAddReal(settings, "-gs_steady_tol", GSRunGetSteadyTol(Run(l))));
  PetscCall(GSSettingsAddString(settings, "-gs_target_mode", GSTargetModes[l->mode]));
  PetscCall(GSSettingsAddInt(settings, "-gs_targets", l->ntargets));
  PetscCall(GSSettingsAddString(settings, "-gs_targets_file", l->mode == GS_TARGET_FILE ? l->targets_file : ""));
  PetscCall(GSSettingsAddString(settings, "-gs_initial", Init(l)->file));
  PetscCall(GSSettingsAddInt(settings, "-gs_seed", (PetscInt64)Init(l)->recipe.seed));
  PetscCall(GSSettingsAddReal(settings, "-gs_init_noise", Init(l)->recipe.noise));
  PetscCall(GSSettingsAddInt(settings, "-gs_init_block", Init(l)->recipe.block));
  PetscCall(GSSettingsAddString(settings, "-gs_init_sampler", GSNoiseSamplers[Init(l)->recipe.sampler]));
  PetscCall(GSSettingsAddString(settings, "-gs_loss", GSLossTypes[GSFieldLossGetType(Loss(l))]));
  PetscCall(GSSettingsAddInt(settings, "-gs_landscape_gradient", Gradient(l) != NULL));
  PetscCall(GSSettingsAddInt(settings, "-gs_gallery_size", l->gallery));
  PetscFunctionReturn(0);
}

/* File mode: the first K targets of the file and the initial states that made them. */
static PetscErrorCode TargetsFromFile(GSLandscape l)
{
  const GSPatch *patch = GSModelGetPatch(Model(l));
  PetscInt       count, seed, sample0;
  PetscMPIInt    rank;
  const size_t   cells = (size_t)(patch->nx * patch->ny);

  PetscFunctionBeginUser;
  PetscCall(GSTargetsInfo(l->comm, "-gs_targets_file", l->targets_file, &count, &seed, &sample0));
  PetscCheck(count >= l->ntargets && seed >= 0, l->comm, PETSC_ERR_USER_INPUT,
             "-gs_targets_file %s: %" PetscInt_FMT " targets (with seed %" PetscInt_FMT "), -gs_targets asks for %" PetscInt_FMT, l->targets_file,
             count, seed, l->ntargets);
  PetscCallMPI(MPI_Comm_rank(l->comm, &rank));
  PetscCall(PetscMalloc1(rank == 0 ? l->ntargets * cells : 1, &l->target_v));
  for (PetscInt k = 0; k < l->ntargets; k++) {
    GSInitialRecipe r = Init(l)->recipe;
    r.seed            = (uint64_t)seed;
    r.sample          = sample0 + k;
    PetscCall(GSInitialRecipeFill(Model(l), &r, l->X0[k]));
    PetscCall(GSTargetsReadV(GSModelGetGrid(Model(l)), "-gs_targets_file", l->targets_file, k, rank == 0 ? l->target_v + k * cells : NULL));
  }
  PetscFunctionReturn(0);
}

/* Target k's v in natural order (group rank 0). */
static const PetscScalar *TargetV(GSLandscape l, PetscInt k)
{
  const GSPatch *patch = GSModelGetPatch(Model(l));

  return l->target_v ? l->target_v + k * (size_t)(patch->nx * patch->ny) : NULL;
}

/* Makes target k the loss's target. */
static PetscErrorCode SetTarget(GSLandscape l, PetscInt k)
{
  PetscFunctionBeginUser;
  PetscCall(GSFieldLossSetTargetNatural(Loss(l), TargetV(l, k)));
  PetscFunctionReturn(0);
}

/* Target k at the base theta by this group; its v in natural order (group rank 0). */
static PetscErrorCode RunTarget(GSLandscape l, PetscInt k, PetscScalar *v, double info[2])
{
  PetscFunctionBeginUser;
  PetscCall(VecCopy(l->X0[k], l->X));
  PetscCall(GSRunSolve(Run(l), l->X));
  info[0] = (double)GSRunGetReason(Run(l)), info[1] = (double)GSRunGetSteps(Run(l));
  if (GSRunGetReason(Run(l)) != GS_RUN_INTERRUPTED) PetscCall(GSFieldGather(GSModelGetGrid(Model(l)), l->X, 1, v));
  PetscFunctionReturn(0);
}

PetscErrorCode GSLandscapeSetUpTargets(GSLandscape l, MPI_Comm world, PetscInt ngroups, PetscInt group_id, PetscInt group_size)
{
  const GSPatch *patch = GSModelGetPatch(Model(l));
  const size_t   cells = (size_t)(patch->nx * patch->ny);
  PetscMPIInt    rank;
  double        *info;
  PetscBool      interrupted = PETSC_FALSE;
  PetscInt       failed      = -1;

  PetscFunctionBeginUser;
  PetscCall(GSModelSetParams(Model(l), &l->base));
  if (l->mode == GS_TARGET_FILE) {
    PetscCall(TargetsFromFile(l));
    PetscFunctionReturn(0);
  }
  PetscCallMPI(MPI_Comm_rank(l->comm, &rank));
  PetscCall(PetscMalloc1(l->ntargets * cells, &l->target_v));
  for (PetscInt k = 0; k < l->ntargets; k++) {
    GSInitialRecipe r = Init(l)->recipe;
    r.sample += k;
    if (Init(l)->file[0] && k == 0) PetscCall(GSInitialStateFill(Model(l), Init(l), l->X0[k]));
    else PetscCall(GSInitialRecipeFill(Model(l), &r, l->X0[k]));
  }
  /* every group runs its share of the targets at once; then each is broadcast from its owner */
  PetscCall(PetscCalloc1(2 * l->ntargets, &info));
  for (PetscInt k = group_id; k < l->ntargets; k += ngroups) PetscCall(RunTarget(l, k, l->target_v + k * cells, info + 2 * k));
  for (PetscInt k = 0; k < l->ntargets; k++) {
    const PetscMPIInt owner = (PetscMPIInt)((k % ngroups) * group_size);
    PetscCallMPI(MPI_Bcast(info + 2 * k, 2, MPI_DOUBLE, owner, world));
    if ((GSRunReason)info[2 * k] == GS_RUN_INTERRUPTED) interrupted = PETSC_TRUE;
    else if (!GSRunReasonIsValid((GSRunReason)info[2 * k])) failed = failed < 0 ? k : failed;
    else PetscCallMPI(MPI_Bcast(l->target_v + k * cells, (PetscMPIInt)cells, MPIU_SCALAR, owner, world));
  }
  if (failed >= 0 && !interrupted) {
    const double reason = info[2 * failed], steps = info[2 * failed + 1];
    PetscCall(PetscFree(info));
    SETERRQ(world, PETSC_ERR_USER_INPUT,
            "target %" PetscInt_FMT " at the base theta ended %s after %.0f steps: no landscape can be measured against it", failed,
            GSRunReasonNames[(int)reason], steps);
  }
  PetscCall(PetscFree(info));
  GSRunSetReason(Run(l), interrupted ? GS_RUN_INTERRUPTED : GS_RUN_RUNNING);
  if (interrupted) PetscFunctionReturn(0);
  if (rank != 0) PetscCall(PetscFree(l->target_v));
  PetscFunctionReturn(0);
}

/* Block averages of v (rank 0 of the group) into g x g. */
static PetscErrorCode Gallery(GSLandscape l, Vec X, float *gallery)
{
  const GSPatch     *patch = GSModelGetPatch(Model(l));
  const PetscScalar *v;
  const PetscInt     g = l->gallery, nx = patch->nx, ny = patch->ny;

  PetscFunctionBeginUser;
  PetscCall(GSFieldLossGatherV(Loss(l), X, &v));
  if (!v || !gallery) PetscFunctionReturn(0);
  for (PetscInt b = 0; b < g * g; b++) gallery[b] = 0;
  for (PetscInt j = 0; j < ny; j++)
    for (PetscInt i = 0; i < nx; i++) gallery[(j * g / ny) * g + i * g / nx] += (float)v[j * nx + i];
  for (PetscInt b = 0; b < g * g; b++) gallery[b] /= (float)(((nx + g - 1) / g) * ((ny + g - 1) / g));
  PetscFunctionReturn(0);
}

/* Runs sample k at the current theta; the final state in *final. */
static PetscErrorCode RunSample(GSLandscape l, PetscInt k, GSRunReason *reason, PetscInt *steps, PetscReal grad[GS_NPARAM], Vec *final)
{
  PetscFunctionBeginUser;
  GSGradientResult r;

  if (Gradient(l)) PetscCall(GSEvaluatorMember(l->evaluator, l->X0[k], TargetV(l, k), PETSC_TRUE, &r, final));
  else {
    PetscCall(GSEvaluatorForward(l->evaluator, l->X0[k], l->X, &r));
    *final = l->X;
  }
  *reason = r.reason, *steps = r.steps;
  for (int q = 0; q < GS_NPARAM; q++) grad[q] = r.grad[q];
  PetscFunctionReturn(0);
}

static void RecordInvalid(GSPointRecord *rec, GSRunReason reason, PetscInt steps)
{
  rec->valid     = 0;
  rec->reason    = (int32_t)reason;
  rec->steps     = steps;
  rec->end_class = GS_CLASS_INVALID;
  for (int t = 0; t < GS_NLOSS; t++) rec->loss[t] = NAN;
  for (int q = 0; q < GS_NPARAM; q++) rec->grad[q] = NAN;
}

PetscErrorCode GSLandscapeEvaluate(GSLandscape l, const GSParams *theta, GSPointRecord *rec, float *gallery)
{
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(GSModelSetParams(Model(l), theta));
  rec->valid = 1, rec->samples = (int32_t)l->ntargets, rec->steps = 0;
  for (int t = 0; t < GS_NLOSS; t++) rec->loss[t] = GSFieldLossAvailable(Loss(l), (GSLossType)t) ? 0 : NAN;
  for (int q = 0; q < GS_NPARAM; q++) rec->grad[q] = 0;
  for (PetscInt k = 0; k < l->ntargets; k++) {
    GSRunReason reason          = GS_RUN_RUNNING;
    PetscInt    steps           = 0;
    PetscReal   grad[GS_NPARAM] = {0};
    Vec         final           = l->X;
    PetscCall(RunSample(l, k, &reason, &steps, grad, &final));
    if (!GSRunReasonIsValid(reason)) {
      RecordInvalid(rec, reason, steps);
      break;
    }
    rec->reason = (int32_t)reason;
    rec->steps  = PetscMax(rec->steps, steps);
    PetscCall(SetTarget(l, k));
    for (int t = 0; t < GS_NLOSS; t++) {
      PetscReal value;
      if (!GSFieldLossAvailable(Loss(l), (GSLossType)t)) continue;
      PetscCall(GSFieldLossEvaluate(Loss(l), (GSLossType)t, final, &value, NULL));
      rec->loss[t] += value / (PetscReal)l->ntargets;
    }
    for (int q = 0; q < GS_NPARAM; q++) rec->grad[q] += grad[q] / (PetscReal)l->ntargets;
    if (k == 0) {
      GSEndStats es;
      GSMapGrid  map;
      PetscBool  euler;
      PetscCall(GSRunEndStats(Run(l), final, PETSC_TRUE, &es));
      PetscCall(GSLandscapeGetMapGrid(l, &map, &euler));
      rec->end_class    = (int32_t)GSEndStateClassifyMap(&es, NULL, theta, &map);
      rec->final_change = es.final_change;
      if (l->gallery) PetscCall(Gallery(l, final, gallery));
    }
  }
  if (!Gradient(l))
    for (int q = 0; q < GS_NPARAM; q++) rec->grad[q] = NAN;
  PetscCall(PetscTime(&t1));
  rec->seconds = t1 - t0;
  PetscFunctionReturn(0);
}
