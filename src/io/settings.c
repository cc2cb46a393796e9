/* The description of what determines a result: typed entries, their signature, the refusal
   message of a resume under other settings and the provenance attributes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <petscviewerhdf5.h>

#include "gsinv/io/settings.h"

typedef struct {
  char       name[64];
  char       type; /* 'i' int64, 'r' real or real array, 's' string */
  PetscInt64 i;
  PetscInt   n; /* number of reals */
  PetscReal *r;
  char      *text; /* canonical value: the signature compares these */
} Entry;

struct _p_GSSettings {
  Entry *entries;
  int    n, capacity;
  char  *signature;
};

/* Options that cannot change a result, by exact name or by part of the name. */
static const char *harmless_names[] = {"-help",
                                       "-h",
                                       "-version",
                                       "-options_file",
                                       "-options_left",
                                       "-gs_output",
                                       "-gs_keep_journal",
                                       "-gs_progress_every",
                                       "-gs_cliff_threshold",
                                       "-gs_checkpoint_cache",
                                       "-gs_checkpoint_memory",
                                       "-gs_traceback",
                                       "-info",
                                       "-no_signal_handler",
                                       "-on_error_abort",
                                       "-fp_trap",
                                       "-history",
                                       "-skip_petscrc",
                                       NULL};
static const char *harmless_parts[] = {"monitor", "_view", "-log_", "-malloc", NULL};

PetscBool GSSettingsIsHarmless(const char *option)
{
  for (int i = 0; harmless_names[i]; i++)
    if (!strcasecmp(option, harmless_names[i])) return PETSC_TRUE;
  for (int i = 0; harmless_parts[i]; i++)
    if (strstr(option, harmless_parts[i])) return PETSC_TRUE;
  return PETSC_FALSE;
}

PetscErrorCode GSSettingsCreate(const char *subcommand, GSSettings *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(s));
  PetscCall(GSSettingsAddString(*s, "subcommand", subcommand));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsDestroy(GSSettings *s)
{
  PetscFunctionBeginUser;
  if (!*s) PetscFunctionReturn(0);
  for (int e = 0; e < (*s)->n; e++) PetscCall(PetscFree2((*s)->entries[e].r, (*s)->entries[e].text));
  PetscCall(PetscFree((*s)->entries));
  PetscCall(PetscFree((*s)->signature));
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(0);
}

static Entry *Find(GSSettings s, const char *name)
{
  for (int e = 0; e < s->n; e++)
    if (!strcasecmp(s->entries[e].name, name)) return &s->entries[e];
  return NULL;
}

/* The entry named option, emptied (a new one at the end if there is none yet). */
static PetscErrorCode Slot(GSSettings s, const char *option, char type, PetscInt nreal, size_t text_len, Entry **entry)
{
  Entry *e = Find(s, option);

  PetscFunctionBeginUser;
  PetscCall(PetscFree(s->signature));
  if (!e) {
    if (s->n == s->capacity) {
      s->capacity = s->capacity ? 2 * s->capacity : 32;
      PetscCall(PetscRealloc(s->capacity * sizeof(Entry), &s->entries));
    }
    e = &s->entries[s->n++];
    PetscCall(PetscMemzero(e, sizeof(*e)));
    PetscCall(PetscStrncpy(e->name, option, sizeof(e->name)));
  } else PetscCall(PetscFree2(e->r, e->text));
  e->type = type, e->n = nreal;
  PetscCall(PetscCalloc2(nreal, &e->r, text_len, &e->text));
  *entry = e;
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsAddInt(GSSettings s, const char *option, PetscInt64 value)
{
  Entry *e;

  PetscFunctionBeginUser;
  PetscCall(Slot(s, option, 'i', 0, 32, &e));
  e->i = value;
  PetscCall(PetscSNPrintf(e->text, 32, "%lld", (long long)value));
  PetscFunctionReturn(0);
}

/* The shortest text that reads back as exactly value (so 0.1 shows as 0.1, not 0.10000000000000001). */
static void ExactText(PetscReal value, char *buf, size_t len)
{
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, len, "%.*g", digits, (double)value);
    if (strtod(buf, NULL) == (double)value) return;
  }
}

