/* One media session of a classroom: a pipeline around a fresh webrtcbin, from one offer (or one
 * WHEP exchange) to its end. It owns everything that lives as long as the session — the pipeline,
 * its bus watch, the packet counts, the video jitter buffers — and gives all of it back when it
 * ends, so a classroom that renegotiates all day keeps nothing of past sessions. What it notices
 * on webrtcbin's and the streaming threads reaches its owner on the main context, and never after
 * the session has ended. */
#pragma once

#include "lx-loss-meter.h"
#include "lx-playback.h"
#include "lx-receiver-config.h"
#include "lx-return-media.h"
#include "lx-signaling-client.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

typedef struct _LxReceiverSession LxReceiverSession;

/* What the session tells its owner, on the main context. */
typedef struct {
  /* ICE connected. */
  void (*connected) (gpointer owner);
  /* The session is dead ("ICE failed", "media error", "a stream it cannot play"); it plays on
   * (or not) until the owner replaces it. Told once. */
  void (*failed) (gpointer owner, const char *why);
  /* A video jitter buffer asked for a retransmission: the first sign of a lossy link. */
  void (*loss_noticed) (gpointer owner);
  /* A key was pressed in the classroom's window (@key: its X11 name, "h", "a", "space"...). */
  void (*key_pressed) (gpointer owner, const char *key);
} LxReceiverSessionHandlers;

typedef struct {
  guint64 lost;                    /* video packets given up on, after any repair */
  guint64 retransmission_requests; /* asked for again */
  guint64 retransmitted;           /* and received */
} LxVideoRepair;

/* (transfer full) A new session, its pipeline PLAYING, before any description: media goes to
 * @playback, its jitter buffers hold @latency_ms. With @signaling (a lesson), each local ICE
 * candidate goes to the sender through it; without (WHEP), they wait in the offer. NULL with
 * @error if webrtcbin cannot be made. */
LxReceiverSession *lx_receiver_session_new (const LxReceiverConfig *config, LxPlayback *playback,
                                            guint latency_ms, LxSignalingClient *signaling,
                                            const LxReceiverSessionHandlers *handlers,
                                            gpointer owner, GError **error);
/* Ends the session: the pipeline stops, nothing more is told, and (once the last reference
 * goes) everything it held is given back. Takes the caller's reference. */
void lx_receiver_session_end (LxReceiverSession *session);
LxReceiverSession *lx_receiver_session_ref (LxReceiverSession *session);
void lx_receiver_session_unref (LxReceiverSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxReceiverSession, lx_receiver_session_unref)

/* (transfer none) */
GstElement *lx_receiver_session_get_webrtc (LxReceiverSession *session);
GstElement *lx_receiver_session_get_pipeline (LxReceiverSession *session);

/* The sender's offer (through signaling): made the remote description, answered, and the answer
 * sent through the session's signaling client. Takes nothing. */
void lx_receiver_session_answer (LxReceiverSession *session, GstWebRTCSessionDescription *offer);
/* The sender's (or the WHEP server's) description, for which SSRCs are video and which audio. */
void lx_receiver_session_note_ssrcs (LxReceiverSession *session, const GstSDPMessage *sdp);
void lx_receiver_session_add_ice_candidate (LxReceiverSession *session, guint mline_index,
                                            const char *candidate);
/* Makes every jitter buffer of the session hold @latency_ms. */
void lx_receiver_session_set_latency (LxReceiverSession *session, guint latency_ms);

/* When (monotonic) ICE first connected: the path works, and only the DTLS handshake stands
 * before media; 0 not yet. */
gint64 lx_receiver_session_path_up_us (LxReceiverSession *session);
/* The session's packets, as they arrived (before any repair). */
gint lx_receiver_session_packets_received (LxReceiverSession *session);
gint lx_receiver_session_packets_lost (LxReceiverSession *session);
/* Bytes of RTP (media, repair and probes) that arrived, from the start. */
guint64 lx_receiver_session_bytes_received (LxReceiverSession *session);
/* What a queue on the link adds to the delay now, in ms: the least over the last @window_ms
 * (lx-queue-meter.h); -1 unknown. */
gint lx_receiver_session_queue_ms (LxReceiverSession *session, gint window_ms);
/* The video jitter buffers' view, after repair. */
LxVideoRepair lx_receiver_session_read_video_repair (LxReceiverSession *session);
/* (nullable) Why the session is dead, if it is. */
const char *lx_receiver_session_get_failure (LxReceiverSession *session);
/* The class has the floor (@open): its microphone's packets go to the sender only then. Kept for
 * the session's return media, made when the offer comes. */
void lx_receiver_session_set_microphone_open (LxReceiverSession *session, gboolean open);
/* Frames of the room's picture sent to the teacher in this session. */
guint64 lx_receiver_session_return_frames_sent (LxReceiverSession *session);
/* What the microphone sends; FALSE before the return media is attached. */
gboolean lx_receiver_session_get_microphone (LxReceiverSession *session,
                                             LxReturnMicrophone *microphone);
