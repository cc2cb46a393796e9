/* gsinv: initialise MPI/PETSc, dispatch the subcommand, report errors once, finalise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gsinv/app/app.h"
#include "gsinv/core/fpmode.h"
#include "gsinv/io/h5file.h"
#include "gsinv/io/mpiio.h"
#include "gsinv/core/options.h"
#include "gsinv/io/output_lock.h"
#include "gsinv/sweep/sweep.h"

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
  for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
    PetscCall(PetscFPrintf(comm, bad ? PETSC_STDERR : PETSC_STDOUT, "  %-10s %s\n", commands[c].name, commands[c].summary));
  PetscFunctionReturn(0);
}

/* The first error of this rank, kept so that it is printed once, after the ranks compared notes;
   with -gs_traceback (or -info) PETSc's own handler also prints every frame as the error unwinds. */
static struct {
  PetscErrorCode code;
  char           message[1024];
  PetscBool      traceback;
} first_error;

static void DescribeOutOfMemory(const char *mess, const char *func)
{
  const char *requested = mess ? strstr(mess, "Memory requested") : NULL;
  double      bytes     = 0;

  if (requested && sscanf(requested, "Memory requested %lf", &bytes) == 1)
    snprintf(first_error.message, sizeof(first_error.message), "out of memory: %.0f bytes (%.3g GB) requested in %s()", bytes, bytes / 1e9, func);
  else if (mess && mess[0] && !strchr(mess, ' '))
    snprintf(first_error.message, sizeof(first_error.message), "out of memory: an allocation in %s() failed", mess);
  else snprintf(first_error.message, sizeof(first_error.message), "out of memory in %s()%s%s", func, mess && mess[0] ? ": " : "", mess ? mess : "");
}

static PetscErrorCode ErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess,
                                   void *ctx)
{
  (void)comm;
  /* On PETSC_COMM_SELF every rank prints its own frames; on a larger comm PETSc would make the
     other ranks sleep and exit(0). */
  if (first_error.traceback) (void)PetscTraceBackErrorHandler(PETSC_COMM_SELF, line, func, file, n, p, mess, ctx);
  /* gsinv's file errors (GSAgree, GSH5Fail) name the file and the cause: they replace PETSc's. */
  if (p != PETSC_ERROR_INITIAL || (first_error.code && (n != PETSC_ERR_FILE_WRITE || first_error.code == n))) return n;
  first_error.code = n;
  if (n == PETSC_ERR_USER_INPUT || n == PETSC_ERR_FILE_WRITE) snprintf(first_error.message, sizeof(first_error.message), "%s", mess ? mess : "");
  else if (GSErrorIsOutOfMemory(n, func)) DescribeOutOfMemory(mess, func);
  else snprintf(first_error.message, sizeof(first_error.message), "%s (PETSc error %d in %s() at %s:%d)", mess ? mess : "", (int)n, func, file, line);
  return n;
}

/* Reads -gs_traceback (false; also on with -info) and installs the handler. Collective. */
static PetscErrorCode ErrorHandlerPush(MPI_Comm comm)
{
  PetscBool info;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-info", &info));
  first_error.traceback = info;
  PetscOptionsBegin(comm, NULL, "Error reporting", NULL);
  PetscCall(PetscOptionsBool("-gs_traceback", "On error, also print PETSc's full traceback (every frame, every rank)", NULL, first_error.traceback,
                             &first_error.traceback, NULL));
  PetscOptionsEnd();
  PetscCall(PetscPushErrorHandler(ErrorHandler, NULL));
  PetscFunctionReturn(0);
}

/* Every rank that failed waits briefly for the others: if all failed alike (bad input), rank 0
   prints the message and all finalise; otherwise the failing ranks print and abort the job,
   since the others may be blocked in a collective call. */
static int Finish(int code)
{
  MPI_Request request;
  int         all_arrived = 0, rank;
  double      start;
  PetscBool   options_left = PETSC_TRUE;

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
      GSOutputUnlockAfterError();
      MPI_Abort(PETSC_COMM_WORLD, 1);
    }
    if (rank == 0) fprintf(stderr, "gsinv: error: %s\n", first_error.message);
    GSOutputAbandonAll();
    GSJournalAbandonNew();
    GSOutputUnlockAfterError();
    /* Options after the failing one were never read: PETSc >= 3.20 would list them as unused. */
    if (!PetscOptionsHasName(NULL, NULL, "-options_left", &options_left) && !options_left) (void)PetscOptionsSetValue(NULL, "-options_left", "0");
  }
  PetscPopErrorHandler();
  PetscFinalize();
  return code ? 1 : 0;
}

int main(int argc, char **argv)
{
  const GSCommand *command = NULL;
  const char      *name    = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
  PetscErrorCode   ierr;

  (void)GSMPIIOSelectComponent();
  if (name) {
    command = FindCommand(name);
    for (int a = 1; a < argc - 1; a++) argv[a] = argv[a + 1];
    argc--;
  }
  if (command) GSHelpCollect(&argc, argv);
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  GSH5SilenceErrorStack();
  PetscCall(ErrorHandlerPush(PETSC_COMM_WORLD));
  if (!command) {
    PetscBool help;
    ierr = Usage(PETSC_COMM_WORLD, name);
    PetscCall(GSAppHelpRequested(&help));
    PetscCall(PetscPopErrorHandler());
    PetscFinalize();
    return name || !help ? 2 : 0;
  }
  ierr = GSFloatingPointModeFromOptions(PETSC_COMM_WORLD);
  if (!ierr) ierr = command->run(PETSC_COMM_WORLD);
  if (!ierr) ierr = GSHelpPrint(PETSC_COMM_WORLD, command->name);
  return Finish((int)ierr);
}
