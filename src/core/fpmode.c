/* Flush-to-zero / denormals-are-zero for the compute path, from -gs_flush_denormals. */
#ifdef __SSE__
  #include <pmmintrin.h>
  #include <xmmintrin.h>
#endif

#include "gsinv/core/fpmode.h"
#include "gsinv/core/options.h"

PetscErrorCode GSFloatingPointModeFromOptions(MPI_Comm comm)
{
  PetscBool flush = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Floating-point mode", "GSFloatingPointModeFromOptions");
  PetscCall(GSOptionsBool("-gs_flush_denormals", "Flush subnormal numbers to zero (x86 FTZ and DAZ) in the compute path",
                          "GSFloatingPointModeFromOptions", flush, &flush, NULL));
  PetscOptionsEnd();
#ifdef __SSE__
  _MM_SET_FLUSH_ZERO_MODE(flush ? _MM_FLUSH_ZERO_ON : _MM_FLUSH_ZERO_OFF);
  _MM_SET_DENORMALS_ZERO_MODE(flush ? _MM_DENORMALS_ZERO_ON : _MM_DENORMALS_ZERO_OFF);
#endif
  PetscFunctionReturn(0);
}

PetscBool GSFlushDenormalsActive(void)
{
#ifdef __SSE__
  return (PetscBool)(_MM_GET_FLUSH_ZERO_MODE() == _MM_FLUSH_ZERO_ON && _MM_GET_DENORMALS_ZERO_MODE() == _MM_DENORMALS_ZERO_ON);
#else
  return PETSC_FALSE;
#endif
}
