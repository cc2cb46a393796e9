/* gsinv residual: theta from the residual of observed fields (docs/model.md section 9), its identifiability, landscape and noise study. */
#include <math.h>

#include "gsinv/app/app.h"
#include "gsinv/inverse/completion.h"
#include "gsinv/io/h5file.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"
#include "gsinv/inverse/residual_estimate.h"
#include "gsinv/io/residual_input.h"
#include "gsinv/sweep/residual_landscape.h"
#include "gsinv/inverse/residual_noise.h"
#include "gsinv/sweep/sweep.h"

typedef struct {
  char           input[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN], like[PETSC_MAX_PATH_LEN];
  GSResidualForm form;
  PetscInt       pairs;
  GSObservation  obs;
  PetscReal      sweep[GS_RESIDUAL_NOISE_SWEEP_MAX];
  PetscInt       nsweep;
  GSSweepAxes    axes;     /* -gs_axes, -gs_lo, -gs_hi, -gs_n as for gsinv landscape */
  PetscBool      has_axes; /* one of them was given: a residual landscape on those axes */
  PetscBool      complete;
} ResidualOptions;

static const char *const FormNames[]   = {"steady", "transient", "GSResidualForm", "GS_RESIDUAL_FORM_", NULL};
static const char *const FieldsNames[] = {"uv", "v", "GSObsFields", "GS_OBS_FIELDS_", NULL};
static const char *const MethodNames[] = {"strong", "weak", "GSResidualMethod", "GS_RESIDUAL_METHOD_", NULL};

/* The residual landscape's axes: the options of gsinv landscape (others fixed at theta_hat or
   the -gs_F.. given); the landscape is made when any of them is given. */
static PetscErrorCode AxesFromOptions(MPI_Comm comm, ResidualOptions *o)
{
  const char *names[4] = {"-gs_axes", "-gs_lo", "-gs_hi", "-gs_n"};
  GSParams    base     = {0, 0, 0, 0};

  PetscFunctionBeginUser;
  for (int k = 0; k < 4; k++) {
    PetscBool set;
    PetscCall(PetscOptionsHasName(NULL, NULL, names[k], &set));
    o->has_axes = (PetscBool)(o->has_axes || set);
  }
  PetscCall(GSSweepAxesFromOptions(comm, &base, &o->axes));
  PetscFunctionReturn(0);
}

