/* The input file of gsinv residual: its grid, h, dt, truth and scheme, read once and shared by every rank. */
#pragma once

#include <hdf5.h>
#include <petscsys.h>

#include "gsinv/physics/residual.h"

/* What the input file says about itself. */
typedef struct {
  PetscInt  nx, ny; /* from /state/u [ny][nx], or /snapshots/v [T][ny][nx] for the transient form */
  PetscReal h, dt;  /* root attributes 'h' and 'dt', when present */
  PetscBool has_h, has_dt, has_truth;
  double    truth[GS_NPARAM]; /* root attributes F, k, Du, Dv (has_truth: all four present) */
  char      ts_type[64];      /* root attribute 'ts_type', or "unknown" */
} GSResidualInput;

/* Reads the string attribute `name` of obj into buf (len bytes, always terminated): fixed-length, as
   gsinv writes them, or variable-length, as h5py does. Returns a negative status on failure. Not collective. */
herr_t GSH5ReadAttributeString(hid_t obj, const char *name, char *buf, size_t len);

/* Rank 0 inspects the file `path` given by `option` for the residual form; every rank gets its facts.
   Stops with a message naming option when the file or its dataset is missing, or when the transient
   form has no positive 'dt'. The grid and h then reach GSModelCreate as options: -da_grid_x and
   -da_grid_y must agree with the file when given and are set from it otherwise; -gs_h is set from
   the file's h unless given. Collective. */
PetscErrorCode GSResidualInputPrepare(MPI_Comm comm, const char *option, const char *path, GSResidualForm form, GSResidualInput *info);
