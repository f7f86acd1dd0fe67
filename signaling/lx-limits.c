/* The per-connection message rate (see lx-limits.h). */
#include "lx-limits.h"

#define BURST_SECONDS 5

LxRateVerdict
lx_rate_bucket_take (LxRateBucket *bucket, gint rate, gint64 now_us)
{
  gdouble capacity = (gdouble) rate * BURST_SECONDS;

  if (bucket->last_us == 0)
    bucket->tokens = capacity; /* a new connection starts with a full burst */
  else
    bucket->tokens = MIN (capacity, bucket->tokens + (gdouble) (now_us - bucket->last_us) * rate /
                                                         G_USEC_PER_SEC);
  bucket->last_us = now_us;
  if (bucket->tokens >= 1) {
    bucket->tokens -= 1;
    return LX_RATE_OK;
  }
  if (now_us - bucket->second_us >= G_USEC_PER_SEC) {
    bucket->second_us = now_us;
    bucket->refused_this_second = 0;
  }
  return ++bucket->refused_this_second > (guint) rate ? LX_RATE_FLOOD : LX_RATE_REFUSED;
}
