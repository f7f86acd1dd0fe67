/* The quality layers of one video codec (see lx-layer-set.h). */
#include "lx-layer-set.h"

#include "lx-encoder.h"
#include "lx-pads.h"
#include "lx-fanout-events.h"

typedef struct {
  GstElement *bin;     /* the encoder's bin, in the pipeline */
  GstElement *encoder; /* the encoder element inside it */
  GstElement *tee;
  LxKeyframeGate *keyframes;
  LxBitrateMeter *bitrate; /* what the encoder really sends */
} Layer;

struct _LxLayerSet {
  const LxSenderConfig *config;
  const char *codec;
  gboolean on_demand; /* encoders run only while a classroom holds the set */
  GstElement *pipeline, *raw_tee;
  Layer layers[LX_MAX_LAYERS];
  guint n_layers; /* 0 while the encoders are stopped */
  guint holders;  /* classrooms (and the WHIP publication) taking the set's layers */
  guint retire_timer;
};

/* An on-demand set's encoders stop this long after the last classroom let go (a browser that
 * reloads comes back within it and finds them running). */
#define RETIRE_DELAY_S 10

/* A classroom that joins or changes layer links a new pad to a tee, and the new link asks upstream
 * to renegotiate (RECONFIGURE). The formats are fixed from capture to encoders, and renegotiating
 * them live is no-op at best and a not-negotiated error at worst: classrooms never ask. */
static GstPadProbeReturn
drop_reconfigure (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_RECONFIGURE
             ? GST_PAD_PROBE_DROP
             : GST_PAD_PROBE_OK;
}

/* Takes @element out of @pipeline again. */
static void
remove_from (GstElement *pipeline, GstElement *element)
{
  gst_element_set_state (element, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline), element);
}

GstElement *
lx_tee_add_after (GstElement *pipeline, GstElement *upstream, GstElement *encoder,
                  const char *tee_name, GError **error)
{
  GstElement *tee = gst_object_ref_sink (gst_element_factory_make ("tee", tee_name));
  g_autoptr (GstPad) tee_sink = gst_element_get_static_pad (tee, "sink");
  g_autoptr (GstElement) held_encoder = encoder ? gst_object_ref_sink (encoder) : NULL;
  gboolean tee_added, encoder_added;

  g_object_set (tee, "allow-not-linked", TRUE, NULL);
  gst_pad_add_probe (tee_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, drop_reconfigure, NULL, NULL);
  if (encoder)
    lx_fanout_events_attach (tee_sink);
  tee_added = gst_bin_add (GST_BIN (pipeline), tee);
  encoder_added = tee_added && encoder && gst_bin_add (GST_BIN (pipeline), encoder);
  /* Added to a running pipeline (VP8 layers), the new elements must be playing before the first
   * buffer reaches them: a flushing pad would answer the upstream tee's push with an error. */
  if (tee_added && (encoder == NULL || encoder_added) &&
      (encoder == NULL || gst_element_link (encoder, tee)) &&
      gst_element_sync_state_with_parent (tee) &&
      (encoder == NULL || gst_element_sync_state_with_parent (encoder)) &&
      gst_element_link (upstream, encoder ? encoder : tee))
    return tee;

  g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link %s to %s",
               GST_ELEMENT_NAME (upstream), tee_name);
  if (encoder_added)
    remove_from (pipeline, encoder);
  if (tee_added)
    remove_from (pipeline, tee);
  gst_object_unref (tee);
  return NULL;
}

static void retire_layers (LxLayerSet *set);

/* Adds and starts an encoder and a tee per configured layer. FALSE with @error if one cannot be
 * made or linked: what was added leaves the pipeline again. */
