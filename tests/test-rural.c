/* Rural links, end to end: the real programs in network namespaces, each classroom on a link of
 * its own that the test makes lossy (nftables), thin (tc tbf) or cuts altogether. Needs root; skips,
 * saying why, where network namespaces, nftables or tc are missing. The lesson is booked and every
 * program has its token, as in production. How smooth each link keeps the picture is measured by
 * bench/run; this checks the behaviour:
 *   - 5 % random loss: the packets lost are counted and repaired by retransmission, and the
 *     classroom keeps decoding the top layer; at 20 % each retransmission goes out twice (one
 *     would be lost as often as the packet was);
 *   - a 600 kbit/s link: that classroom settles on a lower layer, a classroom on a clean link keeps
 *     the top one;
 *   - a link too thin for any layer: video pauses behind a card, the sound goes on, and the
 *     picture comes back by itself when the link does;
 *   - a link down for 15 s: a "reconnecting" card, then the lesson resumes by itself;
 *   - a link with 150 ms of round trip (a delay line): the sender measures it, and the classroom
 *     keeps the top layer (delay is not congestion). */
#include "lx-test-netlab.h"
#include "lx-test-utils.h"

#include <string.h>

typedef struct {
  LxTestNetlab *lab;
  gchar *directory;
  LxTestSignaling signaling;
  GSubprocess *sender;
  GSubprocess *receivers[2];
  gchar *sender_stats;
  gchar *receiver_stats[2];
  const char *lesson;       /* booked, as production runs */
  gboolean cut_media_first; /* link 1 carries no UDP when the classrooms start */
} Fixture;

static gchar *
file_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

/* A lesson from the hub to @classrooms classrooms (1 or 2), each on its own link; with @whep, each
 * plays through lianxiao-signaling's WHEP endpoint as a player from another stack would: it sends
 * no link reports, so the sender steers it by its RTCP alone. The default test card's noise patch
 * keeps every layer at its full bitrate (a moving ball would need far less). */
static void
start_lesson_as (Fixture *fixture, guint classrooms, gboolean whep)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sender_program = lx_test_program ("LX_SENDER");
  g_autofree gchar *receiver_program = lx_test_program ("LX_RECEIVER");
  g_autofree gchar *sender_log = NULL;
  g_autofree gchar *hub_addresses =
      g_strdup (classrooms == 1 ? "198.18.1.1" : "198.18.1.1,198.18.2.1");

  fixture->lab = lx_test_netlab_new (classrooms);
  if (fixture->lab == NULL)
    return; /* skipped, with the reason */
  if (fixture->cut_media_first)
    lx_test_netlab_set (fixture->lab, "cut-media", 1, 0);
  fixture->directory = g_dir_make_tmp ("lx-rural-XXXXXX", &error);
  g_assert_no_error (error);
  /* Booked through the REST API on loopback, then the server moves into the hub. */
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson = lx_test_book (&fixture->signaling, "rural", "master",
                                  (const char *[]){ "village-1", "village-2", NULL });
  lx_test_signaling_move_under (&fixture->signaling, lx_test_netlab_prefix (fixture->lab, 0));
  fixture->sender_stats = file_in (fixture, "sender.json");
  sender_log = file_in (fixture, "sender.log");
  {
    const char *argv[] = { sender_program,
                           "--server",
                           fixture->signaling.url,
                           "--lesson",
                           fixture->lesson,
                           "--school",
                           "master",
                           "--token",
                           lx_test_token (&fixture->signaling, "master"),
                           "--ice-local-addresses",
                           hub_addresses,
                           "--stats-json",
                           fixture->sender_stats,
                           NULL };
    fixture->sender =
        lx_test_spawn_under (lx_test_netlab_prefix (fixture->lab, 0), sender_log, argv);
  }
  for (guint k = 1; k <= classrooms; k++) {
    g_autofree gchar *school = g_strdup_printf ("village-%u", k);
    g_autofree gchar *url = g_strdup_printf ("ws://198.18.%u.1:%u/ws", k, fixture->signaling.port);
    g_autofree gchar *whep_url = g_strdup_printf ("http://198.18.%u.1:%u/whep/%s/%s", k,
                                                  fixture->signaling.port, fixture->lesson, school);
    g_autofree gchar *address = g_strdup_printf ("198.18.%u.2", k);
    g_autofree gchar *log_name = g_strdup_printf ("%s.log", school);
    g_autofree gchar *stats_name = g_strdup_printf ("%s.json", school);
    g_autofree gchar *log = file_in (fixture, log_name);
    const char *argv[] = { receiver_program,
                           "--server",
                           url,
                           "--lesson",
                           fixture->lesson,
                           "--school",
                           school,
                           "--token",
                           lx_test_token (&fixture->signaling, school),
                           "--ice-local-addresses",
                           address,
                           "--headless",
                           "--stats-interval-ms",
                           "500",
                           "--stats-json",
                           NULL,
                           NULL,
                           NULL,
                           NULL };
    G_STATIC_ASSERT (G_N_ELEMENTS (argv) == 19);

    fixture->receiver_stats[k - 1] = file_in (fixture, stats_name);
    argv[15] = fixture->receiver_stats[k - 1];
    if (whep) {
      argv[16] = "--whep-url";
      argv[17] = whep_url;
    }
    fixture->receivers[k - 1] =
        lx_test_spawn_under (lx_test_netlab_prefix (fixture->lab, k), log, argv);
  }
  for (guint k = 0; k < classrooms && !fixture->cut_media_first; k++)
    lx_test_wait_for_stat (fixture->receiver_stats[k], "frames_decoded", 1, 30000);
}

