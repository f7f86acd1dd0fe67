/* One Janus node of a city's cluster as the signaling server uses it (docs/city-scale.md): a
 * Janus API session over HTTP with the Streaming plugin attached, kept alive, through which the
 * lessons' mountpoints are created — each with a secret and a PIN of its own, so that a classroom
 * cannot watch another lesson — and removed. Janus 1.1.2, Debian's package. Main context. */
#pragma once

#include <gio/gio.h>

#define LX_JANUS_ERROR (lx_janus_error_quark ())
GQuark lx_janus_error_quark (void);

typedef enum {
  LX_JANUS_ERROR_UNREACHABLE, /* no answer from the node */
  LX_JANUS_ERROR_REFUSED,     /* a wrong API secret or admin key, a wrong mountpoint secret */
  LX_JANUS_ERROR_FAILED,      /* any other error Janus answered with (its reason in the message) */
} LxJanusError;

/* A lesson's mountpoint: the lesson's layers as one simulcast H.264 stream (up to 3) and Opus. */
typedef struct {
  gint64 id;
  const char *description;
  const char *secret; /* to change or remove it */
  const char *pin;    /* to watch it */
  guint n_layers;     /* 1 to 3 */
} LxMountpointSpec;

/* Where the sender sends a mountpoint's RTP: a port per video layer (0 unused), the video's
 * RTCP port (Janus sends keyframe requests back from it), the audio's port. */
typedef struct {
  gint video_ports[3];
  gint video_rtcp_port;
  gint audio_port;
} LxMountpointPorts;

typedef struct _LxJanusNode LxJanusNode;

/* (transfer full) The node at @url (http://HOST:PORT/janus) with @api_secret and the Streaming
 * plugin's @admin_key. Nothing is sent before lx_janus_node_connect_async(). */
LxJanusNode *lx_janus_node_new (const char *url, const char *api_secret, const char *admin_key);
void lx_janus_node_free (LxJanusNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxJanusNode, lx_janus_node_free)

/* Makes the session and attaches the Streaming plugin; keeps the session alive after. */
void lx_janus_node_connect_async (LxJanusNode *node, GAsyncReadyCallback callback, gpointer data);
gboolean lx_janus_node_connect_finish (LxJanusNode *node, GAsyncResult *result, GError **error);

void lx_janus_node_create_mountpoint_async (LxJanusNode *node, const LxMountpointSpec *spec,
                                            GAsyncReadyCallback callback, gpointer data);
gboolean lx_janus_node_create_mountpoint_finish (LxJanusNode *node, GAsyncResult *result,
                                                 LxMountpointPorts *ports, GError **error);

/* Removes mountpoint @id with its @secret (its viewers are dropped). */
void lx_janus_node_destroy_mountpoint_async (LxJanusNode *node, gint64 id, const char *secret,
                                             GAsyncReadyCallback callback, gpointer data);
gboolean lx_janus_node_destroy_mountpoint_finish (LxJanusNode *node, GAsyncResult *result,
                                                  GError **error);

/* What a mountpoint's secret tells of it: its viewers now, and how long ago its last video and
 * audio packets came from the sender (-1: none yet). */
typedef struct {
  gint viewers;
  gint64 video_age_ms, audio_age_ms;
} LxMountpointInfo;

void lx_janus_node_read_info_async (LxJanusNode *node, gint64 id, const char *secret,
                                    GAsyncReadyCallback callback, gpointer data);
gboolean lx_janus_node_read_info_finish (LxJanusNode *node, GAsyncResult *result,
                                         LxMountpointInfo *info, GError **error);
