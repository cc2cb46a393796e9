/* Checkpoint schedules for the adjoint: the binomial (Revolve) reversal of n steps with s state slots,
   its cost in closed form, and the online thinning used when n is not known in advance. Plain C. */
#pragma once

#include <stdint.h>

/* beta(s, t) = (s + t)! / (s! t!), saturated at INT64_MAX. */
int64_t GSBinomial(int64_t s, int64_t t);

/* The repetition number: the least t >= 0 with beta(slots, t) >= steps (slots >= 1). */
int64_t GSRevolveRepetitions(int64_t steps, int64_t slots);

/* The least number of forward steps that reversing `steps` steps takes with `slots` state slots, one
   of which holds the first state (Griewank and Walther): t steps - beta(slots + 1, t - 1), t the
   repetition number. It counts the advances that place the checkpoints, not the last forward step
   to x_steps that the loss needs. */
int64_t GSRevolveCost(int64_t steps, int64_t slots);

/* The first checkpoint of an optimal schedule of `steps` >= 2 steps with `slots` >= 2 slots, as a
   distance from the first state: in [1, steps - 1]. */
int64_t GSRevolveSplit(int64_t steps, int64_t slots);

/* What a schedule asks of the code that holds the states. Each returns 0 or an error code, which
   ends the schedule and is passed on. */
typedef struct {
  int (*restore)(void *ctx, int slot);                         /* current state := slot */
  int (*store)(void *ctx, int slot);                           /* slot := current state */
  int (*advance)(void *ctx, int64_t from_step, int64_t count); /* current state x_from moves count steps */
  int (*reverse)(void *ctx, int64_t step);                     /* current state is x_step: adjoint of step `step` */
  void *ctx;
} GSCheckpointActions;

/* The checkpoints an optimal schedule stores on the forward run through `steps` steps with `slots`
   slots (slot 0 holds x_0): at steps chain[0] < chain[1] < ... into slots 1, 2, ...; returns how
   many (at most slots - 1 and at most `capacity`). */
int GSRevolveChain(int64_t steps, int slots, int64_t chain[], int capacity);

/* After a forward run that stored x_0 in slot 0 and x_chain[j] in slot j + 1 (GSRevolveChain),
   reverses every step, last first, with the least recomputation. Returns the first nonzero code. */
int GSRevolveReverseChain(const GSCheckpointActions *actions, int64_t steps, int slots, const int64_t chain[], int nchain);

/* Reverses steps [first, last) from x_first held in slot `slot`, using slots slot + 1 ... slot + free
   as scratch. Returns the first nonzero code of the actions. */
int GSRevolveReverse(const GSCheckpointActions *actions, int64_t first, int64_t last, int slot, int free_slots);

/* Online thinning for runs whose length is not known in advance: states are kept every `stride`
   steps in slots 0, 1, ...; when all `slots` are full the stride doubles and every other state is
   dropped (slot i takes slot 2i). */
typedef struct {
  int64_t stride;
  int     used, slots;
} GSOnlineCheckpoints;

void GSOnlineCheckpointsInit(GSOnlineCheckpoints *o, int slots);
/* Whether x_step (steps reached in order 0, 1, 2, ...) is kept, and in which slot; *thin says the
   caller must first move slot 2i to slot i for i < slots / 2 (then the slot returned is valid). */
int GSOnlineCheckpointsStep(GSOnlineCheckpoints *o, int64_t step, int *slot, int *thin);

/* After an online forward run of `steps` steps: reverses every step, interval by interval from the
   last, each with the Revolve schedule and the slots the later intervals no longer need. */
int GSOnlineReverse(const GSCheckpointActions *actions, const GSOnlineCheckpoints *o, int64_t steps);
