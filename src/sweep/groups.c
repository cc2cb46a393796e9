/* Groups of ranks and the shared counter that hands out points: a dynamic schedule, since points
   differ greatly in cost (a run that dies at step 900 against one that runs 40,000 steps). */
#include "gsinv/core/options.h"
#include "gsinv/sweep/sweep.h"

enum { COUNTER_NEXT = 0, COUNTER_DONE = 1, COUNTER_INVALID = 2, NCOUNTERS = 3 };

PetscErrorCode GSSweepGroupsCreate(MPI_Comm world, GSSweepGroups *g)
{
  PetscMPIInt size, rank;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(g, sizeof(*g)));
  PetscCallMPI(MPI_Comm_size(world, &size));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  g->world      = world;
  g->group_size = 1;
  PetscOptionsBegin(world, NULL, "Sweep groups", "GSSweepGroups");
  PetscCall(GSOptionsInt("-gs_group_size", "Ranks per simulation (must divide the number of ranks)", "GSSweepGroupsCreate", g->group_size,
                         &g->group_size, NULL));
  PetscOptionsEnd();
  PetscCheck(g->group_size >= 1 && size % g->group_size == 0, world, PETSC_ERR_USER_INPUT,
             "-gs_group_size %" PetscInt_FMT " must divide the number of ranks %d", g->group_size, size);
  g->ngroups  = size / g->group_size;
  g->group_id = rank / g->group_size;
  PetscCallMPI(MPI_Comm_split(world, (int)g->group_id, rank, &g->group));
  PetscCallMPI(MPI_Comm_rank(g->group, &g->group_rank));
  PetscCallMPI(MPI_Win_allocate(rank == 0 ? NCOUNTERS * sizeof(long) : 0, sizeof(long), MPI_INFO_NULL, world, &g->counters, &g->window));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSweepGroupsSetPending(GSSweepGroups *g, PetscInt npending, const PetscInt *pending)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(g->pending));
  PetscCall(PetscMalloc1(PetscMax(npending, 1), &g->pending));
  PetscCall(PetscArraycpy(g->pending, pending, npending));
  g->npending = npending;
  PetscCallMPI(MPI_Comm_rank(g->world, &rank));
  PetscCallMPI(MPI_Win_fence(0, g->window));
  if (rank == 0)
    for (int c = 0; c < NCOUNTERS; c++) g->counters[c] = 0;
  PetscCallMPI(MPI_Win_fence(0, g->window));
  PetscFunctionReturn(0);
}

/* Atomically adds `add` to counter c on world rank 0 and returns its previous value. */
static PetscErrorCode FetchAdd(GSSweepGroups *g, int c, long add, long *previous)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, g->window));
  PetscCallMPI(MPI_Fetch_and_op(&add, previous, MPI_LONG, 0, c, MPI_SUM, g->window));
  PetscCallMPI(MPI_Win_unlock(0, g->window));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSweepGroupsNext(GSSweepGroups *g, PetscInt *index)
{
  long position = 0;

  PetscFunctionBeginUser;
  if (g->group_rank == 0) PetscCall(FetchAdd(g, COUNTER_NEXT, 1, &position));
  PetscCallMPI(MPI_Bcast(&position, 1, MPI_LONG, 0, g->group));
  *index = position < g->npending ? g->pending[position] : -1;
  PetscFunctionReturn(0);
}

PetscErrorCode GSSweepGroupsCountDone(GSSweepGroups *g, PetscBool invalid, long *done, long *invalids)
{
  PetscFunctionBeginUser;
  PetscCall(FetchAdd(g, COUNTER_DONE, 1, done));
  PetscCall(FetchAdd(g, COUNTER_INVALID, invalid ? 1 : 0, invalids));
  (*done)++;
  if (invalid) (*invalids)++;
  PetscFunctionReturn(0);
}

PetscErrorCode GSSweepGroupsDestroy(GSSweepGroups *g)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Win_free(&g->window));
  PetscCallMPI(MPI_Comm_free(&g->group));
  PetscCall(PetscFree(g->pending));
  PetscFunctionReturn(0);
}
