/* Probes a classroom's link before its layer steps up: sends, on top of the current layer, what the
 * layer above would add — as retransmissions of video packets the classroom already has (RFC
 * 4588 RTX, the way browsers probe). They cross the link like any packet, so a queue builds up if
 * the link cannot carry the layer above, and the classroom's receiver drops them as duplicates, so
 * they cost the picture nothing. Asks the branch's own retransmission sender (webrtcbin's
 * rtprtxsend) for them, from its history. Made and driven on the main context. */
#pragma once

#include "lx-layer-chooser.h"

#include <gst/gst.h>

typedef struct _LxLinkProber LxLinkProber;

/* (transfer full) A prober through @rtx_sender (an rtprtxsend) for the video stream @video_ssrc. */
LxLinkProber *lx_link_prober_new (GstElement *rtx_sender, guint32 video_ssrc);
void lx_link_prober_free (LxLinkProber *prober);

/* Sends probe packets from now on, rising as @ramp says (the ramp's time starts at the first
 * call after a stop), or stops (@ramp->kbps 0). */
void lx_link_prober_set_ramp (LxLinkProber *prober, const LxProbeRamp *ramp);
