/* One classroom's layer switch (see lx-layer-switch.h). Links are made and released on the main
 * context; the only streaming-thread work is the probe that waits for the new layer's keyframe and
 * then activates it. A switch asked for while another is pending waits for it to finish (so the
 * main context never cancels a link the streaming thread may be activating). */
#include "lx-layer-switch.h"

#include "lx-pads.h"

#include <gst/video/video.h>

typedef struct {
  LxLayerSwitch *owner;
  guint layer;
  GstPad *tee_pad;       /* the layer tee's request pad */
  GstPad *ghost_pad;     /* on the classroom's bin, to the selector pad */
  GstPad *selector_pad;  /* the selector's request pad */
  gint64 quiet_until_us; /* (monotonic) keyframe requests through it are dropped until then */
} Link;

struct _LxLayerSwitch {
  GstElement *bin;
  GstElement *selector;
  GstElement *tees[LX_MAX_LAYERS];
  LxKeyframeGate *gates[LX_MAX_LAYERS];
  guint n_layers;
  gchar *school;
  Link *current; /* (nullable) on the air, or waiting for its first keyframe after a pause */
  Link *pending; /* (nullable) waiting for its first keyframe, current still on the air */
  guint wanted;
  gint current_layer; /* atomic: read by statistics */
  gboolean started;   /* a layer went on the air once (the classroom may be decoding) */
  gboolean closing;
  gint unlinks_left; /* atomic, while closing */
  GDestroyNotify done;
  gpointer done_data;
};

static LxLayerSwitch *
switch_ref (LxLayerSwitch *layer_switch)
{
  return g_atomic_rc_box_acquire (layer_switch);
}

static void
switch_clear (LxLayerSwitch *layer_switch)
{
  g_free (layer_switch->school);
}

static void
switch_unref (gpointer layer_switch)
{
  g_atomic_rc_box_release_full (layer_switch, (GDestroyNotify) switch_clear);
}

LxLayerSwitch *
lx_layer_switch_new (GstElement *bin, GstElement *selector, GstElement *const *tees,
                     LxKeyframeGate *const *gates, guint n_layers, const char *school)
{
  LxLayerSwitch *layer_switch = g_atomic_rc_box_new0 (LxLayerSwitch);

  layer_switch->bin = bin;
  layer_switch->selector = selector;
  layer_switch->n_layers = n_layers;
  for (guint i = 0; i < n_layers; i++) {
    layer_switch->tees[i] = tees[i];
    layer_switch->gates[i] = gates[i];
  }
  layer_switch->school = g_strdup (school);
  layer_switch->wanted = n_layers;
  layer_switch->current_layer = (gint) n_layers;
  g_object_set (selector, "sync-streams", FALSE, "cache-buffers", FALSE, NULL);
  return layer_switch;
}

guint
lx_layer_switch_get_current (LxLayerSwitch *layer_switch)
{
  return (guint) g_atomic_int_get (&layer_switch->current_layer);
}

void
lx_layer_switch_request_keyframe (LxLayerSwitch *layer_switch, const char *reason)
{
  guint layer = layer_switch->current ? layer_switch->current->layer : layer_switch->n_layers;

  if (layer < layer_switch->n_layers && layer_switch->gates[layer])
    lx_keyframe_gate_request (layer_switch->gates[layer], reason);
}

/* ---- Releasing a link ---- */

static void link_released (LxLayerSwitch *layer_switch);

static gboolean
release_on_main (gpointer data)
{
  Link *link = data;
  LxLayerSwitch *layer_switch = link->owner;
  GstElement *tee = layer_switch->tees[link->layer];

  gst_element_release_request_pad (tee, link->tee_pad);
  gst_object_unref (link->tee_pad);
  gst_pad_set_active (link->ghost_pad, FALSE);
  gst_element_remove_pad (layer_switch->bin, link->ghost_pad);
  gst_element_release_request_pad (layer_switch->selector, link->selector_pad);
  gst_object_unref (link->selector_pad);
  g_free (link);
  switch_unref (layer_switch);
  return G_SOURCE_REMOVE;
}

