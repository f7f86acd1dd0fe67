/* Reading a WHEP player's offer: the payload types it gave the codecs the sender sends. */
#include "lx-offer.h"
#include "lx-protocol.h"

/* An offer as Chromium makes one (trimmed): H.264 in several profiles and packetization modes,
 * VP8, RTX, Opus. */
static const char chromium_offer[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 106 107 108 109\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:103 H264/90000\r\n"
    "a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f\r\n"
    "a=rtpmap:106 H264/90000\r\n"
    "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:107 rtx/90000\r\na=fmtp:107 apt=106\r\n"
    "a=rtpmap:108 H264/90000\r\n"
    "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n";

static const char vp8_only_offer[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 120\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:120 VP8/90000\r\n";

static LxOfferPayloads
read_payloads (const char *text, const char *codec)
{
  g_autoptr (GstSDPMessage) sdp = NULL;

  g_assert_cmpint (gst_sdp_message_new_from_text (text, &sdp), ==, GST_SDP_OK);
  return lx_offer_find_payloads (sdp, codec);
}

static void
test_chromium_offer (void)
{
  /* H.264: the first in packetization-mode 1 and constrained baseline (not mode 0, not High). */
  LxOfferPayloads payloads = read_payloads (chromium_offer, LX_VIDEO_CODEC_H264);
  g_assert_cmpint (payloads.video_pt, ==, 106);
  g_assert_cmpint (payloads.audio_pt, ==, 111);
  payloads = read_payloads (chromium_offer, LX_VIDEO_CODEC_VP8);
  g_assert_cmpint (payloads.video_pt, ==, 96);
}

static void
test_nothing_we_send (void)
{
  LxOfferPayloads payloads = read_payloads (vp8_only_offer, LX_VIDEO_CODEC_H264);
  g_assert_cmpint (payloads.video_pt, ==, -1); /* the sender refuses it */
  g_assert_cmpint (payloads.audio_pt, ==, -1); /* no audio offered: none sent */
  payloads = read_payloads (vp8_only_offer, LX_VIDEO_CODEC_VP8);
  g_assert_cmpint (payloads.video_pt, ==, 120);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/offer/chromium", test_chromium_offer);
  g_test_add_func ("/offer/nothing-we-send", test_nothing_we_send);
  return g_test_run ();
}
