/* Fields in HDF5: /state/{u,v} [ny][nx] in natural order, snapshots as a [T][ny][nx] series. */
#include <string.h>

#include "gsinv/io/field_input.h"

/* One field straight from the patches (GSFieldWrite), with its space reserved first and the ranks
   agreeing afterwards, as for every collective write. */
static PetscErrorCode GSStateWriteField(GSOutput *out, const GSGrid *grid, const char *group, const char *name, Vec X, int c)
{
  char object[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(object, sizeof(object), "%s/%s", group, name));
  PetscCall(GSOutputReserve(out, object, 8.0 * (double)grid->nx * (double)grid->ny));
  PetscCall(GSOutputAgree(out, GSFieldWrite(out, grid, group, name, X, c), object));
  PetscFunctionReturn(0);
}

PetscErrorCode GSStateWrite(GSOutput *out, const GSGrid *grid, const char *group, Vec X)
{
  PetscLogEvent io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&io));
  PetscCall(PetscLogEventBegin(io, 0, 0, 0, 0));
  PetscCall(GSStateWriteField(out, grid, group, "u", X, 0));
  PetscCall(GSStateWriteField(out, grid, group, "v", X, 1));
  PetscCall(PetscLogEventEnd(io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSStateRead(const GSGrid *grid, const char *option, const char *path, Vec X)
{
  const GSDatasetSpec specs[2] = {
    {"/state/u", "[ny][nx] (-da_grid_y, -da_grid_x)", 2, {(hsize_t)grid->ny, (hsize_t)grid->nx}, {0}, PETSC_FALSE},
    {"/state/v", "[ny][nx] (-da_grid_y, -da_grid_x)", 2, {(hsize_t)grid->ny, (hsize_t)grid->nx}, {0}, PETSC_FALSE},
  };
  hsize_t dims[2][GS_MAX_DIMS];

  PetscFunctionBeginUser;
  PetscCall(GSInputInspect(grid->comm, option, path, 2, specs, dims));
  for (int c = 0; c < 2; c++) PetscCall(GSFieldRead(grid, option, path, specs[c].name, -1, c, X));
  PetscFunctionReturn(0);
}

/* Snapshot t of both fields, each with its space reserved first and the ranks agreeing afterwards. */
static PetscErrorCode AppendFields(GSSnapshots *snaps, PetscInt t, Vec X)
{
  const GSGrid *grid = snaps->grid;
  PetscLogEvent io;

  PetscFunctionBeginUser;
  PetscCall(GSIOEvent(&io));
  PetscCall(PetscLogEventBegin(io, 0, 0, 0, 0));
  for (int c = 0; c < 2; c++) {
    static const char *names[2] = {"u", "v"}, *objects[2] = {"/snapshots/u", "/snapshots/v"};
    PetscCall(GSOutputReserve(snaps->out, objects[c], 8.0 * (double)grid->nx * (double)grid->ny));
    PetscCall(GSOutputAgree(snaps->out, GSFieldAppend(snaps->out, grid, "/snapshots", names[c], t, X, c), objects[c]));
  }
  PetscCall(PetscLogEventEnd(io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSnapshotsAppend(GSSnapshots *snaps, PetscInt step, Vec X)
{
  PetscFunctionBeginUser;
  if (snaps->count == snaps->capacity) {
    PetscInt64 *grown;
    snaps->capacity = PetscMax(64, 2 * snaps->capacity);
    PetscCall(PetscMalloc1(snaps->capacity, &grown));
    if (snaps->count) PetscCall(PetscArraycpy(grown, snaps->steps, snaps->count));
    PetscCall(PetscFree(snaps->steps));
    snaps->steps = grown;
  }
  PetscCall(AppendFields(snaps, snaps->count, X));
  snaps->steps[snaps->count++] = step;
  PetscFunctionReturn(0);
}

PetscErrorCode GSSnapshotsWriteSteps(GSSnapshots *snaps)
{
  hsize_t n = (hsize_t)snaps->count;

  PetscFunctionBeginUser;
  if (snaps->count) PetscCall(GSH5WriteIntArray(snaps->out, "/snapshots/step", 1, &n, snaps->steps));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSnapshotsDestroy(GSSnapshots *snaps)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(snaps->steps));
  snaps->count = snaps->capacity = 0;
  PetscFunctionReturn(0);
}
