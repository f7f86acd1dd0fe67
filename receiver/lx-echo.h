/* Echo cancelling for a classroom's open microphone: the room's speakers play the lesson, and the
 * microphone picks it up — without cancelling, every class would hear the lesson come back from
 * the class called on. GStreamer's webrtcdsp (libwebrtc-audio-processing) cancels it in what the
 * microphone sends, knowing what the speakers played from a webrtcechoprobe on the playback path:
 *
 *   lesson's sound ─▶ … ─▶ 48 kHz ─▶ echo probe ─▶ speakers          (the far end, lx_echo_far_end)
 *   microphone ─▶ webrtcdsp (reads the probe) ─▶ opus ─▶ the teacher (the near end, lx_echo_near_end)
 *
 * The dsp finds its probe by name when it starts, and the microphone starts before the lesson's
 * sound arrives: the probe is made first (lx_echo_probe_new), put on the playback path later.
 * For tests, the near end can also hear the far end itself, delayed and quieter (the room's echo
 * path, simulated through an inter-pipeline channel named after the probe). Main context. */
#pragma once

#include "lx-receiver-config.h"

#include <gst/gst.h>

/* (transfer full) A new echo probe with a name of its own, or NULL (and a warning) when
 * webrtcdsp's plugin is missing: the microphone then goes uncancelled. */
GstElement *lx_echo_probe_new (void);

/* (transfer floating) What the played sound goes through before the speakers: to 48 kHz stereo,
 * @probe, and a copy into the simulated echo path with simulated-echo-ms. Pads "sink", "src". */
GstElement *lx_echo_far_end_new (GstElement *probe, const LxReceiverConfig *config, GError **error);

/* (transfer floating) What the microphone's sound goes through before its encoder: the simulated
 * echo of what @probe_name heard mixed in (simulated-echo-ms), then, with echo-cancel, the
 * cancelling against it (@probe_name NULL: neither). Pads "sink", "src". */
GstElement *lx_echo_near_end_new (const char *probe_name, const LxReceiverConfig *config,
                                  GError **error);