static gboolean
start_layers (LxLayerSet *set, GError **error)
{
  gboolean vp8 = g_strcmp0 (set->codec, LX_VIDEO_CODEC_VP8) == 0;

  for (guint i = 0; i < set->config->n_layers; i++) {
    g_autofree gchar *tee_name = g_strdup_printf ("video-tee-%s%u", vp8 ? "vp8-" : "", i);
    Layer *layer = &set->layers[i];
    g_autoptr (GstPad) encoder_src = NULL;
    GstElement *encoder = NULL;
    GstElement *bin = lx_encoder_video_new (set->config, i, set->codec, &encoder, error);

    if (bin == NULL)
      goto failed;
    layer->tee =
        lx_tee_add_after (set->pipeline, set->raw_tee, gst_object_ref_sink (bin), tee_name, error);
    if (layer->tee == NULL) {
      gst_object_unref (bin);
      goto failed;
    }
    layer->bin = bin;
    layer->encoder = gst_object_ref (encoder);
    set->n_layers = i + 1;
    encoder_src = gst_element_get_static_pad (encoder, "src");
    layer->keyframes = lx_keyframe_gate_new (encoder_src, set->config->min_keyframe_interval_ms);
    layer->bitrate = lx_bitrate_meter_new (encoder_src);
  }
  return TRUE;

failed:
  retire_layers (set);
  return FALSE;
}

LxLayerSet *
lx_layer_set_new (const LxSenderConfig *config, GstElement *pipeline, GstElement *raw_tee,
                  const char *codec, gboolean on_demand, GError **error)
{
  LxLayerSet *set = g_new0 (LxLayerSet, 1);

  set->config = config;
  set->codec =
      g_strcmp0 (codec, LX_VIDEO_CODEC_VP8) == 0 ? LX_VIDEO_CODEC_VP8 : LX_VIDEO_CODEC_H264;
  set->on_demand = on_demand;
  set->pipeline = gst_object_ref (pipeline);
  set->raw_tee = gst_object_ref (raw_tee);
  if (!on_demand && !start_layers (set, error))
    g_clear_pointer (&set, lx_layer_set_free);
  return set;
}

/* Drops the set's references to its layers (the elements stay wherever they are). */
static void
forget_layers (LxLayerSet *set)
{
  for (guint i = 0; i < set->n_layers; i++) {
    g_clear_pointer (&set->layers[i].keyframes, lx_keyframe_gate_free);
    g_clear_pointer (&set->layers[i].bitrate, lx_bitrate_meter_free);
    gst_clear_object (&set->layers[i].tee);
    gst_clear_object (&set->layers[i].encoder);
    gst_clear_object (&set->layers[i].bin);
  }
  set->n_layers = 0;
}

void
lx_layer_set_free (LxLayerSet *set)
{
  if (set == NULL)
    return;
  g_clear_handle_id (&set->retire_timer, g_source_remove);
  forget_layers (set);
  gst_object_unref (set->raw_tee);
  gst_object_unref (set->pipeline);
  g_free (set);
}

typedef struct {
  GstElement *pipeline, *raw_tee, *bin, *tee;
  GstPad *raw_pad;
} RetiringLayer;

/* (main context) The layer's encoder no longer gets raw video: out of the pipeline with it. */
static gboolean
remove_retired_layer (gpointer data)
{
  RetiringLayer *layer = data;

  gst_element_release_request_pad (layer->raw_tee, layer->raw_pad);
  gst_element_set_state (layer->bin, GST_STATE_NULL);
  gst_element_set_state (layer->tee, GST_STATE_NULL);
  gst_bin_remove_many (GST_BIN (layer->pipeline), layer->bin, layer->tee, NULL);
  gst_object_unref (layer->raw_pad);
  gst_object_unref (layer->bin);
  gst_object_unref (layer->tee);
  gst_object_unref (layer->raw_tee);
  gst_object_unref (layer->pipeline);
  g_free (layer);
  return G_SOURCE_REMOVE;
}

/* (a streaming thread) */
static void
retired_layer_unlinked (gpointer layer)
{
  g_main_context_invoke (NULL, remove_retired_layer, layer);
}

