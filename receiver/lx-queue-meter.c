/* The queue on the link, from the sound's one-way delay (see lx-queue-meter.h). */
#include "lx-queue-meter.h"

#include "lx-packet-probe.h"

#include <gst/rtp/rtp.h>

#define BUCKET_US G_USEC_PER_SEC /* the line's own delay: least delay per second ... */
#define N_BUCKETS 30             /* ... over the last 30 s */
#define N_RECENT 64              /* the last packets: room for 500 ms at 20 ms, and bursts */

typedef struct {
  gint64 arrival_us;
  gint64 delay_us;
} Arrival;

struct _LxQueueMeter {
  GMutex lock;
  guint32 ssrc;
  gboolean started;
  guint64 last_timestamp; /* unwrapped */
  gint64 bucket_least[N_BUCKETS];
  gint64 bucket_start[N_BUCKETS]; /* arrival_us / BUCKET_US of what the bucket holds; -1 empty */
  Arrival recent[N_RECENT];
  guint n_recent, next_recent;
};

static void
reset (LxQueueMeter *meter, guint32 ssrc)
{
  meter->ssrc = ssrc;
  meter->started = FALSE;
  meter->n_recent = meter->next_recent = 0;
  for (guint i = 0; i < N_BUCKETS; i++)
    meter->bucket_start[i] = -1;
}

LxQueueMeter *
lx_queue_meter_new (void)
{
  LxQueueMeter *meter = g_new0 (LxQueueMeter, 1);

  g_mutex_init (&meter->lock);
  reset (meter, 0);
  return meter;
}

void
lx_queue_meter_free (LxQueueMeter *meter)
{
  if (meter == NULL)
    return;
  g_mutex_clear (&meter->lock);
  g_free (meter);
}

/* The 32-bit RTP timestamp, extended to 64 bits near the last one. */
static guint64
unwrap (LxQueueMeter *meter, guint32 timestamp)
{
  guint64 extended = (meter->last_timestamp & ~G_GUINT64_CONSTANT (0xffffffff)) | timestamp;

  if (!meter->started)
    return G_GUINT64_CONSTANT (1) << 32 | timestamp; /* room to step back */
  if (extended + G_GUINT64_CONSTANT (0x80000000) < meter->last_timestamp)
    extended += G_GUINT64_CONSTANT (1) << 32;
  else if (extended > meter->last_timestamp + G_GUINT64_CONSTANT (0x80000000))
    extended -= G_GUINT64_CONSTANT (1) << 32;
  return extended;
}

void
lx_queue_meter_add (LxQueueMeter *meter, guint32 ssrc, guint32 rtp_timestamp, guint clock_rate,
                    gint64 arrival_us)
{
  guint64 timestamp;
  gint64 delay_us, bucket;
  guint slot;

  if (clock_rate == 0)
    return;
  g_mutex_lock (&meter->lock);
  if (!meter->started || ssrc != meter->ssrc)
    reset (meter, ssrc);
  timestamp = unwrap (meter, rtp_timestamp);
  if (!meter->started || timestamp > meter->last_timestamp)
    meter->last_timestamp = timestamp;
  meter->started = TRUE;
  delay_us = arrival_us - (gint64) (timestamp * G_USEC_PER_SEC / clock_rate);

  bucket = arrival_us / BUCKET_US;
  slot = (guint) (bucket % N_BUCKETS);
  if (meter->bucket_start[slot] != bucket) {
    meter->bucket_start[slot] = bucket;
    meter->bucket_least[slot] = delay_us;
  } else if (delay_us < meter->bucket_least[slot]) {
    meter->bucket_least[slot] = delay_us;
  }
  meter->recent[meter->next_recent] = (Arrival){ arrival_us, delay_us };
  meter->next_recent = (meter->next_recent + 1) % N_RECENT;
  meter->n_recent = MIN (meter->n_recent + 1, N_RECENT);
  g_mutex_unlock (&meter->lock);
}

gint
lx_queue_meter_read (LxQueueMeter *meter, gint64 now_us, gint window_ms)
{
  gint64 line = G_MAXINT64, now = G_MAXINT64;
  gint64 newest_bucket = now_us / BUCKET_US;

  g_mutex_lock (&meter->lock);
  for (guint i = 0; i < meter->n_recent; i++)
    if (now_us - meter->recent[i].arrival_us <= window_ms * 1000)
      now = MIN (now, meter->recent[i].delay_us);
  for (guint i = 0; i < N_BUCKETS; i++)
    if (meter->bucket_start[i] >= 0 && newest_bucket - meter->bucket_start[i] < N_BUCKETS)
      line = MIN (line, meter->bucket_least[i]);
  g_mutex_unlock (&meter->lock);
  if (now == G_MAXINT64 || line == G_MAXINT64)
    return -1;
  return (gint) (MAX (now - line, 0) / 1000);
}

typedef struct {
  LxQueueMeter *meter;
  GHashTable *audio_ssrcs;
} Feed;

static void
feed_packet (gpointer data, GstBuffer *buffer)
{
  Feed *feed = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint32 ssrc, timestamp;

  if (!gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return;
  ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  timestamp = gst_rtp_buffer_get_timestamp (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  if (g_hash_table_contains (feed->audio_ssrcs, GUINT_TO_POINTER (ssrc)))
    lx_queue_meter_add (feed->meter, ssrc, timestamp, 48000, g_get_monotonic_time ());
}

void
lx_queue_meter_attach (LxQueueMeter *meter, GstPad *pad, GHashTable *audio_ssrcs)
{
  Feed *feed = g_new0 (Feed, 1);

  feed->meter = meter;
  feed->audio_ssrcs = audio_ssrcs;
  lx_packet_probe_add (pad, feed_packet, feed, g_free);
}
