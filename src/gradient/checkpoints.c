/* The adjoint's checkpoints under a memory cap: the plan (segment length, slots in memory and on
   disk, binomial or online schedule), the slots themselves and the forward run's hook. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gradient_impl.h"

PetscInt GSCheckpointStride(PetscInt steps, double state_bytes, double cache_bytes, double memory_bytes)
{
  const PetscInt least_memory = PetscMax(1, (PetscInt)PetscCeilReal(PetscSqrtReal((PetscReal)PetscMax(steps, 1))));
  const double   n = (double)PetscMax(steps, 1), states = memory_bytes / state_bytes;
  PetscInt       in_cache = (PetscInt)(cache_bytes / state_bytes), fits;
  double         disc;

  if (in_cache >= least_memory) return least_memory;
  in_cache = PetscMax(1, in_cache);
  if (PetscCeilReal(n / in_cache) + in_cache <= states) return in_cache;
  /* the smallest s with steps / s + s <= states: the lower root of s^2 - states s + steps */
  disc = states * states - 4.0 * n;
  if (disc < 0) return least_memory;
  fits = (PetscInt)PetscCeilReal(0.5 * (states - PetscSqrtReal(disc)));
  while (fits < least_memory && PetscCeilReal(n / fits) + fits > states) fits++;
  return PetscMin(PetscMax(fits, in_cache), least_memory);
}

/* Forward steps the reversal recomputes with segments of `length` and `slots` slots: the schedule's
   advances (in segments) and each segment's refill. */
static double RecomputedSteps(PetscInt steps, PetscInt length, PetscInt slots)
{
  const PetscInt segments = (steps + length - 1) / length;

  return (double)length * (double)GSRevolveCost(segments, slots) + (double)(steps - segments);
}

/* Known length: the two-level scheme of GSCheckpointStride when its checkpoints fit (every segment
   start kept, cache-sized segments: fastest), else the segment length (cache-sized or 1) whose
   binomial schedule recomputes least under the cap. */
static void PlanKnown(GSGradient g, PetscInt steps, PetscInt states, PetscInt disk_slots, GSCheckpointPlan *p)
{
  const PetscInt in_cache      = PetscMax(1, (PetscInt)(g->cache_bytes / g->state_bytes));
  const PetscInt two           = g->stride ? g->stride : GSCheckpointStride(steps, g->state_bytes, g->cache_bytes, g->memory_bytes);
  const PetscInt candidates[3] = {two, in_cache, 1};
  double         best          = -1;

  for (int c = 0; c < 3; c++) {
    const PetscInt length = PetscMin(candidates[c], steps), memory = states - PetscMax(length, 2);
    const PetscInt segments = (steps + length - 1) / length, slots = PetscMin(memory + disk_slots, segments);
    double         cost;
    if (memory < 1 || (g->stride && c > 0)) continue;
    cost = c == 0 && memory >= segments ? 0 : RecomputedSteps(steps, length, slots);
    if (best < 0 || cost < best) {
      best = cost, p->length = length, p->segments = segments, p->slots = slots;
      p->memory_slots = PetscMin(memory, slots);
    }
  }
}

/* Unknown length: segments as in cache, states kept with online thinning. */
static void PlanOnline(GSGradient g, PetscInt states, PetscInt disk_slots, GSCheckpointPlan *p)
{
  const PetscInt length = g->stride ? g->stride : PetscMax(1, PetscMin((PetscInt)(g->cache_bytes / g->state_bytes), states / 4));

  p->length       = length;
  p->memory_slots = states - PetscMax(length, 2);
  p->slots        = p->memory_slots + disk_slots;
  p->online       = PETSC_TRUE;
  GSOnlineCheckpointsInit(&p->thinning, (int)PetscMin(p->slots, 1 << 20));
}

static PetscErrorCode OpenDisk(GSGradient g)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (g->disk_fd >= 0 || g->plan.slots == g->plan.memory_slots) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/gsinv-checkpoints-XXXXXX", g->disk_dir));
  g->disk_fd = mkstemp(path);
  PetscCheck(g->disk_fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "-gs_checkpoint_dir %s: cannot create a checkpoint file there (%s)", g->disk_dir,
             strerror(errno));
  /* unlinked at once: the file goes when the process ends, however it ends */
  (void)unlink(path);
  PetscFunctionReturn(0);
}

