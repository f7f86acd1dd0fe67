/* The media watchdog's judgement, on its own so it is tested with a fake clock: twice a second it
 * looks at what arrived and says what the classroom must do so it never shows a frozen picture.
 * - No packet for a moment: the "reconnecting" card (a brief dropout or an ICE "disconnected" is
 *   ridden out behind it).
 * - The session dead, or still nothing after media-timeout-s: negotiate afresh (join again as a
 *   newcomer, or a new WHEP offer), and again every media-timeout-s while nothing comes. A session
 *   that has had no packet yet is still setting up and gets three times as long: on a lossy link
 *   each lost ICE or DTLS packet waits for a retransmission timer (1 s, then 2, 4 …), and starting
 *   again would only start that wait over — but once ICE has connected, only the DTLS handshake
 *   is left, and one still unfinished media-timeout-s later waits on a doubled timer (8, 16 s):
 *   a new session is sooner.
 * - Sound without pictures: the sender paused this classroom's video; a card says so.
 * - Pictures flowing again under a card (half a second of them): the card goes. */
#pragma once

#include <glib.h>

typedef enum {
  LX_WATCH_CARRY_ON,      /* nothing to change */
  LX_WATCH_RECONNECTING,  /* show the "reconnecting" card */
  LX_WATCH_NEGOTIATE,     /* end the session and negotiate a new one */
  LX_WATCH_VIDEO_PAUSED,  /* show the "video paused" card */
  LX_WATCH_PICTURES_BACK, /* hide the card */
} LxWatchVerdict;

typedef struct {
  gint64 timeout_us;        /* media-timeout-s */
  guint64 bytes, frames;    /* video + audio bytes, frames decoded, at the last look */
  gint64 media_seen_us;     /* monotonic: bytes last arrived (or the session started) */
  gint64 frames_seen_us;    /* monotonic: a frame was last decoded */
  gint64 negotiated_us;     /* monotonic: the last NEGOTIATE verdict, 0 never */
  guint64 card_frames_mark; /* frames decoded when the card now shown appeared */
} LxMediaWatch;

/* A new session starts now: its silence is counted from here. */
void lx_media_watch_session_started (LxMediaWatch *watch, gint64 now_us);
/* A card appeared now, @frames decoded so far. */
void lx_media_watch_card_shown (LxMediaWatch *watch, guint64 frames);

/* One look at @now_us: @bytes and @frames so far (they only grow); @in_session: a session exists;
 * @packets_yet: it has had a packet; @path_up_us: when its ICE connected (0 not yet); @failure:
 * why it is dead (NULL if it is not); @card_shown: a card is on screen. */
LxWatchVerdict lx_media_watch_look (LxMediaWatch *watch, gint64 now_us, guint64 bytes,
                                    guint64 frames, gboolean in_session, gboolean packets_yet,
                                    gint64 path_up_us, const char *failure, gboolean card_shown);
