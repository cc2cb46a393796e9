/* Checked HDF5 calls: the cause of a failure read from HDF5's error stack, and ranks that fail together. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "gsinv/io/h5file.h"

typedef struct {
  int  errnum;          /* a system errno found in the stack, 0 if none */
  int  no_space, quota; /* MPI-IO reports these as error classes, not errno */
  char innermost[256];
} StackCause;

/* HDF5's drivers write "errno = N" (sec2) or the MPI error string (mpio) into the description. */
static herr_t VisitError(unsigned n, const H5E_error2_t *e, void *ctx)
{
  StackCause *cause = (StackCause *)ctx;
  const char *desc = e->desc ? e->desc : "", *at = strstr(desc, "errno = ");

  if (n == 0) snprintf(cause->innermost, sizeof(cause->innermost), "%s (in %s)", desc, e->func_name ? e->func_name : "?");
  if (at && !cause->errnum) cause->errnum = atoi(at + 8);
  if (strstr(desc, "No space left") || strstr(desc, "NO_SPACE") || strstr(desc, "not enough space")) cause->no_space = 1;
  if (strstr(desc, "quota") || strstr(desc, "QUOTA")) cause->quota = 1;
  return 0;
}

/* MPI-IO often reports a full disk as a plain I/O error: the free space of the file system says. */
static PetscBool FileSystemFull(const char *file)
{
  struct statvfs fs;
  char           dir[PETSC_MAX_PATH_LEN];
  char          *slash;

  if (!file) return PETSC_FALSE;
  snprintf(dir, sizeof(dir), "%s", file);
  slash = strrchr(dir, '/');
  if (slash) *(slash == dir ? slash + 1 : slash) = 0;
  else snprintf(dir, sizeof(dir), ".");
  return (PetscBool)(statvfs(dir, &fs) == 0 && (double)fs.f_bavail * (double)fs.f_frsize < 1048576.0);
}

void GSH5FailureCauseOf(const char *file, char *buf, size_t len)
{
  GSH5FailureCause(buf, len);
  if (strncmp(buf, "disk full", 9) && strncmp(buf, "quota", 5) && FileSystemFull(file)) {
    char detail[320];
    snprintf(detail, sizeof(detail), "%s", buf);
    snprintf(buf, len, "disk full (less than 1 MiB free; %s)", detail);
  }
}

void GSH5FailureCause(char *buf, size_t len)
{
  StackCause cause;
  hid_t      stack = H5Eget_current_stack();

  memset(&cause, 0, sizeof(cause));
  if (stack >= 0) {
    (void)H5Ewalk2(stack, H5E_WALK_UPWARD, VisitError, &cause);
    (void)H5Eclose_stack(stack);
  }
  if (cause.errnum == ENOSPC || cause.no_space) snprintf(buf, len, "disk full (%s)", strerror(ENOSPC));
  else if (cause.errnum == EDQUOT || cause.quota) snprintf(buf, len, "quota exceeded (%s)", strerror(EDQUOT));
  else if (cause.errnum) snprintf(buf, len, "%s", strerror(cause.errnum));
  else if (cause.innermost[0]) snprintf(buf, len, "%s", cause.innermost);
  else snprintf(buf, len, "HDF5 reported no cause");
}

PetscErrorCode GSH5Fail(const char *file, const char *object, const char *call)
{
  char cause[320];

  PetscFunctionBeginUser;
  GSH5FailureCauseOf(file, cause, sizeof(cause));
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s%s%s%s: %s failed: %s", file ? file : "HDF5", object ? " (" : "", object ? object : "",
          object ? ")" : "", call, cause);
}

/* Completes req; a rank that failed itself gives up after `patience` seconds (the others may be
   stuck in a collective call that it will never join). */
static PetscBool WaitAgreement(MPI_Request *req, PetscBool failed, double patience)
{
  int    done  = 0;
  double start = MPI_Wtime();

  if (!failed) return (PetscBool)(MPI_Wait(req, MPI_STATUS_IGNORE) == MPI_SUCCESS);
  while (!done && MPI_Wtime() - start < patience) {
    if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return PETSC_FALSE;
    if (!done) usleep(1000);
  }
  return (PetscBool)done;
}

PetscErrorCode GSAgree(MPI_Comm comm, PetscErrorCode ierr, const char *file, const char *what)
{
  PetscMPIInt rank, size, first, bad;
  MPI_Request req;
  char        msg[PETSC_MAX_PATH_LEN + 512] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (ierr) {
    char cause[320];
    GSH5FailureCauseOf(file, cause, sizeof(cause));
    if (!strncmp(cause, "HDF5 reported no cause", 22)) { /* the stack was read already: GSH5Fail's message */
      const char *text;
      char       *specific = NULL;
      (void)PetscErrorMessage(ierr, &text, (void *)&specific); /* char ** before PETSc 3.23, const char ** since */
      if (specific && file && strstr(specific, file)) snprintf(msg, sizeof(msg), "%s", specific);
      else snprintf(msg, sizeof(msg), "%s: %s: %s", file ? file : "?", what, specific && specific[0] ? specific : (text ? text : "error"));
    } else snprintf(msg, sizeof(msg), "%s: %s: %s", file ? file : "?", what, cause);
  }
  bad = ierr ? rank : size;
  PetscCallMPI(MPI_Iallreduce(&bad, &first, 1, MPI_INT, MPI_MIN, comm, &req));
  if (!WaitAgreement(&req, (PetscBool)(ierr != 0), 5.0)) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", msg);
  if (first == size) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, first, comm));
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", msg);
}

void GSH5SilenceErrorStack(void)
{
  (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}
