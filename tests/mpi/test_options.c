/* The checked option readers: 64-bit parsing with ranges, finite reals, list lengths and empty
   entries, enum and bool names, sizes; every refusal names the option. */
#include <string.h>

#include "gsinv/core/options.h"
#include "mpitest.h"

static const char *const Choices[] = {"tao", "sgd", "GSChoice", "GS_CHOICE_", NULL};

/* Sets -gs_test to value, runs check, and says whether it was refused with a message naming the option. */
static PetscBool Refused(const char *value, PetscErrorCode (*check)(void))
{
  PetscErrorCode code;
  const char    *text, *message = NULL;

  assert_petsc(PetscOptionsSetValue(NULL, "-gs_test", value));
  assert_petsc(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  code = check();
  assert_petsc(PetscPopErrorHandler());
  assert_petsc(PetscOptionsClearValue(NULL, "-gs_test"));
  if (!code) return PETSC_FALSE;
  assert_int_equal(code, PETSC_ERR_USER_INPUT);
  (void)PetscErrorMessage(code, &text, (void *)&message); /* char ** in PETSc 3.18, const char ** later */
  assert_non_null(message);
  assert_non_null(strstr(message, "-gs_test"));
  return PETSC_TRUE;
}

static PetscErrorCode CheckCount(void)
{
  return GSOptionsCheckInt(PETSC_COMM_WORLD, "-gs_test", 0, PETSC_MAX_INT);
}

static PetscErrorCode CheckReal(void)
{
  return GSOptionsCheckNumber(PETSC_COMM_WORLD, "-gs_test");
}

static PetscErrorCode CheckPair(void)
{
  return GSOptionsCheckList(PETSC_COMM_WORLD, "-gs_test", GS_OPTION_REAL, 1, 2);
}

static PetscErrorCode CheckFour(void)
{
  return GSOptionsCheckList(PETSC_COMM_WORLD, "-gs_test", GS_OPTION_INT, 4, 4);
}

static PetscErrorCode CheckWords(void)
{
  return GSOptionsCheckList(PETSC_COMM_WORLD, "-gs_test", GS_OPTION_WORD, 1, 2);
}

static PetscErrorCode CheckChoice(void)
{
  return GSOptionsCheckEnum(PETSC_COMM_WORLD, "-gs_test", Choices);
}

static PetscErrorCode CheckFlag(void)
{
  return GSOptionsCheckBool(PETSC_COMM_WORLD, "-gs_test");
}

static void test_integers(void **state)
{
  char limit[32], past[32];
  (void)state;
  snprintf(limit, sizeof(limit), "%lld", (long long)PETSC_MAX_INT);
  snprintf(past, sizeof(past), "%lld", (long long)PETSC_MAX_INT + 1);
  assert_false(Refused("0", CheckCount));
  assert_false(Refused("+7", CheckCount));
  assert_false(Refused(limit, CheckCount));
  assert_true(Refused(past, CheckCount));
  assert_true(Refused("4294967346", CheckCount)); /* wraps to 50 in a 32-bit int */
  assert_true(Refused("99999999999999999999", CheckCount));
  assert_true(Refused("-1", CheckCount));
  assert_true(Refused("2.5", CheckCount));
  assert_true(Refused("1e3", CheckCount));
  assert_true(Refused("abc", CheckCount));
  assert_true(Refused("", CheckCount));
}

static void test_reals(void **state)
{
  (void)state;
  assert_false(Refused("-1e300", CheckReal));
  assert_false(Refused("0.5", CheckReal));
  assert_true(Refused("inf", CheckReal));
  assert_true(Refused("-inf", CheckReal));
  assert_true(Refused("nan", CheckReal));
  assert_true(Refused("1e999", CheckReal));
  assert_true(Refused("1.5.2", CheckReal));
  assert_true(Refused("abc", CheckReal));
  assert_true(Refused("", CheckReal));
}

static void test_lists(void **state)
{
  (void)state;
  assert_false(Refused("0.1", CheckPair));
  assert_false(Refused("0.1,0.2", CheckPair));
  assert_true(Refused("0.1,0.2,0.3", CheckPair));
  assert_true(Refused("0.1,,0.2", CheckPair));
  assert_true(Refused("0.1,", CheckPair));
  assert_true(Refused("inf,0.2", CheckPair));
  assert_true(Refused("", CheckPair));
  assert_false(Refused("1,2,3,4", CheckFour));
  assert_true(Refused("1,2,3", CheckFour));
  assert_true(Refused("1,2,3,4,5", CheckFour));
  assert_true(Refused("1,2,3,4.5", CheckFour));
  assert_true(Refused("1,2,3,4294967296", CheckFour));
  assert_false(Refused("F,k", CheckWords));
  assert_true(Refused("F,k,Du", CheckWords));
  assert_true(Refused("F,", CheckWords));
}

static void test_names(void **state)
{
  (void)state;
  assert_false(Refused("tao", CheckChoice));
  assert_false(Refused("SGD", CheckChoice));
  assert_true(Refused("adam", CheckChoice));
  assert_true(Refused("GSChoice", CheckChoice));
  assert_true(Refused("", CheckChoice));
  assert_false(Refused("", CheckFlag));
  assert_false(Refused("yes", CheckFlag));
  assert_false(Refused("0", CheckFlag));
  assert_true(Refused("maybe", CheckFlag));
  assert_true(Refused("2", CheckFlag));
}

static void test_sizes(void **state)
{
  (void)state;
  assert_petsc(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  assert_int_equal(GSOptionsCheckSize(PETSC_COMM_WORLD, "-gs_test", 1000, sizeof(double), PETSC_MAX_INT), 0);
  assert_int_equal(GSOptionsCheckSize(PETSC_COMM_WORLD, "-gs_test", (PetscInt64)PETSC_MAX_INT + 1, 1, PETSC_MAX_INT), PETSC_ERR_USER_INPUT);
  assert_int_equal(GSOptionsCheckSize(PETSC_COMM_WORLD, "-gs_test", (PetscInt64)1 << 60, sizeof(double), INT64_MAX), PETSC_ERR_USER_INPUT);
  assert_petsc(PetscPopErrorHandler());
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_integers), cmocka_unit_test(test_reals), cmocka_unit_test(test_lists),
    cmocka_unit_test(test_names),    cmocka_unit_test(test_sizes),
  };
  if (GSTestInitialize(&argc, &argv)) return 1;
  return GSTestFinalize(cmocka_run_group_tests(tests, NULL, NULL));
}