PetscErrorCode GSCheckpointPlanSetUp(GSGradient g, PetscInt steps)
{
  MPI_Comm         comm   = GSModelGetComm(g->model);
  const PetscInt   states = (PetscInt)PetscMin(g->memory_bytes / g->state_bytes, (double)PETSC_MAX_INT / 4);
  const PetscInt   disk   = g->disk_dir[0] ? (PetscInt)PetscMin(g->disk_bytes / g->state_bytes, (double)PETSC_MAX_INT / 4) : 0;
  GSCheckpointPlan p;

  PetscFunctionBeginUser;
  PetscCheck(states >= GS_CHECKPOINT_LEAST_STATES, comm, PETSC_ERR_USER_INPUT,
             "-gs_checkpoint_memory %g MiB holds %" PetscInt_FMT " states of %.3g MiB per rank; the adjoint needs at least %d (%.3g MiB)",
             g->memory_bytes / 1048576.0, states, g->state_bytes / 1048576.0, GS_CHECKPOINT_LEAST_STATES,
             GS_CHECKPOINT_LEAST_STATES * g->state_bytes / 1048576.0);
  PetscCall(PetscMemzero(&p, sizeof(p)));
  if (steps > 0) PlanKnown(g, steps, states, disk, &p);
  else PlanOnline(g, states, disk, &p);
  PetscCheck(p.length > 0 && p.memory_slots >= 1, comm, PETSC_ERR_USER_INPUT,
             "-gs_checkpoint_stride %" PetscInt_FMT " needs %" PetscInt_FMT
             " states of %.3g MiB per rank, more than -gs_checkpoint_memory %g MiB holds",
             g->stride, PetscMax(g->stride, 2) + 1, g->state_bytes / 1048576.0, g->memory_bytes / 1048576.0);
  PetscCall(GSCheckpointPlanDestroy(g));
  g->plan = p;
  if (!p.online) {
    PetscCall(PetscMalloc1(PetscMax(p.slots, 1), &g->plan.chain));
    g->plan.nchain = GSRevolveChain(p.segments, (int)p.slots, g->plan.chain, (int)p.slots);
  }
  PetscCall(OpenDisk(g));
  PetscFunctionReturn(0);
}

PetscErrorCode GSCheckpointPlanDestroy(GSGradient g)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(g->plan.chain));
  if (g->disk_fd >= 0) close(g->disk_fd);
  g->disk_fd = -1;
  PetscCall(PetscMemzero(&g->plan, sizeof(g->plan)));
  PetscFunctionReturn(0);
}

/* Slots [0, slots - memory_slots) are on disk (the outer levels of the schedule, visited least),
   the rest in memory. */
static PetscErrorCode DiskTransfer(GSGradient g, PetscInt i, Vec X, PetscBool write)
{
  PetscInt     n;
  PetscScalar *a;
  size_t       bytes, done = 0;
  off_t        offset;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(X, &n));
  bytes  = (size_t)n * sizeof(PetscScalar);
  offset = (off_t)i * (off_t)bytes;
  PetscCall(VecGetArray(X, &a));
  while (done < bytes) {
    ssize_t r = write ? pwrite(g->disk_fd, (char *)a + done, bytes - done, offset + (off_t)done)
                      : pread(g->disk_fd, (char *)a + done, bytes - done, offset + (off_t)done);
    if (r < 0 && errno == EINTR) continue;
    PetscCheck(r > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "-gs_checkpoint_dir %s: %s of checkpoint %" PetscInt_FMT " failed (%s)", g->disk_dir,
               write ? "write" : "read", i, r < 0 ? (errno == ENOSPC ? "disk full" : strerror(errno)) : "end of file");
    done += (size_t)r;
  }
  PetscCall(VecRestoreArray(X, &a));
  PetscFunctionReturn(0);
}

static PetscErrorCode MemorySlot(GSGradient g, PetscInt i, Vec like, Vec *slot)
{
  const PetscInt k = i - (g->plan.slots - g->plan.memory_slots);

  PetscFunctionBeginUser;
  if (g->slot_capacity < g->plan.memory_slots) {
    Vec *grown;
    PetscCall(PetscCalloc1(g->plan.memory_slots, &grown));
    for (PetscInt j = 0; j < g->slot_capacity; j++) grown[j] = g->slot[j];
    PetscCall(PetscFree(g->slot));
    g->slot          = grown;
    g->slot_capacity = g->plan.memory_slots;
  }
  if (!g->slot[k]) PetscCall(VecDuplicate(like, &g->slot[k]));
  *slot = g->slot[k];
  PetscFunctionReturn(0);
}

