/* The journal of a sweep: finished points survive SIGKILL; a rerun of the same command (on any
   number of ranks) skips them. Each record is written whole behind a header (marker, journal id,
   size, CRC-32) and fsync'd; torn, zero-filled, damaged or foreign records are found by their
   header, cut out with a warning, and their points recomputed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gsinv/sweep/sweep.h"

#define JOURNAL_MAGIC 0x314a5347u /* the bytes "GSJ1" */

typedef struct {
  uint32_t magic, journal, size, crc;
} RecordHeader;

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32) continued from crc over n bytes. */
static uint32_t Crc32(uint32_t crc, const void *data, size_t n)
{
  const unsigned char *p = data;

  crc = ~crc;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int b = 0; b < 8; b++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static uint32_t RecordCrc(RecordHeader h, const void *payload)
{
  h.crc = 0;
  return Crc32(Crc32(0, &h, sizeof(h)), payload, h.size);
}

static size_t DiskSize(const GSJournal *j)
{
  return sizeof(RecordHeader) + j->record_size;
}

static PetscBool RecordValid(const GSJournal *j, const char *at)
{
  RecordHeader h;

  memcpy(&h, at, sizeof(h));
  return (PetscBool)(h.magic == JOURNAL_MAGIC && h.journal == j->id && h.size == j->record_size && h.crc == RecordCrc(h, at + sizeof(h)));
}

/* The offset of the next marker at or after from (size if none). */
static size_t NextMarker(const char *data, size_t size, size_t from)
{
  const uint32_t magic = JOURNAL_MAGIC;

  for (size_t o = from; o + sizeof(magic) <= size; o++)
    if (!memcmp(data + o, &magic, sizeof(magic))) return o;
  return size;
}

/* Offsets of the valid records in a file's bytes; *damaged counts the bytes that are not. */
static void FindRecords(const GSJournal *j, const char *data, size_t size, size_t *offsets, size_t *n, size_t *damaged)
{
  size_t o = 0;

  *n = *damaged = 0;
  while (o < size) {
    if (o + DiskSize(j) <= size && RecordValid(j, data + o)) {
      offsets[(*n)++] = o;
      o += DiskSize(j);
    } else {
      const size_t next = NextMarker(data, size, o + 1);
      *damaged += next - o;
      o = next;
    }
  }
}

/* The whole file, malloc'd. */
static PetscErrorCode ReadBytes(const char *path, char **data, size_t *size)
{
  FILE *f = fopen(path, "rb");
  long  len;

  PetscFunctionBeginUser;
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s (%s)", path, strerror(errno));
  len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s (%s)", path, strerror(errno));
  }
  *size = (size_t)len;
  *data = malloc(*size + 1);
  if (!*data) fclose(f);
  PetscCheck(*data, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory reading %s (%zu bytes)", path, *size);
  if (fread(*data, 1, *size, f) != *size) {
    fclose(f);
    free(*data);
    *data = NULL;
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s", path);
  }
  fclose(f);
  PetscFunctionReturn(0);
}

/* Rewrites a file with only its valid records (through a new file renamed over it). */
static PetscErrorCode Rewrite(const GSJournal *j, const char *path, const char *data, const size_t *offsets, size_t n)
{
  char tmp[2 * PETSC_MAX_PATH_LEN + 8];
  int  fd, ok;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ok = fd >= 0;
  for (size_t r = 0; ok && r < n; r++) ok = write(fd, data + offsets[r], DiskSize(j)) == (ssize_t)DiskSize(j);
  ok = ok && fsync(fd) == 0;
  if (fd >= 0) ok = (close(fd) == 0) && ok;
  ok = ok && rename(tmp, path) == 0;
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot repair the journal file %s (%s)", path, strerror(errno));
  PetscFunctionReturn(0);
}

/* Reads the valid records of one file into *buf after the *n there already; with repair, a
   damaged file is rewritten without its damage. Warns (naming the journal) about damage. */
static PetscErrorCode ReadFile(GSJournal *j, const char *path, PetscBool repair, size_t *n, char **buf)
{
  char  *data;
  size_t size, nvalid, damaged, *offsets;

  PetscFunctionBeginUser;
  PetscCall(ReadBytes(path, &data, &size));
  offsets = malloc((size / DiskSize(j) + 1) * sizeof(size_t));
  *buf    = offsets ? realloc(*buf, (*n + size / DiskSize(j) + 1) * j->record_size) : *buf;
  PetscCheck(offsets && *buf, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory reading %s (%zu bytes)", path, size);
  FindRecords(j, data, size, offsets, &nvalid, &damaged);
  for (size_t r = 0; r < nvalid; r++) memcpy(*buf + (*n + r) * j->record_size, data + offsets[r] + sizeof(RecordHeader), j->record_size);
  *n += nvalid;
  if (damaged) {
    PetscCall(PetscFPrintf(
      PETSC_COMM_SELF, PETSC_STDERR,
      "gsinv: warning: the journal %s: %zu damaged bytes in %s (torn, zero-filled, corrupted or foreign records) are ignored; %zu valid records kept; the points of the damaged records are recomputed\n",
      j->dir, damaged, path, nvalid));
    if (repair) PetscCall(Rewrite(j, path, data, offsets, nvalid));
  }
  free(offsets);
  free(data);
  PetscFunctionReturn(0);
}

/* Reads (and with repair, mends) every record file of the journal. Rank 0 only. */
static PetscErrorCode ReadFiles(GSJournal *j, PetscBool repair, size_t *nrecords, char **records)
{
  DIR           *dir = opendir(j->dir);
  struct dirent *entry;
  char           path[2 * PETSC_MAX_PATH_LEN];
  size_t         len;

  PetscFunctionBeginUser;
  *nrecords = 0;
  *records  = NULL;
  PetscCheck(dir, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open the journal %s (%s)", j->dir, strerror(errno));
  while ((entry = readdir(dir))) {
    len = strlen(entry->d_name);
    if (strncmp(entry->d_name, "records-", 8) || len < 4 || strcmp(entry->d_name + len - 4, ".bin")) continue;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", j->dir, entry->d_name));
    PetscCall(ReadFile(j, path, repair, nrecords, records));
  }
  closedir(dir);
  PetscFunctionReturn(0);
}

/* Writes the signature through a new file renamed into place (never half a signature). */
static void WriteSignature(const char *path, const char *signature, char *msg, size_t len)
{
  char  tmp[PETSC_MAX_PATH_LEN + 32];
  FILE *f;

  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  if (!(f = fopen(tmp, "w")) || fputs(signature, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
    snprintf(msg, len, "cannot write %s (%s)", path, strerror(errno));
}

/* Rank 0 creates the folder and the signature, or compares an existing one with the settings and
   mends damaged record files. A failure there becomes the message every rank stops with (after
   PETSc's own report of it), so that no rank waits alone. */
/* The journal this process created (rank 0), until it holds a record: removed after an error. */
static char created[PETSC_MAX_PATH_LEN + 16];

void GSJournalAbandonNew(void)
{
  DIR           *dir;
  struct dirent *entry;
  struct stat    st;
  char           path[2 * PETSC_MAX_PATH_LEN];
  int            records = 0;

  if (!created[0] || !(dir = opendir(created))) return;
  while ((entry = readdir(dir)))
    if (entry->d_name[0] != '.' && strcmp(entry->d_name, "signature")) {
      snprintf(path, sizeof(path), "%s/%s", created, entry->d_name);
      if (stat(path, &st) != 0 || st.st_size > 0) records = 1;
    }
  closedir(dir);
  if (records) return;
  if ((dir = opendir(created))) {
    while ((entry = readdir(dir)))
      if (entry->d_name[0] != '.') {
        snprintf(path, sizeof(path), "%s/%s", created, entry->d_name);
        (void)unlink(path);
      }
    closedir(dir);
  }
  (void)rmdir(created);
  created[0] = 0;
}

static PetscErrorCode CheckSignature(MPI_Comm world, GSJournal *j, GSSettings settings)
{
  PetscMPIInt rank;
  char        msg[PETSC_MAX_PATH_LEN + 2600] = "", path[PETSC_MAX_PATH_LEN + 16], where[PETSC_MAX_PATH_LEN + 16];
  const char *signature;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  PetscCall(GSSettingsGetSignature(settings, &signature));
  j->id = Crc32(0, signature, strlen(signature));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/signature", j->dir));
  PetscCall(PetscSNPrintf(where, sizeof(where), "the journal %s", j->dir));
  if (rank == 0) {
    if (mkdir(j->dir, 0755) != 0 && errno != EEXIST)
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot create the journal %s (%s)", j->dir, strerror(errno)));
    else if (access(path, F_OK) == 0) {
      char  *old = NULL, *records = NULL;
      size_t size, n;
      if (ReadBytes(path, &old, &size)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read the signature of the journal %s", j->dir));
      else {
        old[size] = 0;
        PetscCall(GSSettingsCompare(settings, old, where, "remove it or choose another -gs_output", msg, sizeof(msg)));
        j->id = Crc32(0, old, size); /* its records carry the stored signature's id (agreeing, maybe older) */
      }
      if (!msg[0] && ReadFiles(j, PETSC_TRUE, &n, &records)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read or mend the journal %s", j->dir));
      free(old);
      free(records);
    } else {
      WriteSignature(path, signature, msg, sizeof(msg));
      if (!msg[0]) PetscCall(PetscStrncpy(created, j->dir, sizeof(created)));
    }
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, world));
  PetscCheck(!msg[0], world, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscCallMPI(MPI_Bcast(&j->id, 1, MPI_UINT32_T, 0, world));
  PetscFunctionReturn(0);
}

PetscErrorCode GSJournalOpen(MPI_Comm world, const char *output, GSSettings settings, size_t record_size, GSJournal *j)
{
  PetscFunctionBeginUser;
  j->fd          = -1;
  j->record_size = record_size;
  PetscCall(PetscSNPrintf(j->dir, sizeof(j->dir), "%s.journal", output));
  PetscCall(CheckSignature(world, j, settings));
  PetscFunctionReturn(0);
}

/* Opens this rank's file for appending (damage was cut out when the journal was opened). */
static PetscErrorCode OpenOwnFile(GSJournal *j)
{
  char        path[PETSC_MAX_PATH_LEN + 64];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/records-%d.bin", j->dir, rank));
  j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  PetscCheck(j->fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s (%s)", path, strerror(errno));
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
  RecordHeader h = {JOURNAL_MAGIC, j->id, (uint32_t)j->record_size, 0};
  char        *buf;
  int          err;

  PetscFunctionBeginUser;
  if (j->fd < 0) PetscCall(OpenOwnFile(j));
  h.crc = RecordCrc(h, record);
  PetscCall(PetscMalloc1(DiskSize(j), &buf));
  memcpy(buf, &h, sizeof(h));
  memcpy(buf + sizeof(h), record, j->record_size);
  err = WriteAll(j->fd, buf, DiskSize(j));
  PetscCall(PetscFree(buf));
  PetscCheck(!err, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write the journal in %s: %s (%s)", j->dir,
             err == ENOSPC   ? "disk full"
             : err == EDQUOT ? "quota exceeded"
                             : "write error",
             strerror(err));
  PetscFunctionReturn(0);
}

PetscErrorCode GSJournalReadAll(GSJournal *j, size_t *nrecords, void **records)
{
  char *buf;

  PetscFunctionBeginUser;
  PetscCall(ReadFiles(j, PETSC_FALSE, nrecords, &buf));
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