/* The tee's pad is unlinked (between two buffers: nothing was mid-push). */
static void
link_unlinked (gpointer data)
{
  Link *link = data;
  LxLayerSwitch *layer_switch = switch_ref (link->owner);

  /* Released on the main context; when closing, before the classroom hears that all are done
   * (both go through the main context, in order). */
  g_main_context_invoke (NULL, release_on_main, link);
  if (layer_switch->closing)
    link_released (layer_switch);
  switch_unref (layer_switch);
}

static void
release_link (Link *link)
{
  lx_pad_unlink_when_idle (link->tee_pad, link_unlinked, link, NULL);
}

/* ---- Switching ---- */

static gboolean
finish_switch (gpointer data)
{
  LxLayerSwitch *layer_switch = data;
  Link *old = layer_switch->current;

  if (layer_switch->closing || layer_switch->pending == NULL)
    return G_SOURCE_REMOVE;
  layer_switch->current = g_steal_pointer (&layer_switch->pending);
  g_message ("classroom %s: now on layer %u", layer_switch->school, layer_switch->current->layer);
  if (old)
    release_link (old);
  /* Asked for something else meanwhile? */
  if (layer_switch->wanted != layer_switch->current->layer) {
    guint wanted = layer_switch->wanted;
    layer_switch->wanted = layer_switch->current->layer;
    lx_layer_switch_set (layer_switch, wanted);
  }
  return G_SOURCE_REMOVE;
}

/* Puts the new layer on the air with this buffer. */
static GstPadProbeReturn
go_on_air (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Link *link = data;
  LxLayerSwitch *layer_switch = link->owner;

  g_object_set (layer_switch->selector, "active-pad", link->selector_pad, NULL);
  g_atomic_int_set (&layer_switch->current_layer, (gint) link->layer);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, finish_switch, switch_ref (layer_switch),
                              switch_unref);
  return GST_PAD_PROBE_REMOVE;
}

/* The old layer of a switch after a drain: silent from now on. */
static GstPadProbeReturn
drop_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_PAD_PROBE_DROP;
}

/* While the link drains, the classroom's decoder asks for keyframes (its old layer's pictures are
 * lost): the new layer's would come too early, into the full queue. */
static GstPadProbeReturn
drop_early_keyframe_requests (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Link *link = data;

  if (g_get_monotonic_time () >= link->quiet_until_us)
    return GST_PAD_PROBE_REMOVE;
  if (!gst_video_event_is_force_key_unit (GST_PAD_PROBE_INFO_EVENT (info)))
    return GST_PAD_PROBE_OK;
  return GST_PAD_PROBE_DROP;
}

/* The link has drained: the keyframe the pending layer waits for can go. */
static gboolean
request_drained_keyframe (gpointer data)
{
  LxLayerSwitch *layer_switch = data;
  Link *pending = layer_switch->pending;

  if (!layer_switch->closing && pending && layer_switch->gates[pending->layer])
    lx_keyframe_gate_request (layer_switch->gates[pending->layer],
                              "a classroom moves to this layer (its link drained)");
  return G_SOURCE_REMOVE;
}

/* Drops the new layer's buffers until its first keyframe, then puts it on the air. */
static GstPadProbeReturn
wait_for_keyframe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info), GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_DROP;
  return go_on_air (pad, info, data);
}

