/* SRTP and SRTCP protection with OpenSSL (see lx-srtp.h). */
#include "lx-srtp.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <string.h>

#define KEY_LENGTH 16
#define SALT_LENGTH 14
#define AUTH_KEY_LENGTH 20
#define SEQ_MEDIAN 32768

/* The key derivation labels (RFC 3711 §4.3.1). */
enum {
  RTP_ENCRYPTION,
  RTP_AUTHENTICATION,
  RTP_SALT,
  RTCP_ENCRYPTION,
  RTCP_AUTHENTICATION,
  RTCP_SALT
};

typedef struct {
  EVP_CIPHER_CTX *cipher; /* AES-128 in counter mode, keyed with the session key */
  EVP_MAC_CTX *mac;       /* HMAC-SHA1, keyed with the authentication key */
  guint8 salt[SALT_LENGTH];
  guint tag_length;
} Keys;

typedef struct {
  guint64 index;    /* the highest packet index sent: rollover counter × 2^16 + sequence number */
  gboolean started; /* (libsrtp guesses no rollover before 2^15 packets, from 0) */
  guint32 rtcp_index; /* the last SRTCP index */
} Stream;

struct _LxSrtp {
  Keys rtp;
  Keys rtcp;
  GHashTable *streams; /* SSRC → Stream */
};

/* AES in counter mode from @iv over @length bytes of @data, in place. */
static void
apply_keystream (EVP_CIPHER_CTX *cipher, const guint8 iv[16], guint8 *data, gsize length)
{
  int written = 0;

  EVP_EncryptInit_ex (cipher, NULL, NULL, NULL, iv);
  EVP_EncryptUpdate (cipher, data, &written, data, (int) length);
}

/* A session key (RFC 3711 §4.3.1, key derivation rate 0): the keystream of AES-CM under the
 * master key, from the master salt with @label in its 8th byte. */
static void
derive (const guint8 master[LX_SRTP_MASTER_LENGTH], guint8 label, guint8 *key, gsize length)
{
  EVP_CIPHER_CTX *cipher = EVP_CIPHER_CTX_new ();
  guint8 iv[16] = { 0 };

  memcpy (iv, master + KEY_LENGTH, SALT_LENGTH);
  iv[7] ^= label;
  memset (key, 0, length);
  EVP_EncryptInit_ex (cipher, EVP_aes_128_ctr (), NULL, master, NULL);
  apply_keystream (cipher, iv, key, length);
  EVP_CIPHER_CTX_free (cipher);
}

static void
keys_init (Keys *keys, const guint8 master[LX_SRTP_MASTER_LENGTH], guint8 first_label,
           guint tag_length)
{
  guint8 encryption[KEY_LENGTH], authentication[AUTH_KEY_LENGTH];
  EVP_MAC *hmac = EVP_MAC_fetch (NULL, "HMAC", NULL);
  OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
                          OSSL_PARAM_construct_end () };

  derive (master, first_label, encryption, sizeof encryption);
  derive (master, first_label + 1, authentication, sizeof authentication);
  derive (master, first_label + 2, keys->salt, sizeof keys->salt);
  keys->cipher = EVP_CIPHER_CTX_new ();
  EVP_EncryptInit_ex (keys->cipher, EVP_aes_128_ctr (), NULL, encryption, NULL);
  keys->mac = EVP_MAC_CTX_new (hmac);
  EVP_MAC_init (keys->mac, authentication, sizeof authentication, params);
  EVP_MAC_free (hmac);
  keys->tag_length = tag_length;
}

static void
keys_clear (Keys *keys)
{
  EVP_CIPHER_CTX_free (keys->cipher);
  EVP_MAC_CTX_free (keys->mac);
}

LxSrtp *
lx_srtp_new (const guint8 master[LX_SRTP_MASTER_LENGTH], guint rtp_tag_length,
             guint rtcp_tag_length)
{
  LxSrtp *srtp = g_new0 (LxSrtp, 1);

  keys_init (&srtp->rtp, master, RTP_ENCRYPTION, rtp_tag_length);
  keys_init (&srtp->rtcp, master, RTCP_ENCRYPTION, rtcp_tag_length);
  srtp->streams = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return srtp;
}

void
lx_srtp_free (LxSrtp *srtp)
{
  keys_clear (&srtp->rtp);
  keys_clear (&srtp->rtcp);
  g_hash_table_unref (srtp->streams);
  g_free (srtp);
}

static Stream *
stream_of (LxSrtp *srtp, guint32 ssrc)
{
  Stream *stream = g_hash_table_lookup (srtp->streams, GUINT_TO_POINTER (ssrc));

  if (stream == NULL) {
    stream = g_new0 (Stream, 1);
    g_hash_table_insert (srtp->streams, GUINT_TO_POINTER (ssrc), stream);
  }
  return stream;
}

