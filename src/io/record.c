/* Tables read back from gsinv files (records of a resume, landscape axes): every dataset checked before it is used. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gsinv/io/record.h"
#include "gsinv/io/residual_input.h"

/* Opens column c and checks its class, rank and width; its row count into *rows. */
static hid_t OpenColumn(hid_t file, const char *group, const GSColumnSpec *spec, hsize_t *rows, char *msg, size_t len)
{
  char    name[PETSC_MAX_PATH_LEN];
  hsize_t dims[2] = {0, 0};
  hid_t   dset, space, type;
  int     ndims;

  snprintf(name, sizeof(name), "%s/%s", group, spec->name);
  dset = H5Lexists(file, name, H5P_DEFAULT) > 0 ? H5Dopen2(file, name, H5P_DEFAULT) : -1;
  if (dset < 0) {
    snprintf(msg, len, "no dataset %s", name);
    return -1;
  }
  space = H5Dget_space(dset), type = H5Dget_type(dset);
  ndims = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  if (ndims >= 1 && ndims <= 2) (void)H5Sget_simple_extent_dims(space, dims, NULL);
  if (type < 0 || H5Tget_class(type) != (spec->integer ? H5T_INTEGER : H5T_FLOAT))
    snprintf(msg, len, "dataset %s is not of %s", name, spec->integer ? "integers" : "floating point");
  else if (ndims != (spec->width > 1 ? 2 : 1) || (spec->width > 1 && dims[1] != (hsize_t)spec->width))
    snprintf(msg, len, "dataset %s has %d dimensions [%llu][%llu], expected [rows]%s", name, ndims, (unsigned long long)dims[0],
             (unsigned long long)dims[1], spec->width > 1 ? "[4]" : "");
  *rows = dims[0];
  if (type >= 0) (void)H5Tclose(type);
  if (space >= 0) (void)H5Sclose(space);
  if (msg[0]) {
    (void)H5Dclose(dset);
    return -1;
  }
  return dset;
}

/* Reads column c (rows checked by the caller) into a new array; NULL and a message on failure. */
static void *ReadColumn(hid_t dset, const char *group, const GSColumnSpec *spec, hsize_t rows, char *msg, size_t len)
{
  const size_t size = (spec->integer ? sizeof(int64_t) : sizeof(double)) * (size_t)PetscMax(spec->width, 1) * (size_t)rows;
  void        *data = malloc(size + 8);

  if (!data) snprintf(msg, len, "out of memory for %s/%s (%zu bytes)", group, spec->name, size);
  else if (H5Dread(dset, spec->integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    char cause[320];
    GSH5FailureCause(cause, sizeof(cause));
    snprintf(msg, len, "cannot read %s/%s: %s", group, spec->name, cause);
  }
  if (msg[0]) {
    free(data);
    data = NULL;
  }
  return data;
}

void GSRecordRead(const char *path, const char *group, PetscInt ncols, const GSColumnSpec specs[], PetscInt *rows, void *data[], char *msg,
                  size_t len)
{
  hid_t   file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  hsize_t n    = 0;

  msg[0] = 0;
  *rows  = 0;
  for (PetscInt c = 0; c < ncols; c++) data[c] = NULL;
  if (file < 0) snprintf(msg, len, "cannot read it as an HDF5 file");
  for (PetscInt c = 0; c < ncols && !msg[0]; c++) {
    hsize_t rows_c = 0;
    hid_t   dset   = OpenColumn(file, group, &specs[c], &rows_c, msg, len);
    if (dset < 0) break;
    if (c == 0) n = rows_c;
    if (rows_c != n)
      snprintf(msg, len, "dataset %s/%s has %llu rows, %s/%s has %llu", group, specs[c].name, (unsigned long long)rows_c, group, specs[0].name,
               (unsigned long long)n);
    else data[c] = ReadColumn(dset, group, &specs[c], n, msg, len);
    (void)H5Dclose(dset);
  }
  if (file >= 0) (void)H5Fclose(file);
  if (msg[0]) GSRecordFree(ncols, data);
  else *rows = (PetscInt)n;
}

void GSRecordFree(PetscInt ncols, void *data[])
{
  for (PetscInt c = 0; c < ncols; c++) {
    free(data[c]);
    data[c] = NULL;
  }
}

/* The string attribute `name` of obj into buf (empty when absent); -1 when unreadable or too long. */
static herr_t ReadAttributeString(hid_t obj, const char *name, char *buf, size_t len)
{
  hid_t  attr, type;
  herr_t status = -1;

  buf[0] = 0;
  if (H5Aexists(obj, name) <= 0) return 0;
  if ((attr = H5Aopen(obj, name, H5P_DEFAULT)) < 0) return -1;
  if ((type = H5Aget_type(attr)) >= 0) {
    if (H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type) && H5Tget_size(type) < len) status = H5Aread(attr, type, buf);
    (void)H5Tclose(type);
  }
  (void)H5Aclose(attr);
  if (status >= 0) buf[len - 1] = 0;
  return status;
}

