/* The media watchdog's judgement (see lx-media-watch.h). */
#include "lx-media-watch.h"

/* Without any packet this long, the "reconnecting" card instead of a frozen picture. */
#define MEDIA_SILENCE_CARD_US (2 * G_USEC_PER_SEC)
/* Sound but no new picture this long: the sender paused this classroom's video (its link cannot
 * carry even the cheapest layer). */
#define VIDEO_SILENCE_CARD_US (2 * G_USEC_PER_SEC)
/* How much longer than media-timeout-s a session may take to set up. */
#define SETTING_UP_TIMEOUT_FACTOR 3
/* A card goes once pictures flow again (half a second of them), not for a stray frame or two. */
#define CARD_OFF_FRAMES 15

void
lx_media_watch_session_started (LxMediaWatch *watch, gint64 now_us)
{
  watch->media_seen_us = watch->frames_seen_us = now_us;
}

void
lx_media_watch_card_shown (LxMediaWatch *watch, guint64 frames)
{
  watch->card_frames_mark = frames;
}

LxWatchVerdict
lx_media_watch_look (LxMediaWatch *watch, gint64 now_us, guint64 bytes, guint64 frames,
                     gboolean in_session, gboolean packets_yet, gint64 path_up_us,
                     const char *failure, gboolean card_shown)
{
  gint64 timeout_us = watch->timeout_us * (packets_yet ? 1 : SETTING_UP_TIMEOUT_FACTOR);
  /* ICE connected media-timeout-s ago and still no packet: the DTLS handshake lost a flight and
   * waits on a timer that doubles (4, 8, 16 s); a new one is sooner. */
  gboolean handshake_stuck =
      !packets_yet && path_up_us > 0 && now_us - path_up_us >= watch->timeout_us;

  if (bytes != watch->bytes)
    watch->media_seen_us = now_us;
  if (frames != watch->frames)
    watch->frames_seen_us = now_us;
  watch->bytes = bytes;
  watch->frames = frames;
  if (!in_session)
    return LX_WATCH_CARRY_ON; /* between lessons, or waiting for the teacher: other cards */
  if (failure || handshake_stuck || now_us - watch->media_seen_us >= timeout_us) {
    if (watch->negotiated_us != 0 && now_us - watch->negotiated_us < timeout_us)
      return LX_WATCH_CARRY_ON; /* negotiating already: give it its time */
    watch->negotiated_us = now_us;
    return LX_WATCH_NEGOTIATE;
  }
  if (now_us - watch->media_seen_us >= MEDIA_SILENCE_CARD_US)
    return LX_WATCH_RECONNECTING;
  if (now_us - watch->frames_seen_us >= VIDEO_SILENCE_CARD_US && frames > 0)
    return LX_WATCH_VIDEO_PAUSED;
  if (card_shown && frames >= watch->card_frames_mark + CARD_OFF_FRAMES)
    return LX_WATCH_PICTURES_BACK;
  return LX_WATCH_CARRY_ON;
}
