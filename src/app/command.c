/* What every subcommand shares: -help, options nobody read, the run banner. */
#include <string.h>

#include "gsinv/app/app.h"
#include "gsinv_version.h"

PetscErrorCode GSAppHelpRequested(PetscBool *help)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasHelp(NULL, help));
  PetscFunctionReturn(0);
}

/* Options that PETSc reads only at the end of a run (viewers) are not reported as unused. */
static PetscBool ReadLate(const char *name)
{
  size_t len = strlen(name);

  if (strstr(name, "view") || strstr(name, "options_left")) return PETSC_TRUE;
  return (PetscBool)(len > 6 && !strcmp(name + len - 6, "_monitor"));
}

PetscErrorCode GSAppCheckOptionsUsed(MPI_Comm comm)
{
  PetscInt n;
  char   **names, **values;
  char     unused[PETSC_MAX_PATH_LEN] = "";

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n && !unused[0]; i++)
    if (!ReadLate(names[i])) PetscCall(PetscSNPrintf(unused, sizeof(unused), "-%s%s%s", names[i], values[i] ? " " : "", values[i] ? values[i] : ""));
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscCheck(!unused[0], comm, PETSC_ERR_USER_INPUT,
             "unknown option %s for this subcommand (misspelled? 'gsinv <subcommand> -help' lists every option)", unused);
  PetscFunctionReturn(0);
}

PetscErrorCode GSAppBanner(MPI_Comm comm, const char *subcommand)
{
  PetscMPIInt size;
  char        version[128];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscGetVersion(version, sizeof(version)));
  PetscCall(PetscPrintf(comm, "gsinv %s %s (revision %s, %s, %d rank%s)\n", GS_VERSION, subcommand, GS_GIT_REVISION, version, size,
                        size > 1 ? "s" : ""));
  PetscFunctionReturn(0);
}