/* Slot i := X (store) or X := slot i, on disk or in memory. */
static PetscErrorCode Transfer(GSGradient g, PetscInt i, Vec X, PetscBool store)
{
  Vec slot = NULL;

  PetscFunctionBeginUser;
  if (i < g->plan.slots - g->plan.memory_slots) PetscCall(DiskTransfer(g, i, X, store));
  else {
    PetscCall(MemorySlot(g, i, X, &slot));
    PetscCall(store ? VecCopy(X, slot) : VecCopy(slot, X));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSCheckpointSlotGlobal(GSGradient g, PetscInt i, Vec like, Vec *slot)
{
  PetscFunctionBeginUser;
  *slot = NULL;
  if (i >= g->plan.slots - g->plan.memory_slots) PetscCall(MemorySlot(g, i, like, slot));
  PetscFunctionReturn(0);
}

PetscErrorCode GSCheckpointStore(GSGradient g, PetscInt i, Vec X)
{
  return Transfer(g, i, X, PETSC_TRUE);
}

PetscErrorCode GSCheckpointLoad(GSGradient g, PetscInt i, Vec X)
{
  return Transfer(g, i, X, PETSC_FALSE);
}

/* Online thinning, during the forward run: slot j takes slot 2j (memory slots by swapping vectors,
   disk slots through g->lambda, which holds nothing until the run ends). */
static PetscErrorCode Thin(GSGradient g, Vec like)
{
  const PetscInt on_disk = g->plan.slots - g->plan.memory_slots;

  PetscFunctionBeginUser;
  for (PetscInt j = 1; 2 * j < g->plan.thinning.slots; j++) {
    if (j >= on_disk) {
      Vec a, b;
      PetscCall(MemorySlot(g, j, like, &a));
      PetscCall(MemorySlot(g, 2 * j, like, &b));
      g->slot[j - on_disk] = b, g->slot[2 * j - on_disk] = a;
    } else {
      PetscCall(GSCheckpointLoad(g, 2 * j, g->lambda));
      PetscCall(GSCheckpointStore(g, j, g->lambda));
    }
  }
  PetscFunctionReturn(0);
}

/* The forward run's hook, at every segment start: keeps the states the schedule asks for. */
PetscErrorCode GSGradientStoreCheckpoint(GSRun run, PetscInt step, Vec X, void *ctx)
{
  GSGradient        g       = (GSGradient)ctx;
  GSCheckpointPlan *p       = &g->plan;
  const PetscInt    segment = step / p->length;

  PetscFunctionBeginUser;
  (void)run;
  if (p->online) {
    int slot, thin, keep = GSOnlineCheckpointsStep(&p->thinning, segment, &slot, &thin);
    if (thin) PetscCall(Thin(g, X));
    if (keep) PetscCall(GSCheckpointStore(g, slot, X));
  } else if (segment == 0) {
    p->next_chain = 0;
    PetscCall(GSCheckpointStore(g, 0, X));
  } else if (p->next_chain < p->nchain && p->chain[p->next_chain] == segment) {
    PetscCall(GSCheckpointStore(g, ++p->next_chain, X));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSCheckpointReverse(GSGradient g, PetscInt steps, const GSCheckpointActions *actions)
{
  GSCheckpointPlan *p        = &g->plan;
  const PetscInt    segments = (steps + p->length - 1) / p->length;
  int               err;

  PetscFunctionBeginUser;
  if (p->online) {
    err = GSOnlineReverse(actions, &p->thinning, segments);
  } else {
    PetscCheck(segments == p->segments, GSModelGetComm(g->model), PETSC_ERR_PLIB,
               "the run took %" PetscInt_FMT " steps, the checkpoint plan expected %" PetscInt_FMT " segments", steps, p->segments);
    err = GSRevolveReverseChain(actions, segments, (int)p->slots, p->chain, p->nchain);
  }
  if (err != GS_SCHEDULE_DONE) PetscCall(err);
  PetscFunctionReturn(0);
}
