/* What other layers read and set of a GSRun. */
#include "run_impl.h"

GSModel GSRunGetModel(GSRun run)
{
  return run->model;
}

TS GSRunGetTS(GSRun run)
{
  return run->ts;
}

GSRunReason GSRunGetReason(GSRun run)
{
  return run->reason;
}

PetscInt GSRunGetSteps(GSRun run)
{
  return run->steps;
}

const GSStepStats *GSRunGetStats(GSRun run)
{
  return &run->stats;
}

PetscReal GSRunGetSteadyTol(GSRun run)
{
  return run->steady_tol;
}

void GSRunSetSteadyTol(GSRun run, PetscReal tol)
{
  run->steady_tol = tol;
}

PetscBool GSRunGetQuiet(GSRun run)
{
  return run->quiet;
}

void GSRunSetQuiet(GSRun run, PetscBool quiet)
{
  run->quiet = quiet;
}

PetscBool GSRunGetFastPath(GSRun run)
{
  return run->fast_path;
}

void GSRunSetFastPath(GSRun run, PetscBool fast)
{
  run->fast_path = fast;
}

void GSRunRequireTS(GSRun run, PetscBool required)
{
  run->ts_required = required;
}

void GSRunSetReason(GSRun run, GSRunReason reason)
{
  run->reason = reason;
}

PetscReal GSRunGetDt(GSRun run)
{
  return run->dt;
}

PetscLogDouble GSRunGetElapsed(GSRun run)
{
  return run->elapsed;
}