void GSRecordReadHead(const char *path, const char *group, PetscBool *has_group, char *signature, size_t len_signature, int64_t *finished, char *msg,
                      size_t len)
{
  hid_t file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  hid_t grp  = file >= 0 && H5Lexists(file, group, H5P_DEFAULT) > 0 ? H5Gopen2(file, group, H5P_DEFAULT) : -1;

  msg[0]       = 0;
  signature[0] = 0;
  *finished    = -1;
  *has_group   = (PetscBool)(grp >= 0);
  if (file < 0) snprintf(msg, len, "cannot read it as an HDF5 file");
  else if (grp >= 0 && ReadAttributeString(grp, "signature", signature, len_signature) < 0)
    snprintf(msg, len, "attribute 'signature' of %s is not a readable string", group);
  else if (grp >= 0 && GSH5ReadAttributeInt64(grp, "finished", finished) < 0) *finished = -1;
  if (msg[0]) *has_group = PETSC_FALSE;
  if (grp >= 0) (void)H5Gclose(grp);
  if (file >= 0) (void)H5Fclose(file);
}

/* Frames of the [T][ny][nx] series name, -1 if it is absent or not 3-D. */
static int64_t FramesOf(hid_t file, const char *name)
{
  hid_t   dset  = H5Lexists(file, name, H5P_DEFAULT) > 0 ? H5Dopen2(file, name, H5P_DEFAULT) : -1;
  hid_t   space = dset >= 0 ? H5Dget_space(dset) : -1;
  hsize_t dims[3];
  int64_t frames = -1;

  if (space >= 0 && H5Sget_simple_extent_ndims(space) == 3 && H5Sget_simple_extent_dims(space, dims, NULL) >= 0) frames = (int64_t)dims[0];
  if (space >= 0) (void)H5Sclose(space);
  if (dset >= 0) (void)H5Dclose(dset);
  return frames;
}

/* The attributes of a simulate output; *interrupted only for one marked so. */
static void ReadSimulationAttributes(hid_t file, GSSimulationHead *head, char *signature, size_t len_signature, char *msg, size_t len)
{
  char subcommand[32], reason[64];

  if (ReadAttributeString(file, "subcommand", subcommand, sizeof(subcommand)) < 0 || ReadAttributeString(file, "reason", reason, sizeof(reason)) < 0)
    snprintf(msg, len, "its root attributes 'subcommand' and 'reason' are not readable strings");
  else if (!strcmp(subcommand, "simulate") && !strcmp(reason, "interrupted")) {
    head->interrupted = PETSC_TRUE;
    if (ReadAttributeString(file, "settings_signature", signature, len_signature) < 0 || !signature[0])
      snprintf(msg, len, "it has no readable root attribute 'settings_signature' (written by an older gsinv?)");
    else if (GSH5ReadAttributeInt64(file, "steps", &head->steps) < 0 || head->steps < 0)
      snprintf(msg, len, "it has no readable root attribute 'steps' >= 0");
    else if (H5Lexists(file, "/snapshots", H5P_DEFAULT) > 0) {
      head->nsnapshots = FramesOf(file, "/snapshots/u");
      if (head->nsnapshots < 1 || FramesOf(file, "/snapshots/v") != head->nsnapshots)
        snprintf(msg, len, "/snapshots/u and /snapshots/v must be [T][ny][nx] series of the same length");
    }
  }
}

