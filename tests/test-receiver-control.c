/* The classroom's decisions, each on its own, on a fake clock: its state machine, the media
 * watchdog's verdicts and the jitter buffer's sizing. No pipeline, no network. */
#include "lx-jitter-sizing.h"
#include "lx-media-watch.h"
#include "lx-receiver-state.h"
#include "lx-tone-meter.h"

#include <math.h>

#define S (G_USEC_PER_SEC)
#define MS (G_USEC_PER_SEC / 1000)

/* ---- The state machine ---- */

/* Every state has a name (the statistics and the board read them), and every name is distinct. */
static void
test_state_names (void)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint state = 0; state < LX_RECEIVER_N_STATES; state++) {
    const char *name = lx_receiver_state_to_string (state);
    g_assert_nonnull (name);
    g_assert_false (g_hash_table_contains (names, name));
    g_hash_table_add (names, (gpointer) name);
  }
  g_assert_cmpstr (lx_receiver_state_to_string (LX_RECEIVER_RECEIVING), ==, "receiving");
  g_assert_cmpstr (lx_receiver_state_to_string (LX_RECEIVER_N_STATES), ==, "unknown");
}

/* A lesson as a classroom lives it, every step allowed; and the steps it never takes refused. */
static void
test_state_transitions (void)
{
  const LxReceiverState lesson[] = {
    LX_RECEIVER_STANDBY,
    LX_RECEIVER_CONNECTING_TO_SERVER,
    LX_RECEIVER_WAITING_FOR_SENDER,
    LX_RECEIVER_WAITING_FOR_OFFER,
    LX_RECEIVER_CONNECTING,
    LX_RECEIVER_RECEIVING,
    LX_RECEIVER_VIDEO_PAUSED,
    LX_RECEIVER_RECEIVING,
    LX_RECEIVER_RECONNECTING,
    LX_RECEIVER_RECEIVING,
    LX_RECEIVER_FAILED,
    LX_RECEIVER_RECONNECTING,
    LX_RECEIVER_WAITING_FOR_OFFER,
    LX_RECEIVER_CONNECTING,
    LX_RECEIVER_RECEIVING,
    LX_RECEIVER_SERVER_UNREACHABLE,
    LX_RECEIVER_CONNECTING_TO_SERVER,
    LX_RECEIVER_CONNECTING,
    LX_RECEIVER_WHEP_UNAVAILABLE,
    LX_RECEIVER_CONNECTING,
    LX_RECEIVER_STANDBY,
  };
  LxReceiverStateMachine machine = { LX_RECEIVER_CONNECTING_TO_SERVER, "test" };

  for (guint i = 0; i < G_N_ELEMENTS (lesson); i++) {
    g_assert_true (lx_receiver_state_go (&machine, lesson[i]));
    g_assert_cmpint (machine.state, ==, lesson[i]);
  }
  /* Pictures come only from a session being set up or already playing. */
  g_assert_false (lx_receiver_state_allowed (LX_RECEIVER_STANDBY, LX_RECEIVER_RECEIVING));
  g_assert_false (
      lx_receiver_state_allowed (LX_RECEIVER_WAITING_FOR_SENDER, LX_RECEIVER_RECEIVING));
  /* A dead session does not come back to life: it is replaced. */
  g_assert_false (lx_receiver_state_allowed (LX_RECEIVER_FAILED, LX_RECEIVER_RECEIVING));
  g_assert_false (lx_receiver_state_allowed (LX_RECEIVER_FAILED, LX_RECEIVER_VIDEO_PAUSED));
  /* Without a session nothing fails or reconnects. */
  g_assert_false (lx_receiver_state_allowed (LX_RECEIVER_STANDBY, LX_RECEIVER_FAILED));
  g_assert_false (
      lx_receiver_state_allowed (LX_RECEIVER_WAITING_FOR_OFFER, LX_RECEIVER_RECONNECTING));
  /* Between lessons the server is not waited for. */
  g_assert_false (lx_receiver_state_allowed (LX_RECEIVER_STANDBY, LX_RECEIVER_SERVER_UNREACHABLE));
  g_assert_false (lx_receiver_state_allowed (LX_RECEIVER_N_STATES, LX_RECEIVER_STANDBY));
}

