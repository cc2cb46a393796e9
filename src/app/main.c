/* gsinv: initialise MPI/PETSc, dispatch the subcommand, report errors once, finalise. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "gsinv/app.h"
#include "gsinv/fpmode.h"
#include "gsinv/io.h"

static const char help[] = "gsinv: diagnosing gradient-based parameter inversion of the Gray-Scott system.\n"
                           "Usage: gsinv <subcommand> [options]; gsinv <subcommand> -help lists its options.\n";

static const GSCommand commands[] = {
  {"simulate", GSAppSimulate, "run one simulation to a steady state (or a fixed number of steps) and write HDF5"},
  {"landscape", GSAppLandscape, "losses over a 1-D or 2-D slice of theta on groups of ranks, with bifurcation curves; resumable"},
  {"targets", GSAppTargets, "N target steady states at one theta from seeded initial states; resumable"},
  {"invert", GSAppInvert, "recover theta from targets by gradient descent through the simulation (TAO or the paper's SGD); resumable"},
  {"gradcheck", GSAppGradcheck, "gradient of a loss by every route (adjoint, forward, differences, implicit) and a Taylor test"},
  {"bench", GSAppBench, "speed: bare loop, production and TS paths, adjoint, memory bandwidth, at several grid sizes"},
  {"residual", GSAppResidual, "estimate theta from the residual of observed fields (docs/model.md section 9)"},
};

static const GSCommand *FindCommand(const char *name)
{
  for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
    if (!strcmp(commands[c].name, name)) return &commands[c];
  return NULL;
}

static PetscErrorCode Usage(MPI_Comm comm, const char *bad)
{
  PetscFunctionBeginUser;
  if (bad) PetscCall(PetscFPrintf(comm, PETSC_STDERR, "gsinv: error: unknown subcommand '%s'\n", bad));
  PetscCall(PetscFPrintf(comm, bad ? PETSC_STDERR : PETSC_STDOUT, "%sSubcommands:\n", help));
  for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) PetscCall(PetscFPrintf(comm, bad ? PETSC_STDERR : PETSC_STDOUT, "  %-10s %s\n", commands[c].name, commands[c].summary));
  PetscFunctionReturn(0);
}

/* The first error of this rank, kept so that it is printed once, after the ranks compared notes. */
static struct {
  PetscErrorCode code;
  char           message[1024];
} first_error;

static PetscErrorCode ErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  (void)comm;
  (void)ctx;
  /* gsinv's file errors (GSAgree, GSH5Fail) name the file and the cause: they replace PETSc's. */
  if (p != PETSC_ERROR_INITIAL || (first_error.code && (n != PETSC_ERR_FILE_WRITE || first_error.code == n))) return n;
  first_error.code = n;
  if (n == PETSC_ERR_USER_INPUT || n == PETSC_ERR_FILE_WRITE) snprintf(first_error.message, sizeof(first_error.message), "%s", mess ? mess : "");
  else snprintf(first_error.message, sizeof(first_error.message), "%s (PETSc error %d in %s() at %s:%d)", mess ? mess : "", (int)n, func, file, line);
  return n;
}

/* Every rank that failed waits briefly for the others: if all failed alike (bad input), rank 0
   prints the message and all finalise; otherwise the failing ranks print and abort the job,
   since the others may be blocked in a collective call. */
static int Finish(int code)
{
  MPI_Request request;
  int         all_arrived = 0, rank;
  double      start;

  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (code) {
    MPI_Ibarrier(PETSC_COMM_WORLD, &request);
    start = MPI_Wtime();
    while (!all_arrived && MPI_Wtime() - start < 5.0) {
      MPI_Test(&request, &all_arrived, MPI_STATUS_IGNORE);
      if (!all_arrived) usleep(1000);
    }
    if (!all_arrived) {
      fprintf(stderr, "gsinv: error on rank %d: %s\n", rank, first_error.message);
      GSOutputRemovePartials();
      MPI_Abort(PETSC_COMM_WORLD, 1);
    }
    if (rank == 0) fprintf(stderr, "gsinv: error: %s\n", first_error.message);
    GSOutputAbandonAll();
  }
  PetscFinalize();
  return code ? 1 : 0;
}

int main(int argc, char **argv)
{
  const GSCommand *command = NULL;
  const char      *name    = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
  PetscErrorCode   ierr;

  /* Collective HDF5 writes can hang with Open MPI's OMPIO layer; ROMIO is reliable. */
  setenv("OMPI_MCA_io", "romio321", 0);
  if (name) {
    command = FindCommand(name);
    for (int a = 1; a < argc - 1; a++) argv[a] = argv[a + 1];
    argc--;
  }
  if (command) GSHelpCollect(&argc, argv);
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  PetscCall(PetscPushErrorHandler(ErrorHandler, NULL));
  if (!command) {
    PetscBool help;
    ierr = Usage(PETSC_COMM_WORLD, name);
    PetscCall(GSAppHelpRequested(&help));
    PetscFinalize();
    return name || !help ? 2 : 0;
  }
  ierr = GSFloatingPointModeFromOptions(PETSC_COMM_WORLD);
  if (!ierr) ierr = command->run(PETSC_COMM_WORLD);
  if (!ierr) ierr = GSHelpPrint(PETSC_COMM_WORLD, command->name);
  return Finish((int)ierr);
}
