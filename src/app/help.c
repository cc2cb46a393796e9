/* -help as a user meets it: gsinv's own options first, grouped, one line each with its default. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gsinv/app/app.h"
#include "gsinv/model/model.h"

/* Everything printed to stdout in help mode (PETSc prints its help lines through several routes),
   kept in a temporary file instead; plain C, since it starts before PETSc. */
static struct {
  int       saved_stdout;
  FILE     *file;
  char     *text;
  PetscBool all;
} collected = {-1, NULL, NULL, PETSC_FALSE};

void GSHelpCollect(int *argc, char **argv)
{
  PetscBool help = PETSC_FALSE;

  for (int a = 1; a < *argc; a++) {
    if (strcmp(argv[a], "-help") && strcmp(argv[a], "-h")) continue;
    if (a + 1 < *argc && !strcmp(argv[a + 1], "intro")) return;
    help = PETSC_TRUE;
    if (a + 1 < *argc && (!strcmp(argv[a + 1], "all") || !strcmp(argv[a + 1], "petsc"))) { /* PETSc takes -help as a flag: remove the word */
      collected.all = PETSC_TRUE;
      for (int b = a + 1; b < *argc - 1; b++) argv[b] = argv[b + 1];
      (*argc)--;
    }
  }
  if (!help || !(collected.file = tmpfile())) return;
  fflush(stdout);
  collected.saved_stdout = dup(STDOUT_FILENO);
  if (collected.saved_stdout < 0 || dup2(fileno(collected.file), STDOUT_FILENO) < 0) {
    fclose(collected.file);
    collected.file = NULL;
  }
}