PetscErrorCode GSSettingsAddReals(GSSettings s, const char *option, PetscInt n, const PetscReal *values)
{
  Entry *e;
  size_t len = 32 * (size_t)n + 1;

  PetscFunctionBeginUser;
  PetscCall(Slot(s, option, 'r', n, len, &e));
  for (PetscInt i = 0; i < n; i++) {
    char number[32];
    e->r[i] = values[i];
    ExactText(values[i], number, sizeof(number));
    if (i) PetscCall(PetscStrlcat(e->text, ",", len));
    PetscCall(PetscStrlcat(e->text, number, len));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsAddReal(GSSettings s, const char *option, PetscReal value)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsAddReals(s, option, 1, &value));
  PetscFunctionReturn(0);
}

/* Strings are kept on one line: tabs and line ends become spaces. */
PetscErrorCode GSSettingsAddString(GSSettings s, const char *option, const char *value)
{
  Entry *e;
  size_t len = strlen(value) + 1;

  PetscFunctionBeginUser;
  PetscCall(Slot(s, option, 's', 0, len, &e));
  for (size_t i = 0; i + 1 < len; i++) e->text[i] = (value[i] == '\t' || value[i] == '\n' || value[i] == '\r') ? ' ' : value[i];
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsRemove(GSSettings s, const char *option)
{
  Entry *e = Find(s, option);

  PetscFunctionBeginUser;
  if (!e) PetscFunctionReturn(0);
  PetscCall(PetscFree(s->signature));
  PetscCall(PetscFree2(e->r, e->text));
  for (; e + 1 < s->entries + s->n; e++) *e = e[1];
  s->n--;
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsAddGrid(GSSettings s, const GSGrid *grid, const GSParams *params)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsAddInt(s, "-da_grid_x", grid->nx));
  PetscCall(GSSettingsAddInt(s, "-da_grid_y", grid->ny));
  PetscCall(GSSettingsAddReal(s, "-gs_h", grid->h));
  PetscCall(GSSettingsAddReal(s, "-gs_F", params->F));
  PetscCall(GSSettingsAddReal(s, "-gs_k", params->k));
  PetscCall(GSSettingsAddReal(s, "-gs_Du", params->Du));
  PetscCall(GSSettingsAddReal(s, "-gs_Dv", params->Dv));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsAddRecipe(GSSettings s, const GSInitialRecipe *recipe)
{
  PetscFunctionBeginUser;
  PetscCall(GSSettingsAddInt(s, "-gs_seed", (PetscInt64)recipe->seed));
  PetscCall(GSSettingsAddInt(s, "-gs_sample", (PetscInt64)recipe->sample));
  PetscCall(GSSettingsAddReal(s, "-gs_init_noise", recipe->noise));
  PetscCall(GSSettingsAddInt(s, "-gs_init_block", recipe->block));
  PetscCall(GSSettingsAddString(s, "-gs_init_sampler", GSNoiseSamplers[recipe->sampler]));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsAddTS(GSSettings s, TS ts)
{
  TSType    type;
  PetscReal dt;
  PetscInt  steps;
  PetscBool rk, theta;

  PetscFunctionBeginUser;
  PetscCall(TSGetType(ts, &type));
  PetscCall(GSSettingsAddString(s, "-ts_type", type));
  PetscCall(PetscObjectTypeCompare((PetscObject)ts, TSRK, &rk));
  PetscCall(PetscObjectTypeCompareAny((PetscObject)ts, &theta, TSTHETA, TSBEULER, TSCN, ""));
  if (rk) {
    TSRKType rk_type;
    PetscCall(TSRKGetType(ts, &rk_type));
    PetscCall(GSSettingsAddString(s, "-ts_rk_type", rk_type));
  }
  if (theta) {
    PetscReal t;
    PetscCall(TSThetaGetTheta(ts, &t));
    PetscCall(GSSettingsAddReal(s, "-ts_theta_theta", t));
  }
  PetscCall(TSGetTimeStep(ts, &dt));
  PetscCall(GSSettingsAddReal(s, "-ts_dt", PetscAbsReal(dt)));
  PetscCall(TSGetMaxSteps(ts, &steps));
  PetscCall(GSSettingsAddInt(s, "-ts_max_steps", steps));
  PetscFunctionReturn(0);
}

/* An option name in PetscOptionsGetAll's text: "-" and a letter (so "-0.5" and "-inf" are values
   unless such an option exists). */
static PetscErrorCode IsOptionName(const char *token, PetscBool *is)
{
  PetscFunctionBeginUser;
  *is = PETSC_FALSE;
  if (token[0] == '-' && isalpha((unsigned char)token[1])) PetscCall(PetscOptionsHasName(NULL, NULL, token, is));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsAddGivenOptions(GSSettings s)
{
  char     *all, *token, *save = NULL, value[4096];
  PetscBool is, set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &all));
  for (token = strtok_r(all, " ", &save); token; token = strtok_r(NULL, " ", &save)) {
    PetscCall(IsOptionName(token, &is));
    if (!is || Find(s, token) || GSSettingsIsHarmless(token)) continue;
    value[0] = 0;
    PetscCall(PetscOptionsGetString(NULL, NULL, token, value, sizeof(value), &set));
    PetscCall(GSSettingsAddString(s, token, value[0] ? value : "(given without a value)"));
  }
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsGetSignature(GSSettings s, const char **signature)
{
  size_t len = 1, used = 0;

  PetscFunctionBeginUser;
  if (!s->signature) {
    for (int e = 0; e < s->n; e++) len += strlen(s->entries[e].name) + strlen(s->entries[e].text) + 5;
    PetscCall(PetscMalloc1(len, &s->signature));
    s->signature[0] = 0;
    for (int e = 0; e < s->n; e++) {
      PetscCall(PetscSNPrintf(s->signature + used, len - used, "%s\t%c\t%s\n", s->entries[e].name, s->entries[e].type, s->entries[e].text));
      used += strlen(s->signature + used);
    }
  }
  *signature = s->signature;
  PetscFunctionReturn(0);
}

/* Whether every line of a stored signature is "name<TAB>type<TAB>value", the first the subcommand. */
static PetscBool Readable(const char *stored)
{
  if (strncmp(stored, "subcommand\t", 11)) return PETSC_FALSE;
  for (const char *line = stored; *line;) {
    const char *tab1 = strchr(line, '\t'), *end = strchr(line, '\n');
    if (!end || !tab1 || tab1 > end || tab1 + 3 > end || tab1[2] != '\t' || tab1 == line) return PETSC_FALSE;
    line = end + 1;
  }
  return PETSC_TRUE;
}

const char *GSSettingsEarlierValue(const char *option)
{
  static const char *const earlier[][2] = {{"-gs_init_sampler", "boxmuller"}};

  for (size_t i = 0; i < sizeof(earlier) / sizeof(earlier[0]); i++)
    if (!strcasecmp(option, earlier[i][0])) return earlier[i][1];
  return NULL;
}

/* The value of option in a readable stored signature and its length (NULL if absent). */
static const char *StoredValue(const char *stored, const char *option, size_t *len)
{
  for (const char *line = stored; *line;) {
    const char *tab1 = strchr(line, '\t'), *end = strchr(line, '\n');
    if ((size_t)(tab1 - line) == strlen(option) && !strncasecmp(line, option, (size_t)(tab1 - line))) {
      *len = (size_t)(end - tab1 - 3);
      return tab1 + 3;
    }
    line = end + 1;
  }
  return NULL;
}

/* The first option of a readable stored signature that this description lacks (NULL if none). */
static const char *ExtraStored(GSSettings s, const char *stored, char *name, size_t name_len, size_t *value_len)
{
  for (const char *line = stored; *line;) {
    const char *tab1 = strchr(line, '\t'), *end = strchr(line, '\n');
    size_t      n = PetscMin((size_t)(tab1 - line), name_len - 1);
    memcpy(name, line, n);
    name[n] = 0;
    if (!Find(s, name)) {
      *value_len = (size_t)(end - tab1 - 3);
      return tab1 + 3;
    }
    line = end + 1;
  }
  return NULL;
}

PetscErrorCode GSSettingsCompare(GSSettings s, const char *stored, const char *where, const char *remedy, char *msg, size_t len)
{
  const char *old;
  size_t      n = 0;
  char        name[64];

  PetscFunctionBeginUser;
  msg[0] = 0;
  if (!Readable(stored)) {
    PetscCall(PetscSNPrintf(msg, len, "%s has an unreadable signature (damaged, or made by an older gsinv): %s", where, remedy));
    PetscFunctionReturn(0);
  }
  for (int e = 0; e < s->n && !msg[0]; e++) {
    const Entry *entry  = &s->entries[e];
    const char  *before = GSSettingsEarlierValue(entry->name);
    if (!(old = StoredValue(stored, entry->name, &n)) && before) {
      if (strcmp(entry->text, before))
        PetscCall(PetscSNPrintf(msg, len, "%s is %s but %s was made with %s (by a gsinv without that option): %s", entry->name, entry->text, where,
                                before, remedy));
    } else if (!old)
      PetscCall(PetscSNPrintf(msg, len, "%s is %s but %s was made without it (its default): %s", entry->name, entry->text, where, remedy));
    else if (n != strlen(entry->text) || strncmp(old, entry->text, n))
      PetscCall(PetscSNPrintf(msg, len, "%s is %s but %s was made with %.*s: %s", entry->name, entry->text, where, (int)PetscMin(n, 1024), old,
                              remedy));
  }
  if (!msg[0] && (old = ExtraStored(s, stored, name, sizeof(name), &n)))
    PetscCall(PetscSNPrintf(msg, len, "%s is not given (its default) but %s was made with %.*s: %s", name, where, (int)PetscMin(n, 1024), old,
                            remedy));
  PetscFunctionReturn(0);
}

/* A root attribute holding an array of doubles. */
static PetscErrorCode WriteRealsAttribute(GSOutput *out, const char *name, PetscInt n, const PetscReal *values)
{
  hid_t   file, root, space, attr;
  hsize_t dims = (hsize_t)n;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5GetFileId(out->viewer, &file));
  GSH5Call(root = H5Gopen2(file, "/", H5P_DEFAULT));
  if (H5Aexists(root, name) > 0) GSH5Call(H5Adelete(root, name));
  GSH5Call(space = H5Screate_simple(1, &dims, NULL));
  GSH5Call(attr = H5Acreate2(root, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT));
  GSH5Call(H5Awrite(attr, H5T_NATIVE_DOUBLE, values));
  GSH5Call(H5Aclose(attr));
  GSH5Call(H5Sclose(space));
  GSH5Call(H5Gclose(root));
  PetscFunctionReturn(0);
}

PetscErrorCode GSSettingsWriteAttributes(GSSettings s, GSOutput *out)
{
  const char *signature;

  PetscFunctionBeginUser;
  for (int e = 0; e < s->n; e++) {
    const Entry *entry = &s->entries[e];
    if (!strcmp(entry->name, "subcommand")) continue; /* GSOutputWriteProvenance writes it */
    if (entry->type == 'i') PetscCall(GSH5WriteAttributeInt(out, "/", entry->name, entry->i));
    else if (entry->type == 's') PetscCall(GSH5WriteAttributeString(out, "/", entry->name, entry->text));
    else if (entry->n == 1) PetscCall(GSH5WriteAttributeReal(out, "/", entry->name, entry->r[0]));
    else PetscCall(WriteRealsAttribute(out, entry->name, entry->n, entry->r));
  }
  PetscCall(GSSettingsGetSignature(s, &signature));
  PetscCall(GSH5WriteAttributeString(out, "/", "settings_signature", signature));
  PetscFunctionReturn(0);
}
