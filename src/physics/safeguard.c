/* SGD learning-rate safeguard: shrink on invalid trial runs, then grow, then give up. */
#include "gsinv/physics/safeguard.h"

GSSafeguard GSSafeguardDefault(double base_lr)
{
  GSSafeguard s = {base_lr, base_lr, 0.1, 1.2, 4, 4, 0, 0, 0};
  return s;
}

void GSSafeguardBegin(GSSafeguard *s)
{
  s->lr      = s->base_lr;
  s->shrinks = s->grows = s->tries = 0;
}

GSSafeguardAction GSSafeguardReport(GSSafeguard *s, int trial_valid)
{
  s->tries++;
  if (trial_valid) return GS_SAFEGUARD_ACCEPT;
  if (s->shrinks < s->max_shrink) {
    s->shrinks++;
    s->lr *= s->shrink;
    return GS_SAFEGUARD_RETRY;
  }
  if (s->grows < s->max_grow) {
    s->lr = (s->grows == 0 ? s->base_lr : s->lr) * s->grow;
    s->grows++;
    return GS_SAFEGUARD_RETRY;
  }
  return GS_SAFEGUARD_EXHAUSTED;
}