static Link *
make_link (LxLayerSwitch *layer_switch, guint layer, guint drain_ms)
{
  Link *link = g_new0 (Link, 1);

  link->owner = switch_ref (layer_switch);
  link->layer = layer;
  link->selector_pad = gst_element_request_pad_simple (layer_switch->selector, "sink_%u");
  link->ghost_pad = gst_ghost_pad_new (NULL, link->selector_pad);
  gst_pad_set_active (link->ghost_pad, TRUE);
  gst_element_add_pad (layer_switch->bin, link->ghost_pad);
  link->tee_pad = gst_element_request_pad_simple (layer_switch->tees[layer], "src_%u");
  /* A classroom's first layer goes on the air at once: nothing reaches the classroom before it
   * is connected, and it is given a keyframe then (lx_layer_switch_request_keyframe()); one now
   * would only cost the other classrooms a keyframe and delay the offer, which waits for caps. */
  gst_pad_add_probe (link->tee_pad, GST_PAD_PROBE_TYPE_BUFFER,
                     layer_switch->started ? wait_for_keyframe : go_on_air, link, NULL);
  if (gst_pad_link (link->tee_pad, link->ghost_pad) != GST_PAD_LINK_OK) {
    g_warning ("classroom %s: layer %u's stream does not fit this classroom's branch",
               layer_switch->school, layer);
    release_on_main (link);
    return NULL;
  }
  if (layer_switch->started && drain_ms > 0) {
    link->quiet_until_us = g_get_monotonic_time () + drain_ms * G_GINT64_CONSTANT (1000);
    gst_pad_add_probe (link->tee_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                       drop_early_keyframe_requests, link, NULL);
    g_timeout_add_full (G_PRIORITY_DEFAULT, drain_ms, request_drained_keyframe,
                        switch_ref (layer_switch), switch_unref);
  } else if (layer_switch->started && layer_switch->gates[layer])
    lx_keyframe_gate_request (layer_switch->gates[layer], "a classroom moves to this layer");
  layer_switch->started = TRUE;
  return link;
}

gboolean
lx_layer_switch_set (LxLayerSwitch *layer_switch, guint layer)
{
  return lx_layer_switch_set_after_drain (layer_switch, layer, 0);
}

gboolean
lx_layer_switch_set_after_drain (LxLayerSwitch *layer_switch, guint layer, guint drain_ms)
{
  guint n_layers = layer_switch->n_layers;

  layer = MIN (layer, n_layers);
  if (layer_switch->closing || layer == layer_switch->wanted)
    return TRUE;
  layer_switch->wanted = layer;
  if (layer_switch->pending)
    return TRUE; /* finish_switch() goes on from there */
  if (layer == n_layers) {
    g_message ("classroom %s: video paused (the link cannot carry the cheapest layer)",
               layer_switch->school);
    if (layer_switch->current)
      release_link (g_steal_pointer (&layer_switch->current));
    g_atomic_int_set (&layer_switch->current_layer, (gint) n_layers);
    return TRUE;
  }
  if (layer_switch->current && layer_switch->current->layer == layer)
    return TRUE;
  if (layer_switch->current == NULL)
    drain_ms = 0; /* nothing on the air fills the link */
  if (!layer_switch->started)
    g_message ("classroom %s: starting on layer %u", layer_switch->school, layer);
  else if (drain_ms > 0)
    g_message ("classroom %s: moving to layer %u once its link drained (%u ms)",
               layer_switch->school, layer, drain_ms);
  else
    g_message ("classroom %s: moving to layer %u at its next keyframe", layer_switch->school,
               layer);
  if (drain_ms > 0)
    gst_pad_add_probe (layer_switch->current->tee_pad, GST_PAD_PROBE_TYPE_BUFFER, drop_buffer, NULL,
                       NULL);
  layer_switch->pending = make_link (layer_switch, layer, drain_ms);
  return layer_switch->pending != NULL;
}

/* ---- Closing ---- */

static void
link_released (LxLayerSwitch *layer_switch)
{
  if (!g_atomic_int_dec_and_test (&layer_switch->unlinks_left))
    return;
  layer_switch->done (layer_switch->done_data);
  switch_unref (layer_switch);
}

void
lx_layer_switch_close (LxLayerSwitch *layer_switch, GDestroyNotify done, gpointer data)
{
  Link *links[] = { layer_switch->current, layer_switch->pending };

  layer_switch->closing = TRUE;
  layer_switch->done = done;
  layer_switch->done_data = data;
  layer_switch->current = layer_switch->pending = NULL;
  g_atomic_int_set (&layer_switch->unlinks_left, 1); /* held until every probe is added */
  for (guint i = 0; i < G_N_ELEMENTS (links); i++) {
    if (links[i] == NULL)
      continue;
    g_atomic_int_inc (&layer_switch->unlinks_left);
    release_link (links[i]);
  }
  link_released (layer_switch);
}
