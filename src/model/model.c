/* GSModel creation: options, checks, the decomposition, the matrix-free Jacobian shells, and the
   DMDA when first asked for. */
#include "gsinv/core/events.h"
#include "model_impl.h"
#include "gsinv/core/options.h"

/* Whether the ranks of comm can share an nx x ny grid (every patch needs at least one cell in each
   direction), also under -da_processors_x/-da_processors_y (PETSC_DECIDE: not given). */
static PetscErrorCode GSModelCheckRanks(MPI_Comm comm, PetscInt nx, PetscInt ny, PetscInt px, PetscInt py)
{
  PetscMPIInt size;
  PetscBool   fits = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(px == PETSC_DECIDE || (px >= 1 && px <= nx && size % px == 0), comm, PETSC_ERR_USER_INPUT,
             "-da_processors_x %" PetscInt_FMT " must divide the %d ranks and be at most -da_grid_x %" PetscInt_FMT, px, size, nx);
  PetscCheck(py == PETSC_DECIDE || (py >= 1 && py <= ny && size % py == 0), comm, PETSC_ERR_USER_INPUT,
             "-da_processors_y %" PetscInt_FMT " must divide the %d ranks and be at most -da_grid_y %" PetscInt_FMT, py, size, ny);
  PetscCheck(px == PETSC_DECIDE || py == PETSC_DECIDE || px * py == size, comm, PETSC_ERR_USER_INPUT,
             "-da_processors_x %" PetscInt_FMT " -da_processors_y %" PetscInt_FMT ": their product must be the %d ranks", px, py, size);
  for (PetscInt m = 1; m <= size && !fits; m++) fits = (PetscBool)(size % m == 0 && m <= nx && size / m <= ny);
  PetscCheck(fits, comm, PETSC_ERR_USER_INPUT,
             "-da_grid_x %" PetscInt_FMT " -da_grid_y %" PetscInt_FMT
             ": too few cells for %d ranks per simulation (use fewer ranks, or -gs_group_size where the subcommand has it)",
             nx, ny, size);
  PetscFunctionReturn(0);
}

/* The model holds at least four states (solution, previous step, ghosted copy, the integrator's
   stage) spread over the ranks: a grid whose share exceeds a node's memory is refused up front. */
static PetscErrorCode GSModelCheckMemory(MPI_Comm comm, PetscInt nx, PetscInt ny)
{
  MPI_Comm    node;
  PetscMPIInt size, on_node, most_on_node;
  char        options[128];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PetscCallMPI(MPI_Comm_size(node, &on_node));
  PetscCallMPI(MPI_Comm_free(&node));
  PetscCallMPI(MPI_Allreduce(&on_node, &most_on_node, 1, MPI_INT, MPI_MAX, comm));
  PetscCall(PetscSNPrintf(options, sizeof(options),
                          "-da_grid_x %" PetscInt_FMT " -da_grid_y %" PetscInt_FMT " on %d rank(s) (four states of the grid, at least)", nx, ny,
                          size));
  PetscCall(GSOptionsCheckSize(comm, options, 4 * 2 * (PetscInt64)nx * ny / size * most_on_node, sizeof(PetscScalar), INT64_MAX));
  PetscFunctionReturn(0);
}

/* Reads and checks -da_grid_x/-da_grid_y and -da_processors_x/-da_processors_y (the grid and its
   split are the model's: the DMDA, when made, gets both, so PETSc's -da_refine does not apply). */
static PetscErrorCode GSModelGridFromOptions(MPI_Comm comm, PetscInt *nx, PetscInt *ny, PetscInt *px, PetscInt *py)
{
  PetscBool refine;

  PetscFunctionBeginUser;
  *nx = *ny = 128;
  *px = *py = PETSC_DECIDE;
  PetscCall(GSOptionsCheckPetsc(comm, "-da_"));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-da_refine", &refine));
  PetscCheck(!refine, comm, PETSC_ERR_USER_INPUT, "-da_refine is not supported: give the grid with -da_grid_x and -da_grid_y");
  PetscOptionsBegin(comm, NULL, GS_GRID_OPTIONS_TITLE, "GSModel");
  PetscCall(GSOptionsInt("-da_grid_x", "Cells along x", "GSModelCreate", *nx, nx, NULL));
  PetscCall(GSOptionsInt("-da_grid_y", "Cells along y", "GSModelCreate", *ny, ny, NULL));
  PetscCall(GSOptionsInt("-da_processors_x", "Ranks along x (-1: as square a process grid as the ranks allow)", "GSModelCreate", *px, px, NULL));
  PetscCall(GSOptionsInt("-da_processors_y", "Ranks along y (-1: as square a process grid as the ranks allow)", "GSModelCreate", *py, py, NULL));
  PetscOptionsEnd();
  PetscCheck(*nx >= 3 && *ny >= 3, comm, PETSC_ERR_USER_INPUT,
             "-da_grid_x %" PetscInt_FMT " -da_grid_y %" PetscInt_FMT ": the grid must be at least 3 x 3", *nx, *ny);
  PetscCheck(2 * (PetscInt64)*nx * (PetscInt64)*ny <= PETSC_MAX_INT, comm, PETSC_ERR_USER_INPUT,
             "-da_grid_x %" PetscInt_FMT " -da_grid_y %" PetscInt_FMT ": %" PetscInt64_FMT " unknowns exceed PetscInt's limit %" PetscInt_FMT
             " (a PETSc with 64-bit indices is needed)",
             *nx, *ny, 2 * (PetscInt64)*nx * (PetscInt64)*ny, PETSC_MAX_INT);
  PetscCall(GSModelCheckRanks(comm, *nx, *ny, *px, *py));
  PetscCall(GSModelCheckMemory(comm, *nx, *ny));
  PetscFunctionReturn(0);
}