/* A refused transition leaves the state as it was, and says so. */
static void
test_state_refused (void)
{
  LxReceiverStateMachine machine = { LX_RECEIVER_STANDBY, "test" };

  g_test_expect_message ("lx-receiver", G_LOG_LEVEL_WARNING,
                         "*standby → receiving is not a transition*");
  g_assert_false (lx_receiver_state_go (&machine, LX_RECEIVER_RECEIVING));
  g_test_assert_expected_messages ();
  g_assert_cmpint (machine.state, ==, LX_RECEIVER_STANDBY);
}

/* ---- The media watchdog ---- */

typedef struct {
  LxMediaWatch watch;
  gint64 now;
  guint64 bytes, frames;
  gboolean packets_yet;
  gint64 path_up; /* when ICE connected, 0 not yet */
  const char *failure;
  gboolean card;
} Watched;

/* @seconds of looks twice a second, media flowing or not; returns the first verdict other than
 * carrying on (and its time in *@at), or LX_WATCH_CARRY_ON. */
static LxWatchVerdict
watch_for (Watched *w, gdouble seconds, gboolean bytes_flow, gboolean frames_flow, gint64 *at)
{
  gint64 end = w->now + (gint64) (seconds * S);

  while (w->now < end) {
    LxWatchVerdict verdict;
    w->now += 500 * MS;
    w->bytes += bytes_flow ? 1000 : 0;
    w->frames += frames_flow ? 15 : 0;
    w->packets_yet |= bytes_flow;
    verdict = lx_media_watch_look (&w->watch, w->now, w->bytes, w->frames, TRUE, w->packets_yet,
                                   w->path_up, w->failure, w->card);
    if (verdict != LX_WATCH_CARRY_ON) {
      if (at)
        *at = w->now;
      return verdict;
    }
  }
  return LX_WATCH_CARRY_ON;
}

static void
test_watch_dropout (void)
{
  Watched w = { .watch = { .timeout_us = 10 * S }, .now = 100 * S };
  gint64 silent_from, at = 0;

  lx_media_watch_session_started (&w.watch, w.now);
  g_assert_cmpint (watch_for (&w, 5, TRUE, TRUE, NULL), ==, LX_WATCH_CARRY_ON);
  /* The link drops: the card after 2 s, a new negotiation after media-timeout-s. */
  silent_from = w.now;
  g_assert_cmpint (watch_for (&w, 5, FALSE, FALSE, &at), ==, LX_WATCH_RECONNECTING);
  g_assert_cmpint (at - silent_from, ==, 2 * S);
  g_assert_cmpint (watch_for (&w, 20, FALSE, FALSE, &at), ==, LX_WATCH_RECONNECTING);
  w.card = TRUE;
  lx_media_watch_card_shown (&w.watch, w.frames);
  while (watch_for (&w, 20, FALSE, FALSE, &at) == LX_WATCH_RECONNECTING)
    ;
  g_assert_cmpint (at - silent_from, ==, 10 * S);
  /* Negotiating: not again before another media-timeout-s, then again. */
  g_assert_cmpint (watch_for (&w, 9.5, FALSE, FALSE, NULL), ==, LX_WATCH_CARRY_ON);
  g_assert_cmpint (watch_for (&w, 0.5, FALSE, FALSE, NULL), ==, LX_WATCH_NEGOTIATE);
  /* A new session; pictures flow again; the card goes after half a second of them. */
  lx_media_watch_session_started (&w.watch, w.now);
  g_assert_cmpint (watch_for (&w, 5, TRUE, TRUE, &at), ==, LX_WATCH_PICTURES_BACK);
}

