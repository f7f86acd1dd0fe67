/* One classroom's branch of the sender: it takes the shared encoded video and audio from the tees,
 * payloads them and sends them through its own webrtcbin, negotiated over signaling.
 *
 *   video-tee-N ─▶ input-selector ─▶ queue(leaky) ─▶ rtph264pay ─▶┐
 *   (one layer; see lx-layer-switch.h)                            ├─▶ webrtcbin (sendonly) ═▶ classroom
 *   audio-tee ─────────────────────▶ queue(leaky) ─▶ rtpopuspay ─▶┘
 *
 * Adding or removing a classroom never stops the pipeline or the other classrooms. Once a second
 * the classroom reports how its link copes (a `link` message), and its layer follows
 * (lx-layer-chooser.h); a WHEP player, which sends no such report, is steered by what its RTCP
 * shows the sender (lx-peer-link.h). */
#pragma once

#include "lx-bitrate-meter.h"
#include "lx-keyframes.h"
#include "lx-layers.h"
#include "lx-lesson-picture.h"
#include "lx-lesson-sound.h"
#include "lx-sender-config.h"
#include "lx-signaling-client.h"
#include "lx-wall.h"
#include "lx-webrtc.h"

#include <gst/gst.h>

typedef struct _LxClassroom LxClassroom;

/* What every classroom shares, owned by the sender and outliving its classrooms. */
typedef struct {
  const LxSenderConfig *config;
  GstElement *pipeline;
  GstElement *video_tees[LX_MAX_LAYERS];    /* encoded video per layer (in video_codec), or raw
                                          * video (one) with encoder-per-classroom */
  const char *video_codec;                  /* LX_VIDEO_CODEC_H264 or LX_VIDEO_CODEC_VP8 */
  LxKeyframeGate *keyframes[LX_MAX_LAYERS]; /* (nullable) none with encoder-per-classroom */
  LxBitrateMeter *bitrates[LX_MAX_LAYERS];  /* (nullable) what each layer's encoder sends */
  guint n_layers;
  GstElement *audio_tee; /* (nullable) no audio */
  const LxIceSettings *ice;
  LxSignalingClient *signaling;
  const char *const *announced_ice_servers; /* (nullable) a WHIP endpoint's Link headers' */
  LxWall *wall;         /* (nullable) where the classrooms' pictures show (a joint lesson) */
  LxLessonSound *sound; /* (nullable) the lesson's sound, and where a called-on classroom's voice
                         * goes */
  LxLessonPicture *picture; /* (nullable) the lesson's picture, where a called-on classroom's
                             * picture goes (a joint lesson) */
} LxClassroomContext;

typedef enum {
  LX_CLASSROOM_PREPARING,  /* branch built, waiting for the first encoded caps */
  LX_CLASSROOM_OFFERED,    /* offer sent, waiting for the answer */
  LX_CLASSROOM_CONNECTING, /* answer applied, ICE/DTLS under way */
  LX_CLASSROOM_CONNECTED,  /* media flowing */
  LX_CLASSROOM_FAILED,     /* ICE or DTLS failed */
  LX_CLASSROOM_CLOSED,     /* removed */
} LxClassroomState;

const char *lx_classroom_state_to_string (LxClassroomState state);

/* (transfer full) Builds @school's branch, links it to the tees and starts negotiating: offers,
 * or, given the classroom's own @offer (a WHEP player), answers it with every ICE candidate in the
 * answer. Runs on the main context. NULL with @error if the branch cannot be built. */
LxClassroom *lx_classroom_new (const LxClassroomContext *context, const char *school,
                               const char *offer, GError **error);

/* Called on the main context with a publication's offer (SDP text, every ICE candidate in it). */
typedef void (*LxClassroomOfferFunc) (LxClassroom *classroom, const char *offer,
                                      gpointer user_data);

/* (transfer full) A branch like a classroom's, named @name, for a media server that takes the
 * lesson through WHIP: its offer, complete with candidates, goes to @deliver_offer rather than
 * through signaling, and the answer comes back through lx_classroom_set_answer(). */
LxClassroom *lx_classroom_new_publication (const LxClassroomContext *context, const char *name,
                                           LxClassroomOfferFunc deliver_offer, gpointer user_data,
                                           GError **error);

/* Tells a player whose offer cannot be answered why (an `offer-refused` through @signaling; its
 * WHEP request gets a 4xx naming @error). LX_OFFER_ERROR_NO_COMMON_CODEC reads "no-common-codec",
 * everything else "bad-offer". Any thread. */
void lx_classroom_refuse_offer (LxSignalingClient *signaling, const char *school,
                                const GError *error);

/* Applies the classroom's SDP answer. FALSE with @error if it is unusable. */
gboolean lx_classroom_set_answer (LxClassroom *classroom, const char *sdp, GError **error);
void lx_classroom_add_candidate (LxClassroom *classroom, guint mline_index, const char *candidate);
/* (transfer full) Restarts ICE for a classroom that made its own offer (a WHEP player), with the
 * credentials and candidates of @player_frag (an RFC 8840 sdpfrag): our new credentials and our
 * candidates, as an sdpfrag for the player; NULL with @error if it cannot be done. DTLS and the
 * media carry on over the new candidate pair. Main context. */