/* Reads -gs_h and theta; every value is checked and named in the message when wrong. */
static PetscErrorCode GSModelParamsFromOptions(GSModel m)
{
  GSParams *p = &m->params;

  PetscFunctionBeginUser;
  p->F       = GS_TRUTH_F;
  p->k       = GS_TRUTH_K;
  p->Du      = GS_TRUTH_DU;
  p->Dv      = GS_TRUTH_DV;
  m->patch.h = 1.0;
  PetscOptionsBegin(m->comm, NULL, "Gray-Scott model", "GSModel");
  PetscCall(GSOptionsReal("-gs_F", "Feed rate F", "GSModelCreate", p->F, &p->F, NULL));
  PetscCall(GSOptionsReal("-gs_k", "Kill rate k", "GSModelCreate", p->k, &p->k, NULL));
  PetscCall(GSOptionsReal("-gs_Du", "Diffusivity of u", "GSModelCreate", p->Du, &p->Du, NULL));
  PetscCall(GSOptionsReal("-gs_Dv", "Diffusivity of v", "GSModelCreate", p->Dv, &p->Dv, NULL));
  PetscCall(GSOptionsReal("-gs_h", "Grid spacing (the Laplacian divides by h^2)", "GSModelCreate", m->patch.h, &m->patch.h, NULL));
  PetscOptionsEnd();
  PetscCall(GSParamsCheck(m->comm, p));
  PetscCheck(m->patch.h > 0 && PetscIsNormalReal(m->patch.h), m->comm, PETSC_ERR_USER_INPUT, "-gs_h %g must be positive", (double)m->patch.h);
  m->patch.inv_h2 = 1.0 / (m->patch.h * m->patch.h);
  PetscCheck(PetscIsNormalReal(m->patch.inv_h2), m->comm, PETSC_ERR_USER_INPUT,
             "-gs_h %g: 1/h^2 = %g is not a normal number (h too large or too small)", (double)m->patch.h, (double)m->patch.inv_h2);
  PetscFunctionReturn(0);
}

PetscErrorCode GSParamsCheck(MPI_Comm comm, const GSParams *p)
{
  PetscFunctionBeginUser;
  PetscCheck(p->F >= 0 && PetscIsNormalReal(p->F + 1), comm, PETSC_ERR_USER_INPUT, "-gs_F %g must be a finite value >= 0", p->F);
  PetscCheck(p->k >= 0 && PetscIsNormalReal(p->k + 1), comm, PETSC_ERR_USER_INPUT, "-gs_k %g must be a finite value >= 0", p->k);
  PetscCheck(p->Du >= 0 && PetscIsNormalReal(p->Du + 1), comm, PETSC_ERR_USER_INPUT, "-gs_Du %g must be a finite diffusivity >= 0", p->Du);
  PetscCheck(p->Dv >= 0 && PetscIsNormalReal(p->Dv + 1), comm, PETSC_ERR_USER_INPUT, "-gs_Dv %g must be a finite diffusivity >= 0", p->Dv);
  PetscFunctionReturn(0);
}

/* The patch of this rank in the layout of the local vectors: one ghost cell on every side. */
static void GSModelSetPatch(GSModel m, PetscMPIInt size)
{
  const GSDecomposition *d = &m->decomp;

  m->patch.xs          = d->xs;
  m->patch.ys          = d->ys;
  m->patch.xm          = d->xm;
  m->patch.ym          = d->ym;
  m->patch.gxs         = d->xs - 1;
  m->patch.gys         = d->ys - 1;
  m->patch.gxm         = d->xm + 2;
  m->patch.gym         = d->ym + 2;
  m->patch.first_owned = m->patch.gxm + 1;
  m->patch.whole_grid  = (PetscBool)(size == 1);
}

