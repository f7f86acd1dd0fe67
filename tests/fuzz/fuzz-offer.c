/* libFuzzer target: a WHEP player's SDP offer from untrusted bytes (lx_offer_normalise, then the
 * codec pick the signaling server and the sender make). What it accepts must print as SDP and read
 * back with every m-line; what it refuses carries a reason the server can send in its 4xx body. */
#include "lx-offer.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree gchar *text = g_strndup ((const char *) data, size);
  g_autoptr (GString) notes = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstSDPMessage) sdp = lx_offer_normalise (text, notes, &error);
  g_autoptr (GstSDPMessage) again = NULL;
  g_autofree gchar *printed = NULL;
  const char *codec;

  if (sdp == NULL) {
    g_assert (error != NULL && error->domain == LX_OFFER_ERROR && error->message[0] != '\0');
    return 0;
  }
  codec = lx_offer_pick_video_codec (sdp, &error);
  if (codec) {
    LxOfferPayloads payloads = lx_offer_find_payloads (sdp, codec);
    g_assert (payloads.video_pt >= 0);
    g_assert (lx_offer_media_with_payload (sdp, payloads.video_pt) != NULL);
  } else {
    g_assert (g_error_matches (error, LX_OFFER_ERROR, LX_OFFER_ERROR_NO_COMMON_CODEC));
  }
  printed = gst_sdp_message_as_text (sdp);
  g_assert (gst_sdp_message_new_from_text (printed, &again) == GST_SDP_OK);
  g_assert (gst_sdp_message_medias_len (again) == gst_sdp_message_medias_len (sdp));
  return 0;
}
