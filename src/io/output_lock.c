/* One writer per output: an fcntl lock on a file beside the output, held by world rank 0. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gsinv/io/output_lock.h"

/* How long a lock held by an orphaned process is retried: the ranks of a run whose mpiexec was
   killed a moment ago take about a second to exit and release it. */
#define LOCK_PATIENCE_SECONDS 5.0

static int  lock_fd = -1;
static char lock_path[PETSC_MAX_PATH_LEN + 8];

/* Tries to lock path: 0 on success, else an errno, with *holder the holder's pid if known. The
   file is locked only if it is still the one at path (a run that finishes removes its file). */
static int TryLock(const char *path, pid_t *holder)
{
  for (int attempt = 0; attempt < 10; attempt++) {
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    struct stat  held, named;
    int          fd = open(path, O_RDWR | O_CREAT, 0644), err;

    if (fd < 0) return errno;
    if (fcntl(fd, F_SETLK, &fl) != 0) {
      err = errno;
      if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) *holder = fl.l_pid;
      close(fd);
      return err == EACCES ? EAGAIN : err;
    }
    if (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
      lock_fd = fd;
      return 0;
    }
    close(fd);
  }
  return EAGAIN;
}

/* Whether pid's parent is init (Linux /proc): a rank whose launcher was killed and is about to exit. */
static int Orphaned(pid_t pid)
{
  char  path[64], line[512], *close_paren;
  int   ppid = 0;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  if (!(f = fopen(path, "r"))) return 0;
  if (fgets(line, sizeof(line), f) && (close_paren = strrchr(line, ')'))) (void)sscanf(close_paren + 1, " %*c %d", &ppid);
  fclose(f);
  return ppid == 1;
}

PetscErrorCode GSOutputLock(MPI_Comm world, const char *option, const char *path)
{
  PetscMPIInt rank;
  int         status[2] = {0, 0}; /* errno, holder pid */

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  PetscCheck(lock_fd < 0, world, PETSC_ERR_PLIB, "GSOutputLock: this process already holds %s", lock_path);
  PetscCall(PetscSNPrintf(lock_path, sizeof(lock_path), "%s.lock", path));
  if (rank == 0) {
    const struct timespec pause  = {0, 50000000};
    pid_t                 holder = 0;
    for (int tries = 0;
         (status[0] = TryLock(lock_path, &holder)) == EAGAIN && holder > 0 && Orphaned(holder) && tries < (int)(LOCK_PATIENCE_SECONDS / 0.05);
         tries++)
      nanosleep(&pause, NULL);
    status[1] = (int)holder;
  }
  PetscCallMPI(MPI_Bcast(status, 2, MPI_INT, 0, world));
  if (status[0] == EAGAIN && status[1] > 0)
    SETERRQ(world, PETSC_ERR_USER_INPUT, "%s %s is being written by another gsinv run (pid %d holds %s): wait for it to finish or choose another %s",
            option, path, status[1], lock_path, option);
  PetscCheck(status[0] != EAGAIN, world, PETSC_ERR_USER_INPUT,
             "%s %s is being written by another gsinv run (it holds %s): wait for it to finish or choose another %s", option, path, lock_path,
             option);
  PetscCheck(!status[0], world, PETSC_ERR_USER_INPUT, "%s %s: cannot create the lock file %s beside it (%s): is its folder there and writable?",
             option, path, lock_path, strerror(status[0]));
  PetscFunctionReturn(0);
}

void GSOutputUnlockAfterError(void)
{
  if (lock_fd < 0) return;
  (void)unlink(lock_path);
  close(lock_fd);
  lock_fd = -1;
}

PetscErrorCode GSOutputUnlock(MPI_Comm world)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(world));
  if (lock_fd >= 0) {
    (void)unlink(lock_path);
    close(lock_fd);
    lock_fd = -1;
  }
  PetscFunctionReturn(0);
}

/* The options that name files gsinv reads. */
static const char *input_options[] = {"-gs_initial", "-gs_input", "-gs_target", "-gs_targets_file", NULL};

PetscErrorCode GSOutputCheckNotInput(MPI_Comm comm, const char *option, const char *output)
{
  PetscMPIInt rank;
  int         same = -1;
  char        input[PETSC_MAX_PATH_LEN];
  PetscBool   set;
  struct stat in, out;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  for (int i = 0; rank == 0 && same < 0 && input_options[i]; i++) {
    PetscCall(PetscOptionsGetString(NULL, NULL, input_options[i], input, sizeof(input), &set));
    if (set && input[0] &&
        (!strcmp(input, output) || (stat(input, &in) == 0 && stat(output, &out) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)))
      same = i;
  }
  PetscCallMPI(MPI_Bcast(&same, 1, MPI_INT, 0, comm));
  if (same >= 0) {
    PetscCall(PetscOptionsGetString(NULL, NULL, input_options[same], input, sizeof(input), &set));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s %s is the file of %s %s: writing it would destroy the input; choose another %s", option, output,
            input_options[same], input, option);
  }
  PetscFunctionReturn(0);
}
