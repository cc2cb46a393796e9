/* The point loop every sweep shares: take a point, evaluate it, keep its record, report progress. */
#include "gsinv/sweep/sweep.h"

PetscErrorCode GSSweepRun(GSSweepGroups *groups, GSJournal *journal, size_t record_size, GSSweepPointFn point, GSSweepReportFn report, void *ctx,
                          PetscBool *interrupted)
{
  char     *record;
  PetscInt  index;
  PetscBool failed, stopped;
  long      done, invalid;

  PetscFunctionBeginUser;
  *interrupted = PETSC_FALSE;
  PetscCall(PetscMalloc1(record_size, &record));
  for (;;) {
    PetscCall(GSSweepGroupsNext(groups, &index));
    if (index < 0) break;
    PetscCall(PetscMemzero(record, record_size));
    failed = stopped = PETSC_FALSE;
    PetscCall(point(ctx, index, record, &failed, &stopped));
    if (stopped) {
      *interrupted = PETSC_TRUE;
      break;
    }
    if (groups->group_rank == 0) {
      PetscCall(GSJournalAppend(journal, record));
      PetscCall(GSSweepGroupsCountDone(groups, failed, &done, &invalid));
      if (report) PetscCall(report(ctx, index, record, done, invalid));
    }
  }
  PetscCall(PetscFree(record));
  PetscFunctionReturn(0);
}