static void
start_lesson (Fixture *fixture, guint classrooms)
{
  start_lesson_as (fixture, classrooms, FALSE);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->lab == NULL)
    return;
  for (guint k = 0; k < G_N_ELEMENTS (fixture->receivers); k++) {
    if (fixture->receivers[k])
      g_assert_cmpint (lx_test_stop_process (fixture->receivers[k], 10000), ==, 0);
    g_clear_object (&fixture->receivers[k]);
    g_free (fixture->receiver_stats[k]);
  }
  g_assert_cmpint (lx_test_stop_process (fixture->sender, 10000), ==, 0);
  g_clear_object (&fixture->sender);
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_netlab_free (fixture->lab);
  /* Logs stay for a failed run (the test framework aborts before this). */
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->sender_stats);
}

static gint64
stat_of (Fixture *fixture, guint classroom, const char *member)
{
  return lx_test_stats_int (fixture->receiver_stats[classroom - 1], member);
}

/* An integer member of the sender's view of one classroom, or -2 when unavailable. */
static gint64
classroom_int (Fixture *fixture, const char *school, const char *member)
{
  return lx_test_sender_classroom_int (fixture->sender_stats, school, member);
}

/* The sender's view of one classroom: its layer index (-1: video paused). */
static gint64
layer_of (Fixture *fixture, const char *school)
{
  return classroom_int (fixture, school, "layer");
}

typedef struct {
  Fixture *fixture;
  gint64 lost, retransmitted; /* counts when the loss began */
} LossWatch;

/* Twenty packets of the lesson lost on the link, and as many repaired by retransmission. */
static gboolean
loss_seen_and_repaired (gpointer data)
{
  LossWatch *watch = data;

  return stat_of (watch->fixture, 1, "packets_lost") - watch->lost >= 20 &&
         stat_of (watch->fixture, 1, "retransmitted") - watch->retransmitted >= 20;
}

/* On a clean link the classroom waits only a few tens of milliseconds for a missing packet: the
 * sender keeps as little history (with the round trip and RTCP's margin), well under the 500 ms
 * it keeps for a classroom that does not say. */
static gboolean
short_history (gpointer data)
{
  gint64 history_ms = classroom_int (data, "village-1", "retransmission_history_ms");
  return history_ms > 0 && history_ms < 300;
}

static gboolean
retransmits_twice (gpointer data)
{
  return classroom_int (data, "village-1", "retransmission_copies") == 2;
}