/* Sound without pictures: the video is paused; a session still setting up gets three times as long. */
static void
test_watch_video_paused_and_setting_up (void)
{
  Watched w = { .watch = { .timeout_us = 10 * S }, .now = 100 * S };
  gint64 start, at = 0;

  lx_media_watch_session_started (&w.watch, w.now);
  g_assert_cmpint (watch_for (&w, 3, TRUE, TRUE, NULL), ==, LX_WATCH_CARRY_ON);
  g_assert_cmpint (watch_for (&w, 5, TRUE, FALSE, NULL), ==, LX_WATCH_VIDEO_PAUSED);

  w = (Watched){ .watch = { .timeout_us = 10 * S }, .now = 100 * S };
  start = w.now;
  lx_media_watch_session_started (&w.watch, w.now);
  while (watch_for (&w, 60, FALSE, FALSE, &at) == LX_WATCH_RECONNECTING)
    ;
  g_assert_cmpint (at - start, ==, 30 * S);

  /* ICE connected 2 s in, and then nothing: the DTLS handshake is stuck on a doubled timer, and a
   * new session comes media-timeout-s after the path came up, not three times it. */
  w = (Watched){ .watch = { .timeout_us = 10 * S }, .now = 100 * S };
  start = w.now;
  lx_media_watch_session_started (&w.watch, w.now);
  w.path_up = start + 2 * S;
  while (watch_for (&w, 60, FALSE, FALSE, &at) == LX_WATCH_RECONNECTING)
    ;
  g_assert_cmpint (at - start, ==, 12 * S);
}

/* A dead session is replaced at once, once. */
static void
test_watch_failure (void)
{
  Watched w = { .watch = { .timeout_us = 10 * S }, .now = 100 * S };

  lx_media_watch_session_started (&w.watch, w.now);
  g_assert_cmpint (watch_for (&w, 3, TRUE, TRUE, NULL), ==, LX_WATCH_CARRY_ON);
  w.failure = "ICE failed";
  g_assert_cmpint (watch_for (&w, 0.5, TRUE, TRUE, NULL), ==, LX_WATCH_NEGOTIATE);
  g_assert_cmpint (watch_for (&w, 5, TRUE, TRUE, NULL), ==, LX_WATCH_CARRY_ON);
  /* Outside a session the watchdog says nothing. */
  g_assert_cmpint (lx_media_watch_look (&w.watch, w.now + 60 * S, w.bytes, w.frames, FALSE, TRUE, 0,
                                        NULL, FALSE),
                   ==, LX_WATCH_CARRY_ON);
}

/* ---- The jitter buffer ---- */

/* Clean: as configured. Packets lost: 200 ms, reached in 40 ms steps. Repair failing all the
 * same: 50 ms more each time, up to the cap. A clean half minute: back to the minimum at once. */
static void
test_jitter_sizing (void)
{
  LxJitterSizing sizing = LX_JITTER_SIZING_INIT (50, 400);
  gint64 now = 100 * S;
  gboolean more = FALSE;
  guint steps = 0;
  gint size;

  g_assert_cmpint (lx_jitter_sizing_update (&sizing, now, FALSE, FALSE, FALSE, &more), ==, 50);
  g_assert_false (more);
  size = lx_jitter_sizing_update (&sizing, now, TRUE, FALSE, FALSE, &more);
  g_assert_cmpint (size, ==, 90);
  g_assert_true (more);
  g_assert_cmpint (sizing.target_ms, ==, 200); /* (what the sender is told) */
  /* A step scheduled already: a new loss does not jump ahead of it. */
  g_assert_cmpint (lx_jitter_sizing_update (&sizing, now, TRUE, FALSE, TRUE, &more), ==, 90);
  g_assert_false (more); /* (no second step timer) */
  more = TRUE;           /* the step scheduled comes */
  while (more) {
    now += LX_JITTER_STEP_INTERVAL_MS * MS;
    size = lx_jitter_sizing_update (&sizing, now, FALSE, FALSE, FALSE, &more);
    steps++;
  }
  g_assert_cmpint (size, ==, 200);
  g_assert_cmpuint (steps, ==, 3); /* 130, 170, 200 */
  for (guint i = 0; i < 10; i++) {
    now += S;
    size = lx_jitter_sizing_update (&sizing, now, TRUE, TRUE, FALSE, &more);
    while (more)
      size = lx_jitter_sizing_update (&sizing, now, FALSE, FALSE, FALSE, &more);
  }
  g_assert_cmpint (size, ==, 400);
  now += 31 * S;
  g_assert_cmpint (lx_jitter_sizing_update (&sizing, now, FALSE, FALSE, FALSE, &more), ==, 50);
  g_assert_false (more);
  g_assert_cmpint (sizing.target_ms, ==, 50);
  /* Lossy again: it starts over at 200, not at what it had learnt. */
  size = lx_jitter_sizing_update (&sizing, now, TRUE, FALSE, FALSE, &more);
  while (more)
    size = lx_jitter_sizing_update (&sizing, now, FALSE, FALSE, FALSE, &more);
  g_assert_cmpint (size, ==, 200);
}

