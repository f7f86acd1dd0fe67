/* The repair of a stream sent beside webrtcbin (see lx-direct-repair.h). */
#include "lx-direct-repair.h"
#include "lx-peer-link.h"
#include "lx-webrtc.h"

#include <gst/rtp/gstrtcpbuffer.h>

/* The repair elements webrtcbin makes for a stream, in the order they stand before its RTP
 * session: rtpbin's FEC encoder (ULPFEC, then RED around it), then its auxiliary sender (RTX). */
enum { FEC, RED, RTX, N_REPAIRS };
static const char *const REPAIR_FACTORIES[N_REPAIRS] = { "rtpulpfecenc", "rtpredenc",
                                                         "rtprtxsend" };

struct _LxDirectRepair {
  GstPad *head;            /* the first element's sink pad */
  GstElement *fec_encoder; /* (nullable) owned by the bin, like the others */
  GstElement *rtx_sender;  /* (nullable) */
};

/* Gives @to every setting of @from that its own class declares (payload types, SSRC maps, history
 * length, FEC strength): what webrtcbin set from the negotiation and lx-classroom-media.c tuned. */
static void
copy_settings (GstElement *from, GstElement *to)
{
  guint n_specs;
  g_autofree GParamSpec **specs =
      g_object_class_list_properties (G_OBJECT_GET_CLASS (from), &n_specs);

  for (guint i = 0; i < n_specs; i++) {
    GValue value = G_VALUE_INIT;

    if (specs[i]->owner_type != G_OBJECT_TYPE (from) ||
        (specs[i]->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE ||
        (specs[i]->flags & G_PARAM_CONSTRUCT_ONLY))
      continue;
    g_value_init (&value, specs[i]->value_type);
    g_object_get_property (G_OBJECT (from), specs[i]->name, &value);
    /* (an unset map stays unset: the elements refuse NULL for one) */
    if (!G_VALUE_HOLDS_BOXED (&value) || g_value_get_boxed (&value) != NULL)
      g_object_set_property (G_OBJECT (to), specs[i]->name, &value);
    g_value_unset (&value);
  }
}

typedef struct {
  guint unset;
  GstElement *found;
} WithPayloadType;

static gboolean
take_if_payload_type_set (GstElement *element, gpointer data)
{
  WithPayloadType *search = data;
  guint pt = search->unset;

  g_object_get (element, "pt", &pt, NULL);
  if (pt == search->unset)
    return TRUE;
  search->found = gst_object_ref (element);
  return FALSE;
}

/* (transfer full) (nullable) The first element made by @factory inside @bin whose payload type
 * ("pt") is not @unset. */
static GstElement *
child_with_payload_type (GstBin *bin, const char *factory, guint unset)
{
  WithPayloadType search = { unset, NULL };

  lx_webrtc_foreach_made_by (bin, factory, take_if_payload_type_set, &search);
  return search.found;
}

/* webrtcbin's repair elements for the video, in REPAIR_FACTORIES' order (each nullable). It makes
 * an FEC encoder (a bin of ULPFEC and RED) for every transceiver of the bundle, the sound's too:
 * the video's is the one whose RED encoder was given a payload type. */
static void
find_theirs (GstElement *webrtc, GstElement *theirs[N_REPAIRS])
{
  theirs[RED] = child_with_payload_type (GST_BIN (webrtc), REPAIR_FACTORIES[RED], 0);
  theirs[FEC] = theirs[RED] ? lx_webrtc_find_element (GST_ELEMENT (GST_OBJECT_PARENT (theirs[RED])),
                                                      REPAIR_FACTORIES[FEC], NULL)
                            : NULL;
  theirs[RTX] = lx_webrtc_find_element (webrtc, REPAIR_FACTORIES[RTX], NULL);
}

static gboolean
forward_sticky (GstPad *pad, GstEvent **event, gpointer data)
{
  LxDirectRepair *repair = data;

  gst_pad_send_event (repair->head, gst_event_ref (*event));
  return TRUE;
}

LxDirectRepair *
lx_direct_repair_new (GstElement *webrtc, GstPad *payloader_src, LxPacketFunc send,
                      gpointer send_data, GDestroyNotify destroy)
{
  g_autoptr (GstElement) payloader = gst_pad_get_parent_element (payloader_src);
  g_autoptr (GstObject) bin = payloader ? gst_object_get_parent (GST_OBJECT (payloader)) : NULL;
  LxDirectRepair *repair;
  GstElement *previous = NULL;
  GstElement *theirs[N_REPAIRS];
  GstElement *made[N_REPAIRS];
  guint n_made = 0;
  g_autoptr (GstPad) tail_pad = NULL;

  if (bin == NULL)
    return NULL;
  find_theirs (webrtc, theirs);
  for (guint i = 0; i < N_REPAIRS; i++) {
    GstElement *ours = theirs[i] ? gst_element_factory_make (REPAIR_FACTORIES[i], NULL) : NULL;
    if (ours) {
      copy_settings (theirs[i], ours);
      gst_bin_add (GST_BIN (bin), ours);
      if (previous)
        gst_element_link (previous, ours);
      made[n_made++] = previous = ours;
    }
    gst_clear_object (&theirs[i]);
  }
  if (n_made == 0)
    return NULL;

  repair = g_new0 (LxDirectRepair, 1);
  repair->head = gst_element_get_static_pad (made[0], "sink");
  for (guint i = 0; i < n_made; i++) {
    const char *factory = GST_OBJECT_NAME (gst_element_get_factory (made[i]));
    if (g_str_equal (factory, "rtpulpfecenc"))
      repair->fec_encoder = made[i];
    else if (g_str_equal (factory, "rtprtxsend"))
      repair->rtx_sender = made[i];
  }
  /* What leaves the side chain goes to the sender, never to a peer (its tail is linked to none). */
  tail_pad = gst_element_get_static_pad (previous, "src");
  lx_packet_probe_add_taking (tail_pad, send, send_data, destroy);
  for (guint i = 0; i < n_made; i++) {
    g_debug ("repair beside webrtcbin: %s", GST_OBJECT_NAME (gst_element_get_factory (made[i])));
    gst_element_sync_state_with_parent (made[i]);
  }
  gst_pad_sticky_events_foreach (payloader_src, forward_sticky, repair);
  return repair;
}

void
lx_direct_repair_free (LxDirectRepair *repair)
{
  gst_object_unref (repair->head);
  g_free (repair);
}

void
lx_direct_repair_push (LxDirectRepair *repair, GstMiniObject *packets)
{
  if (GST_IS_BUFFER_LIST (packets))
    gst_pad_chain_list (repair->head, GST_BUFFER_LIST (packets));
  else
    gst_pad_chain (repair->head, GST_BUFFER (packets));
}

void
lx_direct_repair_forward_event (LxDirectRepair *repair, GstEvent *event)
{
  gst_pad_send_event (repair->head, gst_event_ref (event));
}

typedef struct {
  GstPad *rtx_src;
  guint32 media_ssrc;
  gint oldest;  /* the oldest sequence number still answered; -1 all */
  guint copies; /* retransmissions of each */
} Request;

/* What webrtcbin's RTP session asks its RTX sender for a NACKed packet (gstrtpsession.c). */
static void
request_again (guint16 seqnum, gpointer data)
{
  Request *request = data;
  GstStructure *structure;

  if (request->oldest >= 0 && (gint16) (seqnum - (guint16) request->oldest) < 0)
    return;
  structure = gst_structure_new ("GstRTPRetransmissionRequest", "seqnum", G_TYPE_UINT,
                                 (guint) seqnum, "ssrc", G_TYPE_UINT, request->media_ssrc, NULL);
  /* (each request makes rtprtxsend send the packet again, with an RTX sequence number of its own) */
  for (guint i = 0; i < request->copies; i++)
    gst_pad_send_event (request->rtx_src, gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM,
                                                                gst_structure_copy (structure)));
  gst_structure_free (structure);
}

void
lx_direct_repair_answer_nacks (LxDirectRepair *repair, GstRTCPPacket *packet, guint32 media_ssrc,
                               gint oldest, guint copies)
{
  Request request = { NULL, media_ssrc, oldest, copies };

  if (repair->rtx_sender == NULL)
    return;
  request.rtx_src = gst_element_get_static_pad (repair->rtx_sender, "src");
  lx_rtcp_foreach_nacked (packet, media_ssrc, request_again, &request);
  gst_object_unref (request.rtx_src);
}

GstElement *
lx_direct_repair_get_fec_encoder (LxDirectRepair *repair)
{
  return repair->fec_encoder;
}

GstElement *
lx_direct_repair_get_rtx_sender (LxDirectRepair *repair)
{
  return repair->rtx_sender;
}