static PetscErrorCode GSModelCreateGrid(GSModel m)
{
  PetscInt    px, py;
  PetscMPIInt size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(m->comm, &size));
  PetscCall(GSModelGridFromOptions(m->comm, &m->patch.nx, &m->patch.ny, &px, &py));
  PetscCall(GSDecompositionCreate(m->comm, m->patch.nx, m->patch.ny, px, py, &m->decomp));
  GSModelSetPatch(m, size);
  m->grid = GSGridMake(m->comm, 2, m->patch.nx, m->patch.ny, m->patch.xs, m->patch.ys, m->patch.xm, m->patch.ym, m->patch.h);
  PetscCall(GSHaloCreate(m->comm, &m->decomp, 2, &m->halo));
  if (!m->patch.whole_grid) PetscCall(GSModelCreateLocalVector(m, &m->xlocal));
  PetscCall(PetscMalloc1(3 * PetscMax(m->patch.nx, m->patch.xm), &m->rows));
  PetscFunctionReturn(0);
}

/* The DMDA of the model's patches: PETSc's set-up of its scatters is the costliest part of a
   model's creation on a large grid, so only the paths that hand the grid to PETSc make it. */
static PetscErrorCode GSModelCreateDM(GSModel m)
{
  const GSDecomposition *d = &m->decomp;
  PetscLogEvent          setup;
  PetscInt               xs, ys, xm, ym;
  DM                     da;

  PetscFunctionBeginUser;
  PetscCall(GSLogEventGet(GS_EVENT_SETUP, &setup));
  PetscCall(PetscLogEventBegin(setup, 0, 0, 0, 0));
  PetscCall(DMDACreate2d(m->comm, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR, m->patch.nx, m->patch.ny, d->px, d->py, 2, 1, d->lx,
                         d->ly, &da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDASetFieldName(da, 0, "u"));
  PetscCall(DMDASetFieldName(da, 1, "v"));
  PetscCall(DMDAGetCorners(da, &xs, &ys, NULL, &xm, &ym, NULL));
  PetscCheck(xs == d->xs && ys == d->ys && xm == d->xm && ym == d->ym, PETSC_COMM_SELF, PETSC_ERR_PLIB, "the DMDA's patch differs from the model's");
  if (m->J) PetscCall(MatSetDM(m->J, da));
  m->da = da;
  PetscCall(PetscLogEventEnd(setup, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelGetDM(GSModel m, DM *da)
{
  PetscFunctionBeginUser;
  if (!m->da) PetscCall(GSModelCreateDM(m));
  *da = m->da;
  PetscFunctionReturn(0);
}

static PetscErrorCode GSModelSetUp(GSModel m)
{
  PetscLogEvent setup;

  PetscFunctionBeginUser;
  PetscCall(GSModelParamsFromOptions(m));
  PetscCall(GSLogEventGet(GS_EVENT_SETUP, &setup));
  PetscCall(PetscLogEventBegin(setup, 0, 0, 0, 0));
  PetscCall(GSModelCreateGrid(m));
  PetscCall(PetscLogEventEnd(setup, 0, 0, 0, 0));
  PetscCall(GSLogEventGet(GS_EVENT_RHS, &m->event_rhs));
  PetscCall(GSLogEventGet(GS_EVENT_HALO, &m->event_halo));
  PetscCall(GSLogEventGet(GS_EVENT_JACOBIAN, &m->event_jac));
  PetscCall(GSLogEventGet(GS_EVENT_JACOBIAN_P, &m->event_jacp));
  PetscCall(GSModelCreateOperators(m));
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelCreate(MPI_Comm comm, GSModel *model)
{
  GSModel        m;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  *model = NULL;
  PetscCall(PetscNew(&m));
  m->comm = comm;
  /* a grid too large for memory fails half-way: what was built is freed before the error goes up */
  ierr = GSModelSetUp(m);
  if (ierr) (void)GSModelDestroy(&m);
  PetscCall(ierr);
  *model = m;
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelDestroy(GSModel *model)
{
  GSModel m = *model;

  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(0);
  PetscCall(MatDestroy(&m->J));
  PetscCall(MatDestroy(&m->Jp));
  PetscCall(VecDestroy(&m->state));
  PetscCall(VecDestroy(&m->state_local));
  PetscCall(VecDestroy(&m->xlocal));
  PetscCall(VecDestroy(&m->ylocal));
  PetscCall(PetscFree(m->rows));
  PetscCall(GSHaloDestroy(&m->halo));
  PetscCall(DMDestroy(&m->da));
  PetscCall(GSDecompositionDestroy(&m->decomp));
  PetscCall(PetscFree(m));
  *model = NULL;
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelSetParams(GSModel m, const GSParams *params)
{
  PetscFunctionBeginUser;
  m->params = *params;
  PetscFunctionReturn(0);
}

PetscErrorCode GSModelPrintSummary(GSModel m, PetscViewer viewer)
{
  const GSParams *p = &m->params;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "grid %" PetscInt_FMT " x %" PetscInt_FMT " (h = %g, periodic)  F = %g  k = %g  Du = %g  Dv = %g\n",
                                   m->patch.nx, m->patch.ny, (double)m->patch.h, p->F, p->k, p->Du, p->Dv));
  PetscFunctionReturn(0);
}
