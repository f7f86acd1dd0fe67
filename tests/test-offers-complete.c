/* Every offer the sender makes is complete, whatever the timing: classrooms join a running lesson
 * one after another (each one mid-way between two keyframes, while the CPU is busy), and each offer
 * must carry H.264 with packetization-mode 1, a profile-level-id and level-asymmetry-allowed, and
 * Opus with its parameters. RFC 6184 reads an H.264 payload with no fmtp as single-NAL mode at
 * level 1.0: a media server that believes it refuses the stream. */
#include "lx-test-client.h"
#include "lx-test-utils.h"
#include "lx-offer.h"

#include <gst/sdp/sdp.h>
#include <string.h>

#define OFFERS 100

typedef struct {
  gchar *directory;
  LxTestSignaling signaling;
  const char *lesson; /* booked, with a token for each school, as production runs */
  GSubprocess *sender;
  GPtrArray *load; /* GSubprocess*: busy loops, one per core */
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) classrooms = g_ptr_array_new_with_free_func (g_free);

  fixture->directory = g_dir_make_tmp ("lx-offers-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < OFFERS; i++)
    g_ptr_array_add (classrooms, g_strdup_printf ("classroom-%u", i));
  g_ptr_array_add (classrooms, NULL);
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson = lx_test_book (&fixture->signaling, "Offers", "master",
                                  (const char *const *) classrooms->pdata);
  fixture->load = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < fixture->load->len; i++)
    lx_test_stop_process (g_ptr_array_index (fixture->load, i), 1000);
  g_ptr_array_unref (fixture->load);
  if (fixture->sender)
    g_assert_cmpint (lx_test_stop_process (fixture->sender, 5000), ==, 0);
  g_clear_object (&fixture->sender);
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
}

/* Busy loops on every core, at a lower priority than nothing: the sender competes for the CPU. */
static void
load_the_cpu (Fixture *fixture)
{
  const char *argv[] = { "sh", "-c", "while :; do :; done", NULL };

  for (guint i = 0; i < g_get_num_processors (); i++)
    g_ptr_array_add (fixture->load, lx_test_spawn ("/dev/null", argv));
}

/* Returns the reason @sdp is not a complete offer, or NULL. */
static gchar *
incomplete_because (const char *sdp)
{
  g_autoptr (GstSDPMessage) message = NULL;
  g_autofree gchar *repeated = lx_test_sdp_repeated_parameter (sdp);
  gboolean h264 = FALSE, opus = FALSE;

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK)
    return g_strdup ("not SDP");
  if (repeated)
    return g_strdup_printf ("a format parameter is repeated: %s", repeated);
  for (guint m = 0; m < gst_sdp_message_medias_len (message); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (message, m);
    for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
      gint pt;
      const char *fmtp;
      if (g_strcmp0 (attribute->key, "rtpmap") != 0)
        continue;
      pt = atoi (attribute->value);
      fmtp = lx_offer_fmtp_of (media, pt);
      if (strstr (attribute->value, "H264/90000")) {
        h264 = TRUE;
        if (fmtp == NULL)
          return g_strdup_printf ("H.264 (payload %d) has no fmtp", pt);
        if (!strstr (fmtp, "packetization-mode=1") || !strstr (fmtp, "profile-level-id=42") ||
            !strstr (fmtp, "level-asymmetry-allowed=1"))
          return g_strdup_printf ("H.264 fmtp is incomplete: %s", fmtp);
      } else if (g_ascii_strncasecmp (attribute->value + strcspn (attribute->value, " ") + 1,
                                      "OPUS/48000/2", 12) == 0) {
        opus = TRUE;
        if (fmtp == NULL || !strstr (fmtp, "useinbandfec=1") || !strstr (fmtp, "minptime=10"))
          return g_strdup_printf ("Opus fmtp is incomplete: %s", fmtp ? fmtp : "(none)");
      }
    }
  }
  if (!h264 || !opus)
    return g_strdup_printf ("no %s", h264 ? "Opus" : "H.264");
  return NULL;
}

static void
test_offers_complete_under_load (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *log = g_build_filename (fixture->directory, "sender.log", NULL);
  g_autofree gchar *host_port = g_strdup_printf ("127.0.0.1:%u", fixture->signaling.port);
  /* Keyframes 2 s apart: most classrooms join between two of them, before the payloader has seen
   * a sequence parameter set. */
  const char *options[] = { "--test-pattern",        "ball", "--layers", "320x240@300",
                            "--keyframe-interval-s", "2",    NULL };
  guint incomplete = 0;

  fixture->sender = lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson,
                                             "master", log, options);
  load_the_cpu (fixture);
  for (guint i = 0; i < OFFERS; i++) {
    g_autofree gchar *school = g_strdup_printf ("classroom-%u", i);
    LxTestClient *client = lx_test_client_new (host_port);
    g_autoptr (LxMessage) welcome = NULL;
    g_autoptr (LxMessage) offer = NULL;
    g_autofree gchar *reason = NULL;

    lx_test_client_hello_full (client, "receiver", fixture->lesson, school,
                               lx_test_token (&fixture->signaling, school));
    welcome = lx_test_client_receive (client);
    g_assert_cmpint (welcome->type, ==, LX_MESSAGE_WELCOME);
    if (!welcome->sender_present) {
      /* The sender is still starting: wait for it to join. */
      g_autoptr (LxMessage) joined = lx_test_client_receive (client);
      g_assert_cmpint (joined->type, ==, LX_MESSAGE_SENDER_JOINED);
    }
    do {
      g_clear_pointer (&offer, lx_message_free);
      offer = lx_test_client_receive (client);
    } while (offer->type == LX_MESSAGE_CANDIDATE);
    g_assert_cmpint (offer->type, ==, LX_MESSAGE_OFFER);
    reason = incomplete_because (offer->sdp);
    if (reason) {
      g_printerr ("offer %u is incomplete: %s\n%s\n", i, reason, offer->sdp);
      incomplete++;
    }
    lx_test_client_free (client);
  }
  g_assert_cmpuint (incomplete, ==, 0);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/offers/complete-under-load", Fixture, NULL, setup, test_offers_complete_under_load,
              teardown);
  return g_test_run ();
}
