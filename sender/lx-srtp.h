/* SRTP and SRTCP protection (RFC 3711) for the packets a sender sends beside webrtcbin, with the
 * AES-128-CM / HMAC-SHA1 profiles webrtcbin's DTLS handshake agrees on, done with OpenSSL. Why not
 * libsrtp: Debian's libsrtp2 does its AES and HMAC through NSS, which makes and frees a PK11
 * context for every packet — 4.5 µs a 1200-byte packet here, against 1.1 µs with OpenSSL's
 * AES-NI, and a sender protects ~250 packets a second per classroom. The unit test holds every
 * byte of its output against libsrtp's. One SSRC's rollover counter per stream of the session. Not
 * thread-safe: one thread at a time. */
#pragma once

#include <glib.h>

/* Master key and salt, as the DTLS exporter gives them (RFC 5764 §4.2). */
#define LX_SRTP_MASTER_LENGTH 30
/* The most protect adds to a packet: SRTCP's index and the longer tag. */
#define LX_SRTP_MAX_TRAILER 14

typedef struct _LxSrtp LxSrtp;

/* (transfer full) A session for @master (key, then salt), with authentication tags of
 * @rtp_tag_length bytes on RTP packets (10: HMAC-SHA1-80, 4: HMAC-SHA1-32) and @rtcp_tag_length on
 * RTCP ones. */
LxSrtp *lx_srtp_new (const guint8 master[LX_SRTP_MASTER_LENGTH], guint rtp_tag_length,
                     guint rtcp_tag_length);
void lx_srtp_free (LxSrtp *srtp);

/* Protects the RTP packet of @length bytes in @packet in place (the buffer has room for
 * LX_SRTP_MAX_TRAILER more): its new length, or -1 if it is not RTP. */
gint lx_srtp_protect (LxSrtp *srtp, guint8 *packet, gsize length);
/* The same for a compound RTCP packet. */
gint lx_srtp_protect_rtcp (LxSrtp *srtp, guint8 *packet, gsize length);
