/* What the files of a classroom share (lx-classroom.c: its life, made to torn down;
 * lx-classroom-media.c: its elements; lx-classroom-negotiation.c: its offer or answer and its
 * connection; lx-classroom-steering.c: judging its link and following it). Not for other
 * modules. */
#pragma once

#include "lx-classroom.h"
#include "lx-direct-sender.h"
#include "lx-layer-chooser.h"
#include "lx-layer-switch.h"
#include "lx-link-prober.h"
#include "lx-offer.h"
#include "lx-peer-link.h"

typedef struct {
  GstElement *queue; /* before the payloader: the branch's own thread */
  GstElement *payloader;
  GstPad *tee_pad;   /* (nullable) the tee's request pad feeding this branch */
  GstPad *ghost_pad; /* the branch's sink pad */
  GstElement *tee;
  GstWebRTCRTPTransceiver *transceiver;
  gulong hold_probe; /* answering: holds the payloader's output until the answer is set */
} MediaBranch;

/* Who the branch negotiates with, and how: what decides who offers, whether candidates trickle,
 * and where the description goes. */
typedef enum {
  LX_CLASSROOM_ROLE_OFFERS,    /* a classroom of the lesson: we offer through signaling, and our
                                * candidates trickle after the offer */
  LX_CLASSROOM_ROLE_ANSWERS,   /* a WHEP player: it offered; we answer with every candidate in it */
  LX_CLASSROOM_ROLE_PUBLISHES, /* a WHIP publication: we offer with every candidate in it, to
                                * deliver_offer, and the endpoint's answer comes back */
} LxClassroomRole;

/* Threads: the branch is built, negotiated and torn down on the main context, and the fields
 * below are the main context's unless marked. "atomic": written by webrtcbin's thread or a
 * streaming thread, read anywhere with g_atomic_*. "streaming": touched by one streaming thread
 * only. webrtcbin's callbacks hold a reference on the classroom and hand anything else to the
 * main context (lx_classroom_tell_main_context). */
/* A way out of a return stream's decoder while the classroom is called on: a pad of the decoder's
 * tee — through a leaky queue for a picture, so that a slow input never holds the decoder —,
 * ghosted out of the decoder's bin and out of the classroom's, linked to the lesson's input. */
typedef struct {
  GstPad *tee_pad;   /* (owned) (nullable) NULL while closed */
  GstElement *queue; /* (nullable) in the decoder's bin */
  GstPad *inner;     /* out of the decoder's bin (which owns it) */
  GstPad *outer;     /* out of the classroom's bin (which owns it) */
  GstPad *input;     /* (owned) the lesson's mixer's or compositor's pad */
} LxReturnOutlet;

struct _LxClassroom {
  LxClassroomRole role; /* fixed at creation */
  LxClassroomContext context;
  gchar *school;
  GstElement *bin;
  GstElement *webrtc;
  MediaBranch video;
  MediaBranch audio;            /* payloader NULL without audio */
  LxDirectSender *audio_direct; /* (nullable) sends the sound beside webrtcbin */
  LxDirectSender *video_direct; /* (nullable) ... and the video */
  GstElement *selector;         /* the video layer's input */
  LxLayerSwitch *layer_switch;  /* (nullable) until the branch is linked */
  LxLayerChooser chooser;       /* main context only */
  gint loss_permille;           /* atomic; -1 before a report */
  GstCaps *first_video_caps;    /* (nullable) the payloader's first caps: streaming thread only */
  GstElement *fec_encoder;      /* (nullable) webrtcbin's rtpulpfecenc for the video */
  GstElement *rtx_sender;       /* (nullable) webrtcbin's rtprtxsend, once connected */
  guint32 video_ssrc;           /* ours for the video, once connected; 0 before */
  LxLinkProber *prober;         /* (nullable) made at the first probe; main context */
  gint queue_ms;                /* the last link report's queue (main context) */
  gint64 congested_until_us;    /* monotonic: losses until then are congestion's, not chance's */
  gint64 lossy_until_us;        /* monotonic: FEC on all packets until then */
  guint fec_percentage;         /* what the FEC encoder adds now */
  guint very_lossy_reports; /* in a row, with chance loss of RETRANSMIT_TWICE_PERMILLE or more */

