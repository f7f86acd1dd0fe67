/* The jitter buffer's size, learnt from the link (see lx-jitter-sizing.h). */
#include "lx-jitter-sizing.h"

#define LOSSY_LINK_BUFFER_MS 200
#define LOSSY_LINK_GROWTH_MS 50
#define CLEAN_LINK_AFTER_US (30 * G_USEC_PER_SEC)
#define GROWTH_STEP_MS 40

gint
lx_jitter_sizing_update (LxJitterSizing *sizing, gint64 now_us, gboolean packets_lost,
                         gboolean repair_failed, gboolean growing, gboolean *more_steps)
{
  gboolean lossy;
  gint target;

  *more_steps = FALSE;
  if (packets_lost)
    sizing->last_loss_us = now_us;
  lossy = sizing->last_loss_us && now_us - sizing->last_loss_us < CLEAN_LINK_AFTER_US;
  if (!lossy || sizing->lossy_ms == 0)
    sizing->lossy_ms = LOSSY_LINK_BUFFER_MS;
  else if (repair_failed && sizing->current_ms >= sizing->lossy_ms)
    sizing->lossy_ms =
        MIN (sizing->lossy_ms + LOSSY_LINK_GROWTH_MS, MAX (sizing->max_ms, LOSSY_LINK_BUFFER_MS));
  target = lossy ? MIN (sizing->max_ms, MAX (sizing->min_ms, sizing->lossy_ms)) : sizing->min_ms;
  sizing->target_ms = target;
  if (target == sizing->current_ms || (target > sizing->current_ms && growing))
    return sizing->current_ms;
  sizing->current_ms =
      target > sizing->current_ms ? MIN (target, sizing->current_ms + GROWTH_STEP_MS) : target;
  *more_steps = sizing->current_ms != target;
  return sizing->current_ms;
}
