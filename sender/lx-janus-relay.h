/* The lesson into a Janus Streaming mountpoint (docs/city-scale.md): each layer's encoded stream,
 * once, as RTP to its port (the mountpoint's simulcast substreams, largest first), the sound to
 * the audio port — whatever the number of classrooms Janus serves. Janus sends the viewers'
 * keyframe requests (PLI/FIR) only to an address it has latched from RTCP received on the video's
 * RTCP port, so the relay sends it a receiver report every second from the socket it listens on,
 * and passes every request it gets to the shared keyframe gates (which merge them).
 *
 *   layer tee ─▶ queue ─▶ rtph264pay (pt 96) ─▶ udpsink ─▶ Janus video port (1 per layer)
 *   sound tee ─▶ queue ─▶ rtpopuspay (pt 111) ─▶ udpsink ─▶ Janus audio port
 *   socket ⇄ Janus video RTCP port: reports out, PLI/FIR in ─▶ keyframe gates
 *
 * Main context. */
#pragma once

#include "lx-keyframes.h"

#include <gst/gst.h>

#define LX_JANUS_RELAY_MAX_LAYERS 3

/* Where a mountpoint takes the lesson: its host, a port per video layer, the video's RTCP port
 * and the audio port. */
typedef struct {
  gchar *host;
  gint video_ports[LX_JANUS_RELAY_MAX_LAYERS]; /* 0: no such layer */
  gint video_rtcp_port;
  gint audio_port;
} LxJanusTarget;

/* Parses "HOST:VIDEO1[/VIDEO2[/VIDEO3]],RTCP,AUDIO" (the sender's janus-rtp key). FALSE with
 * @error naming what is wrong. */
gboolean lx_janus_target_parse (const char *text, LxJanusTarget *target, GError **error);
void lx_janus_target_clear (LxJanusTarget *target);

typedef struct _LxJanusRelay LxJanusRelay;

/* (transfer full) Relays @layer_tees (@n of them, largest first; as many as the target has
 * ports) and @audio_tee (nullable) in @pipeline to @target; keyframe requests go to @gates (one
 * per layer). NULL with @error when an element or the socket cannot be made. */
LxJanusRelay *lx_janus_relay_new (GstElement *pipeline, GstElement *const *layer_tees,
                                  LxKeyframeGate *const *gates, guint n, GstElement *audio_tee,
                                  const LxJanusTarget *target, GError **error);
void lx_janus_relay_free (LxJanusRelay *relay);

/* Keyframe requests (PLI or FIR) received from Janus so far. */
guint lx_janus_relay_count_keyframe_requests (LxJanusRelay *relay);
