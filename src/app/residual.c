/* gsinv residual: theta from the residual of observed fields (model.md section 11), its identifiability, landscape and noise study. */
#include <math.h>
#include <string.h>

#include "gsinv/app.h"
#include "gsinv/sweep.h"
#include "gsinv/completion.h"
#include "gsinv/io.h"
#include "gsinv/options.h"
#include "gsinv/residual_app.h"

enum { MAX_SWEEP = 64, MAX_AXES = 2, MAX_AXIS_POINTS = 4096 };

typedef struct {
  char          input[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN], like[PETSC_MAX_PATH_LEN];
  GSResidualForm form;
  PetscInt      pairs;
  GSObservation obs;
  PetscReal     sweep[MAX_SWEEP];
  PetscInt      nsweep;
  GSSweepAxes   axes;     /* -gs_axes, -gs_lo, -gs_hi, -gs_n as for gsinv landscape */
  PetscBool     has_axes; /* one of them was given: a residual landscape on those axes */
  PetscBool     complete;
} ResidualOptions;

/* What the input file says about itself: read by rank 0, broadcast as plain bytes. */
typedef struct {
  PetscInt  nx, ny;
  PetscReal h, dt;
  PetscBool has_h, has_dt, has_truth;
  double    truth[GS_NPARAM];
  char      ts_type[64];
  char      msg[PETSC_MAX_PATH_LEN + 256];
} InputInfo;

/* A landscape: 1 or 2 parameters (GS_PARAM_*) and their grid values; the others are fixed at base. */
typedef struct {
  PetscInt   naxes, param[MAX_AXES], n[MAX_AXES];
  PetscReal *values[MAX_AXES];
  PetscReal  base[GS_NPARAM];
  PetscReal *loss; /* [n1][n0] */
} Landscape;

static const char *const FormNames[]   = {"steady", "transient", "GSResidualForm", "GS_RESIDUAL_FORM_", NULL};
static const char *const FieldsNames[] = {"uv", "v", "GSObsFields", "GS_OBS_FIELDS_", NULL};

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
  o->obs.fraction = 1.0;
  o->nsweep = MAX_SWEEP;
  PetscOptionsBegin(comm, NULL, "gsinv residual", "GSAppResidual");
  PetscCall(PetscOptionsString("-gs_input", "HDF5 file written by gsinv simulate (required): /state, or /snapshots for the transient form", "GSAppResidual", o->input, o->input, sizeof(o->input), NULL));
  PetscCall(PetscOptionsString("-gs_output", "HDF5 file to write", "GSAppResidual", o->output, o->output, sizeof(o->output), NULL));
  PetscCall(PetscOptionsEnum("-gs_residual_form", "steady: x_t = 0 on /state; transient: x_t from consecutive /snapshots", "GSAppResidual", FormNames, (PetscEnum)o->form, (PetscEnum *)&o->form, NULL));
  PetscCall(GSOptionsInt("-gs_residual_pairs", "Transient form: use the last N snapshot pairs, pooled (0: all)", "GSAppResidual", o->pairs, &o->pairs, NULL));
  PetscCall(GSOptionsReal("-gs_obs_noise", "Standard deviation of additive Gaussian observation noise", "GSAppResidual", o->obs.noise, &o->obs.noise, NULL));
  PetscCall(GSOptionsReal("-gs_obs_fraction", "Fraction of cells observed (a cell is used when it and its 4 neighbours are)", "GSAppResidual", o->obs.fraction, &o->obs.fraction, NULL));
  PetscCall(PetscOptionsEnum("-gs_obs_fields", "Observed fields: uv, or v only (then only F+k and Dv are identifiable)", "GSAppResidual", FieldsNames, (PetscEnum)o->obs.fields, (PetscEnum *)&o->obs.fields, NULL));
  PetscCall(GSOptionsInt("-gs_obs_smooth", "Passes of the 5-point filter x + lap(x)/8 on the observed fields", "GSAppResidual", o->obs.smooth, &o->obs.smooth, NULL));
  PetscCall(PetscOptionsBool("-gs_complete", "Data completion: estimate the unobserved values (u with -gs_obs_fields v, cells left out by -gs_obs_fraction) jointly with theta by TAO (options -gs_complete_tao_*)", "GSAppResidual", o->complete, &o->complete, NULL));
  PetscCall(GSOptionsInt("-gs_seed", "Seed of the observation noise and mask", "GSAppResidual", seed, &seed, NULL));
  PetscCall(PetscOptionsRealArray("-gs_obs_noise_sweep", "Noise study: estimate once per sigma", "GSAppResidual", o->sweep, &o->nsweep, NULL));
  PetscCall(PetscOptionsString("-gs_like", "Landscape: take the axes from a landscape file's /landscape/axis0, axis1", "GSAppResidual", o->like, o->like, sizeof(o->like), NULL));
  PetscOptionsEnd();
  o->obs.seed = seed;
  PetscCall(AxesFromOptions(comm, o));
  PetscFunctionReturn(0);
}

