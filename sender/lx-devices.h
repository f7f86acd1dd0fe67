/* The cameras and microphones present on the teacher's PC, for the console to choose from, and
 * the capture made for the one chosen. GStreamer's device monitor finds them (V4L2 cameras,
 * PulseAudio or ALSA microphones); the test pattern and tone are always there. Main context. */
#pragma once

#include "lx-capture.h"

#include <json-glib/json-glib.h>

typedef struct _LxDevices LxDevices;

/* (transfer full) Starts watching for devices (plugged in or out while the lesson runs). */
LxDevices *lx_devices_new (void);
void lx_devices_free (LxDevices *devices);

/* Adds "cameras" and "microphones": [{"id", "name"}], and "camera"/"microphone": the ids in use. */
void lx_devices_add_json (LxDevices *devices, JsonBuilder *builder);
/* Notes the devices in use at start, from the sender's own settings. */
void lx_devices_set_in_use (LxDevices *devices, const LxCaptureSettings *settings);

/* (transfer floating) A capture bin for the camera (@microphone FALSE) or microphone of @id, as
 * @settings say otherwise (size, rate); it becomes the one in use. NULL with @error for an id
 * that names nothing present. */
GstElement *lx_devices_make_capture (LxDevices *devices, gboolean microphone, const char *id,
                                     const LxCaptureSettings *settings, GError **error);