/* Stops the encoders and takes them and the tees out of the playing pipeline, once no buffer is
 * passing (the raw video goes on for the other codec). The tees must feed no branch any more. */
static void
retire_layers (LxLayerSet *set)
{
  for (guint i = 0; i < set->n_layers; i++) {
    RetiringLayer *retiring = g_new0 (RetiringLayer, 1);
    g_autoptr (GstPad) encoder_sink = gst_element_get_static_pad (set->layers[i].bin, "sink");

    retiring->pipeline = gst_object_ref (set->pipeline);
    retiring->raw_tee = gst_object_ref (set->raw_tee);
    retiring->bin = gst_object_ref (set->layers[i].bin);
    retiring->tee = gst_object_ref (set->layers[i].tee);
    retiring->raw_pad = gst_pad_get_peer (encoder_sink);
    lx_pad_unlink_when_idle (retiring->raw_pad, retired_layer_unlinked, retiring, NULL);
  }
  forget_layers (set);
}

/* Whether a tee of the set still feeds a branch (one may be closing). */
static gboolean
feeds_branches (LxLayerSet *set)
{
  for (guint i = 0; i < set->n_layers; i++)
    if (set->layers[i].tee->numsrcpads > 0)
      return TRUE;
  return FALSE;
}

static gboolean
retire_if_unheld (gpointer data)
{
  LxLayerSet *set = data;

  set->retire_timer = 0;
  if (set->holders > 0 || set->n_layers == 0)
    return G_SOURCE_REMOVE;
  if (feeds_branches (set)) { /* a branch still closing */
    set->retire_timer = g_timeout_add_seconds (1, retire_if_unheld, set);
    return G_SOURCE_REMOVE;
  }
  g_message ("no classroom decodes %s any more: stopping the %s encoders", set->codec, set->codec);
  retire_layers (set);
  return G_SOURCE_REMOVE;
}

gboolean
lx_layer_set_hold (LxLayerSet *set, const char *holder, LxClassroomContext *context, GError **error)
{
  if (set->n_layers == 0) {
    g_message ("%s decodes %s only: encoding the layers in %s too", holder, set->codec, set->codec);
    if (!start_layers (set, error))
      return FALSE;
  }
  g_clear_handle_id (&set->retire_timer, g_source_remove);
  set->holders++;
  memset (context->video_tees, 0, sizeof (context->video_tees));
  memset (context->keyframes, 0, sizeof (context->keyframes));
  memset (context->bitrates, 0, sizeof (context->bitrates));
  for (guint i = 0; i < set->n_layers; i++) {
    context->video_tees[i] = set->layers[i].tee;
    context->keyframes[i] = set->layers[i].keyframes;
    context->bitrates[i] = set->layers[i].bitrate;
  }
  context->n_layers = set->n_layers;
  context->video_codec = set->codec;
  return TRUE;
}

void
lx_layer_set_release (LxLayerSet *set)
{
  g_return_if_fail (set->holders > 0);
  if (--set->holders > 0 || !set->on_demand)
    return;
  g_clear_handle_id (&set->retire_timer, g_source_remove);
  set->retire_timer = g_timeout_add_seconds (RETIRE_DELAY_S, retire_if_unheld, set);
}

guint
lx_layer_set_get_n_layers (LxLayerSet *set)
{
  return set->n_layers;
}

GstElement *
lx_layer_set_get_tee (LxLayerSet *set, guint layer)
{
  return layer < set->n_layers ? set->layers[layer].tee : NULL;
}

LxKeyframeGate *
lx_layer_set_get_keyframes (LxLayerSet *set, guint layer)
{
  return layer < set->n_layers ? set->layers[layer].keyframes : NULL;
}

GstElement *
lx_layer_set_get_encoder (LxLayerSet *set, guint layer)
{
  return layer < set->n_layers ? set->layers[layer].encoder : NULL;
}