static PetscErrorCode ResidualOptionsRead(MPI_Comm comm, ResidualOptions *o)
{
  PetscInt seed = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  PetscCall(PetscStrncpy(o->output, "residual.h5", sizeof(o->output)));
  o->obs.fraction     = 1.0;
  o->obs.sigma        = -1.0;
  o->obs.weak_radius  = 8;
  o->obs.weak_spacing = 4;
  o->obs.weak_power   = 6;
  o->nsweep           = GS_RESIDUAL_NOISE_SWEEP_MAX;
  PetscOptionsBegin(comm, NULL, "gsinv residual", "GSAppResidual");
  PetscCall(PetscOptionsString("-gs_input", "HDF5 file written by gsinv simulate (required): /state, or /snapshots for the transient form",
                               "GSAppResidual", o->input, o->input, sizeof(o->input), NULL));
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write", "GSAppResidual", o->output, o->output, sizeof(o->output), NULL));
  PetscCall(GSOptionsEnum("-gs_residual_form", "steady: x_t = 0 on /state; transient: x_t from consecutive /snapshots", "GSAppResidual", FormNames,
                          (PetscEnum)o->form, (PetscEnum *)&o->form, NULL));
  PetscCall(GSOptionsEnum("-gs_residual_method", "strong: the residual at every cell; weak: integrated against bump test functions (robust to noise)",
                          "GSAppResidual", MethodNames, (PetscEnum)o->obs.method, (PetscEnum *)&o->obs.method, NULL));
  PetscCall(GSOptionsReal("-gs_residual_sigma",
                          "Weak form: noise level of the bias correction of u v^2 (< 0: estimated from the finest scales of the data)",
                          "GSAppResidual", o->obs.sigma, &o->obs.sigma, NULL));
  PetscCall(GSOptionsInt("-gs_weak_radius", "Weak form: radius R of the test functions (1 - (d/R)^2)^p, in cells", "GSAppResidual",
                         o->obs.weak_radius, &o->obs.weak_radius, NULL));
  PetscCall(GSOptionsInt("-gs_weak_spacing", "Weak form: spacing of the test functions' centres, in cells", "GSAppResidual", o->obs.weak_spacing,
                         &o->obs.weak_spacing, NULL));
  PetscCall(GSOptionsInt("-gs_weak_power", "Weak form: power p of the test functions (1 - (d/R)^2)^p", "GSAppResidual", o->obs.weak_power,
                         &o->obs.weak_power, NULL));
  PetscCall(GSOptionsInt("-gs_residual_pairs", "Transient form: use the last N snapshot pairs, pooled (0: all)", "GSAppResidual", o->pairs, &o->pairs,
                         NULL));
  PetscCall(GSOptionsReal("-gs_obs_noise", "Standard deviation of additive Gaussian observation noise", "GSAppResidual", o->obs.noise, &o->obs.noise,
                          NULL));
  PetscCall(GSOptionsReal("-gs_obs_fraction", "Fraction of cells observed (a cell is used when it and its 4 neighbours are)", "GSAppResidual",
                          o->obs.fraction, &o->obs.fraction, NULL));
  PetscCall(GSOptionsEnum("-gs_obs_fields", "Observed fields: uv, or v only (then only F+k and Dv are identifiable)", "GSAppResidual", FieldsNames,
                          (PetscEnum)o->obs.fields, (PetscEnum *)&o->obs.fields, NULL));
  PetscCall(GSOptionsInt("-gs_obs_smooth", "Passes of the 5-point filter x + lap(x)/8 on the observed fields", "GSAppResidual", o->obs.smooth,
                         &o->obs.smooth, NULL));
  PetscCall(GSOptionsBool(
    "-gs_complete",
    "Data completion: estimate the unobserved values (u with -gs_obs_fields v, cells left out by -gs_obs_fraction) jointly with theta by TAO (options -gs_complete_tao_*)",
    "GSAppResidual", o->complete, &o->complete, NULL));
  PetscCall(GSOptionsIntRange("-gs_seed", "Seed of the observation noise and mask", "GSAppResidual", seed, &seed, NULL, 0, PETSC_MAX_INT));
  PetscCall(GSOptionsRealArray("-gs_obs_noise_sweep", "Noise study: estimate once per sigma", "GSAppResidual", o->sweep, &o->nsweep, NULL, 1));
  PetscCall(PetscOptionsString("-gs_like", "Landscape: take the axes from a landscape file's /landscape/axis0, axis1", "GSAppResidual", o->like,
                               o->like, sizeof(o->like), NULL));
  PetscOptionsEnd();
  o->obs.seed = seed;
  PetscCall(AxesFromOptions(comm, o));
  PetscFunctionReturn(0);
}

/* Observation noise past this swamps fields of order 1 (and its squares overflow near 1e154). */
#define GS_OBS_NOISE_MAX 1e6

