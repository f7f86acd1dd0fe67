/* Echo cancelling in a joint lesson, with the real programs. Each classroom's microphone hears
 * its own tone and, simulated (simulated-echo-ms), the room's speakers: the lesson's sound it
 * plays, 60 ms later and 6 dB quieter. Village-a sends that uncancelled (echo-cancel off, as with
 * a speakerphone that cancels for itself), village-b, called on, through webrtcdsp: the teacher's
 * 440 Hz in what village-b's microphone sends must be at least 25 dB below village-a's, and
 * village-b's own voice must still be there. */
#include "lx-test-utils.h"

static const char *const schools[] = { "village-a", "village-b", NULL };

typedef struct {
  gchar *directory;
  LxTestSignaling signaling;
  const char *lesson;
  GSubprocess *sender;
  gchar *sender_stats;
  gchar *wall_snapshot;
  GSubprocess *classroom[2];
  gchar *classroom_stats[2];
} Fixture;

static gchar *
file_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *log = NULL;

  fixture->directory = g_dir_make_tmp ("lx-echo-XXXXXX", &error);
  g_assert_no_error (error);
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson = lx_test_book (&fixture->signaling, "Echo", "master", schools);
  log = file_in (fixture, "sender.log");
  fixture->sender_stats = file_in (fixture, "sender.json");
  {
    const char *options[] = { "--layers",
                              "320x240@300",
                              "--stats-json",
                              fixture->sender_stats,
                              "--return-media=true",
                              "--wall",
                              "off",
                              NULL };
    fixture->sender = lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson,
                                               "master", log, options);
  }
  for (guint i = 0; i < 2; i++) {
    g_autofree gchar *log_name = g_strdup_printf ("%s.log", schools[i]);
    g_autofree gchar *stats_name = g_strdup_printf ("%s.json", schools[i]);
    g_autofree gchar *classroom_log = file_in (fixture, log_name);
    const char *options[] = { "--headless",
                              "--microphone",
                              "test",
                              "--test-tone-hz",
                              "880",
                              "--simulated-echo-ms",
                              "60",
                              "--simulated-echo-db",
                              "-6",
                              "--measure-tone-hz",
                              "440",
                              i == 0 ? "--echo-cancel=false" : "--echo-cancel=true",
                              "--stats-json",
                              NULL,
                              NULL };
    fixture->classroom_stats[i] = file_in (fixture, stats_name);
    options[13] = fixture->classroom_stats[i];
    fixture->classroom[i] = lx_test_start_in_lesson (
        &fixture->signaling, "LX_RECEIVER", fixture->lesson, schools[i], classroom_log, options);
  }
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpint (lx_test_stop_process (fixture->classroom[i], 10000), ==, 0);
    g_clear_object (&fixture->classroom[i]);
    g_free (fixture->classroom_stats[i]);
  }
  g_assert_cmpint (lx_test_stop_process (fixture->sender, 10000), ==, 0);
  g_clear_object (&fixture->sender);
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->sender_stats);
  g_free (fixture->wall_snapshot);
}

/* The teacher's 440 Hz in what classroom @i's microphone sends, in dB below full scale. */
static gdouble
echo_db (Fixture *fixture, guint i)
{
  g_autoptr (JsonObject) stats = lx_test_read_json_object (fixture->classroom_stats[i]);

  g_assert_nonnull (stats);
  return json_object_get_double_member_with_default (stats, "microphone_probe_db", 0);
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return (x > y) - (x < y);
}

static void
test_echo_cancelled (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_strdup_printf ("lessons/%s/floor", fixture->lesson);
  gdouble samples[2][9];
  gdouble median[2];

  for (guint i = 0; i < 2; i++) {
    lx_test_wait_for_stat (fixture->classroom_stats[i], "audio_tone_hz", 430, 30000);
    g_assert_cmpint (lx_test_stats_int (fixture->classroom_stats[i], "echo_cancelling"), ==, i);
  }
  g_assert_cmpuint (lx_test_api_as (&fixture->signaling,
                                    lx_test_token (&fixture->signaling, "master"), "POST", path,
                                    "{\"action\":\"call-on\",\"school\":\"village-b\"}", NULL),
                    ==, 200);
  lx_test_wait_for_stat (fixture->classroom_stats[1], "called_on", 1, 10000);
  /* Called on, the classroom's sound switches to its own mix (another encoder): the canceller
   * adapts again within seconds (longer on a loaded machine, or under the sanitizers, where the
   * simulated echo path stutters). The readings start once it has held for three in a row. */
  lx_test_run_for (2000);
  {
    gint64 start = g_get_monotonic_time ();
    guint held = 0;
    while (held < 3 && g_get_monotonic_time () - start < 30 * G_USEC_PER_SEC) {
      gboolean cancelled =
          echo_db (fixture, 0) > -40 && echo_db (fixture, 0) - echo_db (fixture, 1) >= 25;
      held = cancelled ? held + 1 : 0;
      lx_test_run_for (500);
    }
    g_test_message ("the canceller adapted in %.1f s",
                    (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC);
  }
  for (guint k = 0; k < G_N_ELEMENTS (samples[0]); k++) {
    for (guint i = 0; i < 2; i++)
      samples[i][k] = echo_db (fixture, i);
    lx_test_run_for (500);
  }
  for (guint i = 0; i < 2; i++) {
    qsort (samples[i], G_N_ELEMENTS (samples[i]), sizeof (gdouble), compare_doubles);
    median[i] = samples[i][G_N_ELEMENTS (samples[i]) / 2];
    g_test_message ("%s sends the lesson's 440 Hz at %.1f dBFS (median of 9; %.1f to %.1f)",
                    schools[i], median[i], samples[i][0], samples[i][8]);
  }
  /* The echo is really there without cancelling (a 440 Hz test tone at full strength is about
   * -17 dBFS here, its echo 6 dB below) ... */
  g_assert_cmpfloat (median[0], >, -40);
  /* ... and at least 25 dB lower with it ... */
  g_test_message ("echo cancelled by %.1f dB", median[0] - median[1]);
  g_assert_cmpfloat (median[0] - median[1], >=, 25);
  /* ... while the class's own voice still goes. */
  g_assert_cmpint (lx_test_stats_int (fixture->classroom_stats[1], "microphone_level_permille"), >=,
                   50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/echo/cancelled-in-a-called-on-classroom", Fixture, NULL, setup, test_echo_cancelled,
              teardown);
  return g_test_run ();
}