/* ---- The sound's pitch and loudness ---- */

/* Feeds @seconds of a @hz tone at @amplitude (stereo, 48 kHz, in 20 ms buffers, as opusdec
 * hands them out). */
static void
feed_tone (LxToneMeter *meter, gdouble hz, gdouble amplitude, gdouble seconds)
{
  static gint64 t = 0;
  gint16 buffer[960 * 2];

  for (guint b = 0; b < (guint) (seconds * 50); b++) {
    for (guint i = 0; i < 960; i++, t++)
      buffer[2 * i] = buffer[2 * i + 1] = (gint16) (amplitude * sin (2 * G_PI * hz * t / 48000.0));
    lx_tone_meter_add (meter, buffer, 960, 2, 48000);
  }
}

static void
test_tone_meter (void)
{
  LxToneMeter meter = { 0 };

  g_assert_cmpuint (meter.tone_hz, ==, 0);
  feed_tone (&meter, 440, 6500, 1.0);
  g_assert_cmpuint (meter.tone_hz, >=, 435);
  g_assert_cmpuint (meter.tone_hz, <=, 445);
  /* 0.2 of full scale, as the sender's test tone: an RMS of 0.2/√2. */
  g_assert_cmpuint (meter.level_permille, >=, 135);
  g_assert_cmpuint (meter.level_permille, <=, 147);
  feed_tone (&meter, 1000, 6500, 1.0);
  g_assert_cmpuint (meter.tone_hz, >=, 990);
  g_assert_cmpuint (meter.tone_hz, <=, 1010);
  /* Silence (or noise under the floor) has no pitch and no loudness. */
  feed_tone (&meter, 440, 30, 1.0);
  g_assert_cmpuint (meter.tone_hz, ==, 0);
  g_assert_cmpuint (meter.level_permille, <=, 1);
}

/* Two voices at once (the teacher's 440 Hz and a classroom's 880 Hz): the probe tuned to 880 Hz
 * finds the classroom's at its strength, and nothing once only the teacher's is left. */
static void
test_tone_probe (void)
{
  LxToneMeter meter = { .probe_hz = 880 };
  static gint64 t = 0;
  gint16 buffer[960 * 2];

  for (guint b = 0; b < 50; b++) {
    for (guint i = 0; i < 960; i++, t++)
      buffer[2 * i] = buffer[2 * i + 1] = (gint16) (6500 * sin (2 * G_PI * 440 * t / 48000.0) +
                                                    6500 * sin (2 * G_PI * 880 * t / 48000.0));
    lx_tone_meter_add (&meter, buffer, 960, 2, 48000);
  }
  g_assert_cmpuint (meter.probe_permille, >=, 135);
  g_assert_cmpuint (meter.probe_permille, <=, 147);
  feed_tone (&meter, 440, 6500, 0.5);
  g_assert_cmpuint (meter.probe_permille, <=, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tone-meter/probe-among-others", test_tone_probe);
  g_test_add_func ("/receiver-state/names", test_state_names);
  g_test_add_func ("/receiver-state/transitions", test_state_transitions);
  g_test_add_func ("/receiver-state/refused", test_state_refused);
  g_test_add_func ("/media-watch/dropout", test_watch_dropout);
  g_test_add_func ("/media-watch/video-paused-and-setting-up",
                   test_watch_video_paused_and_setting_up);
  g_test_add_func ("/media-watch/failure", test_watch_failure);
  g_test_add_func ("/jitter-sizing/steps-and-cap", test_jitter_sizing);
  g_test_add_func ("/tone-meter/pitch-and-level", test_tone_meter);
  return g_test_run ();
}
