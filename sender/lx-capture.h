/* The lesson's raw inputs: a bin producing raw video at the configured size and rate, and one
 * producing raw audio, from a test source, a camera or file, and a microphone. */
#pragma once

#include "lx-sender-config.h"

#include <gst/gst.h>

/* (transfer floating) A bin with one "src" pad of video/x-raw,format=I420 at the configured size
 * and frame rate, or NULL with @error (a missing plugin, a bad device setting). */
GstElement *lx_capture_video_new (const LxSenderConfig *config, GError **error);

/* (transfer floating) A bin with one "src" pad of 48 kHz stereo audio/x-raw, or NULL with @error.
 * With audio-source=none it returns NULL and leaves @error unset. */
GstElement *lx_capture_audio_new (const LxSenderConfig *config, GError **error);