/* The packet index of sequence number @seq (RFC 3711 §3.3.1 and Appendix A, as libsrtp guesses
 * it: the rollover counter is taken to be 0 until the highest index passes 2^15). */
static guint64
packet_index (Stream *stream, guint16 seq)
{
  guint64 guess = seq;

  if (stream->index > SEQ_MEDIAN) {
    guint64 roc = stream->index >> 16;
    guint16 highest = (guint16) stream->index;
    if (highest < SEQ_MEDIAN)
      guess = ((seq - highest > SEQ_MEDIAN ? roc - 1 : roc) << 16) | seq;
    else
      guess = ((highest - SEQ_MEDIAN > seq ? roc + 1 : roc) << 16) | seq;
  }
  if (!stream->started || guess > stream->index)
    stream->index = guess;
  stream->started = TRUE;
  return guess;
}

/* The counter's start: the session salt, the SSRC and the index in their places (§4.1.1). */
static void
make_iv (const Keys *keys, guint32 ssrc, guint64 index, guint8 iv[16])
{
  memset (iv, 0, 16);
  memcpy (iv, keys->salt, SALT_LENGTH);
  for (guint i = 0; i < 4; i++)
    iv[4 + i] ^= (guint8) (ssrc >> (24 - 8 * i));
  for (guint i = 0; i < 6; i++)
    iv[8 + i] ^= (guint8) (index >> (40 - 8 * i));
}

/* Appends the authentication tag over @length bytes of @packet and then @extra (RTP's rollover
 * counter, which is authenticated but not sent). */
static gsize
append_tag (Keys *keys, guint8 *packet, gsize length, const guint8 *extra, gsize extra_length)
{
  guint8 tag[AUTH_KEY_LENGTH];
  size_t tag_length = 0;

  EVP_MAC_init (keys->mac, NULL, 0, NULL);
  EVP_MAC_update (keys->mac, packet, length);
  if (extra_length > 0)
    EVP_MAC_update (keys->mac, extra, extra_length);
  EVP_MAC_final (keys->mac, tag, &tag_length, sizeof tag);
  memcpy (packet + length, tag, keys->tag_length);
  return length + keys->tag_length;
}

gint
lx_srtp_protect (LxSrtp *srtp, guint8 *packet, gsize length)
{
  gsize header;
  guint32 ssrc;
  guint64 index;
  guint8 iv[16], roc[4];

  if (length < 12 || (packet[0] >> 6) != 2)
    return -1;
  header = 12 + 4 * (packet[0] & 0x0f);
  if ((packet[0] & 0x10) && length >= header + 4)
    header += 4 + 4 * (((gsize) packet[header + 2] << 8) | packet[header + 3]);
  if (header > length)
    return -1;
  ssrc = ((guint32) packet[8] << 24) | ((guint32) packet[9] << 16) | ((guint32) packet[10] << 8) |
         packet[11];
  index = packet_index (stream_of (srtp, ssrc), (guint16) ((packet[2] << 8) | packet[3]));
  make_iv (&srtp->rtp, ssrc, index, iv);
  apply_keystream (srtp->rtp.cipher, iv, packet + header, length - header);
  for (guint i = 0; i < 4; i++)
    roc[i] = (guint8) (index >> (40 - 8 * i));
  return (gint) append_tag (&srtp->rtp, packet, length, roc, sizeof roc);
}

gint
lx_srtp_protect_rtcp (LxSrtp *srtp, guint8 *packet, gsize length)
{
  guint32 ssrc, index;
  guint8 iv[16], e_and_index[4];
  Stream *stream;

  if (length < 8 || (packet[0] >> 6) != 2)
    return -1;
  ssrc = ((guint32) packet[4] << 24) | ((guint32) packet[5] << 16) | ((guint32) packet[6] << 8) |
         packet[7];
  stream = stream_of (srtp, ssrc);
  index = stream->rtcp_index = (stream->rtcp_index + 1) & 0x7fffffff;
  make_iv (&srtp->rtcp, ssrc, index, iv);
  apply_keystream (srtp->rtcp.cipher, iv, packet + 8, length - 8);
  e_and_index[0] = (guint8) (0x80 | (index >> 24));
  e_and_index[1] = (guint8) (index >> 16);
  e_and_index[2] = (guint8) (index >> 8);
  e_and_index[3] = (guint8) index;
  memcpy (packet + length, e_and_index, sizeof e_and_index);
  return (gint) append_tag (&srtp->rtcp, packet, length + sizeof e_and_index, NULL, 0);
}
