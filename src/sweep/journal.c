/* The journal of a sweep: finished points survive SIGKILL; a rerun of the same command (on any
   number of ranks) skips them. Records are fixed-size and written whole, then fsync'd; a torn
   record at the end of a file (killed mid-write) is cut off before appending again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gsinv/sweep.h"

/* Rank 0 creates the folder and the signature, or checks the signature of an existing one. */
static PetscErrorCode CheckSignature(MPI_Comm world, GSJournal *j, const char *signature)
{
  PetscMPIInt rank;
  char        msg[PETSC_MAX_PATH_LEN + 128] = "", path[PETSC_MAX_PATH_LEN + 16];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/signature", j->dir));
  if (rank == 0) {
    FILE *f;
    if (mkdir(j->dir, 0755) != 0 && errno != EEXIST) PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot create the journal %s (%s)", j->dir, strerror(errno)));
    else if ((f = fopen(path, "r"))) {
      char  *old = malloc(strlen(signature) + 2);
      size_t n   = old ? fread(old, 1, strlen(signature) + 1, f) : 0;
      fclose(f);
      if (!old || n != strlen(signature) || memcmp(old, signature, n))
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "the journal %s belongs to a sweep with other options: rerun with those, or remove the folder to start again", j->dir));
      free(old);
    } else if (!(f = fopen(path, "w")) || fputs(signature, f) < 0 || fclose(f) != 0)
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot write %s (%s)", path, strerror(errno)));
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, world));
  PetscCheck(!msg[0], world, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscFunctionReturn(0);
}

PetscErrorCode GSJournalOpen(MPI_Comm world, const char *output, const char *signature, size_t record_size, GSJournal *j)
{
  PetscFunctionBeginUser;
  j->fd          = -1;
  j->record_size = record_size;
  PetscCall(PetscSNPrintf(j->dir, sizeof(j->dir), "%s.journal", output));
  PetscCall(CheckSignature(world, j, signature));
  PetscFunctionReturn(0);
}

/* Opens this rank's file for appending, cutting a torn last record. */
static PetscErrorCode OpenOwnFile(GSJournal *j)
{
  char        path[PETSC_MAX_PATH_LEN + 64];
  PetscMPIInt rank;
  off_t       size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/records-%d.bin", j->dir, rank));
  j->fd = open(path, O_WRONLY | O_CREAT, 0644);
  PetscCheck(j->fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s (%s)", path, strerror(errno));
  size = lseek(j->fd, 0, SEEK_END);
  PetscCheck(size >= 0 && ftruncate(j->fd, size - size % (off_t)j->record_size) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot prepare %s (%s)", path, strerror(errno));
  PetscCheck(lseek(j->fd, 0, SEEK_END) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot seek %s", path);
  PetscFunctionReturn(0);
}

/* 0 or the errno of the failure: a full disk can make write() short without an error, so the rest
   is written until write() itself says why (errno is only read right after a failed call). */
static int WriteAll(int fd, const char *buf, size_t n)
{
  while (n) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return w < 0 ? errno : EIO;
    buf += w, n -= (size_t)w;
  }
  return fsync(fd) ? errno : 0;
}

PetscErrorCode GSJournalAppend(GSJournal *j, const void *record)
{
  int err;

  PetscFunctionBeginUser;
  if (j->fd < 0) PetscCall(OpenOwnFile(j));
  err = WriteAll(j->fd, (const char *)record, j->record_size);
  PetscCheck(!err, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write the journal in %s: %s (%s)", j->dir, err == ENOSPC ? "disk full" : err == EDQUOT ? "quota exceeded" : "write error", strerror(err));
  PetscFunctionReturn(0);
}

/* Appends the complete records of one file to the buffer. */
static PetscErrorCode ReadFile(GSJournal *j, const char *path, size_t *n, char **buf)
{
  FILE  *f = fopen(path, "rb");
  long   size;
  size_t count;

  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s", path);
  fseek(f, 0, SEEK_END);
  size  = ftell(f);
  count = (size_t)size / j->record_size;
  fseek(f, 0, SEEK_SET);
  *buf = realloc(*buf, (*n + count) * j->record_size + 1);
  PetscCheck(*buf, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory reading %s", path);
  PetscCheck(fread(*buf + *n * j->record_size, j->record_size, count, f) == count, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s", path);
  fclose(f);
  *n += count;
  PetscFunctionReturn(0);
}

PetscErrorCode GSJournalReadAll(GSJournal *j, size_t *nrecords, void **records)
{
  DIR           *dir = opendir(j->dir);
  struct dirent *entry;
  char          *buf = NULL, path[2 * PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  *nrecords = 0;
  PetscCheck(dir, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open the journal %s", j->dir);
  while ((entry = readdir(dir)))
    if (!strncmp(entry->d_name, "records-", 8)) {
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", j->dir, entry->d_name));
      PetscCall(ReadFile(j, path, nrecords, &buf));
    }
  closedir(dir);
  *records = buf;
  PetscFunctionReturn(0);
}

PetscErrorCode GSJournalClose(MPI_Comm world, GSJournal *j, PetscBool remove_dir)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (j->fd >= 0) close(j->fd);
  j->fd = -1;
  PetscCallMPI(MPI_Barrier(world));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  if (remove_dir && rank == 0) {
    DIR           *dir = opendir(j->dir);
    struct dirent *entry;
    char           path[2 * PETSC_MAX_PATH_LEN];
    while (dir && (entry = readdir(dir)))
      if (entry->d_name[0] != '.') {
        PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", j->dir, entry->d_name));
        (void)unlink(path);
      }
    if (dir) closedir(dir);
    (void)rmdir(j->dir);
  }
  PetscFunctionReturn(0);
}
