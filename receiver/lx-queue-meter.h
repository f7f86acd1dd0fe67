/* How long a queue somewhere on the classroom's link holds the lesson's packets — seen before it
 * overflows and drops them. The sound's packets leave the sender evenly, every 20 ms, each stamped
 * with when it was captured (its RTP timestamp); the time each arrives here, less that stamp, is
 * the one-way delay plus a constant (the two clocks' offset). Its least value over the last 30 s
 * is the line's own delay; how far the least value of the last moments stands above it is what a
 * queue adds now: over 100 ms, a queue building up is seen at once (a keyframe's burst too,
 * briefly); over 500 ms, only a queue that stays. Audio rides the same bundled connection, in the
 * same queues, as the video.
 *
 * The estimator is pure (fed arrival times, so it can be tested with made-up packets); attached to
 * an RTP session's input it is fed by a pad probe on a streaming thread and read on the main
 * context (it locks). */
#pragma once

#include <gst/gst.h>

typedef struct _LxQueueMeter LxQueueMeter;

LxQueueMeter *lx_queue_meter_new (void);
void lx_queue_meter_free (LxQueueMeter *meter);

/* A packet of @ssrc (a stream at @clock_rate Hz) stamped @rtp_timestamp arrived at @arrival_us
 * (monotonic). A new SSRC starts afresh. */
void lx_queue_meter_add (LxQueueMeter *meter, guint32 ssrc, guint32 rtp_timestamp, guint clock_rate,
                         gint64 arrival_us);

/* The queueing delay at @now_us in milliseconds (0: none): the least of the packets of the last
 * @window_ms (at most 500), or -1 if none arrived then. */
gint lx_queue_meter_read (LxQueueMeter *meter, gint64 now_us, gint window_ms);

/* Feeds @meter the packets of the SSRCs in @audio_ssrcs (Opus, 48 kHz) passing @pad (an RTP
 * session's input). @meter and @audio_ssrcs (read only, once media flows) must outlive the pad's
 * streaming. */
void lx_queue_meter_attach (LxQueueMeter *meter, GstPad *pad, GHashTable *audio_ssrcs);
