/* The latency stamp (see lx-latency-stamp.h). */
#include "lx-latency-stamp.h"

#include <string.h>

#define BLOCKS_PER_ROW 32
#define TIME_BITS 48
#define LUMA_BLACK 16
#define LUMA_WHITE 235

static guint
block_size (gint width)
{
  return (guint) width / 80;
}

static gboolean
fits (const GstVideoFrame *frame, guint block)
{
  return block >= 2 && GST_VIDEO_FRAME_HEIGHT (frame) >= (gint) (2 * block) &&
         GST_VIDEO_INFO_IS_YUV (&frame->info);
}

/* A 16-bit check of the time bits: an ordinary picture almost never matches it by chance. */
static guint16
check_bits (guint64 time_bits)
{
  guint64 folded = time_bits ^ (time_bits >> 16) ^ (time_bits >> 32) ^ 0x5a3c;
  return (guint16) ((folded * 0x9e37) >> 7);
}

static guint64
encode (gint64 time_ms)
{
  guint64 time_bits = (guint64) time_ms & ((G_GUINT64_CONSTANT (1) << TIME_BITS) - 1);
  return (time_bits << 16) | check_bits (time_bits);
}

gboolean
lx_latency_stamp_write (GstVideoFrame *frame, gint64 time_ms)
{
  guint block = block_size (GST_VIDEO_FRAME_WIDTH (frame));
  guint8 *luma = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
  gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  guint64 code = encode (time_ms);

  if (!fits (frame, block))
    return FALSE;
  for (guint bit = 0; bit < LX_LATENCY_STAMP_BITS; bit++) {
    guint8 value = (code >> (LX_LATENCY_STAMP_BITS - 1 - bit)) & 1 ? LUMA_WHITE : LUMA_BLACK;
    guint x0 = (bit % BLOCKS_PER_ROW) * block, y0 = (bit / BLOCKS_PER_ROW) * block;
    for (guint y = y0; y < y0 + block; y++)
      memset (luma + (gsize) y * stride + x0, value, block);
  }
  return TRUE;
}

gboolean
lx_latency_stamp_read (const GstVideoFrame *frame, gint64 *time_ms)
{
  guint block = block_size (GST_VIDEO_FRAME_WIDTH (frame));
  const guint8 *luma = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
  gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  guint64 code = 0, time_bits;
  /* Only each block's middle half is read: compression blurs the edges. */
  guint margin = block / 4, inner = MAX (block / 2, 1);

  if (!fits (frame, block))
    return FALSE;
  for (guint bit = 0; bit < LX_LATENCY_STAMP_BITS; bit++) {
    guint x0 = (bit % BLOCKS_PER_ROW) * block + margin,
          y0 = (bit / BLOCKS_PER_ROW) * block + margin;
    guint sum = 0;
    for (guint y = y0; y < y0 + inner; y++)
      for (guint x = x0; x < x0 + inner; x++)
        sum += luma[(gsize) y * stride + x];
    code = (code << 1) | (sum / (inner * inner) > (LUMA_BLACK + LUMA_WHITE) / 2);
  }
  time_bits = code >> 16;
  if (check_bits (time_bits) != (code & 0xffff))
    return FALSE;
  *time_ms = (gint64) time_bits;
  return TRUE;
}
