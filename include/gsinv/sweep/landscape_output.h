/* The results of a landscape sweep as arrays over the grid, and their HDF5 layout. */
#pragma once

#include "gsinv/io/h5file.h"
#include "gsinv/sweep/landscape.h"
#include "gsinv/sweep/sweep.h"

typedef struct {
  PetscInt    n, gallery; /* points; gallery side (0: none) */
  PetscBool   has_gradient;
  PetscReal  *loss[GS_NLOSS]; /* NaN where invalid or unavailable */
  PetscInt64 *valid, *reason, *end_class, *steps, *done;
  PetscReal  *grad, *grad_norm, *seconds, *gallery_v;
} GSLandscapeTable;

PetscErrorCode GSLandscapeTableCreate(PetscInt n, PetscInt gallery, PetscBool gradient, GSLandscapeTable *t);
PetscErrorCode GSLandscapeTableDestroy(GSLandscapeTable *t);
/* Stores one journal record (a GSPointRecord followed by gallery^2 floats). Not collective. */
void GSLandscapeTableInsert(GSLandscapeTable *t, const void *record);
/* Number of points with a record. */
PetscInt GSLandscapeTableCount(const GSLandscapeTable *t);
/* Copies rank 0's table to every rank. Collective. */
PetscErrorCode GSLandscapeTableBroadcast(MPI_Comm comm, GSLandscapeTable *t);

/* Writes /landscape: axes, every loss, valid, reason, steps, class, gradient, gallery, the
   bifurcation curves (with map, the forward-Euler map's too) and the cliffs of loss `cliff_loss`
   (threshold 0: the default), printing a summary of the cliffs' distances to each family of
   curves. Collective. */
PetscErrorCode GSLandscapeTableWrite(GSOutput *out, const GSSweepAxes *axes, const GSMapGrid *map, const GSLandscapeTable *t, GSLossType cliff_loss,
                                     PetscReal cliff_threshold);

/* Writes the .xmf sidecar of a landscape file with a gallery: every point's final v as a tile
   (spacing 1) in rows along axis 0, point i (C order) named gallery_i. Nothing without a
   gallery. Collective. */
PetscErrorCode GSLandscapeTableWriteSidecar(MPI_Comm comm, const char *path, const GSSweepAxes *axes, const GSLandscapeTable *t);