static PetscErrorCode ResidualOptionsCheck(MPI_Comm comm, const ResidualOptions *o)
{
  PetscFunctionBeginUser;
  PetscCheck(o->input[0], comm, PETSC_ERR_USER_INPUT, "-gs_input FILE is required (an HDF5 file written by gsinv simulate)");
  PetscCheck(o->pairs >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_residual_pairs %" PetscInt_FMT " must be >= 0", o->pairs);
  PetscCheck(o->obs.noise >= 0 && PetscIsNormalReal(o->obs.noise + 1), comm, PETSC_ERR_USER_INPUT, "-gs_obs_noise %g must be a finite value >= 0", (double)o->obs.noise);
  PetscCheck(o->obs.fraction > 0 && o->obs.fraction <= 1, comm, PETSC_ERR_USER_INPUT, "-gs_obs_fraction %g must be in (0, 1]", (double)o->obs.fraction);
  PetscCheck(o->obs.smooth >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_obs_smooth %" PetscInt_FMT " must be >= 0", o->obs.smooth);
  PetscCheck(!(o->obs.smooth > 0 && o->obs.fraction < 1), comm, PETSC_ERR_USER_INPUT, "-gs_obs_smooth %" PetscInt_FMT " with -gs_obs_fraction %g: smoothing would mix unobserved cells into observed ones (not supported)", o->obs.smooth, (double)o->obs.fraction);
  PetscCheck(o->obs.seed >= 0, comm, PETSC_ERR_USER_INPUT, "-gs_seed %" PetscInt64_FMT " must be >= 0", o->obs.seed);
  PetscCheck(!o->complete || o->obs.fields == GS_OBS_FIELDS_V || o->obs.fraction < 1, comm, PETSC_ERR_USER_INPUT, "-gs_complete: nothing to complete (every value is observed): hide u with -gs_obs_fields v or cells with -gs_obs_fraction < 1");
  PetscCheck(!o->complete || o->form == GS_RESIDUAL_FORM_STEADY, comm, PETSC_ERR_USER_INPUT, "-gs_complete completes a steady state: use it with -gs_residual_form steady");
  for (PetscInt s = 0; s < o->nsweep; s++)
    PetscCheck(o->sweep[s] >= 0 && PetscIsNormalReal(o->sweep[s] + 1), comm, PETSC_ERR_USER_INPUT, "-gs_obs_noise_sweep: value %g must be a finite value >= 0", (double)o->sweep[s]);
  PetscFunctionReturn(0);
}

/* A string attribute, fixed-length (as gsinv writes them) or variable-length (as h5py does). */
static herr_t ReadAttributeString(hid_t obj, const char *name, char *buf, size_t len)
{
  hid_t  attr = H5Aopen(obj, name, H5P_DEFAULT), file_type = attr < 0 ? -1 : H5Aget_type(attr), type = H5Tcopy(H5T_C_S1);
  herr_t status = file_type < 0 ? -1 : 0;

  buf[0] = 0;
  if (status >= 0) H5Tset_cset(type, H5Tget_cset(file_type));
  if (status >= 0 && H5Tis_variable_str(file_type) > 0) {
    char *value = NULL;
    H5Tset_size(type, H5T_VARIABLE);
    status = H5Aread(attr, type, &value);
    if (status >= 0 && value) (void)PetscStrncpy(buf, value, len);
    if (value) H5free_memory(value);
  } else if (status >= 0) {
    H5Tset_size(type, len);
    status = H5Aread(attr, type, buf);
  }
  buf[len - 1] = 0;
  H5Tclose(type);
  if (file_type >= 0) H5Tclose(file_type);
  if (attr >= 0) H5Aclose(attr);
  return status;
}

static herr_t ReadAttributeReal(hid_t file, const char *name, double *value, PetscBool *found)
{
  hid_t  attr;
  herr_t status;

  *found = PETSC_FALSE;
  if (H5Aexists(file, name) <= 0) return 0;
  attr   = H5Aopen(file, name, H5P_DEFAULT);
  status = attr < 0 ? -1 : H5Aread(attr, H5T_NATIVE_DOUBLE, value);
  if (attr >= 0) H5Aclose(attr);
  *found = (PetscBool)(status >= 0);
  return status;
}

/* The grid of a dataset's two last dimensions; 0 when the dataset is missing or not rank `ndims`. */
static void DatasetGrid(hid_t file, const char *group, const char *name, int ndims, PetscInt *nx, PetscInt *ny)
{
  hsize_t dims[3] = {0, 0, 0};

  *nx = *ny = 0;
  if (H5Lexists(file, group, H5P_DEFAULT) <= 0 || H5Lexists(file, name, H5P_DEFAULT) <= 0) return;
  hid_t dset = H5Dopen2(file, name, H5P_DEFAULT), space = H5Dget_space(dset);
  if (H5Sget_simple_extent_ndims(space) == ndims) {
    H5Sget_simple_extent_dims(space, dims, NULL);
    *ny = (PetscInt)dims[ndims - 2];
    *nx = (PetscInt)dims[ndims - 1];
  }
  H5Sclose(space);
  H5Dclose(dset);
}

/* Rank 0: grid (from /state/u, or /snapshots/v for the transient form), h, dt, the truth, ts_type. */
static void InspectInput(const ResidualOptions *o, InputInfo *info)
{
  const char *const names[GS_NPARAM] = {"F", "k", "Du", "Dv"};
  hid_t             file            = H5Fis_hdf5(o->input) > 0 ? H5Fopen(o->input, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  PetscBool         found;
  int               ntruth = 0;

  if (file < 0) {
    (void)PetscSNPrintf(info->msg, sizeof(info->msg), "-gs_input %s: cannot read it as an HDF5 file", o->input);
    return;
  }
  if (o->form == GS_RESIDUAL_FORM_STEADY) DatasetGrid(file, "/state", "/state/u", 2, &info->nx, &info->ny);
  else DatasetGrid(file, "/snapshots", "/snapshots/v", 3, &info->nx, &info->ny);
  if (!info->nx) (void)PetscSNPrintf(info->msg, sizeof(info->msg), "-gs_input %s: no %s dataset of the right rank (%s)", o->input, o->form == GS_RESIDUAL_FORM_STEADY ? "/state/u [ny][nx]" : "/snapshots/v [T][ny][nx]", o->form == GS_RESIDUAL_FORM_STEADY ? "write it with gsinv simulate" : "write it with gsinv simulate -gs_snapshot_every 1");
  (void)ReadAttributeReal(file, "h", &info->h, &info->has_h);
  (void)ReadAttributeReal(file, "dt", &info->dt, &info->has_dt);
  for (int q = 0; q < GS_NPARAM; q++) {
    (void)ReadAttributeReal(file, names[q], &info->truth[q], &found);
    ntruth += found;
  }
  info->has_truth = (PetscBool)(ntruth == GS_NPARAM);
  (void)PetscStrncpy(info->ts_type, "unknown", sizeof(info->ts_type));
  if (H5Aexists(file, "ts_type") > 0 && ReadAttributeString(file, "ts_type", info->ts_type, sizeof(info->ts_type)) < 0) (void)PetscStrncpy(info->ts_type, "unknown", sizeof(info->ts_type));
  H5Fclose(file);
}

/* Checks a user-given option against the file's value, or gives the option the file's value. */
static PetscErrorCode AgreeIntOption(MPI_Comm comm, const char *name, PetscInt from_file, const char *path)
{
  PetscInt  value;
  PetscBool set;
  char      text[32];

  PetscFunctionBeginUser;
  PetscCall(GSOptionsCheckNumber(comm, name));
  PetscCall(PetscOptionsGetInt(NULL, NULL, name, &value, &set));
  PetscCheck(!set || value == from_file, comm, PETSC_ERR_USER_INPUT, "%s %" PetscInt_FMT " disagrees with -gs_input %s, whose grid has %" PetscInt_FMT " (omit %s: the grid comes from the file)", name, value, path, from_file, name);
  PetscCall(PetscSNPrintf(text, sizeof(text), "%" PetscInt_FMT, from_file));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, name, text));
  PetscFunctionReturn(0);
}

/* Every rank learns the file's facts; the grid and h then reach GSModelCreate as options. */
static PetscErrorCode InputPrepare(MPI_Comm comm, const ResidualOptions *o, InputInfo *info)
{
  PetscMPIInt rank;
  PetscBool   h_set;
  char        text[64];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(info, sizeof(*info)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) InspectInput(o, info);
  PetscCallMPI(MPI_Bcast(info, (PetscMPIInt)sizeof(*info), MPI_BYTE, 0, comm));
  PetscCheck(!info->msg[0], comm, PETSC_ERR_USER_INPUT, "%s", info->msg);
  PetscCall(AgreeIntOption(comm, "-da_grid_x", info->nx, o->input));
  PetscCall(AgreeIntOption(comm, "-da_grid_y", info->ny, o->input));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-gs_h", &h_set));
  if (!h_set && info->has_h) {
    PetscCall(PetscSNPrintf(text, sizeof(text), "%.17g", info->h));
    PetscCall(PetscOptionsSetValue(NULL, "-gs_h", text));
  }
  PetscCheck(o->form == GS_RESIDUAL_FORM_STEADY || (info->has_dt && info->dt > 0), comm, PETSC_ERR_USER_INPUT, "-gs_input %s: the transient form needs the positive root attribute 'dt' of the scheme that wrote the snapshots", o->input);
  PetscFunctionReturn(0);
}

/* Stops unless the fit identifies what the observed fields can identify: all of theta from u and v,
   F + k and Dv (rank 2) from v alone. Nothing has been written when it stops. */
static PetscErrorCode FitCheck(MPI_Comm comm, const GSObservation *obs, GSResidualStatus status, const GSResidualFit *fit)
{
  const int   expected = obs->fields == GS_OBS_FIELDS_V ? 2 : GS_NPARAM;
  const double *vec    = fit->eigvec;

  PetscFunctionBeginUser;
  PetscCheck(status != GS_RESIDUAL_ERR_EMPTY, comm, PETSC_ERR_USER_INPUT, "no cell is used: -gs_obs_fraction %g leaves no cell observed together with its 4 neighbours", (double)obs->fraction);
  PetscCheck(status != GS_RESIDUAL_ERR_NONFINITE, comm, PETSC_ERR_USER_INPUT, "-gs_input: the data contain NaN or Inf (an invalid run?): no estimate");
  PetscCheck(status == GS_RESIDUAL_OK || status == GS_RESIDUAL_ERR_RANK_DEFICIENT, comm, PETSC_ERR_LIB, "GSResidualSolve failed with status %d", (int)status);
  PetscCheck(fit->rank > 0, comm, PETSC_ERR_USER_INPUT, "the data cannot identify theta: rank 0 of A^T A (trivial state: every theta fits)");
  PetscCheck(fit->rank >= expected, comm, PETSC_ERR_USER_INPUT, "the data cannot identify theta: rank %d of A^T A, %d needed; e.g. theta + t (%.3g, %.3g, %.3g, %.3g) fits as well for every t (eigenvalues %.3e %.3e %.3e %.3e)", fit->rank, expected, vec[GS_NPARAM * 0 + GS_NPARAM - 1], vec[GS_NPARAM * 1 + GS_NPARAM - 1], vec[GS_NPARAM * 2 + GS_NPARAM - 1], vec[GS_NPARAM * 3 + GS_NPARAM - 1], fit->eigval[0], fit->eigval[1], fit->eigval[2], fit->eigval[3]);
  PetscFunctionReturn(0);
}

/* Relative errors against the truth: of each parameter, or, from v alone, of F + k (slot F) and Dv
   (slot Dv) with the unidentifiable slots k and Du left out (not written as numbers). */
static void RelativeErrors(const GSObservation *obs, const double theta[GS_NPARAM], const double truth[GS_NPARAM], double rel[GS_NPARAM])
{
  for (int q = 0; q < GS_NPARAM; q++) rel[q] = (theta[q] - truth[q]) / truth[q];
  if (obs->fields == GS_OBS_FIELDS_V) {
    const double fk = truth[GS_PARAM_F] + truth[GS_PARAM_K];
    rel[GS_PARAM_F]  = (theta[GS_PARAM_F] + theta[GS_PARAM_K] - fk) / fk;
    rel[GS_PARAM_K]  = 0.0;
    rel[GS_PARAM_DU] = 0.0;
  }
}

/* One estimate: pass, reduction, solve and check. */
static PetscErrorCode Estimate(GSModel m, const GSResidualData *data, const GSObservation *obs, GSResidualSums *sums, GSResidualFit *fit)
{
  PetscFunctionBeginUser;
  PetscCall(GSResidualEstimateSums(m, data, obs, sums));
  PetscCall(FitCheck(m->comm, obs, GSResidualSolve(sums, fit), fit));
  PetscFunctionReturn(0);
}

/* The landscape's grid values from the sweep axes. */
static PetscErrorCode LandscapeFromOptions(MPI_Comm comm, const ResidualOptions *o, Landscape *l)
{
  PetscFunctionBeginUser;
  l->naxes = o->axes.naxes;
  for (PetscInt a = 0; a < l->naxes; a++) {
    PetscCheck(o->axes.n[a] <= MAX_AXIS_POINTS, comm, PETSC_ERR_USER_INPUT, "-gs_n %" PetscInt_FMT " must be at most %d for the residual landscape", o->axes.n[a], MAX_AXIS_POINTS);
    l->param[a] = o->axes.param[a];
    l->n[a]     = o->axes.n[a];
    PetscCall(PetscMalloc1(l->n[a], &l->values[a]));
    for (PetscInt i = 0; i < l->n[a]; i++) l->values[a][i] = GSSweepAxisValue(&o->axes, (int)a, i);
  }
  PetscFunctionReturn(0);
}

/* Rank 0: /landscape/axisA of a landscape file, its values and its "name" attribute. */
static void ReadLikeAxis(hid_t file, int a, char name[16], PetscInt *n, PetscReal *values, char *msg, size_t len, const char *path)
{
  char    dset_name[32];
  hsize_t dims = 0;

  (void)PetscSNPrintf(dset_name, sizeof(dset_name), "/landscape/axis%d", a);
  *n = 0;
  if (H5Lexists(file, "/landscape", H5P_DEFAULT) <= 0 || H5Lexists(file, dset_name, H5P_DEFAULT) <= 0) return;
  hid_t dset = H5Dopen2(file, dset_name, H5P_DEFAULT), space = H5Dget_space(dset);
  if (H5Sget_simple_extent_ndims(space) == 1) H5Sget_simple_extent_dims(space, &dims, NULL);
  if (dims < 1 || dims > MAX_AXIS_POINTS || H5Aexists(dset, "name") <= 0) (void)PetscSNPrintf(msg, len, "-gs_like %s: %s must be 1-D with 1 to %d values and a 'name' attribute", path, dset_name, MAX_AXIS_POINTS);
  else {
    if (ReadAttributeString(dset, "name", name, 16) < 0 || H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) (void)PetscSNPrintf(msg, len, "-gs_like %s: cannot read %s", path, dset_name);
    *n = (PetscInt)dims;
  }
  H5Sclose(space);
  H5Dclose(dset);
}

/* Axes from a landscape file (its exact grid values). Collective. */
static PetscErrorCode LandscapeFromLike(MPI_Comm comm, const ResidualOptions *o, Landscape *l)
{
  struct {
    char      names[MAX_AXES][16];
    PetscInt  n[MAX_AXES];
    PetscReal values[MAX_AXES][MAX_AXIS_POINTS];
    char      msg[PETSC_MAX_PATH_LEN + 128];
  } *like;
  PetscMPIInt rank;
  char        msg[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCheck(!o->has_axes, comm, PETSC_ERR_USER_INPUT, "-gs_like %s takes the axes from the file: do not also give -gs_axes, -gs_lo, -gs_hi or -gs_n", o->like);
  PetscCall(PetscCalloc1(1, &like));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    hid_t file = H5Fis_hdf5(o->like) > 0 ? H5Fopen(o->like, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (file < 0) (void)PetscSNPrintf(like->msg, sizeof(like->msg), "-gs_like %s: cannot read it as an HDF5 file", o->like);
    for (int a = 0; a < MAX_AXES && file >= 0 && !like->msg[0]; a++) ReadLikeAxis(file, a, like->names[a], &like->n[a], like->values[a], like->msg, sizeof(like->msg), o->like);
    if (file >= 0 && !like->msg[0] && !like->n[0]) (void)PetscSNPrintf(like->msg, sizeof(like->msg), "-gs_like %s: no /landscape/axis0", o->like);
    if (file >= 0) H5Fclose(file);
  }
  PetscCallMPI(MPI_Bcast(like, (PetscMPIInt)sizeof(*like), MPI_BYTE, 0, comm));
  PetscCall(PetscStrncpy(msg, like->msg, sizeof(msg)));
  if (msg[0]) PetscCall(PetscFree(like));
  PetscCheck(!msg[0], comm, PETSC_ERR_USER_INPUT, "%s (expected /landscape/axis0 [n0] and optionally /landscape/axis1 [n1], each with a 'name' attribute among F,k,Du,Dv)", msg);
  for (int a = 0; a < MAX_AXES && like->n[a]; a++) {
    PetscCall(GSParamIndex(comm, "-gs_like", like->names[a], &l->param[a]));
    l->n[a] = like->n[a];
    PetscCall(PetscMalloc1(l->n[a], &l->values[a]));
    PetscCall(PetscArraycpy(l->values[a], like->values[a], l->n[a]));
    l->naxes++;
  }
  PetscCall(PetscFree(like));
  PetscFunctionReturn(0);
}

/* The closed-form loss on the grid; parameters off the axes are fixed at the -gs_F.. given, else at theta_hat. */
static PetscErrorCode LandscapeEvaluate(const GSResidualSums *sums, const double theta_hat[GS_NPARAM], const GSParams *given, Landscape *l)
{
  static const char *const options[GS_NPARAM] = {"-gs_F", "-gs_k", "-gs_Du", "-gs_Dv"};
  double                   given_theta[GS_NPARAM], theta[GS_NPARAM];
  const PetscInt           n1 = l->naxes > 1 ? l->n[1] : 1;

  PetscFunctionBeginUser;
  GSParamsToArray(given, given_theta);
  for (int q = 0; q < GS_NPARAM; q++) {
    PetscBool set;
    PetscCall(PetscOptionsHasName(NULL, NULL, options[q], &set));
    l->base[q] = set ? given_theta[q] : theta_hat[q];
  }
  PetscCall(PetscMalloc1(l->n[0] * n1, &l->loss));
  for (PetscInt j = 0; j < n1; j++) {
    for (PetscInt i = 0; i < l->n[0]; i++) {
      for (int q = 0; q < GS_NPARAM; q++) theta[q] = l->base[q];
      theta[l->param[0]] = l->values[0][i];
      if (l->naxes > 1) theta[l->param[1]] = l->values[1][j];
      PetscCheck(GSResidualLoss(sums, theta, &l->loss[j * l->n[0] + i]) == GS_RESIDUAL_OK, PETSC_COMM_SELF, PETSC_ERR_PLIB, "GSResidualLoss failed");
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode LandscapeDestroy(Landscape *l)
{
  PetscFunctionBeginUser;
  for (int a = 0; a < MAX_AXES; a++) PetscCall(PetscFree(l->values[a]));
  PetscCall(PetscFree(l->loss));
  PetscFunctionReturn(0);
}

static PetscErrorCode LandscapeWrite(GSOutput *out, const Landscape *l)
{
  hsize_t dims[2];
  char    path[64];

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < l->naxes; a++) {
    dims[0] = (hsize_t)l->n[a];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/residual_landscape/axis%" PetscInt_FMT, a));
    PetscCall(GSH5WriteRealArray(out, path, 1, dims, l->values[a]));
    PetscCall(GSH5WriteAttributeString(out, path, "name", GSParamNames[l->param[a]]));
  }
  dims[0] = l->naxes > 1 ? (hsize_t)l->n[1] : (hsize_t)l->n[0];
  dims[1] = (hsize_t)l->n[0];
  PetscCall(GSH5WriteRealArray(out, "/residual_landscape/loss", (int)l->naxes, dims, l->loss));
  PetscCall(GSH5WriteAttributeString(out, "/residual_landscape/loss", "definition", "mean over used cells of r_u^2 + r_v^2 (closed form from the sums), [n1][n0], axis0 fastest"));
  dims[0] = GS_NPARAM;
  PetscCall(GSH5WriteRealArray(out, "/residual_landscape/base", 1, dims, l->base));
  PetscCall(GSH5WriteAttributeString(out, "/residual_landscape/base", "definition", "theta off the axes (F, k, Du, Dv): the -gs_F.. given, else theta_hat"));
  PetscFunctionReturn(0);
}

/* The noise study: one estimate per sigma, same seed (common random numbers across sigma). */
typedef struct {
  PetscInt  n;
  PetscReal sigma[MAX_SWEEP], theta[MAX_SWEEP][GS_NPARAM], rel[MAX_SWEEP][GS_NPARAM];
} NoiseSweep;

static PetscErrorCode NoiseSweepRun(GSModel m, const GSResidualData *data, const ResidualOptions *o, const InputInfo *info, NoiseSweep *sweep)
{
  GSObservation  obs = o->obs;
  GSResidualSums sums;
  GSResidualFit  fit;

  PetscFunctionBeginUser;
  sweep->n = o->nsweep;
  for (PetscInt s = 0; s < o->nsweep; s++) {
    obs.noise = sweep->sigma[s] = o->sweep[s];
    PetscCall(Estimate(m, data, &obs, &sums, &fit));
    for (int q = 0; q < GS_NPARAM; q++) sweep->theta[s][q] = fit.theta[q];
    if (info->has_truth) RelativeErrors(&obs, fit.theta, info->truth, sweep->rel[s]);
  }
  PetscFunctionReturn(0);
}

/* The estimate's results, as printed and written. */
typedef struct {
  GSResidualSums sums;
  GSResidualFit  fit;
  double         loss, norm, rel[GS_NPARAM];
  double         seconds;
} Result;

static PetscErrorCode ResultPrint(MPI_Comm comm, GSModel m, const ResidualOptions *o, const InputInfo *info, const Result *r)
{
  const double *t = r->fit.theta, *rel = r->rel;

  PetscFunctionBeginUser;
  if (o->obs.fields == GS_OBS_FIELDS_V) {
    PetscCall(PetscPrintf(comm, "only v observed: rank %d of A^T A; identifiable are F + k = %.12g and Dv = %.12g (F, k separately and Du are not)\n", r->fit.rank, t[GS_PARAM_F] + t[GS_PARAM_K], t[GS_PARAM_DV]));
    if (info->has_truth) PetscCall(PetscPrintf(comm, "relative error  F+k %+.3e  Dv %+.3e\n", rel[GS_PARAM_F], rel[GS_PARAM_DV]));
  } else {
    PetscCall(PetscPrintf(comm, "theta_hat       F = %.12g  k = %.12g  Du = %.12g  Dv = %.12g\n", t[0], t[1], t[2], t[3]));
    if (info->has_truth) {
      PetscCall(PetscPrintf(comm, "truth (file)    F = %.12g  k = %.12g  Du = %.12g  Dv = %.12g\n", info->truth[0], info->truth[1], info->truth[2], info->truth[3]));
      PetscCall(PetscPrintf(comm, "relative error  F %+.3e  k %+.3e  Du %+.3e  Dv %+.3e\n", rel[0], rel[1], rel[2], rel[3]));
    }
  }
  PetscCall(PetscPrintf(comm, "residual loss at theta_hat %.6e (norm sqrt(loss) %.6e)\n", r->loss, r->norm));
  PetscCall(PetscPrintf(comm, "eigenvalues of A^T A %.6e %.6e %.6e %.6e; rank %d; condition %.6e\n", r->fit.eigval[0], r->fit.eigval[1], r->fit.eigval[2], r->fit.eigval[3], r->fit.rank, r->fit.condition));
  PetscCall(PetscPrintf(comm, "cells used %.0f (grid %" PetscInt_FMT " x %" PetscInt_FMT ", %s form); estimate in %.4f s (read, one pass, reduction, solve)\n", r->sums.ncells, m->nx, m->ny, FormNames[o->form], r->seconds));
  PetscFunctionReturn(0);
}

static PetscErrorCode NoiseSweepPrint(MPI_Comm comm, const InputInfo *info, const NoiseSweep *sweep)
{
  PetscFunctionBeginUser;
  if (!sweep->n) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(comm, "noise study      sigma        F            k            Du           Dv%s\n", info->has_truth ? "   (relative errors)" : "   (theta_hat)"));
  for (PetscInt s = 0; s < sweep->n; s++) {
    const PetscReal *v = info->has_truth ? sweep->rel[s] : sweep->theta[s];
    PetscCall(PetscPrintf(comm, "            %11.3e  %+.4e  %+.4e  %+.4e  %+.4e\n", sweep->sigma[s], v[0], v[1], v[2], v[3]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteResidual(GSOutput *out, const ResidualOptions *o, const InputInfo *info, const Result *r, const NoiseSweep *sweep)
{
  hsize_t    four = GS_NPARAM, dims[2];
  PetscInt64 rank = r->fit.rank;
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
  PetscCall(GSH5WriteAttributeString(out, "/residual", "norm_definition", "sqrt(loss), loss = mean over used cells of r_u^2 + r_v^2 at theta_hat (closed form)"));
  if (!sweep->n) PetscFunctionReturn(0);
  dims[0] = (hsize_t)sweep->n;
  dims[1] = GS_NPARAM;
  PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/sigma", 1, dims, sweep->sigma));
  PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/theta", 2, dims, &sweep->theta[0][0]));
  if (info->has_truth) PetscCall(GSH5WriteRealArray(out, "/residual/noise_sweep/relative_error", 2, dims, &sweep->rel[0][0]));
  PetscFunctionReturn(0);
}

/* Everything that needs the data; nothing is written unless every estimate identified theta. */
static PetscErrorCode ResidualRun(GSModel m, const ResidualOptions *o, const InputInfo *info, GSCompletion comp)
{
  GSCompletionResult completion;
  double             theta_start[GS_NPARAM];
  GSResidualData data;
  Result         r;
  NoiseSweep     sweep = {0};
  Landscape      land  = {0};
  GSOutput       out;
  const GSParams given = m->params;
  double         start;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&data, sizeof(data)));
  PetscCall(PetscStrncpy(data.path, o->input, sizeof(data.path)));
  data.form = o->form;
  data.dt   = info->dt;
  PetscCall(GSResidualDataSetUp(m, "-gs_input", o->pairs, &data));
  if (o->like[0]) PetscCall(LandscapeFromLike(m->comm, o, &land));
  else if (o->has_axes) PetscCall(LandscapeFromOptions(m->comm, o, &land));
  PetscCallMPI(MPI_Barrier(m->comm));
  start = MPI_Wtime();
  PetscCall(Estimate(m, &data, &o->obs, &r.sums, &r.fit));
  r.seconds = MPI_Wtime() - start;
  PetscCall(PetscMemzero(r.rel, sizeof(r.rel)));
  PetscCheck(GSResidualLoss(&r.sums, r.fit.theta, &r.loss) == GS_RESIDUAL_OK, m->comm, PETSC_ERR_PLIB, "GSResidualLoss failed");
  r.norm = sqrt(r.loss);
  if (info->has_truth) RelativeErrors(&o->obs, r.fit.theta, info->truth, r.rel);
  PetscCall(NoiseSweepRun(m, &data, o, info, &sweep));
  if (land.naxes) PetscCall(LandscapeEvaluate(&r.sums, r.fit.theta, &given, &land));
  PetscCall(ResultPrint(m->comm, m, o, info, &r));
  PetscCall(NoiseSweepPrint(m->comm, info, &sweep));
  if (comp) {
    GSCompletionThetaStart(&r.fit, theta_start);
    PetscCall(GSCompletionSolve(comp, o->input, &o->obs, theta_start, info->has_truth ? info->truth : NULL, &completion));
    PetscCall(GSCompletionPrint(m->comm, &completion));
  }
  PetscCall(GSModelSetParams(m, &(GSParams){r.fit.theta[0], r.fit.theta[1], r.fit.theta[2], r.fit.theta[3]}));
  PetscCall(GSOutputOpen(m->comm, "-gs_output", o->output, &out));
  PetscCall(GSOutputWriteProvenance(&out, "residual", m, o->obs.seed, info->ts_type, info->dt));
  PetscCall(WriteResidual(&out, o, info, &r, &sweep));
  if (land.naxes) PetscCall(LandscapeWrite(&out, &land));
  if (comp) PetscCall(GSCompletionWrite(&out, &completion));
  PetscCall(GSOutputClose(&out));
  PetscCall(PetscPrintf(m->comm, "wrote %s\n", o->output));
  PetscCall(LandscapeDestroy(&land));
  PetscCall(GSResidualDataDestroy(&data));
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppResidual(MPI_Comm comm)
{
  ResidualOptions opts;
  InputInfo       info;
  GSModel         m;
  GSCompletion    comp = NULL;
  PetscBool       help;

  PetscFunctionBeginUser;
  PetscCall(ResidualOptionsRead(comm, &opts));
  PetscCall(GSAppHelpRequested(&help));
  if (!help) {
    PetscCall(ResidualOptionsCheck(comm, &opts));
    PetscCall(InputPrepare(comm, &opts, &info));
  }
  PetscCall(GSModelCreate(comm, &m));
  if (opts.complete) PetscCall(GSCompletionCreate(m, &comp));
  if (!help) {
    PetscCall(GSAppCheckOptionsUsed(comm));
    PetscCall(GSAppBanner(comm, "residual"));
    PetscCall(PetscPrintf(comm, "input %s: grid %" PetscInt_FMT " x %" PetscInt_FMT ", h = %g%s\n", opts.input, m->nx, m->ny, (double)m->h, info.has_truth ? ", truth theta in the file" : ""));
    PetscCall(ResidualRun(m, &opts, &info, comp));
  }
  PetscCall(GSCompletionDestroy(&comp));
  PetscCall(GSModelDestroy(&m));
  PetscFunctionReturn(0);
}
