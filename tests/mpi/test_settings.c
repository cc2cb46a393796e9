/* The description of a run and the journal: refusal messages name the option and both values;
   damaged, torn and foreign journal records are cut out and the valid ones kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gsinv/io/settings.h"
#include "gsinv/sweep/sweep.h"
#include "mpitest.h"

static GSSettings Example(PetscReal dt, const char *rk)
{
  GSSettings      s;
  const PetscReal lo[2] = {0.03, 0.06};
  assert_petsc(GSSettingsCreate("landscape", &s));
  assert_petsc(GSSettingsAddString(s, "-ts_rk_type", rk));
  assert_petsc(GSSettingsAddReal(s, "-ts_dt", dt));
  assert_petsc(GSSettingsAddInt(s, "-ts_max_steps", 300));
  assert_petsc(GSSettingsAddReals(s, "-gs_lo", 2, lo));
  return s;
}

static void Compare(GSSettings now, GSSettings then, char *msg, size_t len)
{
  const char *stored;
  assert_petsc(GSSettingsGetSignature(then, &stored));
  assert_petsc(GSSettingsCompare(now, stored, "the journal J", "remove it", msg, len));
}

static void test_compare(void **state)
{
  GSSettings  a = Example(1, "1fe"), b = Example(1, "1fe"), c = Example(0.5, "1fe"), d = Example(1, "4");
  char        msg[1024];
  const char *sig;
  (void)state;
  Compare(a, b, msg, sizeof(msg));
  assert_string_equal(msg, "");
  Compare(d, a, msg, sizeof(msg));
  assert_string_equal(msg, "-ts_rk_type is 4 but the journal J was made with 1fe: remove it");
  Compare(c, a, msg, sizeof(msg));
  assert_string_equal(msg, "-ts_dt is 0.5 but the journal J was made with 1: remove it");
  assert_petsc(GSSettingsAddInt(b, "-gs_loss_tile", 4));
  Compare(b, a, msg, sizeof(msg));
  assert_string_equal(msg, "-gs_loss_tile is 4 but the journal J was made without it (its default): remove it");
  Compare(a, b, msg, sizeof(msg));
  assert_string_equal(msg, "-gs_loss_tile is not given (its default) but the journal J was made with 4: remove it");
  assert_petsc(GSSettingsRemove(b, "-gs_loss_tile"));
  Compare(a, b, msg, sizeof(msg));
  assert_string_equal(msg, "");
  assert_petsc(GSSettingsCompare(a, "something else", "the journal J", "remove it", msg, sizeof(msg)));
  assert_non_null(strstr(msg, "unreadable signature"));
  assert_petsc(GSSettingsGetSignature(a, &sig));
  assert_non_null(strstr(sig, "-gs_lo\tr\t0.03,0.06\n"));
  GSSettingsDestroy(&a), GSSettingsDestroy(&b), GSSettingsDestroy(&c), GSSettingsDestroy(&d);
}

/* A signature stored before -gs_init_sampler existed was made with Box-Muller: it agrees with
   boxmuller and names that value against ziggurat; a journal that records a sampler is compared as
   any other setting. */
static void test_compare_earlier(void **state)
{
  GSSettings  a = Example(1, "1fe"), zig = Example(1, "1fe"), box = Example(1, "1fe");
  char        msg[1024];
  const char *stored;
  (void)state;
  assert_petsc(GSSettingsAddString(zig, "-gs_init_sampler", "ziggurat"));
  assert_petsc(GSSettingsAddString(box, "-gs_init_sampler", "boxmuller"));
  assert_petsc(GSSettingsGetSignature(a, &stored));
  assert_petsc(GSSettingsCompare(box, stored, "the journal J", "remove it", msg, sizeof(msg)));
  assert_string_equal(msg, "");
  assert_petsc(GSSettingsCompare(zig, stored, "the journal J", "remove it", msg, sizeof(msg)));
  assert_string_equal(msg, "-gs_init_sampler is ziggurat but the journal J was made with boxmuller (by a gsinv without that option): remove it");
  Compare(box, zig, msg, sizeof(msg));
  assert_string_equal(msg, "-gs_init_sampler is boxmuller but the journal J was made with ziggurat: remove it");
  GSSettingsDestroy(&a), GSSettingsDestroy(&zig), GSSettingsDestroy(&box);
}

