/* The residual landscape: its axes from the sweep options or a landscape file, the closed-form loss on them, its HDF5 layout. */
#include "gsinv/io/record.h"
#include "gsinv/sweep/residual_landscape.h"

enum { MAX_AXES = 2, MAX_POINTS = GS_RESIDUAL_LANDSCAPE_MAX_POINTS };

PetscErrorCode GSResidualLandscapeFromAxes(MPI_Comm comm, const GSSweepAxes *axes, GSResidualLandscape *l)
{
  PetscFunctionBeginUser;
  l->naxes = axes->naxes;
  for (PetscInt a = 0; a < l->naxes; a++) {
    PetscCheck(axes->n[a] <= MAX_POINTS, comm, PETSC_ERR_USER_INPUT, "-gs_n %" PetscInt_FMT " must be at most %d for the residual landscape",
               axes->n[a], MAX_POINTS);
    l->param[a] = axes->param[a];
    l->n[a]     = axes->n[a];
    PetscCall(PetscMalloc1(l->n[a], &l->values[a]));
    for (PetscInt i = 0; i < l->n[a]; i++) l->values[a][i] = GSSweepAxisValue(axes, (int)a, i);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualLandscapeFromFile(MPI_Comm comm, const char *option, const char *path, GSResidualLandscape *l)
{
  struct {
    GSAxisRead axis[MAX_AXES];
    char       msg[PETSC_MAX_PATH_LEN + 128];
  } * like;
  PetscMPIInt rank;
  char        msg[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(1, &like));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    char why[PETSC_MAX_PATH_LEN];
    GSLandscapeAxesRead(path, MAX_AXES, MAX_POINTS, like->axis, why, sizeof(why));
    if (why[0]) (void)PetscSNPrintf(like->msg, sizeof(like->msg), "%s %s: %s", option, path, why);
  }
  PetscCallMPI(MPI_Bcast(like, (PetscMPIInt)sizeof(*like), MPI_BYTE, 0, comm));
  PetscCall(PetscStrncpy(msg, like->msg, sizeof(msg)));
  if (msg[0]) PetscCall(PetscFree(like));
  PetscCheck(!msg[0], comm, PETSC_ERR_USER_INPUT,
             "%s (expected /landscape/axis0 [n0] and optionally /landscape/axis1 [n1], each with a 'name' attribute among F,k,Du,Dv)", msg);
  for (int a = 0; a < MAX_AXES && like->axis[a].n; a++) {
    PetscCall(GSParamIndex(comm, option, like->axis[a].name, &l->param[a]));
    l->n[a] = like->axis[a].n;
    PetscCall(PetscMalloc1(l->n[a], &l->values[a]));
    PetscCall(PetscArraycpy(l->values[a], like->axis[a].values, l->n[a]));
    l->naxes++;
  }
  PetscCall(PetscFree(like));
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualLandscapeEvaluate(GSResidualLandscape *l, const GSResidualSums *sums, const double theta_hat[GS_NPARAM],
                                           const GSParams *given)
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

PetscErrorCode GSResidualLandscapeWrite(const GSResidualLandscape *l, GSOutput *out)
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
  PetscCall(GSH5WriteAttributeString(out, "/residual_landscape/loss", "definition",
                                     "mean over used cells of r_u^2 + r_v^2 (closed form from the sums), [n1][n0], axis0 fastest"));
  dims[0] = GS_NPARAM;
  PetscCall(GSH5WriteRealArray(out, "/residual_landscape/base", 1, dims, l->base));
  PetscCall(GSH5WriteAttributeString(out, "/residual_landscape/base", "definition",
                                     "theta off the axes (F, k, Du, Dv): the -gs_F.. given, else theta_hat"));
  PetscFunctionReturn(0);
}

PetscErrorCode GSResidualLandscapeDestroy(GSResidualLandscape *l)
{
  PetscFunctionBeginUser;
  for (int a = 0; a < MAX_AXES; a++) PetscCall(PetscFree(l->values[a]));
  PetscCall(PetscFree(l->loss));
  PetscFunctionReturn(0);
}