/* Restores stdout and reads what was printed into collected.text. */
static PetscErrorCode CollectEnd(void)
{
  long size;

  PetscFunctionBeginUser;
  fflush(stdout);
  PetscCheck(dup2(collected.saved_stdout, STDOUT_FILENO) >= 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot restore stdout after -help");
  close(collected.saved_stdout);
  collected.saved_stdout = -1;
  size                   = ftell(collected.file);
  rewind(collected.file);
  collected.text = calloc((size_t)(size > 0 ? size : 0) + 1, 1);
  PetscCheck(collected.text, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory for the help text");
  if (size > 0 && fread(collected.text, 1, (size_t)size, collected.file) != (size_t)size) collected.text[0] = 0;
  fclose(collected.file);
  collected.file = NULL;
  PetscFunctionReturn(0);
}

/* One PETSc help line "  -gs_name <now A : formerly B>: text (Manpage)" (or "<A : B>", "<A>",
   "-gs_flag: <A : B> text") as "-gs_name B  text", with "[now A]" when A differs from B. */
static PetscErrorCode FormatOption(const char *line, char *out, size_t len)
{
  char        name[128] = "", now[256] = "", def[256] = "", text[1024] = "", left[512], *choices;
  PetscBool   bool_flag, given;
  const char *open = strchr(line, '<'), *close = open ? strchr(open, '>') : NULL, *rest = close ? close + 1 : line;
  size_t      n;

  PetscFunctionBeginUser;
  sscanf(line, " %127[^ :]", name);
  bool_flag = (PetscBool)(strstr(line, name)[strlen(name)] == ':');
  if (open && close) {
    char        inside[512] = "";
    const char *sep;
    snprintf(inside, sizeof(inside), "%.*s", (int)(close - open - 1), open + 1);
    /* "<now A : formerly B>" says which is which (every option since PETSc 3.19 or so); without the
       words, PETSc 3.18 prints a flag as <default : now> and every other option as <now : default> */
    const PetscBool labelled = (PetscBool)!strncmp(inside, "now ", 4), swapped = (PetscBool)(bool_flag && !labelled);
    if (labelled) memmove(inside, inside + 4, strlen(inside + 4) + 1);
    sep = strstr(inside, " : ");
    if (sep) {
      snprintf(swapped ? def : now, sizeof(now), "%.*s", (int)(sep - inside), inside);
      snprintf(swapped ? now : def, sizeof(def), "%s", sep + 3 + (strncmp(sep + 3, "formerly ", 9) ? 0 : 9));
    } else if (!strstr(inside, "string1")) snprintf(def, sizeof(def), "%s", inside);
  }
  while (*rest == ':' || *rest == ' ') rest++;
  snprintf(text, sizeof(text), "%s", rest);
  n = strlen(text);
  if (n && text[n - 1] == ')') { /* drop the trailing (Manpage) */
    char *paren = strrchr(text, '(');
    if (paren && paren > text &&
        strspn(paren + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == (size_t)(text + n - 1 - (paren + 1)))
      paren[-1] = 0;
  }
  if ((choices = strstr(text, " (choose one of) "))) {
    char list[512];
    snprintf(list, sizeof(list), "%s", choices + 17);
    snprintf(choices, sizeof(text) - (size_t)(choices - text), " (one of: %s)", list);
  }
  /* a string option given on the command line shows its value as both: the default is unknown */
  PetscCall(PetscOptionsHasName(NULL, NULL, name, &given));
  if (given && now[0] && !strcmp(now, def)) def[0] = 0;
  if (!def[0]) snprintf(left, sizeof(left), "%s", name);
  else snprintf(left, sizeof(left), "%s %s", name, def);
  if (now[0] && strcmp(now, def)) snprintf(out, len, "  %-30s %s [now %s]\n", left, text, now);
  else snprintf(out, len, "  %-30s %s\n", left, text);
  PetscFunctionReturn(0);
}

/* Prints the -gs_ lines of the collected text, and the model's grid options (-da_grid_x, ...),
   grouped by their title, each group and option once. */
static PetscErrorCode PrintOwnOptions(MPI_Comm comm)
{
  char *copy, *line, *save = NULL, title[256] = "", last_title[256] = "";
  char  seen[16384] = " ";
  int   after_rule  = 0;

  PetscFunctionBeginUser;
  copy = strdup(collected.text);
  PetscCheck(copy, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory for the help text");
  for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    const char *opt = line + strspn(line, " ");
    char        key[512], formatted[2048];
    if (after_rule) snprintf(title, sizeof(title), "%s", line);
    after_rule = !strncmp(line, "-----", 5);
    if (strncmp(opt, "-gs_", 4) && (strncmp(opt, "-da_", 4) || strncmp(title, GS_GRID_OPTIONS_TITLE, strlen(GS_GRID_OPTIONS_TITLE)))) continue;
    snprintf(key, sizeof(key), " %s|%.*s ", title, (int)strcspn(opt, " :"), opt);
    if (strstr(seen, key)) continue;
    if (strlen(seen) + strlen(key) < sizeof(seen)) strcat(seen, key + 1);
    if (strcmp(title, last_title)) PetscCall(PetscPrintf(comm, "\n%s\n", title));
    snprintf(last_title, sizeof(last_title), "%s", title);
    PetscCall(FormatOption(opt, formatted, sizeof(formatted)));
    PetscCall(PetscPrintf(comm, "%s", formatted));
  }
  free(copy);
  PetscFunctionReturn(0);
}

PetscErrorCode GSHelpPrint(MPI_Comm comm, const char *subcommand)
{
  PetscFunctionBeginUser;
  if (!collected.file) PetscFunctionReturn(0);
  PetscCall(CollectEnd());
  PetscCall(PetscPrintf(comm, "gsinv %s: its options with their defaults (an option given on the command line shows [now VALUE])\n", subcommand));
  PetscCall(PrintOwnOptions(comm));
  if (collected.all) PetscCall(PetscPrintf(comm, "\nPETSc's options as PETSc lists them (the gsinv options among them):\n%s", collected.text));
  else PetscCall(PetscPrintf(comm, "\nPETSc's own options too (TS, TAO, DM, viewers, ...): gsinv %s -help all\n", subcommand));
  free(collected.text);
  collected.text = NULL;
  PetscFunctionReturn(0);
}
