/* The GSModel object, shared by the files of the model layer (not public: other layers use model.h). */
#pragma once

#include "gsinv/model/model.h"

struct _p_GSModel {
  MPI_Comm         comm;
  GSDecomposition  decomp; /* the process grid and the patch ranges */
  DM               da;     /* the same grid as a DMDA (dof 2, periodic, star stencil of width 1), made when first asked for */
  GSParams         params;
  Vec              xlocal;      /* ghosted work vector (one rank: made on demand, GSModelEnsureLocalWork) */
  Vec              ylocal;      /* a second one: the fast path steps from one to the other */
  GSHalo           halo;        /* edge-only ghost exchange */
  GSField         *rows;        /* the in-place step's row buffers (3 rows of the grid or patch) */
  Vec              state;       /* state the Jacobians are linearised at */
  Vec              state_local; /* its ghosted copy (for the parameter derivatives), made on demand */
  PetscBool        state_local_valid;
  PetscObjectId    state_id; /* the vector and version the state was copied from */
  PetscObjectState state_version;
  Mat              J;         /* MatShell: MatMult and MatMultTranspose */
  Mat              Jp;        /* MatShell: d f / d theta, rows like U, GS_NPARAM columns */
  PetscBool        jp_zeroed; /* MatZeroEntries was called on Jp since its last linearisation */
  PetscLogEvent    event_rhs, event_halo, event_jac, event_jacp;
  GSPatch          patch; /* the grid, spacing and this rank's cells (owned, ghosted; whole_grid: one rank owns every cell) */
  GSGrid           grid;  /* the same grid as io sees it (communicator, fields per cell, patch) */
};
