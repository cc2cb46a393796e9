/* Checkpoint schedules: the closed-form cost against a brute-force optimum, and every schedule run on
   a mock state store that checks each step is reversed once, in order, from the right state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gsinv/gradient/checkpoint_schedule.h"
#include "testing.h"

/* The least advances for reversing n steps from x_0 with s slots, by trying every first checkpoint. */
static int64_t BruteCost(int n, int s, int64_t *memo, int width)
{
  int64_t *m = &memo[n * width + s], best = INT64_MAX;

  if (n <= 1) return 0;
  if (s == 1) return (int64_t)n * (n - 1) / 2;
  if (*m >= 0) return *m;
  for (int first = 1; first < n; first++) {
    const int64_t c = first + BruteCost(n - first, s - 1, memo, width) + BruteCost(first, s, memo, width);
    if (c < best) best = c;
  }
  return *m = best;
}

/* A state store that holds step numbers instead of states. */
typedef struct {
  int64_t slot[64];
  int     slots;
  int64_t current, next_reverse, advances;
} Mock;

static int Restore(void *ctx, int slot)
{
  Mock *m = ctx;
  if (slot < 0 || slot >= m->slots || m->slot[slot] < 0) return 1;
  m->current = m->slot[slot];
  return 0;
}

static int Store(void *ctx, int slot)
{
  Mock *m = ctx;
  if (slot < 0 || slot >= m->slots) return 2;
  m->slot[slot] = m->current;
  return 0;
}

static int Advance(void *ctx, int64_t from, int64_t count)
{
  Mock *m = ctx;
  if (m->current != from || count < 1) return 3;
  m->current += count;
  m->advances += count;
  return 0;
}

static int Reverse(void *ctx, int64_t step)
{
  Mock *m = ctx;
  if (m->current != step || step != m->next_reverse) return 4;
  m->next_reverse--;
  return 0;
}

static GSCheckpointActions MockActions(Mock *m, int slots, int64_t steps)
{
  memset(m, 0, sizeof(*m));
  for (int i = 0; i < 64; i++) m->slot[i] = -1;
  m->slots        = slots;
  m->next_reverse = steps - 1;
  return (GSCheckpointActions){Restore, Store, Advance, Reverse, m};
}

static void test_binomial(void **state)
{
  (void)state;
  assert_int_equal(GSBinomial(2, 3), 10);
  assert_int_equal(GSBinomial(0, 7), 1);
  assert_int_equal(GSBinomial(-1, 3), 0);
  assert_int_equal(GSBinomial(26, 5), 169911);
  assert_true(GSBinomial(200, 200) == INT64_MAX);
  assert_int_equal(GSRevolveRepetitions(40000, 26), 5);
}

/* The closed form equals the brute-force optimum for every n <= 120 and s <= 7. */
static void test_cost_is_optimal(void **state)
{
  const int width = 8;
  int64_t  *memo  = malloc(sizeof(int64_t) * 121 * width);

  (void)state;
  for (int i = 0; i < 121 * width; i++) memo[i] = -1;
  for (int n = 1; n <= 120; n++)
    for (int s = 1; s < width; s++)
      if (GSRevolveCost(n, s) != BruteCost(n, s, memo, width))
        fail_msg("n %d s %d: closed form %lld, optimum %lld", n, s, (long long)GSRevolveCost(n, s), (long long)BruteCost(n, s, memo, width));
  free(memo);
}

/* The forward run's chain plus the reversal reverse every step in order, using only `slots` slots,
   with exactly the closed-form number of advances. */
static void test_chain_schedule(void **state)
{
  const int64_t table[][2] = {{1, 1},    {2, 1},     {7, 1},      {2, 2},     {10, 2},     {55, 3},  {100, 4},
                              {1000, 5}, {4096, 10}, {40000, 26}, {40000, 8}, {12345, 30}, {500, 60}};

  (void)state;
  for (size_t c = 0; c < sizeof(table) / sizeof(table[0]); c++) {
    const int64_t       steps = table[c][0];
    const int           slots = (int)table[c][1];
    int64_t             chain[64];
    Mock                m;
    GSCheckpointActions a = MockActions(&m, slots, steps);
    const int           n = GSRevolveChain(steps, slots, chain, 64);

    m.current = 0;
    assert_int_equal(Store(&m, 0), 0);
    for (int j = 0; j < n; j++) {
      assert_int_equal(Advance(&m, m.current, chain[j] - m.current), 0);
      assert_int_equal(Store(&m, j + 1), 0);
    }
    assert_int_equal(GSRevolveReverseChain(&a, steps, slots, chain, n), 0);
    assert_int_equal(m.next_reverse, -1);
    if (m.advances != GSRevolveCost(steps, slots))
      fail_msg("steps %lld slots %d: %lld advances, closed form %lld", (long long)steps, slots, (long long)m.advances,
               (long long)GSRevolveCost(steps, slots));
  }
}

/* Online thinning keeps at most `slots` states, evenly spaced, and its reversal is complete. */
static void test_online_schedule(void **state)
{
  const int64_t table[][2] = {{1, 1}, {5, 1}, {9, 2}, {100, 3}, {1000, 8}, {777, 9}, {40000, 26}};

  (void)state;
  for (size_t c = 0; c < sizeof(table) / sizeof(table[0]); c++) {
    const int64_t       steps = table[c][0];
    const int           slots = (int)table[c][1];
    GSOnlineCheckpoints o;
    Mock                m;
    GSCheckpointActions a = MockActions(&m, slots, steps);

    GSOnlineCheckpointsInit(&o, slots);
    for (int64_t k = 0; k < steps; k++) {
      int slot, thin;
      m.current = k;
      if (!GSOnlineCheckpointsStep(&o, k, &slot, &thin)) {
        if (thin)
          for (int i = 0; 2 * i < slots; i++) m.slot[i] = m.slot[2 * i];
        continue;
      }
      if (thin)
        for (int i = 0; 2 * i < slots; i++) m.slot[i] = m.slot[2 * i];
      assert_true(slot < slots);
      assert_int_equal(Store(&m, slot), 0);
      assert_int_equal(m.slot[slot], slot * o.stride);
    }
    for (int i = 0; i < o.used; i++) assert_int_equal(m.slot[i], i * o.stride);
    for (int i = o.used; i < slots; i++) m.slot[i] = -1;
    assert_true(o.used <= slots);
    assert_int_equal(GSOnlineReverse(&a, &o, steps), 0);
    assert_int_equal(m.next_reverse, -1);
    /* no worse than reversing each interval on its own with the slots that are left */
    assert_true(m.advances <= GSRevolveCost(steps, 1));
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_binomial),
    cmocka_unit_test(test_cost_is_optimal),
    cmocka_unit_test(test_chain_schedule),
    cmocka_unit_test(test_online_schedule),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
