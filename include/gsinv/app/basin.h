/* Basin maps: an inversion from every start of a grid (gsinv invert -gs_basin). */
#pragma once

#include "gsinv/inverse/inversion.h"
#include "gsinv/sweep/sweep.h"

/* Runs the basin map of the options on world's groups; output as -gs_output. Collective. */
PetscErrorCode GSInvertBasin(MPI_Comm world, GSSweepGroups *groups, const double start[GS_NPARAM], const char *output);
