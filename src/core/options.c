/* Options conventions: every value checked before PETSc reads it, one message naming the option. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gsinv/core/options.h"

/* The raw value of option `name`: *set is false when it was not given; an empty value is refused. */
static PetscErrorCode OptionValue(MPI_Comm comm, const char *name, char *value, size_t len, PetscBool *set)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, value, len, set));
  PetscCheck(!*set || value[0], comm, PETSC_ERR_USER_INPUT, "%s needs a value", name);
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckReal(MPI_Comm comm, const char *name, const char *value)
{
  char  *end;
  double x;

  PetscFunctionBeginUser;
  x = strtod(value, &end);
  PetscCheck(value[0] && *end == 0, comm, PETSC_ERR_USER_INPUT, "%s '%s' is not a number", name, value);
  PetscCheck(isfinite(x), comm, PETSC_ERR_USER_INPUT, "%s '%s' must be a finite number", name, value);
  PetscFunctionReturn(0);
}

/* Parsed in 64 bits, so that a value past PetscInt is refused rather than wrapped. */
static PetscErrorCode CheckInt(MPI_Comm comm, const char *name, const char *value, PetscInt64 min, PetscInt64 max)
{
  char     *end;
  long long x;

  PetscFunctionBeginUser;
  errno = 0;
  x     = strtoll(value, &end, 10);
  if (!value[0] || *end) {
    (void)strtod(value, &end);
    PetscCheck(!value[0] || *end, comm, PETSC_ERR_USER_INPUT, "%s '%s' must be an integer", name, value);
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s '%s' is not a number", name, value);
  }
  PetscCheck(errno != ERANGE && x >= min && x <= max, comm, PETSC_ERR_USER_INPUT, "%s %s is out of range: must be in [%lld, %lld]", name, value,
             (long long)min, (long long)max);
  PetscFunctionReturn(0);
}

PetscErrorCode GSOptionsCheckNumber(MPI_Comm comm, const char *name)
{
  char      value[256];
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(OptionValue(comm, name, value, sizeof(value), &set));
  if (set) PetscCall(CheckReal(comm, name, value));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOptionsCheckInt(MPI_Comm comm, const char *name, PetscInt64 min, PetscInt64 max)
{
  char      value[256];
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(OptionValue(comm, name, value, sizeof(value), &set));
  if (set) PetscCall(CheckInt(comm, name, value, min, max));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOptionsCheckList(MPI_Comm comm, const char *name, GSOptionKind kind, PetscInt min_count, PetscInt max_count)
{
  char      whole[4096], value[4096], *entry, *next;
  PetscBool set;
  PetscInt  count = 0;

  PetscFunctionBeginUser;
  PetscCall(OptionValue(comm, name, whole, sizeof(whole), &set));
  if (!set) PetscFunctionReturn(0);
  PetscCall(PetscStrncpy(value, whole, sizeof(value)));
  for (entry = value; entry; entry = next, count++) {
    next = strchr(entry, ',');
    if (next) *next++ = 0;
    PetscCheck(entry[0], comm, PETSC_ERR_USER_INPUT, "%s '%s': entry %" PetscInt_FMT " is empty", name, whole, count + 1);
    if (kind == GS_OPTION_REAL) PetscCall(CheckReal(comm, name, entry));
    if (kind == GS_OPTION_INT) PetscCall(CheckInt(comm, name, entry, PETSC_MIN_INT, PETSC_MAX_INT));
  }
  if (min_count == max_count)
    PetscCheck(count == min_count, comm, PETSC_ERR_USER_INPUT, "%s needs %" PetscInt_FMT " comma-separated values, got %" PetscInt_FMT, name,
               min_count, count);
  PetscCheck(count >= min_count && count <= max_count, comm, PETSC_ERR_USER_INPUT,
             "%s needs %" PetscInt_FMT " to %" PetscInt_FMT " comma-separated values, got %" PetscInt_FMT, name, min_count, max_count, count);
  PetscFunctionReturn(0);
}

PetscErrorCode GSOptionsCheckEnum(MPI_Comm comm, const char *name, const char *const *list)
{
  char      value[256], names[1024] = "";
  PetscBool set, found              = PETSC_FALSE, same;
  PetscInt  n = 0;

  PetscFunctionBeginUser;
  PetscCall(OptionValue(comm, name, value, sizeof(value), &set));
  if (!set) PetscFunctionReturn(0);
  while (list[n]) n++;
  for (PetscInt i = 0; i < n - 2; i++) {
    PetscCall(PetscStrcasecmp(value, list[i], &same));
    found = (PetscBool)(found || same);
    PetscCall(PetscStrlcat(names, i ? ", " : "", sizeof(names)));
    PetscCall(PetscStrlcat(names, list[i], sizeof(names)));
  }
  PetscCheck(found, comm, PETSC_ERR_USER_INPUT, "%s '%s' must be one of: %s", name, value, names);
  PetscFunctionReturn(0);
}

PetscErrorCode GSOptionsCheckBool(MPI_Comm comm, const char *name)
{
  const char *const words[] = {"true", "false", "yes", "no", "on", "off", "1", "0"};
  char              value[256];
  PetscBool         set, found = PETSC_FALSE, same;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, value, sizeof(value), &set));
  if (!set || !value[0]) PetscFunctionReturn(0);
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    PetscCall(PetscStrcasecmp(value, words[i], &same));
    found = (PetscBool)(found || same);
  }
  PetscCheck(found, comm, PETSC_ERR_USER_INPUT, "%s '%s' must be true or false (or nothing, for true)", name, value);
  PetscFunctionReturn(0);
}