gchar *lx_classroom_restart_ice (LxClassroom *classroom, const char *player_frag, GError **error);

/* Unlinks the branch from the tees and removes it from the pipeline, then drops the caller's
 * reference. The other classrooms keep flowing throughout. */
void lx_classroom_close (LxClassroom *classroom);

LxClassroomState lx_classroom_get_state (LxClassroom *classroom);
/* (transfer none) */
const char *lx_classroom_get_school (LxClassroom *classroom);
/* (transfer none) LX_VIDEO_CODEC_H264 or LX_VIDEO_CODEC_VP8 */
const char *lx_classroom_get_video_codec (LxClassroom *classroom);
/* TRUE if we offered its connection (a classroom of the lesson), so that we may offer a new one;
 * FALSE for a WHEP player or a publication, which start their own. */
gboolean lx_classroom_offered_by_us (LxClassroom *classroom);
/* Milliseconds from the classroom's join to its connection, or -1 before it connects. */
gint64 lx_classroom_get_connect_ms (LxClassroom *classroom);
/* The classroom's own report of how the media arrives (a `link` message, every second): the share
 * of packets lost before any repair, per thousand, and the video bitrate received. The classroom's
 * layer follows it. Main context. */
void lx_classroom_link_report (LxClassroom *classroom, const LxMessage *report);
/* TRUE while the classroom's layer follows what its RTCP shows (it sends no link reports of its
 * own: a WHEP player), FALSE while it follows its own reports. */
gboolean lx_classroom_is_steered_by_rtcp (LxClassroom *classroom);
/* The layer on the air for this classroom (n_layers: video paused). */
guint lx_classroom_get_layer (LxClassroom *classroom);
/* The loss fraction (0–1) of the last link report, or -1 before one. */
gdouble lx_classroom_get_loss (LxClassroom *classroom);
/* ICE candidates the classroom trickled to us (main context). */
guint lx_classroom_get_remote_candidates (LxClassroom *classroom);
/* The queue on the classroom's link at its last link report, in ms (0: none, or not known). */
gint lx_classroom_get_queue_ms (LxClassroom *classroom);
/* What the classroom's link is being probed with for the layer above, kbit/s (0: no probe). */
gint lx_classroom_get_probe_kbps (LxClassroom *classroom);
/* How many times each NACKed video packet is sent again now (1, or 2 on a link that loses many
 * by chance). Main context. */
guint lx_classroom_get_retransmission_copies (LxClassroom *classroom);
/* The classroom is called on (@speaking): its voice goes into the lesson's sound, and it hears
 * the lesson without it; or no longer. */
void lx_classroom_set_speaking (LxClassroom *classroom, gboolean speaking);
/* Frames of the classroom's picture, and buffers of its voice, decoded so far (a joint lesson). */
guint lx_classroom_get_return_frames (LxClassroom *classroom);
/* How a connected classroom's picture stands on the teacher's wall (a joint lesson). */
typedef enum {
  LX_PICTURE_NONE,    /* not connected (yet), or not a joint lesson */
  LX_PICTURE_SHOWING, /* new frames within the last LX_PICTURE_FROZEN_MS */
  LX_PICTURE_FROZEN,  /* it came, and stopped: its tile is dimmed */
  LX_PICTURE_MISSING, /* none came within LX_PICTURE_MISSING_MS of connecting (no camera?) */
} LxPictureState;
#define LX_PICTURE_FROZEN_MS 2000
#define LX_PICTURE_MISSING_MS 5000
const char *lx_picture_state_to_string (LxPictureState state);
/* Looks at the classroom's picture now (@now_us, monotonic): once a second, from the sender's
 * care of its classrooms; dims or brightens its wall tile as it changes. */
LxPictureState lx_classroom_watch_picture (LxClassroom *classroom, gint64 now_us);
LxPictureState lx_classroom_get_picture (LxClassroom *classroom);
guint lx_classroom_get_return_audio_buffers (LxClassroom *classroom);
/* How far back, in milliseconds, the classroom's video can still be retransmitted; 0 without
 * loss recovery. */
gint lx_classroom_get_retransmission_history_ms (LxClassroom *classroom);
/* The probes of the classroom's link so far, and those that passed (it stepped up). */
void lx_classroom_get_probes (LxClassroom *classroom, guint *started, guint *passed);
/* The last round-trip time in milliseconds, or -1 before one is known: from the classroom's
 * report blocks about our video, each telling when our last sender report reached it. */
gint lx_classroom_get_rtt_ms (LxClassroom *classroom);
/* The sound's (@video FALSE) or the video's packets sent beside webrtcbin (lx-direct-sender.h)
 * so far. */
guint64 lx_classroom_get_sent_directly (LxClassroom *classroom, gboolean video);

/* Seconds since the connected peer last sent RTCP (0 before it connects). webrtcbin keeps a
 * connection "connected" when the peer vanishes without a word; this notices. */
gint lx_classroom_get_silence_s (LxClassroom *classroom);

/* TRUE if @object is part of this classroom's branch (to route bus errors). */
gboolean lx_classroom_contains (LxClassroom *classroom, GstObject *object);