static void test_harmless(void **state)
{
  (void)state;
  assert_true(GSSettingsIsHarmless("-gs_progress_every"));
  assert_true(GSSettingsIsHarmless("-ts_monitor"));
  assert_true(GSSettingsIsHarmless("-log_view"));
  assert_true(GSSettingsIsHarmless("-gs_output"));
  assert_false(GSSettingsIsHarmless("-ts_rk_type"));
  assert_false(GSSettingsIsHarmless("-gs_loss_tile"));
  assert_false(GSSettingsIsHarmless("-gs_group_size"));
}

typedef struct {
  int64_t index;
  double  value[5];
} Record;

/* This rank's journal file after appending n records through the journal of settings s. */
static void Append(const char *output, GSSettings s, int n, char *path, size_t len)
{
  GSJournal   j;
  PetscMPIInt rank;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  assert_petsc(GSJournalOpen(PETSC_COMM_SELF, output, s, sizeof(Record), &j));
  for (int i = 0; i < n; i++) {
    Record r = {i, {i, 2.0 * i, 3, 4, 5}};
    assert_petsc(GSJournalAppend(&j, &r));
  }
  assert_petsc(GSJournalClose(PETSC_COMM_SELF, &j, PETSC_FALSE));
  snprintf(path, len, "%s.journal/records-%d.bin", output, rank);
}

static size_t ValidRecords(const char *output, GSSettings s)
{
  GSJournal j;
  size_t    n;
  void     *records;
  assert_petsc(GSJournalOpen(PETSC_COMM_SELF, output, s, sizeof(Record), &j));
  assert_petsc(GSJournalReadAll(&j, &n, &records));
  for (size_t r = 0; r < n; r++) assert_true(((Record *)records)[r].value[1] == 2.0 * ((Record *)records)[r].index);
  free(records);
  assert_petsc(GSJournalClose(PETSC_COMM_SELF, &j, PETSC_FALSE));
  return n;
}

static void test_journal_damage(void **state)
{
  GSSettings   s = Example(1, "1fe"), other = Example(0.5, "1fe");
  char         path[PETSC_MAX_PATH_LEN], other_path[PETSC_MAX_PATH_LEN], output[64], other_output[64];
  const size_t disk = 16 + sizeof(Record);
  PetscMPIInt  rank;
  FILE        *f;
  char         buf[256];
  (void)state;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  snprintf(output, sizeof(output), "test_settings_%d.h5", rank);
  snprintf(other_output, sizeof(other_output), "test_settings_other_%d.h5", rank);
  Append(output, s, 4, path, sizeof(path));
  assert_int_equal(ValidRecords(output, s), 4);
  f = fopen(path, "ab"); /* a crash's zero-filled tail and a torn record */
  memset(buf, 0, sizeof(buf));
  fwrite(buf, 1, 100, f);
  fclose(f);
  f = fopen(path, "r+b"); /* one flipped byte in record 1 */
  fseek(f, (long)disk + 20, SEEK_SET);
  fputc(0x55, f);
  fclose(f);
  Append(other_output, other, 1, other_path, sizeof(other_path)); /* a record of another journal */
  f = fopen(other_path, "rb");
  assert_int_equal(fread(buf, 1, disk, f), disk);
  fclose(f);
  f = fopen(path, "ab");
  fwrite(buf, 1, disk, f);
  fclose(f);
  assert_int_equal(ValidRecords(output, s), 3); /* the opening cut the damage out */
  Append(output, s, 1, path, sizeof(path));
  assert_int_equal(ValidRecords(output, s), 4);
  {
    GSJournal j;
    assert_petsc(GSJournalOpen(PETSC_COMM_SELF, output, s, sizeof(Record), &j));
    assert_petsc(GSJournalClose(PETSC_COMM_SELF, &j, PETSC_TRUE));
    assert_petsc(GSJournalOpen(PETSC_COMM_SELF, other_output, other, sizeof(Record), &j));
    assert_petsc(GSJournalClose(PETSC_COMM_SELF, &j, PETSC_TRUE));
  }
  GSSettingsDestroy(&s), GSSettingsDestroy(&other);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_compare),
    cmocka_unit_test(test_compare_earlier),
    cmocka_unit_test(test_harmless),
    cmocka_unit_test(test_journal_damage),
  };
  if (GSTestInitialize(&argc, &argv)) return 1;
  return GSTestFinalize(cmocka_run_group_tests_name("settings", tests, NULL, NULL));
}
