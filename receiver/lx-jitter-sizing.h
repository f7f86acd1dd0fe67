/* How much the classroom's jitter buffers hold, learnt from the link, on its own so it is tested
 * with a fake clock. On a clean link they hold as little as configured; once packets go missing
 * they hold enough for a retransmission to arrive (a NACK rides on the next RTCP packet, up to
 * ~100 ms away, then a round trip): 200 ms at first, more each time packets are given up on all
 * the same (a long round trip, a lost NACK), up to the configured cap; back to the minimum after
 * a clean half minute. It grows in steps of 40 ms a quarter second apart: each holds the picture
 * back once by the step (a hitch shorter than a freeze), where one jump to the full size would
 * freeze it for the whole difference. */
#pragma once

#include <glib.h>

/* While growing, the next step comes this long after the last. */
#define LX_JITTER_STEP_INTERVAL_MS 250

typedef struct {
  gint min_ms, max_ms; /* configured: jitter-buffer-ms, jitter-buffer-max-ms */
  gint current_ms;     /* what the jitter buffers hold now */
  gint lossy_ms;       /* what a lossy link needs, as learnt; 0 unknown */
  gint64 last_loss_us; /* monotonic: packets were last lost, 0 never */
  gint target_ms;      /* what the steps lead to: the size held within the next second */
} LxJitterSizing;

#define LX_JITTER_SIZING_INIT(min_ms, max_ms)                                                      \
  {                                                                                                \
    (min_ms), (max_ms), (min_ms), 0, 0, (min_ms)                                                   \
  }

/* What the link showed at @now_us: @packets_lost since the last call, @repair_failed: video
 * packets given up on although the link is known to be lossy. @growing: a step is already
 * scheduled (the next one comes on time). Returns the size to hold now (the current size when
 * nothing changes) and makes it current; *@more_steps: the target is not reached yet, call again
 * in LX_JITTER_STEP_INTERVAL_MS. */
gint lx_jitter_sizing_update (LxJitterSizing *sizing, gint64 now_us, gboolean packets_lost,
                              gboolean repair_failed, gboolean growing, gboolean *more_steps);
