/* What the receiver's source files share (not for other programs): the receiver's state, and the
 * functions lx-receiver.c (sessions, signaling, lessons, statistics) and lx-receiver-watch.c
 * (cards, the media watchdog, link reports and the adaptive jitter buffer) call in each other. */
#pragma once

#include "lx-fullscreen.h"
#include "lx-loss-meter.h"
#include "lx-playback.h"
#include "lx-receiver.h"
#include "lx-signaling-client.h"
#include "lx-standby.h"
#include "lx-timetable.h"
#include "lx-whip-client.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

struct _LxReceiver {
  const LxReceiverConfig *config;
  LxSignalingClient *signaling; /* (nullable) in a lesson through lianxiao-signaling */
  LxWhipClient *whep;           /* (nullable) playing from a WHEP URL instead */
  GCancellable *whep_offer;     /* (nullable) the WHEP offer under way */
  guint whep_retry_timer;
  LxPlayback *playback;
  LxFullscreenWindow *fullscreen; /* (nullable) X11 only */
  gchar *lesson;                  /* (nullable) the lesson joined now */
  LxTimetable *timetable;         /* (nullable) when following the timetable */
  LxStandby *standby;             /* (nullable) until a card is first needed */
  gchar *next_title, *next_start; /* (nullable) for the statistics, in standby */
  guint follow_timer;
  gint64 next_join_us; /* monotonic: no new attempt before, after a lost connection */
  GMainLoop *loop;
  int exit_status;
  gint64 started_us;

  const char *state;      /* for statistics: what the classroom is doing */
  GstElement *pipeline;   /* (nullable) the current session's */
  GstElement *webrtc;     /* (nullable) */
  LxLossCounts arrivals;  /* the session's packets, as they arrived (before repair) */
  guint metered_sessions; /* bit N: RTP session N's input is counted into arrivals */

  LxPlaybackStats last_stats; /* at the last report, for rates */
  gint64 last_stats_us;       /* monotonic time of the last report */
  gint64 last_snapshot_us;
  gint64 last_report_us;         /* of the quality report to the server */
  gint64 last_link_us;           /* of the link report to the sender */
  gint link_lost, link_received; /* packet counts at the last link report */
  guint64 link_unrepaired;       /* video packets given up on, at the last link report */
  gint lossy_buffer_ms;          /* the jitter buffer a lossy link needs, as learnt; 0 unknown */
  gint64 last_loss_us;           /* monotonic: when packets were last lost, 0 never */
  gint jitter_buffer_ms;         /* what the session's jitter buffers hold now */
  guint jitter_step_timer;       /* the next step while the jitter buffer grows, 0 none */
  gint loss_noticed;             /* atomic: a video jitter buffer asked for a retransmission */
  guint stats_timer, check_timer, watch_timer;

  /* The media watchdog (watch_media) */
  guint64 watched_bytes;       /* video + audio bytes at the last look */
  guint64 watched_frames;      /* frames decoded at the last look */
  gint64 media_seen_us;        /* monotonic: last time bytes arrived (or the session started) */
  gint64 frames_seen_us;       /* monotonic: last time a frame was decoded */
  gint64 rejoined_us;          /* monotonic: last rejoin to renegotiate, 0 never */
  const char *session_failure; /* (nullable) (atomic) why this session is dead ("ICE failed",
                                * "media error"): the watchdog negotiates afresh */
  gint video_linked;           /* (atomic) a video stream of this session is playing */
  const char *card;            /* (nullable) the card on screen now */
  guint64 card_frames_mark;    /* frames decoded when it appeared */
  GHashTable *video_ssrcs;     /* the session's video SSRCs, from the offer */
  GPtrArray
      *video_jitterbuffers; /* (element-type GstElement) the session's, for their repair counts */
};

/* Packets of this session the link lost (before any repair). */
static inline gint
lx_receiver_packets_lost (LxReceiver *receiver)
{
  return MAX (g_atomic_int_get (&receiver->arrivals.expected) -
                  g_atomic_int_get (&receiver->arrivals.received),
              0);
}

/* A fresh media session: its pipeline around a new webrtcbin, PLAYING, before any description.
 * FALSE, logged, if webrtcbin could not be made. */
gboolean lx_receiver_start_pipeline (LxReceiver *receiver);
/* Which SSRCs @sdp (the sender's description) announces for video. */
void lx_receiver_note_video_ssrcs (LxReceiver *receiver, const GstSDPMessage *sdp);

/* Playing from the WHEP URL (lx-receiver-whep.c): a new session (the previous one ended), and
 * the end of the session when the program stops. */
void lx_receiver_whep_start (LxReceiver *receiver);
void lx_receiver_whep_end (LxReceiver *receiver);

/* Logs a change of what the classroom is doing (for the statistics too). */
void lx_receiver_set_state (LxReceiver *receiver, const char *state);
/* Ends the media session, if any. */
void lx_receiver_stop_session (LxReceiver *receiver);

/* Shows the card @card (a name, for the statistics) with @text instead of the picture. */
void lx_receiver_show_card (LxReceiver *receiver, const char *card, const char *text);
/* Twice a second (a GSourceFunc on the receiver): the media watchdog. */
gboolean lx_receiver_watch_media (gpointer receiver);
/* Sizes the jitter buffer for the link: @packets_lost now (or none since the last call), and
 * @repair_failed: video packets given up on although the link is known to be lossy. */
void lx_receiver_tune_jitter_buffer (LxReceiver *receiver, gboolean packets_lost,
                                     gboolean repair_failed);
/* About once a second: tells the sender how the media arrives, adapts the jitter buffer.
 * @video_lost_after_repair: the session's video jitter buffers' count so far. */
void lx_receiver_report_link (LxReceiver *receiver, guint64 video_kbps,
                              guint64 video_lost_after_repair);
