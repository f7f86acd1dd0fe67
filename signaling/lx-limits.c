/* The per-connection message rate (see lx-limits.h). */
#include "lx-limits.h"

#define BURST_SECONDS 5

gboolean
lx_rate_bucket_allow (LxRateBucket *bucket, gdouble per_second, gdouble burst, gint64 now_us)
{
  if (bucket->last_us == 0)
    bucket->tokens = burst; /* a new connection starts with a full burst */
  else
    bucket->tokens = MIN (burst, bucket->tokens + (gdouble) (now_us - bucket->last_us) *
                                                      per_second / G_USEC_PER_SEC);
  bucket->last_us = now_us;
  if (bucket->tokens < 1)
    return FALSE;
  bucket->tokens -= 1;
  return TRUE;
}

LxRateVerdict
lx_rate_bucket_take (LxRateBucket *bucket, gint rate, gint64 now_us)
{
  if (lx_rate_bucket_allow (bucket, rate, (gdouble) rate * BURST_SECONDS, now_us))
    return LX_RATE_OK;
  if (now_us - bucket->second_us >= G_USEC_PER_SEC) {
    bucket->second_us = now_us;
    bucket->refused_this_second = 0;
  }
  return ++bucket->refused_this_second > (guint) rate ? LX_RATE_FLOOD : LX_RATE_REFUSED;
}
