/* Parameter sweeps: grids over one or two of (F, k, Du, Dv), groups of ranks that take points
   dynamically, and a journal of finished points so that a killed sweep resumes. */
#pragma once

#include <petscsys.h>

#include "gsinv/physics.h"

/* The grid of a 1-D or 2-D slice: -gs_axes F,k -gs_lo a,b -gs_hi c,d -gs_n n0,n1, evenly spaced,
   both ends included; the other parameters are the base theta. Point index = j * n0 + i. */
typedef struct {
  PetscInt naxes;
  PetscInt param[2]; /* GS_PARAM_* of axis0, axis1 */
  PetscReal lo[2], hi[2];
  PetscInt  n[2];    /* n[1] = 1 for a 1-D slice */
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
/* A text that changes whenever the grid changes (for the journal signature). */
PetscErrorCode GSSweepAxesDescribe(const GSSweepAxes *axes, char *buf, size_t len);

/* Groups of ranks: the world splits into groups of size ranks; each group runs one simulation at
   a time; points are handed out one by one through a shared counter (MPI one-sided), so that a
   group that finished a cheap point takes the next at once. */
typedef struct {
  MPI_Comm  world, group;
  PetscInt  group_size, ngroups, group_id;
  PetscMPIInt group_rank;
  MPI_Win   window;   /* on world rank 0: next pending position, points done, invalid points */
  long     *counters;
  PetscInt  npending;
  PetscInt *pending;  /* point indices still to do, in order */
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

/* The journal: a folder OUTPUT.journal with the sweep's signature and one append-only file of
   fixed-size records per writing rank, each record flushed to disk when its point finishes. */
typedef struct {
  char   dir[PETSC_MAX_PATH_LEN];
  size_t record_size;
  int    fd; /* this rank's record file, -1 if it writes none */
} GSJournal;

/* Opens (creating if needed) the journal of output path; an existing journal made with another
   signature is an error naming it. Collective on world. */
PetscErrorCode GSJournalOpen(MPI_Comm world, const char *output, const char *signature, size_t record_size, GSJournal *journal);
/* Appends one record and flushes it to disk. Not collective. */
PetscErrorCode GSJournalAppend(GSJournal *journal, const void *record);
/* Reads every complete record of every file (rank 0 only); *records is malloc'd. */
PetscErrorCode GSJournalReadAll(GSJournal *journal, size_t *nrecords, void **records);
/* Closes the file; with remove, deletes the folder (rank 0). */
PetscErrorCode GSJournalClose(MPI_Comm world, GSJournal *journal, PetscBool remove);
