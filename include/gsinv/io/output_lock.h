/* One writer per output: a lock held for the whole run, and outputs that must not be inputs. */
#pragma once

#include <petscsys.h>

/* Takes the lock PATH.lock (fcntl F_SETLK, by world rank 0) for the rest of the run, before any
   computing: if another run holds it, stops at once with a message naming option, path and the
   holder's pid (a holder whose launcher is gone, a rank of a run killed a moment ago, is given
   5 s to exit). One lock per process; GSOutputUnlock removes the file (a file left by a crash is harmless:
   the lock dies with its process). Collective on world. */
PetscErrorCode GSOutputLock(MPI_Comm world, const char *option, const char *path);
/* The same on an error path, on this rank alone (the holder is world rank 0). Not collective. */
void GSOutputUnlockAfterError(void);
/* Removes the lock file and releases the lock. Collective on world. */
PetscErrorCode GSOutputUnlock(MPI_Comm world);
/* Refuses an output that is a file some input option names (-gs_initial, -gs_input, -gs_target,
   -gs_targets_file): the same path, or the same device and inode when both exist. The message
   names both options. Collective on comm. */
PetscErrorCode GSOutputCheckNotInput(MPI_Comm comm, const char *option, const char *output);