void GSSimulationReadHead(const char *path, GSSimulationHead *head, char *signature, size_t len_signature, char *msg, size_t len)
{
  const GSColumnSpec step    = {"step", PETSC_TRUE, 1};
  hid_t              file    = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  PetscInt           rows    = 0;
  void              *data[1] = {NULL};

  memset(head, 0, sizeof(*head));
  msg[0]       = 0;
  signature[0] = 0;
  if (file < 0) snprintf(msg, len, "cannot read it as an HDF5 file");
  else ReadSimulationAttributes(file, head, signature, len_signature, msg, len);
  if (file >= 0) (void)H5Fclose(file);
  if (msg[0] || head->nsnapshots == 0) return;
  GSRecordRead(path, "/snapshots", 1, &step, &rows, data, msg, len);
  if (!msg[0] && rows != head->nsnapshots)
    snprintf(msg, len, "/snapshots/step has %" PetscInt_FMT " entries for %lld snapshots", rows, (long long)head->nsnapshots);
  if (msg[0]) GSRecordFree(1, data);
  else head->snapshot_steps = (int64_t *)data[0];
}

herr_t GSH5ReadAttributeInt64(hid_t obj, const char *name, int64_t *value)
{
  hid_t  attr   = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : -1;
  herr_t status = attr < 0 ? -1 : H5Aread(attr, H5T_NATIVE_INT64, value);

  if (attr >= 0) (void)H5Aclose(attr);
  return status;
}

/* /landscape/axisA: 1-D floats, 1 to max_points finite values, a "name" attribute; n = 0 if absent. */
static void ReadAxis(hid_t file, int a, PetscInt max_points, GSAxisRead *axis, char *msg, size_t len)
{
  char    name[32];
  hsize_t dims = 0;
  hid_t   dset, space, type;

  snprintf(name, sizeof(name), "/landscape/axis%d", a);
  axis->n    = 0;
  max_points = PetscMin(max_points, GS_AXIS_MAX_POINTS);
  if (H5Lexists(file, "/landscape", H5P_DEFAULT) <= 0 || H5Lexists(file, name, H5P_DEFAULT) <= 0) return;
  dset = H5Dopen2(file, name, H5P_DEFAULT), space = dset >= 0 ? H5Dget_space(dset) : -1, type = dset >= 0 ? H5Dget_type(dset) : -1;
  if (space >= 0 && H5Sget_simple_extent_ndims(space) == 1) (void)H5Sget_simple_extent_dims(space, &dims, NULL);
  if (dims < 1 || dims > (hsize_t)max_points || type < 0 || H5Tget_class(type) != H5T_FLOAT || H5Aexists(dset, "name") <= 0)
    snprintf(msg, len, "%s must be 1-D floats with 1 to %" PetscInt_FMT " values and a 'name' attribute", name, max_points);
  else if (GSH5ReadAttributeString(dset, "name", axis->name, sizeof(axis->name)) < 0 ||
           H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, axis->values) < 0) {
    char cause[320];
    GSH5FailureCause(cause, sizeof(cause));
    snprintf(msg, len, "cannot read %s: %s", name, cause);
  } else axis->n = (PetscInt)dims;
  for (PetscInt i = 0; i < axis->n && !msg[0]; i++)
    if (!isfinite(axis->values[i])) snprintf(msg, len, "%s holds %g at [%" PetscInt_FMT "], expected finite values", name, axis->values[i], i);
  if (type >= 0) (void)H5Tclose(type);
  if (space >= 0) (void)H5Sclose(space);
  if (dset >= 0) (void)H5Dclose(dset);
}

void GSLandscapeAxesRead(const char *path, int max_axes, PetscInt max_points, GSAxisRead axes[], char *msg, size_t len)
{
  hid_t file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;

  msg[0] = 0;
  if (file < 0) snprintf(msg, len, "cannot read it as an HDF5 file");
  for (int a = 0; a < max_axes && file >= 0 && !msg[0]; a++) ReadAxis(file, a, max_points, &axes[a], msg, len);
  if (file >= 0 && !msg[0] && !axes[0].n) snprintf(msg, len, "no /landscape/axis0");
  if (file >= 0) (void)H5Fclose(file);
}
