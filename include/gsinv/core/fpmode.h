/* Floating-point mode of the compute path: subnormal numbers flushed to zero (x86 FTZ/DAZ). */
#pragma once

#include <petscsys.h>

/* Reads -gs_flush_denormals (true) and sets (or clears) flush-to-zero and denormals-are-zero in
   this thread's SSE control register, so that a field decaying towards 0 (v on the trivial
   plateau) never takes the slow subnormal path. Subnormals are below 2.3e-308: no result of gsinv
   can change by more than that per operation. Without SSE (non-x86) it does nothing. Call once per
   process, before any compute, on every rank. Collective (reads an option). */
PetscErrorCode GSFloatingPointModeFromOptions(MPI_Comm comm);

/* PETSC_TRUE when this thread flushes subnormal results and inputs to zero now. Not collective. */
PetscBool GSFlushDenormalsActive(void);
