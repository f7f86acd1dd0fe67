/* SDP fragments for trickle ICE and ICE restarts (RFC 8840, as WHIP and WHEP PATCH them: media
 * type application/trickle-ice-sdpfrag): ICE credentials, and candidates under the mid of the
 * m-line they belong to. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gchar *mid;       /* (nullable) the m-line it is under; none: the first */
  gchar *candidate; /* "candidate:..." (without "a=") */
} LxSdpfragCandidate;

typedef struct {
  gchar *ice_ufrag;      /* (nullable) */
  gchar *ice_pwd;        /* (nullable) */
  GPtrArray *candidates; /* LxSdpfragCandidate* (owned) */
  gboolean end_of_candidates;
} LxSdpfrag;

/* (transfer full) @text read as an sdpfrag, or NULL with @error (G_IO_ERROR_INVALID_DATA) when a
 * line is not SDP or credentials come without their pair. Lines it has no use for are skipped. */
LxSdpfrag *lx_sdpfrag_parse (const char *text, GError **error);
void lx_sdpfrag_free (LxSdpfrag *frag);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxSdpfrag, lx_sdpfrag_free)

/* (transfer full) An sdpfrag with @ufrag and @pwd and @candidates ("candidate:..." or
 * "a=candidate:...") under @mid, ending with a=end-of-candidates. */
gchar *lx_sdpfrag_write (const char *ufrag, const char *pwd, const char *mid,
                         const char *const *candidates);

G_END_DECLS