static void
test_loss (Fixture *fixture, gconstpointer data)
{
  LossWatch watch = { fixture };
  gint64 frames, gave_up;

  start_lesson (fixture, 1);
  if (fixture->lab == NULL)
    return;
  g_assert_true (lx_test_wait_until (short_history, fixture, 10000));
  watch.lost = stat_of (fixture, 1, "packets_lost");
  watch.retransmitted = stat_of (fixture, 1, "retransmitted");
  gave_up = stat_of (fixture, 1, "video_lost_after_repair");
  frames = stat_of (fixture, 1, "frames_decoded");
  lx_test_netlab_set (fixture->lab, "loss", 1, 5);
  g_test_message ("5 %% of packets lost, both ways: repaired, and the top layer plays on");
  g_assert_true (lx_test_wait_until (loss_seen_and_repaired, &watch, 60000));
  /* Most of what the link lost came back (the rest includes audio and lost retransmissions);
   * how smooth the picture stays is measured by bench/run's loss rows. */
  g_test_message ("%" G_GINT64_FORMAT " packets lost, %" G_GINT64_FORMAT
                  " retransmitted, %" G_GINT64_FORMAT " given up on",
                  stat_of (fixture, 1, "packets_lost") - watch.lost,
                  stat_of (fixture, 1, "retransmitted") - watch.retransmitted,
                  stat_of (fixture, 1, "video_lost_after_repair") - gave_up);
  g_assert_cmpint (stat_of (fixture, 1, "video_lost_after_repair") - gave_up, <,
                   stat_of (fixture, 1, "retransmitted") - watch.retransmitted);
  lx_test_wait_for_stat (fixture->receiver_stats[0], "frames_decoded", frames + 300, 30000);
  g_assert_cmpint (stat_of (fixture, 1, "width"), ==, 1280);
  g_assert_cmpint (classroom_int (fixture, "village-1", "retransmission_copies"), ==, 1);
  /* The lossy link made the classroom wait longer (200 ms at first), and the history followed. */
  g_assert_cmpint (classroom_int (fixture, "village-1", "retransmission_history_ms"), >=, 300);

  g_test_message ("20 %% lost: each retransmission sent twice, and the classroom still repairs");
  lx_test_netlab_set (fixture->lab, "loss", 1, 20);
  g_assert_true (lx_test_wait_until (retransmits_twice, fixture, 20000));
  watch.lost = stat_of (fixture, 1, "packets_lost");
  watch.retransmitted = stat_of (fixture, 1, "retransmitted");
  g_assert_true (lx_test_wait_until (loss_seen_and_repaired, &watch, 30000));
}

static gboolean
settled_low (gpointer data)
{
  Fixture *fixture = data;
  return layer_of (fixture, "village-1") >= 1 && stat_of (fixture, 1, "width") < 1280;
}

static gboolean
probed (gpointer data)
{
  return classroom_int (data, "village-1", "probes") >= 1;
}

static gboolean
not_probing (gpointer data)
{
  return classroom_int (data, "village-1", "probe_kbps") == 0;
}

static void
test_thin_link (Fixture *fixture, gconstpointer data)
{
  gint64 frames, other_frames;

  start_lesson (fixture, 2);
  if (fixture->lab == NULL)
    return;
  g_test_message ("village-1's link carries 600 kbit/s, village-2's is clean");
  lx_test_netlab_set (fixture->lab, "rate", 1, 600);
  g_assert_true (lx_test_wait_until (settled_low, fixture, 20000));
  frames = stat_of (fixture, 1, "frames_decoded");
  other_frames = stat_of (fixture, 2, "frames_decoded");
  /* Settled: decoding on, and still low (a probe of the layer above may cost a moment). */
  lx_test_wait_for_stat (fixture->receiver_stats[0], "frames_decoded", frames + 150, 30000);
  g_assert_cmpint (layer_of (fixture, "village-1"), >=, 1);
  /* The clean classroom never paid for it: the top layer all along. */
  lx_test_wait_for_stat (fixture->receiver_stats[1], "frames_decoded", other_frames + 150, 30000);
  g_assert_cmpint (layer_of (fixture, "village-2"), ==, 0);
  g_assert_cmpint (stat_of (fixture, 2, "width"), ==, 1280);
  /* Later the sender probes village-1's link for the layer above — and, the link being too thin
   * for it, stays where it is: it never switches up to find out. */
  g_assert_true (lx_test_wait_until (probed, fixture, 30000));
  g_assert_true (lx_test_wait_until (not_probing, fixture, 20000));
  g_test_message ("%" G_GINT64_FORMAT " probes of village-1's link, %" G_GINT64_FORMAT " passed",
                  classroom_int (fixture, "village-1", "probes"),
                  classroom_int (fixture, "village-1", "probes_passed"));
  g_assert_cmpint (classroom_int (fixture, "village-1", "probes_passed"), ==, 0);
  g_assert_cmpint (layer_of (fixture, "village-1"), ==, 2);
}

