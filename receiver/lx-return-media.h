/* A classroom's picture and voice back to the teacher in a joint lesson: a small picture of the
 * room on the video m-line the sender's offer receives on (recvonly there), and the microphone on
 * the audio one — its packets let through only while the class is called on. Built per session,
 * in its pipeline, between setting the sender's offer and creating the answer; main context. */
#pragma once

#include "lx-receiver-config.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

typedef struct _LxReturnMedia LxReturnMedia;

/* (transfer full) Links the configured camera and microphone to the m-lines of @offer that the
 * sender receives on — the microphone through echo cancelling against @echo_probe (the name of
 * the session's webrtcechoprobe, lx-echo.h; NULL: none), with echo-cancel — (none: an empty LxReturnMedia, and the answer says so), in @pipeline beside
 * @webrtc, before the answer is created. NULL with @error when a source cannot be made
 * (a missing plugin, a bad device setting). */
LxReturnMedia *lx_return_media_attach (const LxReceiverConfig *config, GstElement *pipeline,
                                       GstElement *webrtc, const GstSDPMessage *offer,
                                       const char *echo_probe, GError **error);
void lx_return_media_free (LxReturnMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxReturnMedia, lx_return_media_free)

/* An error came from @source: if it is one of the return streams' elements (a camera unplugged),
 * that stream stops and TRUE is returned; FALSE for anything else. */
gboolean lx_return_media_set_aside (LxReturnMedia *media, GstObject *source);

/* The class has the floor (@open) or not: the microphone's packets go to the sender only then. */
void lx_return_media_set_microphone_open (LxReturnMedia *media, gboolean open);

/* Frames of the room's picture sent so far; whether the microphone is open. */
guint64 lx_return_media_get_frames_sent (LxReturnMedia *media);
gboolean lx_return_media_is_microphone_open (LxReturnMedia *media);

/* What the microphone sends (after echo cancelling), whether or not the class is called on. */
typedef struct {
  guint level_permille;     /* its loudness over the last second */
  gdouble probe_dbfs;       /* the strength of measure-tone-hz in it; -120 for none */
  gboolean echo_cancelling; /* through webrtcdsp */
} LxReturnMicrophone;
LxReturnMicrophone lx_return_media_get_microphone (LxReturnMedia *media);
