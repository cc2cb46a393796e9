/* Chooses Open MPI 4's ROMIO for MPI-IO at run time, only where the default OMPIO can hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "gsinv/io/mpiio.h"

int GSMPIIONeedsROMIO(const char *library_version)
{
  const char *open_mpi = library_version ? strstr(library_version, "Open MPI v") : NULL;
  int         major    = 0;

  if (!open_mpi || sscanf(open_mpi, "Open MPI v%d", &major) != 1) return 0;
  return major == 4;
}

int GSMPIIOSelectComponent(void)
{
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int  length = 0;

  /* A component the user chose (environment or mpirun --mca io, which sets it) is kept. */
  if (getenv("OMPI_MCA_io")) return 0;
  if (MPI_Get_library_version(version, &length) != MPI_SUCCESS) return 0;
  if (!GSMPIIONeedsROMIO(version)) return 0;
  /* Open MPI 4.0 and 4.1 name their ROMIO component after ROMIO 3.2.1. */
  return setenv("OMPI_MCA_io", "romio321", 0) == 0;
}