static PetscErrorCode ResidualOptionsCheck(MPI_Comm comm, const ResidualOptions *o)
{
  PetscFunctionBeginUser;
  PetscCheck(o->input[0], comm, PETSC_ERR_USER_INPUT, "-gs_input FILE is required (an HDF5 file written by gsinv simulate)");
  PetscCheck(o->pairs >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_residual_pairs %" PetscInt_FMT " must be >= 0", o->pairs);
  PetscCheck(o->obs.noise >= 0 && o->obs.noise <= GS_OBS_NOISE_MAX, comm, PETSC_ERR_USER_INPUT,
             "-gs_obs_noise %g must be in [0, %g] (the fields are of order 1)", (double)o->obs.noise, GS_OBS_NOISE_MAX);
  PetscCheck(o->obs.fraction > 0 && o->obs.fraction <= 1, comm, PETSC_ERR_USER_INPUT, "-gs_obs_fraction %g must be in (0, 1]",
             (double)o->obs.fraction);
  PetscCheck(o->obs.smooth >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_obs_smooth %" PetscInt_FMT " must be >= 0", o->obs.smooth);
  PetscCheck(!(o->obs.smooth > 0 && o->obs.fraction < 1), comm, PETSC_ERR_USER_INPUT,
             "-gs_obs_smooth %" PetscInt_FMT " with -gs_obs_fraction %g: smoothing would mix unobserved cells into observed ones (not supported)",
             o->obs.smooth, (double)o->obs.fraction);
  PetscCheck(o->obs.seed >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_seed %" PetscInt64_FMT " must be >= 0", o->obs.seed);
  PetscCheck(!o->complete || o->obs.fields == GS_OBS_FIELDS_V || o->obs.fraction < 1, comm, PETSC_ERR_USER_INPUT,
             "-gs_complete: nothing to complete (every value is observed): hide u with -gs_obs_fields v or cells with -gs_obs_fraction < 1");
  PetscCheck(!o->complete || o->form == GS_RESIDUAL_FORM_STEADY, comm, PETSC_ERR_USER_INPUT,
             "-gs_complete completes a steady state: use it with -gs_residual_form steady");
  PetscCheck(o->obs.method != GS_RESIDUAL_METHOD_WEAK || o->obs.fraction == 1, comm, PETSC_ERR_USER_INPUT,
             "-gs_residual_method weak with -gs_obs_fraction %g: the test functions need every cell observed (use the strong form)",
             (double)o->obs.fraction);
  PetscCheck(o->obs.method != GS_RESIDUAL_METHOD_WEAK || !o->complete, comm, PETSC_ERR_USER_INPUT,
             "-gs_complete works with the strong form: do not give -gs_residual_method weak");
  PetscCheck(PetscIsNormalReal(o->obs.sigma + 2), comm, PETSC_ERR_USER_INPUT, "-gs_residual_sigma %g must be finite (< 0: estimated)",
             (double)o->obs.sigma);
  for (PetscInt s = 0; s < o->nsweep; s++)
    PetscCheck(o->sweep[s] >= 0 && o->sweep[s] <= GS_OBS_NOISE_MAX, comm, PETSC_ERR_USER_INPUT,
               "-gs_obs_noise_sweep: value %g must be in [0, %g] (the fields are of order 1)", (double)o->sweep[s], GS_OBS_NOISE_MAX);
  PetscFunctionReturn(0);
}

/* The estimate's results, as printed and written. */
typedef struct {
  GSResidualSums sums;
  GSResidualFit  fit;
  double         loss, norm, rel[GS_NPARAM];
  double         seconds;
  PetscReal      sigma_used[2]; /* weak form: (sigma_u, sigma_v) of the bias correction */
} Result;

static PetscErrorCode ResultPrint(MPI_Comm comm, GSModel m, const ResidualOptions *o, const GSResidualInput *info, const Result *r)
{
  const GSPatch *patch = GSModelGetPatch(m);
  const double  *t = r->fit.theta, *rel = r->rel;

  PetscFunctionBeginUser;
  if (o->obs.fields == GS_OBS_FIELDS_V) {
    PetscCall(PetscPrintf(comm, "only v observed: rank %d of A^T A; identifiable are F + k = %.12g and Dv = %.12g (F, k separately and Du are not)\n",
                          r->fit.rank, t[GS_PARAM_F] + t[GS_PARAM_K], t[GS_PARAM_DV]));
    if (info->has_truth) PetscCall(PetscPrintf(comm, "relative error  F+k %+.3e  Dv %+.3e\n", rel[GS_PARAM_F], rel[GS_PARAM_DV]));
  } else {
    PetscCall(PetscPrintf(comm, "theta_hat       F = %.12g  k = %.12g  Du = %.12g  Dv = %.12g\n", t[0], t[1], t[2], t[3]));
    if (info->has_truth) {
      PetscCall(PetscPrintf(comm, "truth (file)    F = %.12g  k = %.12g  Du = %.12g  Dv = %.12g\n", info->truth[0], info->truth[1], info->truth[2],
                            info->truth[3]));
      PetscCall(PetscPrintf(comm, "relative error  F %+.3e  k %+.3e  Du %+.3e  Dv %+.3e\n", rel[0], rel[1], rel[2], rel[3]));
    }
  }
  PetscCall(PetscPrintf(comm, "residual loss at theta_hat %.6e (norm sqrt(loss) %.6e)\n", r->loss, r->norm));
  PetscCall(PetscPrintf(comm, "eigenvalues of A^T A %.6e %.6e %.6e %.6e; rank %d; condition %.6e\n", r->fit.eigval[0], r->fit.eigval[1],
                        r->fit.eigval[2], r->fit.eigval[3], r->fit.rank, r->fit.condition));
  if (o->obs.method == GS_RESIDUAL_METHOD_WEAK)
    PetscCall(PetscPrintf(comm,
                          "weak form: %.0f test functions (radius %" PetscInt_FMT ", spacing %" PetscInt_FMT ", power %" PetscInt_FMT
                          "); noise sigma_u %.3e sigma_v %.3e (%s)\n",
                          r->sums.ncells, o->obs.weak_radius, o->obs.weak_spacing, o->obs.weak_power, (double)r->sigma_used[0],
                          (double)r->sigma_used[1], o->obs.sigma >= 0 ? "given" : "estimated from the data"));
  else
    PetscCall(PetscPrintf(comm,
                          "cells used %.0f (grid %" PetscInt_FMT " x %" PetscInt_FMT
                          ", %s form); estimate in %.4f s (read, one pass, reduction, solve)\n",
                          r->sums.ncells, patch->nx, patch->ny, FormNames[o->form], r->seconds));
  PetscFunctionReturn(0);
}

static PetscErrorCode ResultWrite(GSOutput *out, const ResidualOptions *o, const GSResidualInput *info, const Result *r)
{
  hsize_t    four   = GS_NPARAM;
  PetscInt64 rank   = r->fit.rank;
  PetscReal  ncells = r->sums.ncells;

  PetscFunctionBeginUser;
  PetscCall(GSH5WriteRealArray(out, "/residual/theta", 1, &four, r->fit.theta));
  PetscCall(GSH5WriteRealArray(out, "/residual/eigenvalues", 1, &four, r->fit.eigval));
  PetscCall(GSH5WriteIntArray(out, "/residual/rank", 0, NULL, &rank));
  PetscCall(GSH5WriteRealArray(out, "/residual/condition", 0, NULL, &r->fit.condition));
  PetscCall(GSH5WriteRealArray(out, "/residual/loss", 0, NULL, &r->loss));
  PetscCall(GSH5WriteRealArray(out, "/residual/norm", 0, NULL, &r->norm));
  PetscCall(GSH5WriteRealArray(out, "/residual/cells", 0, NULL, &ncells));
  if (info->has_truth) PetscCall(GSH5WriteRealArray(out, "/residual/truth", 1, &four, info->truth));
  PetscCall(GSH5WriteAttributeString(out, "/residual", "input", o->input));
  PetscCall(GSH5WriteAttributeString(out, "/residual", "form", FormNames[o->form]));
  PetscCall(GSH5WriteAttributeInt(out, "/residual", "pairs", o->pairs));
  PetscCall(GSH5WriteAttributeReal(out, "/residual", "obs_noise", o->obs.noise));
  PetscCall(GSH5WriteAttributeReal(out, "/residual", "obs_fraction", o->obs.fraction));
  PetscCall(GSH5WriteAttributeString(out, "/residual", "obs_fields", FieldsNames[o->obs.fields]));
  PetscCall(GSH5WriteAttributeInt(out, "/residual", "obs_smooth", o->obs.smooth));
  PetscCall(GSH5WriteAttributeString(out, "/residual", "method", MethodNames[o->obs.method]));
  if (o->obs.method == GS_RESIDUAL_METHOD_WEAK) {
    PetscCall(GSH5WriteAttributeInt(out, "/residual", "weak_radius", o->obs.weak_radius));
    PetscCall(GSH5WriteAttributeInt(out, "/residual", "weak_spacing", o->obs.weak_spacing));
    PetscCall(GSH5WriteAttributeInt(out, "/residual", "weak_power", o->obs.weak_power));
    PetscCall(GSH5WriteAttributeReal(out, "/residual", "sigma_u", r->sigma_used[0]));
    PetscCall(GSH5WriteAttributeReal(out, "/residual", "sigma_v", r->sigma_used[1]));
    PetscCall(GSH5WriteAttributeString(out, "/residual", "sigma_source", o->obs.sigma >= 0 ? "given" : "estimated"));
  }
  PetscCall(GSH5WriteAttributeString(
    out, "/residual", "norm_definition",
    o->obs.method == GS_RESIDUAL_METHOD_WEAK
      ? "sqrt(loss), loss = mean over test functions of the squared weak residuals (u- and v-rows) at theta_hat (closed form)"
      : "sqrt(loss), loss = mean over used cells of r_u^2 + r_v^2 at theta_hat (closed form)"));
  PetscFunctionReturn(0);
}

/* Everything that needs the data; nothing is written unless every estimate identified theta. */
static PetscErrorCode ResidualRun(GSModel m, const ResidualOptions *o, const GSResidualInput *info, GSCompletion comp)
{
  GSCompletionResult   completion;
  double               theta_start[GS_NPARAM];
  GSResidualData       data;
  Result               r;
  GSResidualNoiseSweep sweep;
  GSResidualLandscape  land = {0};
  GSOutput             out;
  GSObservation        obs;
  const GSParams       given = *GSModelGetParams(m);
  const double        *truth = info->has_truth ? info->truth : NULL;
  double               start;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&data, sizeof(data)));
  PetscCall(PetscStrncpy(data.path, o->input, sizeof(data.path)));
  data.form = o->form;
  data.dt   = info->dt;
  PetscCall(GSResidualDataSetUp(m, "-gs_input", o->pairs, &data));
  PetscCheck(!o->like[0] || !o->has_axes, GSModelGetComm(m), PETSC_ERR_USER_INPUT,
             "-gs_like %s takes the axes from the file: do not also give -gs_axes, -gs_lo, -gs_hi or -gs_n", o->like);
  if (o->like[0]) PetscCall(GSResidualLandscapeFromFile(GSModelGetComm(m), "-gs_like", o->like, &land));
  else if (o->has_axes) PetscCall(GSResidualLandscapeFromAxes(GSModelGetComm(m), &o->axes, &land));
  PetscCallMPI(MPI_Barrier(GSModelGetComm(m)));
  start           = MPI_Wtime();
  r.sigma_used[0] = r.sigma_used[1] = 0;
  obs                               = o->obs;
  obs.sigma_used                    = r.sigma_used;
  PetscCall(GSResidualEstimate(m, &data, &obs, &r.sums, &r.fit));
  obs.sigma_used = NULL;
  r.seconds      = MPI_Wtime() - start;
  PetscCall(PetscMemzero(r.rel, sizeof(r.rel)));
  PetscCheck(GSResidualLoss(&r.sums, r.fit.theta, &r.loss) == GS_RESIDUAL_OK, GSModelGetComm(m), PETSC_ERR_PLIB, "GSResidualLoss failed");
  r.norm = sqrt(r.loss);
  if (truth) GSResidualRelativeErrors(&o->obs, r.fit.theta, truth, r.rel);
  PetscCall(GSResidualNoiseSweepRun(m, &data, &obs, o->nsweep, o->sweep, truth, &sweep));
  if (land.naxes) PetscCall(GSResidualLandscapeEvaluate(&land, &r.sums, r.fit.theta, &given));
  PetscCall(ResultPrint(GSModelGetComm(m), m, o, info, &r));
  PetscCall(GSResidualNoiseSweepPrint(GSModelGetComm(m), &sweep));
  if (comp) {
    GSCompletionThetaStart(&r.fit, theta_start);
    PetscCall(GSCompletionSolve(comp, o->input, &o->obs, theta_start, truth, &completion));
    PetscCall(GSCompletionPrint(GSModelGetComm(m), &completion));
  }
  PetscCall(GSModelSetParams(m, &(GSParams){r.fit.theta[0], r.fit.theta[1], r.fit.theta[2], r.fit.theta[3]}));
  PetscCall(GSOutputOpen(GSModelGetComm(m), "-gs_output", o->output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "residual", GSModelGetGrid(m), GSModelGetParams(m), o->obs.seed, info->ts_type, info->dt));
  PetscCall(ResultWrite(&out, o, info, &r));
  PetscCall(GSResidualNoiseSweepWrite(&sweep, &out));
  if (land.naxes) PetscCall(GSResidualLandscapeWrite(&land, &out));
  if (comp) PetscCall(GSCompletionWrite(&out, &completion));
  PetscCall(GSOutputClose(&out));
  PetscCall(PetscPrintf(GSModelGetComm(m), "wrote %s\n", o->output));
  PetscCall(GSResidualLandscapeDestroy(&land));
  PetscCall(GSResidualDataDestroy(&data));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppResidual(MPI_Comm comm)
{
  ResidualOptions opts;
  GSResidualInput info;
  GSModel         m;
  GSCompletion    comp = NULL;
  PetscBool       help;

  PetscFunctionBeginUser;
  PetscCall(ResidualOptionsRead(comm, &opts));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(ResidualOptionsCheck(comm, &opts));
    PetscCall(GSResidualInputPrepare(comm, "-gs_input", opts.input, opts.form, &info));
  }
  PetscCall(GSModelCreate(comm, &m));
  if (opts.complete) PetscCall(GSCompletionCreate(m, &comp));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(comm));
    PetscCall(GSAppBanner(comm, "residual"));
    PetscCall(PetscPrintf(comm, "input %s: grid %" PetscInt_FMT " x %" PetscInt_FMT ", h = %g%s\n", opts.input, GSModelGetPatch(m)->nx,
                          GSModelGetPatch(m)->ny, (double)GSModelGetPatch(m)->h, info.has_truth ? ", truth theta in the file" : ""));
    PetscCall(GSOutputCheckNotInput(comm, "-gs_output", opts.output));
    PetscCall(GSOutputLock(comm, "-gs_output", opts.output));
    PetscCall(ResidualRun(m, &opts, &info, comp));
    PetscCall(GSOutputUnlock(comm));
  }
  PetscCall(GSCompletionDestroy(&comp));
  PetscCall(GSModelDestroy(&m));
  PetscFunctionReturn(0);
}
