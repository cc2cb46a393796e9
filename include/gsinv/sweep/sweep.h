/* Parameter sweeps: grids over one or two of (F, k, Du, Dv), groups of ranks that take points
   dynamically, and a journal of finished points so that a killed sweep resumes. */
#pragma once

#include <petscsys.h>

#include "gsinv/physics/kernels.h"
#include "gsinv/io/settings.h"

/* The grid of a 1-D or 2-D slice: -gs_axes F,k -gs_lo a,b -gs_hi c,d -gs_n n0,n1, evenly spaced,
   both ends included; the other parameters are the base theta. Point index = j * n0 + i. */
typedef struct {
  PetscInt  naxes;
  PetscInt  param[2]; /* GS_PARAM_* of axis0, axis1 */
  PetscReal lo[2], hi[2];
  PetscInt  n[2]; /* n[1] = 1 for a 1-D slice */
  GSParams  base;
} GSSweepAxes;

/* GS_PARAM_* of a parameter name (F, k, Du, Dv); an unknown name stops with a message naming
   option. Collective on comm. */
PetscErrorCode GSParamIndex(MPI_Comm comm, const char *option, const char *name, PetscInt *param);

/* Reads the axes options (defaults: F, k around the ground truth) and checks them. Collective. */
PetscErrorCode GSSweepAxesFromOptions(MPI_Comm comm, const GSParams *base, GSSweepAxes *axes);
PetscInt       GSSweepAxesSize(const GSSweepAxes *axes);
/* Value of axis a at its index i. */
PetscReal GSSweepAxisValue(const GSSweepAxes *axes, int a, PetscInt i);
/* theta at point index. */
GSParams GSSweepAxesPoint(const GSSweepAxes *axes, PetscInt index);
/* Adds the grid to a description of a run: -gs_axes, -gs_lo, -gs_hi, -gs_n. Not collective. */
PetscErrorCode GSSweepAxesAddSettings(const GSSweepAxes *axes, GSSettings settings);

/* Groups of ranks: the world splits into groups of size ranks; each group runs one simulation at
   a time; points are handed out one by one through a shared counter (MPI one-sided), so that a
   group that finished a cheap point takes the next at once. */
typedef struct {
  MPI_Comm    world, group;
  PetscInt    group_size, ngroups, group_id;
  PetscMPIInt group_rank;
  MPI_Win     window; /* on world rank 0: next pending position, points done, invalid points */
  long       *counters;
  PetscInt    npending;
  PetscInt   *pending; /* point indices still to do, in order */
} GSSweepGroups;

/* Splits world into groups of -gs_group_size ranks (1; must divide the number of ranks). Collective. */
PetscErrorCode GSSweepGroupsCreate(MPI_Comm world, GSSweepGroups *groups);
/* Sets the list of pending points (identical on every rank) and resets the counters. Collective. */
PetscErrorCode GSSweepGroupsSetPending(GSSweepGroups *groups, PetscInt npending, const PetscInt *pending);
/* The next point for this group (-1 when none is left). Collective on the group. */
PetscErrorCode GSSweepGroupsNext(GSSweepGroups *groups, PetscInt *index);
/* Counts a finished point (group rank 0 only); returns the totals done and invalid so far. */
PetscErrorCode GSSweepGroupsCountDone(GSSweepGroups *groups, PetscBool invalid, long *done, long *invalids);
PetscErrorCode GSSweepGroupsDestroy(GSSweepGroups *groups);

/* The journal: a folder OUTPUT.journal with the signature of the sweep's settings and one
   append-only file per writing rank of fixed-size records, each behind a header (marker, journal
   id, size, CRC-32) and flushed to disk when its point finishes. */
typedef struct {
  char     dir[PETSC_MAX_PATH_LEN];
  size_t   record_size; /* of the caller's record, without the header */
  uint32_t id;          /* CRC-32 of the signature: records of another journal do not match */
  int      fd;          /* this rank's record file, -1 if it writes none */
} GSJournal;

/* Opens (creating if needed) the journal of output path. An existing journal made with other
   settings is refused with a message naming the first differing option and both values; damaged,
   torn or foreign records in it are cut out with a warning (their points are then recomputed).
   Collective on world. */
PetscErrorCode GSJournalOpen(MPI_Comm world, const char *output, GSSettings settings, size_t record_size, GSJournal *journal);
/* Appends one record and flushes it to disk. Not collective. */
PetscErrorCode GSJournalAppend(GSJournal *journal, const void *record);
/* Reads every valid record of every file (rank 0 only); *records is malloc'd. */
PetscErrorCode GSJournalReadAll(GSJournal *journal, size_t *nrecords, void **records);
/* Closes the file; with remove, deletes the folder (rank 0). */
PetscErrorCode GSJournalClose(MPI_Comm world, GSJournal *journal, PetscBool remove);
/* After an error: removes the journal this process created in this run if it holds no record yet
   (a run refused before its first point leaves nothing behind). Not collective. */
void GSJournalAbandonNew(void);

/* One point of a sweep, on its group: fills record (record_size bytes, zeroed) for point index;
   *failed counts it as invalid; *interrupted means the point was stopped by a signal (its record
   is then not kept and the loop ends). Collective on the group. */
typedef PetscErrorCode (*GSSweepPointFn)(void *ctx, PetscInt index, void *record, PetscBool *failed, PetscBool *interrupted);
/* After a kept point, on the group's rank 0: a progress line from the record and the counts of
   points done and invalid. Not collective. */
typedef PetscErrorCode (*GSSweepReportFn)(void *ctx, PetscInt index, const void *record, long done, long invalid);

/* The point loop of landscape, targets and basin: takes the group's points until none is left or
   one is interrupted, keeps every record in the journal (group rank 0) and reports it.
   *interrupted says whether the loop stopped early. Collective on the group. */
PetscErrorCode GSSweepRun(GSSweepGroups *groups, GSJournal *journal, size_t record_size, GSSweepPointFn point, GSSweepReportFn report, void *ctx,
                          PetscBool *interrupted);
