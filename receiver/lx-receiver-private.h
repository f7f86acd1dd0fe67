/* The receiver program's state, shared by its source files (not by other programs). The calls go
 * one way: lx-receiver.c (lessons, signaling, sessions, the watchdog) calls lx-receiver-link.c
 * (the link control loop), lx-receiver-cards.c (what the screen shows instead of a picture) and
 * lx-receiver-stats.c (statistics, read only); none of those calls back. Everything here is
 * touched on the main context only: what other threads see lives in the session
 * (lx-receiver-session.h). */
#pragma once

#include "lx-backoff.h"
#include "lx-fullscreen.h"
#include "lx-jitter-sizing.h"
#include "lx-lesson-follower.h"
#include "lx-media-watch.h"
#include "lx-playback.h"
#include "lx-receiver-session.h"
#include "lx-receiver-state.h"
#include "lx-receiver-whep.h"
#include "lx-receiver.h"
#include "lx-signaling-client.h"
#include "lx-rate-window.h"
#include "lx-standby.h"
#include "lx-timetable.h"

struct _LxReceiver {
  const LxReceiverConfig *config;
  LxReceiverStateMachine state;
  GMainLoop *loop;
  int exit_status;
  gint64 started_us;
  LxPlayback *playback;             /* as long as the receiver: its counts span sessions */
  LxFullscreenWindow *fullscreen;   /* (nullable) X11 only */
  gint screen_width, screen_height; /* its size; 0 without */

  /* Lessons */
  LxLessonFollower *lessons;
  LxTimetable *timetable;         /* (nullable) when following the timetable */
  LxSignalingClient *signaling;   /* (nullable) the lesson joined's connection */
  gchar *next_title, *next_start; /* (nullable) for the statistics, in standby */
  guint follow_timer;

  /* Playing from a WHEP URL instead */
  LxWhepSource *whep; /* (nullable) */
  LxBackoff whep_retry;
  guint whep_retry_timer;

  /* The media session, and its watchdog */
  LxReceiverSession *session; /* (nullable) */
  /* The last session's counts, for the statistics once it has ended */
  gint past_received, past_lost;
  LxVideoRepair past_repair;
  LxMediaWatch watch;
  guint watch_timer;

  /* Cards (lx-receiver-cards.c) */
  LxStandby *standby; /* (nullable) until a card is first needed */
  const char *card;   /* (nullable) the card on screen now */

  /* The link control loop (lx-receiver-link.c), on its own timer */
  LxJitterSizing jitter;
  guint jitter_step_timer;       /* the next step while the jitter buffer grows, 0 none */
  gint link_lost, link_received; /* the session's packet counts at the last link report */
  guint64 link_unrepaired;       /* its video packets given up on, at the last link report */
  guint64 link_video_bytes;      /* video bytes at the last link report */
  guint64 link_bytes;            /* every RTP byte that arrived, at the last link report */
  gint link_queue_ms;            /* the queue the last link report told */
  gint64 link_us,
      server_report_us; /* monotonic: the last link report, the last one to the server */
  guint link_timer;
  guint queue_timer; /* every 20 ms: a queue building up is reported at once */
  /* What arrived lately: the session's byte count, sampled every 20 ms by the queue watch. */
  LxRateWindow arrivals;

  /* The floor of a joint lesson (lx-receiver-floor.c), as the server last told it */
  gboolean hand_up, called_on;
  gint poll_id;         /* the teacher's last poll: 0 none */
  gchar *poll_question; /* (nullable) */
  gint poll_choices;    /* 2 to 4 */
  gboolean poll_open;
  gint poll_answer;           /* ours: 0 for A; -1 none */
  GDataInputStream *commands; /* (nullable) standard input, with commands-on-stdin */
  GCancellable *commands_cancel;

  /* Statistics (lx-receiver-stats.c): read and written out, never acted on */
  LxPlaybackStats last_stats; /* at the last report, for rates */
  gint64 last_stats_us;       /* monotonic time of the last report */
  gint64 last_snapshot_us;
  guint stats_timer, check_timer;
};

/* lx-receiver-link.c: once a second, tells the sender and the server how the media arrives and
 * sizes the jitter buffer (a GSourceFunc on the receiver). */
gboolean lx_receiver_control_link (gpointer receiver);
/* Every 20 ms: a queue building up on the link is reported to the sender at once, not at the
 * next second (a GSourceFunc on the receiver). */
gboolean lx_receiver_watch_queue (gpointer receiver);
/* The queue on the link now (statistics, alarms): the least of the last 100 ms (lx-queue-meter.h). */
#define LX_QUEUE_NOW_WINDOW_MS 100
/* A new session started: its counts start at zero. */
void lx_receiver_link_session_started (LxReceiver *receiver);
/* Sizes the jitter buffer: @packets_lost now, @repair_failed video packets given up on although
 * the link is known to be lossy. */
void lx_receiver_size_jitter_buffer (LxReceiver *receiver, gboolean packets_lost,
                                     gboolean repair_failed);
/* Stops the control loop's timers. */
void lx_receiver_link_stop (LxReceiver *receiver);

/* lx-receiver-cards.c: shows the card @card (a name, for the statistics) with @text instead of
 * the picture. */
void lx_receiver_show_card (LxReceiver *receiver, const char *card, const char *text);
void lx_receiver_show_reconnecting (LxReceiver *receiver);
void lx_receiver_show_video_paused (LxReceiver *receiver);
void lx_receiver_show_waiting_for_teacher (LxReceiver *receiver);
void lx_receiver_show_lesson_over (LxReceiver *receiver);
/* The picture again, in place of any card. */
void lx_receiver_hide_card (LxReceiver *receiver);

/* lx-receiver-floor.c: the floor of a joint lesson. Reading commands starts and stops with the
 * receiver; a lesson joined or left forgets the floor (the server tells it again). */
void lx_receiver_floor_start (LxReceiver *receiver);
void lx_receiver_floor_stop (LxReceiver *receiver);
void lx_receiver_floor_reset (LxReceiver *receiver);
/* The server's `floor`: the classroom's hand and whether it is called on. */
void lx_receiver_floor_note (LxReceiver *receiver, const LxMessage *floor);
/* Raises the hand, or lowers it; FALSE (nothing sent) outside a lesson or while called on. */
gboolean lx_receiver_toggle_hand (LxReceiver *receiver);
/* Sends the teacher @text as a question; FALSE outside a lesson or when empty. */
gboolean lx_receiver_ask (LxReceiver *receiver, const char *text);
/* The server tells of a poll opened or closed; the class answers it (@letter "A" to "D"). */
void lx_receiver_poll_note (LxReceiver *receiver, const LxMessage *poll);
gboolean lx_receiver_answer_poll (LxReceiver *receiver, const char *letter);

/* lx-receiver-stats.c: prints the statistics, writes the statistics file and the snapshot (a
 * GSourceFunc on the receiver). */
gboolean lx_receiver_report_stats (gpointer receiver);
