/* Binomial (Revolve) checkpoint schedules and online thinning: which states to keep and when to
   recompute, for reversing a run under a fixed number of state slots. Plain C. */
#include <stdint.h>

#include "gsinv/gradient/checkpoint_schedule.h"

int64_t GSBinomial(int64_t s, int64_t t)
{
  int64_t b = 1;

  if (s < 0 || t < 0) return 0;
  if (s > t) {
    const int64_t swap = s;
    s = t, t = swap;
  }
  /* b = C(t + i, i) after step i; exact, since C(t + i, i) = C(t + i - 1, i - 1) (t + i) / i */
  for (int64_t i = 1; i <= s; i++) {
    if (b > INT64_MAX / (t + i)) return INT64_MAX;
    b = b * (t + i) / i;
  }
  return b;
}

int64_t GSRevolveRepetitions(int64_t steps, int64_t slots)
{
  int64_t t = 0;

  while (GSBinomial(slots, t) < steps) t++;
  return t;
}

int64_t GSRevolveCost(int64_t steps, int64_t slots)
{
  const int64_t t = GSRevolveRepetitions(steps, slots);

  return t > 0 ? t * steps - GSBinomial(slots + 1, t - 1) : 0;
}

/* Griewank and Walther's rule (their Revolve's choice of the next checkpoint), with every binomial
   written as beta(s, t) of the slots s and the repetition number t. */
int64_t GSRevolveSplit(int64_t steps, int64_t slots)
{
  const int64_t t     = GSRevolveRepetitions(steps, slots);
  const int64_t range = GSBinomial(slots, t);
  const int64_t b1 = GSBinomial(slots, t - 1), b2 = GSBinomial(slots - 1, t - 1);
  const int64_t b3 = slots > 1 ? GSBinomial(slots - 2, t - 1) : 0, b4 = GSBinomial(slots, t - 2);
  const int64_t b5 = slots > 2 ? GSBinomial(slots - 3, t) : 1;
  int64_t       m;

  if (steps <= b1 + b3) m = b4;
  else if (steps >= range - b5) m = b1;
  else m = steps - b2 - b3;
  return m < 1 ? 1 : (m > steps - 1 ? steps - 1 : m);
}

int GSRevolveReverse(const GSCheckpointActions *a, int64_t first, int64_t last, int slot, int free_slots)
{
  int err;

  if (last - first <= 0) return 0;
  if (last - first == 1) {
    if ((err = a->restore(a->ctx, slot))) return err;
    return a->reverse(a->ctx, first);
  }
  if (free_slots == 0) {
    for (int64_t step = last - 1; step >= first; step--) {
      if ((err = a->restore(a->ctx, slot))) return err;
      if (step > first && (err = a->advance(a->ctx, first, step - first))) return err;
      if ((err = a->reverse(a->ctx, step))) return err;
    }
    return 0;
  }
  {
    const int64_t m = first + GSRevolveSplit(last - first, free_slots + 1);
    if ((err = a->restore(a->ctx, slot))) return err;
    if ((err = a->advance(a->ctx, first, m - first))) return err;
    if ((err = a->store(a->ctx, slot + 1))) return err;
    if ((err = GSRevolveReverse(a, m, last, slot + 1, free_slots - 1))) return err;
    return GSRevolveReverse(a, first, m, slot, free_slots);
  }
}

int GSRevolveChain(int64_t steps, int slots, int64_t chain[], int capacity)
{
  int64_t first = 0;
  int     n     = 0;

  for (int free_slots = slots - 1; free_slots > 0 && steps - first > 1 && n < capacity; free_slots--) {
    first += GSRevolveSplit(steps - first, free_slots + 1);
    chain[n++] = first;
  }
  return n;
}

int GSRevolveReverseChain(const GSCheckpointActions *a, int64_t steps, int slots, const int64_t chain[], int nchain)
{
  int err;

  /* the recursion's right-most path was walked by the forward run; what is left of each level is its
     last piece, then the left parts from the innermost level out */
  if ((err = GSRevolveReverse(a, nchain ? chain[nchain - 1] : 0, steps, nchain, slots - 1 - nchain))) return err;
  for (int j = nchain - 1; j >= 0; j--)
    if ((err = GSRevolveReverse(a, j ? chain[j - 1] : 0, chain[j], j, slots - 1 - j))) return err;
  return 0;
}

void GSOnlineCheckpointsInit(GSOnlineCheckpoints *o, int slots)
{
  o->stride = 1;
  o->used   = 0;
  o->slots  = slots;
}

int GSOnlineCheckpointsStep(GSOnlineCheckpoints *o, int64_t step, int *slot, int *thin)
{
  *thin = 0;
  if (step % o->stride) return 0;
  if (step / o->stride >= o->slots) {
    if (o->slots < 2) return 0;
    o->stride *= 2;
    o->used = (o->slots - 1) / 2 + 1;
    *thin   = 1;
    if (step % o->stride) return 0;
  }
  *slot   = (int)(step / o->stride);
  o->used = *slot + 1;
  return 1;
}

int GSOnlineReverse(const GSCheckpointActions *a, const GSOnlineCheckpoints *o, int64_t steps)
{
  int err;

  for (int i = o->used - 1; i >= 0; i--) {
    const int64_t first = i * o->stride, last = i == o->used - 1 ? steps : (i + 1) * o->stride;
    if ((err = GSRevolveReverse(a, first, last, i, o->slots - 1 - i))) return err;
  }
  return 0;
}