PetscErrorCode GSOptionsCheckSize(MPI_Comm comm, const char *options, PetscInt64 count, size_t element_size, PetscInt64 max_count)
{
  double need = (double)count * (double)element_size, node = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE), smallest;

  PetscFunctionBeginUser;
  PetscCheck(count <= max_count, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt64_FMT " values exceed the limit %" PetscInt64_FMT, options, count,
             max_count);
  if (node <= 0) node = PETSC_MAX_REAL;
  PetscCallMPI(MPI_Allreduce(&node, &smallest, 1, MPI_DOUBLE, MPI_MIN, comm));
  PetscCheck(need <= smallest, comm, PETSC_ERR_USER_INPUT, "%s: %.3g GiB needed on one node, more than its memory (%.3g GiB)", options,
             need / 1073741824.0, smallest / 1073741824.0);
  PetscFunctionReturn(0);
}

PetscBool GSErrorIsOutOfMemory(PetscErrorCode code, const char *func)
{
  return (PetscBool)(code == PETSC_ERR_MEM || (func && (!strcmp(func, "PetscMallocAlign") || !strcmp(func, "PetscReallocAlign"))));
}

static PetscBool options_call_out_of_memory;

static PetscErrorCode OptionsCallErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p,
                                              const char *mess, void *ctx)
{
  (void)comm, (void)line, (void)file, (void)mess, (void)ctx;
  if (p == PETSC_ERROR_INITIAL && GSErrorIsOutOfMemory(n, func)) options_call_out_of_memory = PETSC_TRUE;
  return n;
}

PetscErrorCode GSOptionsPetscCallBegin(void)
{
  PetscFunctionBeginUser;
  options_call_out_of_memory = PETSC_FALSE;
  PetscCall(PetscPushErrorHandler(OptionsCallErrorHandler, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode GSOptionsPetscFailed(MPI_Comm comm, const char *family, PetscErrorCode code)
{
  const char *text, *reason = NULL;

  PetscFunctionBeginUser;
  if (!code) PetscFunctionReturn(0);
  /* The last argument is char ** in PETSc 3.18 and const char ** in current releases: void * converts to both. */
  (void)PetscErrorMessage(code, &text, (void *)&reason);
  /* an allocation that failed is not the options' fault: it stays an out-of-memory error */
  if (options_call_out_of_memory || code == PETSC_ERR_MEM || (reason && strstr(reason, "Memory requested")))
    SETERRQ(comm, PETSC_ERR_MEM, "%s", reason && strstr(reason, "Memory requested") ? reason : "out of memory");
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: %s", family, reason && reason[0] ? reason : (text ? text : "refused by PETSc"));
}

/* PETSc's numeric options that gsinv relies on, with the integers' ranges (within PetscInt). */
static const struct {
  const char  *name;
  GSOptionKind kind;
  PetscInt64   min;
} petsc_numeric[] = {
  {"-ts_dt", GS_OPTION_REAL, 0},
  {"-ts_max_time", GS_OPTION_REAL, 0},
  {"-ts_init_time", GS_OPTION_REAL, 0},
  {"-ts_max_steps", GS_OPTION_INT, 0},
  {"-ts_max_snes_failures", GS_OPTION_INT, -1},
  {"-ts_max_reject", GS_OPTION_INT, -1},
  {"-ts_rtol", GS_OPTION_REAL, 0},
  {"-ts_atol", GS_OPTION_REAL, 0},
  {"-ts_theta_theta", GS_OPTION_REAL, 0},
  {"-da_grid_x", GS_OPTION_INT, 1},
  {"-da_grid_y", GS_OPTION_INT, 1},
  {"-da_processors_x", GS_OPTION_INT, 1},
  {"-da_processors_y", GS_OPTION_INT, 1},
  {"-tao_max_it", GS_OPTION_INT, 0},
  {"-tao_max_funcs", GS_OPTION_INT, -1},
  {"-tao_gatol", GS_OPTION_REAL, 0},
  {"-tao_grtol", GS_OPTION_REAL, 0},
  {"-tao_gttol", GS_OPTION_REAL, 0},
  {"-tao_fmin", GS_OPTION_REAL, 0},
  {"-tao_steptol", GS_OPTION_REAL, 0},
  {"-tao_catol", GS_OPTION_REAL, 0},
  {"-tao_crtol", GS_OPTION_REAL, 0},
};

PetscErrorCode GSOptionsCheckPetsc(MPI_Comm comm, const char *prefix)
{
  size_t len = strlen(prefix);

  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(petsc_numeric) / sizeof(petsc_numeric[0]); i++) {
    if (strncmp(petsc_numeric[i].name, prefix, len)) continue;
    if (petsc_numeric[i].kind == GS_OPTION_INT) PetscCall(GSOptionsCheckInt(comm, petsc_numeric[i].name, petsc_numeric[i].min, PETSC_MAX_INT));
    else PetscCall(GSOptionsCheckNumber(comm, petsc_numeric[i].name));
  }
  PetscFunctionReturn(0);
}