/* A member of the sender's view of one classroom, as text ("" when unavailable). */
static gchar *
classroom_string (Fixture *fixture, const char *school, const char *member)
{
  g_autoptr (JsonObject) stats = lx_test_read_json_object (fixture->sender_stats);
  JsonArray *classrooms;

  if (stats == NULL || !json_object_has_member (stats, "classrooms"))
    return g_strdup ("");
  classrooms = json_object_get_array_member (stats, "classrooms");
  for (guint i = 0; i < json_array_get_length (classrooms); i++) {
    JsonObject *classroom = json_array_get_object_element (classrooms, i);
    if (g_strcmp0 (json_object_get_string_member (classroom, "school"), school) == 0)
      return g_strdup (json_object_get_string_member_with_default (classroom, member, ""));
  }
  return g_strdup ("");
}

/* A WHEP player on a thin link sends no link reports: what its RTCP shows the sender (its receiver
 * reports, its NACKs) moves it to a lower layer all the same. */
static void
test_whep_player_thin_link (Fixture *fixture, gconstpointer data)
{
  gint64 frames;

  start_lesson_as (fixture, 1, TRUE);
  if (fixture->lab == NULL)
    return;
  g_test_message ("the WHEP player's link carries 600 kbit/s");
  lx_test_netlab_set (fixture->lab, "rate", 1, 600);
  g_assert_true (lx_test_wait_until (settled_low, fixture, 30000));
  {
    g_autofree gchar *source = classroom_string (fixture, "village-1", "loss_from");
    g_assert_cmpstr (source, ==, "rtcp");
  }
  frames = stat_of (fixture, 1, "frames_decoded");
  /* Settled low, and the picture goes on. */
  lx_test_wait_for_stat (fixture->receiver_stats[0], "frames_decoded", frames + 150, 30000);
  g_assert_cmpint (layer_of (fixture, "village-1"), >=, 1);
}

static gboolean
card_is (gpointer data)
{
  const char *const *expected = data;
  g_autofree gchar *card = lx_test_stats_string (expected[0], "card");
  return g_strcmp0 (card, expected[1]) == 0;
}

static gboolean
video_paused (gpointer data)
{
  return layer_of (data, "village-1") == -1;
}

static void
test_video_pauses (Fixture *fixture, gconstpointer data)
{
  gint64 audio_ms, card_frames, frames;

  start_lesson (fixture, 1);
  if (fixture->lab == NULL)
    return;
  g_test_message ("the link drops to 150 kbit/s: below the cheapest layer, above the sound");
  lx_test_netlab_set (fixture->lab, "rate", 1, 150);
  g_assert_true (lx_test_wait_until (video_paused, fixture, 40000));
  {
    const char *paused[] = { fixture->receiver_stats[0], "video-paused" };
    g_assert_true (lx_test_wait_until (card_is, paused, 5000));
  }
  audio_ms = stat_of (fixture, 1, "audio_ms");
  card_frames = stat_of (fixture, 1, "card_frames");
  /* The voice goes on, and the card shows, while the video stays paused. */
  lx_test_wait_for_stat (fixture->receiver_stats[0], "audio_ms", audio_ms + 2000, 10000);
  lx_test_wait_for_stat (fixture->receiver_stats[0], "card_frames", card_frames + 1, 5000);
  g_assert_cmpint (layer_of (fixture, "village-1"), ==, -1);

  g_test_message ("the link recovers: the picture comes back by itself");
  lx_test_netlab_set (fixture->lab, "rate", 1, 0);
  frames = stat_of (fixture, 1, "frames_decoded");
  lx_test_wait_for_stat (fixture->receiver_stats[0], "frames_decoded", frames + 60, 90000);
}

