/* The SGD safeguard against scripted sequences of valid and invalid trial runs. */
#include "gsinv/physics/safeguard.h"
#include "testing.h"

/* Feeds outcomes until the safeguard accepts or gives up; records the rates tried. */
static GSSafeguardAction Play(GSSafeguard *s, const int *outcomes, int n, double *rates, int *ntried)
{
  GSSafeguardAction a = GS_SAFEGUARD_RETRY;
  GSSafeguardBegin(s);
  for (*ntried = 0; *ntried < n && a == GS_SAFEGUARD_RETRY; (*ntried)++) {
    rates[*ntried] = s->lr;
    a              = GSSafeguardReport(s, outcomes[*ntried]);
  }
  return a;
}

static void test_accept_first(void **state)
{
  (void)state;
  GSSafeguard s    = GSSafeguardDefault(1e-4);
  int         ok[] = {1}, n;
  double      rates[16];
  assert_int_equal(Play(&s, ok, 1, rates, &n), GS_SAFEGUARD_ACCEPT);
  assert_int_equal(n, 1);
  assert_close(rates[0], 1e-4, 0, 0);
}

/* Two invalid trials: 1e-4, 1e-5 fail, 1e-6 accepted. */
static void test_shrink(void **state)
{
  (void)state;
  GSSafeguard s     = GSSafeguardDefault(1e-4);
  int         seq[] = {0, 0, 1}, n;
  double      rates[16];
  assert_int_equal(Play(&s, seq, 3, rates, &n), GS_SAFEGUARD_ACCEPT);
  assert_int_equal(n, 3);
  assert_close(rates[1], 1e-5, 1e-12, 0);
  assert_close(rates[2], 1e-6, 1e-12, 0);
}

/* Five failures (base + 4 shrinks) move to the grow phase: base * 1.2, then * 1.2 ... */
static void test_grow_after_shrinks(void **state)
{
  (void)state;
  GSSafeguard s     = GSSafeguardDefault(1e-4);
  int         seq[] = {0, 0, 0, 0, 0, 0, 1}, n;
  double      rates[16];
  assert_int_equal(Play(&s, seq, 7, rates, &n), GS_SAFEGUARD_ACCEPT);
  assert_int_equal(n, 7);
  assert_close(rates[4], 1e-8, 1e-12, 0);
  assert_close(rates[5], 1.2e-4, 1e-12, 0);
  assert_close(rates[6], 1.44e-4, 1e-12, 0);
}

/* Everything invalid: 1 + 4 shrinks + 4 grows = 9 trials, then stop. */
static void test_exhausted(void **state)
{
  (void)state;
  GSSafeguard s       = GSSafeguardDefault(1e-4);
  int         seq[16] = {0}, n;
  double      rates[16];
  assert_int_equal(Play(&s, seq, 16, rates, &n), GS_SAFEGUARD_EXHAUSTED);
  assert_int_equal(n, 9);
  assert_close(rates[8], 1e-4 * 1.2 * 1.2 * 1.2 * 1.2, 1e-12, 0);
  /* A new iteration starts again from the base rate. */
  int ok[] = {1};
  assert_int_equal(Play(&s, ok, 1, rates, &n), GS_SAFEGUARD_ACCEPT);
  assert_close(rates[0], 1e-4, 0, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_accept_first),
    cmocka_unit_test(test_shrink),
    cmocka_unit_test(test_grow_after_shrinks),
    cmocka_unit_test(test_exhausted),
  };
  return cmocka_run_group_tests_name("safeguard", tests, NULL, NULL);
}
