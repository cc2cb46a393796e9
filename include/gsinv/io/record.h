/* Tables of records read back for a resume: columns of one row count, of the right class and width. */
#pragma once

#include "gsinv/io/h5file.h"

/* One column of a table: dataset GROUP/name, [rows] (width 1) or [rows][width]. */
typedef struct {
  const char *name;
  PetscBool   integer; /* int64 (any integer type converts) instead of double (any float converts) */
  int         width;
} GSColumnSpec;

/* Reads every column of the table `group` of the file `path` into new arrays data[c] (double or
   int64_t, free with GSRecordFree) and the common row count into *rows. A missing file or column,
   a column of another class, width or row count, a failed read or allocation gives a message naming
   the dataset (and no data). Not collective: the caller broadcasts the outcome. */
void GSRecordRead(const char *path, const char *group, PetscInt ncols, const GSColumnSpec specs[], PetscInt *rows, void *data[], char *msg,
                  size_t len);
void GSRecordFree(PetscInt ncols, void *data[]);

/* The head of a record: whether `group` exists in the HDF5 file path, its string attribute
   "signature" (empty if absent; longer than len_signature is a damage) and its integer attribute
   "finished" (-1 if absent). A file that is not HDF5 or a damaged attribute gives a message naming
   the file and the object (and *has_group false). Not collective. */
void GSRecordReadHead(const char *path, const char *group, PetscBool *has_group, char *signature, size_t len_signature, int64_t *finished, char *msg,
                      size_t len);

/* The head of a simulate output, to continue a run that a signal stopped. */
typedef struct {
  PetscBool interrupted;    /* written by simulate with reason "interrupted" */
  int64_t   steps;          /* the steps it took (root attribute "steps") */
  int64_t   nsnapshots;     /* frames of /snapshots/u and v */
  int64_t  *snapshot_steps; /* /snapshots/step (free with free()) */
} GSSimulationHead;

/* Reads the head of the HDF5 file path; the settings signature (root attribute
   "settings_signature") only of an interrupted simulate output. A file that is not HDF5, or an
   interrupted one with damaged parts, gives a message naming the attribute or dataset. Not
   collective: the caller broadcasts the outcome. */
void GSSimulationReadHead(const char *path, GSSimulationHead *head, char *signature, size_t len_signature, char *msg, size_t len);

/* Reads the integer attribute `name` of obj; a negative status when it is absent or unreadable. Not collective. */
herr_t GSH5ReadAttributeInt64(hid_t obj, const char *name, int64_t *value);

#define GS_AXIS_MAX_POINTS 4096

/* One axis of a landscape file: /landscape/axisA [n] and its "name" attribute. */
typedef struct {
  char      name[16];
  PetscInt  n;
  PetscReal values[GS_AXIS_MAX_POINTS];
} GSAxisRead;

/* Reads /landscape/axis0 .. axis{max_axes-1} of path (n = 0 for an absent one; axis0 is required):
   each 1-D floating point, 1 to max_points (at most GS_AXIS_MAX_POINTS) finite values, with a "name" attribute.
   A message naming the dataset otherwise. Not collective. */
void GSLandscapeAxesRead(const char *path, int max_axes, PetscInt max_points, GSAxisRead axes[], char *msg, size_t len);
