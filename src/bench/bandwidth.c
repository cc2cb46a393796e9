/* The memory bandwidth of the machine for gsinv bench: STREAM-like copy and triad on every rank. */
#include <stddef.h>

#include <petsctime.h>

#include "gsinv/bench/bench.h"

/* a = s b with s only known at run time, so that no compiler turns it into memcpy (whose
   non-temporal stores the stencil loops do not use): the traffic of a copy. */
static void StreamScale(size_t n, double s, const double *restrict b, double *restrict a)
{
#pragma omp simd
  for (size_t i = 0; i < n; i++) a[i] = s * b[i];
}

static void StreamTriad(size_t n, double s, const double *restrict b, const double *restrict c, double *restrict a)
{
#pragma omp simd
  for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}

/* Copy and triad over arrays of -gs_bench_stream_mib MiB on every rank at once; the best of 5. */
PetscErrorCode GSBenchBandwidthMeasure(MPI_Comm comm, PetscInt stream_mib, GSBenchBandwidth *bw)
{
  const size_t    n     = (size_t)stream_mib * 1024 * 1024 / sizeof(double);
  volatile double scale = 1.0;
  double         *a, *b, *c, t_copy = PETSC_MAX_REAL, t_triad = PETSC_MAX_REAL, t;
  PetscMPIInt     size;
  PetscLogDouble  t0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc3(n, &a, n, &b, n, &c));
  for (size_t i = 0; i < n; i++) a[i] = 0.0, b[i] = 1.0, c[i] = 2.0;
  for (int r = 0; r < 5; r++) {
    PetscCall(GSBenchStartClock(comm, &t0));
    StreamScale(n, scale, b, a);
    PetscCall(GSBenchElapsedMax(comm, t0, &t));
    t_copy = PetscMin(t_copy, t);
    PetscCall(GSBenchStartClock(comm, &t0));
    StreamTriad(n, scale, b, c, a);
    PetscCall(GSBenchElapsedMax(comm, t0, &t));
    t_triad = PetscMin(t_triad, t);
  }
  PetscCheck(a[n / 2] == 3.0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "bandwidth probe: triad result %g, expected 3", a[n / 2]);
  bw->copy  = 16.0 * n * size / t_copy / 1e9;
  bw->triad = 24.0 * n * size / t_triad / 1e9;
  PetscCall(PetscFree3(a, b, c));
  PetscFunctionReturn(0);
}
