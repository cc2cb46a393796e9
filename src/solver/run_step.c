/* After each step of either path (TS or the fast loop): progress lines and the snapshot hook. */
#include "run_impl.h"

static PetscErrorCode GSRunPrintProgress(GSRun run)
{
  PetscLogDouble now;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  PetscCall(PetscPrintf(GSModelGetComm(run->model), "  step %7" PetscInt_FMT "  max|change| %9.3e  v in [%.4f, %.4f]  %8.2f s\n", run->steps,
                        run->stats.max_change, -run->stats.neg_vmin, run->stats.vmax, now - run->t_start));
  PetscFunctionReturn(0);
}

PetscBool GSRunSnapshotDue(GSRun run)
{
  return (PetscBool)(run->snapshot && run->snapshot_every > 0 && run->steps % run->snapshot_every == 0);
}

PetscErrorCode GSRunAfterStep(GSRun run, Vec X)
{
  PetscFunctionBeginUser;
  if (!run->quiet && run->progress_every > 0 && run->steps % run->progress_every == 0) PetscCall(GSRunPrintProgress(run));
  if (GSRunSnapshotDue(run)) PetscCall(run->snapshot(run, run->steps, X, run->snapshot_ctx));
  PetscFunctionReturn(0);
}
