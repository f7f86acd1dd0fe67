/* The sender's own SRTP (sender/lx-srtp.c) against libsrtp, the reference implementation, byte for
 * byte: RTP packets of two streams through a sequence-number rollover and past the point where the
 * rollover counter starts being guessed, with CSRCs, a header extension and padding, and compound
 * RTCP packets — for both authentication tag lengths webrtcbin can agree on. */
#include "lx-srtp.h"

#include <srtp2/srtp.h>
#include <string.h>

#define PACKET_ROOM (1500 + LX_SRTP_MAX_TRAILER + SRTP_MAX_TRAILER_LEN)

static srtp_t
reference_session (const guint8 *master, gboolean tag_80)
{
  srtp_policy_t policy;
  srtp_t session = NULL;

  memset (&policy, 0, sizeof policy);
  if (tag_80)
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtp);
  else
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32 (&policy.rtp);
  policy.rtcp = policy.rtp;
  policy.ssrc.type = ssrc_any_outbound;
  policy.key = (guint8 *) master;
  policy.window_size = 128;
  g_assert_cmpint (srtp_create (&session, &policy), ==, srtp_err_status_ok);
  return session;
}

/* An RTP packet of @ssrc and @seq with @payload_length bytes from @random, and, by @kind, CSRCs,
 * a header extension or padding. Its length. */
static gsize
make_rtp (guint8 *packet, guint32 ssrc, guint16 seq, guint kind, gsize payload_length,
          GRand *random)
{
  gsize length = 12;
  guint csrcs = kind % 3 == 1 ? 2 : 0;

  packet[0] = (guint8) (0x80 | csrcs);
  packet[1] = 96;
  packet[2] = (guint8) (seq >> 8);
  packet[3] = (guint8) seq;
  for (guint i = 0; i < 4; i++) {
    packet[4 + i] = (guint8) (seq * 3000u >> (24 - 8 * i));
    packet[8 + i] = (guint8) (ssrc >> (24 - 8 * i));
  }
  for (guint i = 0; i < 4 * csrcs; i++)
    packet[length++] = (guint8) g_rand_int (random);
  if (kind % 3 == 2) {
    packet[0] |= 0x10;
    packet[length] = 0xbe; /* one-byte header extensions (RFC 8285), one word of them */
    packet[length + 1] = 0xde;
    packet[length + 2] = 0;
    packet[length + 3] = 1;
    for (guint i = 4; i < 8; i++)
      packet[length + i] = (guint8) g_rand_int (random);
    length += 8;
  }
  for (gsize i = 0; i < payload_length; i++)
    packet[length + i] = (guint8) g_rand_int (random);
  length += payload_length;
  if (kind % 5 == 4) {
    packet[0] |= 0x20;
    packet[length] = 0;
    packet[length + 1] = 2;
    length += 2;
  }
  return length;
}

static void
check_against_reference (gboolean tag_80, guint16 first_seq, guint packets)
{
  g_autoptr (GRand) random = g_rand_new_with_seed (first_seq);
  guint8 master[LX_SRTP_MASTER_LENGTH];
  LxSrtp *ours;
  srtp_t reference;

  for (guint i = 0; i < sizeof master; i++)
    master[i] = (guint8) g_rand_int (random);
  ours = lx_srtp_new (master, tag_80 ? 10 : 4, tag_80 ? 10 : 4);
  reference = reference_session (master, tag_80);
  for (guint n = 0; n < packets; n++) {
    guint8 mine[PACKET_ROOM], theirs[PACKET_ROOM];
    /* Two streams, as a video and its retransmissions, each with its own sequence numbers. */
    guint32 ssrc = n % 4 == 3 ? 0x0badcafe : 0x12345678;
    guint16 seq = (guint16) (first_seq + (n % 4 == 3 ? n / 4 : n - n / 4));
    gsize length = make_rtp (mine, ssrc, seq, n, g_rand_int_range (random, 0, 1200), random);
    gint their_length = (gint) length;
    gint my_length;

    memcpy (theirs, mine, length);
    my_length = lx_srtp_protect (ours, mine, length);
    g_assert_cmpint (srtp_protect (reference, theirs, &their_length), ==, srtp_err_status_ok);
    g_assert_cmpint (my_length, ==, their_length);
    g_assert_cmpmem (mine, my_length, theirs, their_length);
  }
  for (guint n = 0; n < 5; n++) {
    guint8 mine[PACKET_ROOM], theirs[PACKET_ROOM];
    gsize length = 28 + 20 + 4 * n;
    gint their_length = (gint) length;
    gint my_length;

    for (gsize i = 0; i < length; i++)
      mine[i] = (guint8) g_rand_int (random);
    mine[0] = 0x80; /* an SR with no report blocks, and what follows it */
    mine[1] = 200;
    mine[2] = 0;
    mine[3] = 6;
    memcpy (theirs, mine, length);
    my_length = lx_srtp_protect_rtcp (ours, mine, length);
    g_assert_cmpint (srtp_protect_rtcp (reference, theirs, &their_length), ==, srtp_err_status_ok);
    g_assert_cmpint (my_length, ==, their_length);
    g_assert_cmpmem (mine, my_length, theirs, their_length);
  }
  lx_srtp_free (ours);
  srtp_dealloc (reference);
}

/* From sequence number 65000: the rollover within the first thousand packets. */
static void
test_rollover (void)
{
  check_against_reference (TRUE, 65000, 2000);
  check_against_reference (FALSE, 65000, 2000);
}

/* From 100, past 2^15 (where the rollover counter starts being guessed) and round to 100 again. */
static void
test_whole_cycle (void)
{
  check_against_reference (TRUE, 100, 90000);
}

static void
test_not_rtp (void)
{
  guint8 master[LX_SRTP_MASTER_LENGTH] = { 1 };
  guint8 packet[PACKET_ROOM] = { 0x40 }; /* version 1 */
  LxSrtp *srtp = lx_srtp_new (master, 10, 10);

  g_assert_cmpint (lx_srtp_protect (srtp, packet, 100), ==, -1);
  g_assert_cmpint (lx_srtp_protect (srtp, packet, 8), ==, -1);
  g_assert_cmpint (lx_srtp_protect_rtcp (srtp, packet, 100), ==, -1);
  lx_srtp_free (srtp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (srtp_init (), ==, srtp_err_status_ok);
  g_test_add_func ("/srtp/rollover", test_rollover);
  g_test_add_func ("/srtp/whole-cycle", test_whole_cycle);
  g_test_add_func ("/srtp/not-rtp", test_not_rtp);
  return g_test_run ();
}
