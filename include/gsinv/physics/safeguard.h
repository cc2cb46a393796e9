/* The paper's SGD learning-rate safeguard (docs/model.md section 8) as a small state machine. */
#pragma once

/* Per iteration: try the step at the base rate; while a trial forward run is invalid, multiply
   the rate by `shrink` (0.1) up to max_shrink (4) times; if all of those fail, restart from the
   base rate and multiply by `grow` (1.2) up to max_grow (4) times; if those fail too, stop. */
typedef struct {
  double base_lr, lr, shrink, grow;
  int    max_shrink, max_grow;
  int    shrinks, grows; /* retries made in each phase this iteration */
  int    tries;          /* trial runs this iteration */
} GSSafeguard;

typedef enum { GS_SAFEGUARD_ACCEPT = 0, GS_SAFEGUARD_RETRY = 1, GS_SAFEGUARD_EXHAUSTED = 2 } GSSafeguardAction;

/* The paper's constants around base_lr. */
GSSafeguard GSSafeguardDefault(double base_lr);

/* Starts an iteration: lr = base_lr. */
void GSSafeguardBegin(GSSafeguard *s);

/* Takes the outcome of the trial run at s->lr: accept it, retry at the new s->lr, or stop. */
GSSafeguardAction GSSafeguardReport(GSSafeguard *s, int trial_valid);