static void
test_link_down (Fixture *fixture, gconstpointer data)
{
  const char *reconnecting[2] = { NULL, "reconnecting" };
  gint64 card_frames, frames;

  start_lesson (fixture, 1);
  if (fixture->lab == NULL)
    return;
  reconnecting[0] = fixture->receiver_stats[0];
  g_test_message ("the link goes down for 15 s");
  lx_test_netlab_set (fixture->lab, "cut", 1, 0);
  g_assert_true (lx_test_wait_until (card_is, reconnecting, 5000));
  card_frames = stat_of (fixture, 1, "card_frames");
  lx_test_run_for (12000);
  g_assert_cmpint (stat_of (fixture, 1, "card_frames"), >, card_frames); /* not a frozen frame */
  frames = stat_of (fixture, 1, "frames_decoded");
  lx_test_netlab_set (fixture->lab, "mend", 1, 0);
  g_test_message ("the link is back: the lesson resumes by itself");
  lx_test_wait_for_stat (fixture->receiver_stats[0], "frames_decoded", frames + 30, 20000);
  g_assert_true (lx_test_wait_until (card_is, (const char *[]){ reconnecting[0], NULL }, 3000));
}

static gboolean
connection_offered_again (gpointer data)
{
  Fixture *fixture = data;

  return lx_test_stats_int (fixture->sender_stats, "connections_offered_again") >= 1;
}

/* A first connection that fails (on a lossy line a handshake can) is offered again by the sender
 * at once: the classroom does not wait for its own watchdog (18 s without a first packet). Here
 * the link carries signaling but no UDP until the sender has given the first connection up. */
static void
test_failed_connection_offered_again (Fixture *fixture, gconstpointer data)
{
  gint64 mended;

  fixture->cut_media_first = TRUE;
  start_lesson (fixture, 1);
  if (fixture->lab == NULL)
    return;
  g_assert_true (lx_test_wait_until (connection_offered_again, fixture, 30000));
  g_assert_cmpint (stat_of (fixture, 1, "frames_decoded"), ==, 0);
  lx_test_netlab_set (fixture->lab, "mend", 1, 0);
  mended = g_get_monotonic_time ();
  g_test_message ("the sender offered a new connection; the link carries media again");
  lx_test_wait_for_stat (fixture->receiver_stats[0], "frames_decoded", 1, 10000);
  g_test_message ("first picture %" G_GINT64_FORMAT " ms after the link came back",
                  (g_get_monotonic_time () - mended) / 1000);
}

static gboolean
round_trip_seen (gpointer data)
{
  return classroom_int (data, "village-1", "rtt_ms") >= 140;
}

/* A long line is not a congested one: 150 ms of round trip (75 ms each way, the delay line), and
 * the sender measures it from RTCP while the classroom keeps the top layer. */
static void
test_delayed_link (Fixture *fixture, gconstpointer data)
{
  gint64 frames;

  start_lesson (fixture, 1);
  if (fixture->lab == NULL || !lx_test_netlab_delay (fixture->lab, 1, 75, 75))
    return;
  g_test_message ("75 ms each way on village-1's link");
  g_assert_true (lx_test_wait_until (round_trip_seen, fixture, 30000));
  g_test_message ("the sender measures %" G_GINT64_FORMAT " ms of round trip",
                  classroom_int (fixture, "village-1", "rtt_ms"));
  g_assert_cmpint (classroom_int (fixture, "village-1", "rtt_ms"), <, 400);
  frames = stat_of (fixture, 1, "frames_decoded");
  lx_test_wait_for_stat (fixture->receiver_stats[0], "frames_decoded", frames + 150, 30000);
  g_assert_cmpint (layer_of (fixture, "village-1"), ==, 0);
  g_assert_cmpint (stat_of (fixture, 1, "width"), ==, 1280);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/rural/loss-5-percent", Fixture, NULL, NULL, test_loss, teardown);
  g_test_add ("/rural/thin-link-lower-layer", Fixture, NULL, NULL, test_thin_link, teardown);
  g_test_add ("/rural/whep-player-thin-link-lower-layer", Fixture, NULL, NULL,
              test_whep_player_thin_link, teardown);
  g_test_add ("/rural/video-pauses-and-resumes", Fixture, NULL, NULL, test_video_pauses, teardown);
  g_test_add ("/rural/link-down-15-s", Fixture, NULL, NULL, test_link_down, teardown);
  g_test_add ("/rural/failed-connection-offered-again", Fixture, NULL, NULL,
              test_failed_connection_offered_again, teardown);
  g_test_add ("/rural/delayed-link-keeps-top-layer", Fixture, NULL, NULL, test_delayed_link,
              teardown);
  return g_test_run ();
}
