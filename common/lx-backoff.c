/* Retry waits (see lx-backoff.h). */
#include "lx-backoff.h"

guint
lx_backoff_next_ms (LxBackoff *backoff)
{
  guint64 base = backoff->first_ms;
  guint64 spread;

  for (guint i = 0; i < backoff->attempts && base < backoff->last_ms; i++)
    base *= 2;
  base = MIN (base, (guint64) MAX (backoff->last_ms, backoff->first_ms));
  backoff->attempts = MIN (backoff->attempts + 1, 64u);
  spread = base * MIN (backoff->spread_percent, 100u) / 100;
  if (spread == 0)
    return (guint) base;
  return (guint) (base - spread +
                  (backoff->rand ? g_rand_int_range (backoff->rand, 0, (gint32) (2 * spread + 1))
                                 : g_random_int_range (0, (gint32) (2 * spread + 1))));
}

void
lx_backoff_reset (LxBackoff *backoff)
{
  backoff->attempts = 0;
}