  gint state; /* LxClassroomState, atomic: read by stats, written from callbacks */
  gboolean offer_started;
  GstWebRTCSessionDescription *offer; /* (nullable) LX_CLASSROOM_ROLE_ANSWERS: the player's offer */
  LxOfferPayloads offer_payloads;
  LxClassroomOfferFunc deliver_offer; /* LX_CLASSROOM_ROLE_PUBLISHES: takes the complete offer */
  gpointer deliver_data;
  gboolean description_set;  /* not trickling: the local description is set */
  gboolean description_sent; /* ... and sent, with every candidate */
  gint64 joined_at;          /* monotonic µs */
  gint connect_ms;           /* -1 until connected; atomic (read by a streaming thread) */
  gint rtt_ms;               /* -1 until known; atomic (written by the RTCP thread) */
  gint history_ms;           /* the retransmission history's length, as last set */
  gint jitter_buffer_ms;     /* how long the classroom waits for a missing packet, from its link
                              * reports; 0 until one says */
  gint heard_s; /* monotonic seconds of the peer's last RTCP (or the connection); atomic */
  gint pending_unlinks;
  guint remote_candidates;    /* trickled to us (through signaling, or a WHEP player's PATCH) */
  GObject *rtp_session;       /* (nullable) the internal RTPSession, once connected */
  LxPeerLink peer_link;       /* the RTCP thread's only */
  gint64 last_link_report_us; /* monotonic: the classroom's own last `link` report; 0 none */
  gboolean steered_by_rtcp;   /* its layer follows what its RTCP shows (no reports of its own) */
  /* Its picture and voice back (lx-classroom-return.c) */
  GstElement *return_video, *return_audio;  /* (nullable) their decoders, in the bin */
  GstPad *return_ghost;                     /* (nullable) the picture, out of the bin */
  GstPad *wall_tile;                        /* (nullable) (owned) where it shows */
  gint return_frames, return_audio_buffers; /* decoded so far; atomic */
  LxPictureState picture;                   /* as lx_classroom_watch_picture last saw it */
  guint pictures_seen;                      /* return_frames then */
  gint64 pictures_changed_us;               /* monotonic: when they last grew (or connected) */
  /* Called on (lx-classroom-return.c) */
  gboolean speaking;
  GstElement *sound_selector; /* (nullable) the lesson's sound, or the speakers' (a joint lesson) */
  GstPad *lesson_sound_pad, *speakers_sound_pad; /* its inputs (the latter once called on) */
  GstPad *speakers_tee_pad; /* (nullable) the speakers' tee's pad feeding it, once called on */
  LxReturnOutlet voice;     /* its voice into the lesson's mixer */
  LxReturnOutlet inset;     /* its picture into the lesson's picture */
};

LxClassroom *lx_classroom_ref (LxClassroom *classroom);
void lx_classroom_unref (gpointer classroom);
/* For g_signal_connect_data() with a reference on the classroom. */
void lx_classroom_closure_unref (gpointer data, GClosure *closure);

/* Something a webrtcbin or RTCP thread saw, handed to the main context with the classroom. */
typedef struct {
  LxClassroom *classroom;
  gint value;
} ClassroomNews;

/* Calls @apply (its data: a ClassroomNews*) on the main context with @classroom and @value. Any
 * thread. */
void lx_classroom_tell_main_context (LxClassroom *classroom, GSourceFunc apply, gint value);

/* Once connected: starts reading the classroom's RTCP for what it says about our video stream
 * (lx-classroom-steering.c). */
void lx_classroom_watch_peer_rtcp (LxClassroom *classroom);

/* Moves the classroom to @state, logged once; nothing leaves LX_CLASSROOM_CLOSED. Any thread. */
void lx_classroom_set_state (LxClassroom *classroom, LxClassroomState state);

/* ---- lx-classroom-return.c ---- */

/* Our offer will receive the classroom's picture and voice (recvonly m-lines after the lesson's);
 * what arrives is decoded, the picture to a tile of the wall. */
void lx_classroom_ask_for_return (LxClassroom *classroom);
/* Gives the classroom's tile back to the wall (before the bin goes). */
void lx_classroom_release_return (LxClassroom *classroom);

/* ---- lx-classroom-media.c ---- */

/* Builds @branch's elements (a queue, for the naive baseline an encoder, the @payloader_factory
 * payloader sending @payload_type) into the classroom's bin, up to webrtcbin: fed by @tee (through
 * a ghost pad, lx_classroom_link_to_tee()), or, with @tee NULL (video), by the classroom's
 * input-selector that its layer switch feeds. FALSE with @error on failure: what is not in the bin
 * yet is freed; what is goes with the bin. */
gboolean lx_classroom_build_media (LxClassroom *classroom, MediaBranch *branch, GstElement *tee,
                                   const char *kind, const char *payloader_factory,
                                   guint payload_type, GError **error);
gboolean lx_classroom_link_to_tee (MediaBranch *branch);
/* Gives the tee back the pad that fed @branch (once the branch no longer takes data). */
void lx_classroom_release_tee_pad (MediaBranch *branch);
/* The classroom is connected: its queues keep half a second again (lx_classroom_build_media()). */
void lx_classroom_release_backlog (LxClassroom *classroom);
/* Tunes the repair elements webrtcbin made for this classroom, once connected. */
void lx_classroom_configure_repair (LxClassroom *classroom);
/* The retransmission history follows the classroom's round trip (once known) and how long its
 * jitter buffer waits (once reported). */
void lx_classroom_fit_retransmission_history (LxClassroom *classroom);

/* ---- lx-classroom-negotiation.c ---- */

/* Reads a player's offer (WHEP) for the classroom to answer. FALSE with @error (in
 * LX_OFFER_ERROR) if it cannot be answered. */
gboolean lx_classroom_read_offer (LxClassroom *classroom, const char *sdp, GError **error);
/* Connects what negotiates, once the branch is built: the offer (or answer) goes once every
 * payloader knows its caps; candidates trickle, or wait for a complete description; the
 * connection's state and the peer's RTCP are followed. */
void lx_classroom_start_negotiation (LxClassroom *classroom);
