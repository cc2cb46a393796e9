/* Input fields from any HDF5 writer: the documented layout checked, and fields read per rank with hyperslabs. */
#pragma once

#include "gsinv/io/h5file.h"

#define GS_MAX_DIMS      3
#define GS_INPUT_MSG_LEN (PETSC_MAX_PATH_LEN + 512)

/* What a dataset of an input file must be. */
typedef struct {
  const char *name;                  /* full path, e.g. "/state/u" */
  const char *layout;                /* the expected shape in words, e.g. "[ny][nx]" */
  int         ndims;                 /* number of dimensions */
  hsize_t     dims[GS_MAX_DIMS];     /* each size, 0: any positive size */
  hsize_t     min_dims[GS_MAX_DIMS]; /* least sizes (0: no bound beyond positive) */
  PetscBool   integer;               /* integers instead of floating point (float64 or float32) */
} GSDatasetSpec;

/* Every rank learns the first non-empty message (of the lowest rank) and all stop with it as bad
   input. Collective. */
PetscErrorCode GSInputAgree(MPI_Comm comm, const char *msg);

/* Rank 0 opens path (given by `option`) and checks each dataset against its spec: present, of the
   right class (integer data where floats are expected is refused), rank and shape, not empty. The
   first problem stops every rank with one message naming option, file and dataset, what was found
   and what is expected. dims[k] receives the sizes of dataset k on every rank. Collective. */
PetscErrorCode GSInputInspect(MPI_Comm comm, const char *option, const char *path, PetscInt n, const GSDatasetSpec specs[],
                              hsize_t dims[][GS_MAX_DIMS]);

/* Reads into component `component` of the two-component DMDA vector X each rank's own patch of the
   dataset `name`: [ny][nx] (index < 0) or slice `index` of [T][ny][nx], in natural order,
   converting float32 to double. Checked with GSInputInspect first. A failed read or a NaN/Inf on any
   rank stops every rank with one message naming the file, the dataset and the cell. Collective. */
PetscErrorCode GSFieldRead(const GSGrid *grid, const char *option, const char *path, const char *name, PetscInt index, PetscInt component, Vec X);

/* Rank 0 reads the 1-D integer dataset `name` (n values, checked with GSInputInspect) and every rank
   receives it; a failed read stops every rank. Collective. */
PetscErrorCode GSInputReadInts(MPI_Comm comm, const char *option, const char *path, const char *name, PetscInt n, PetscInt64 *values);

/* Checks the snapshots of path: /snapshots/u and /snapshots/v [T][ny][nx] floats with T >= 2, and
   /snapshots/step [T] integers; returns T and the steps (PetscFree them) on every rank. Collective. */
PetscErrorCode GSSnapshotsInspect(const GSGrid *grid, const char *option, const char *path, PetscInt *nsnap, PetscInt64 **steps);
