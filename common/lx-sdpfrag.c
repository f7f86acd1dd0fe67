/* RFC 8840 SDP fragments (see lx-sdpfrag.h). */
#include "lx-sdpfrag.h"

#include <gio/gio.h>
#include <string.h>

static void
candidate_free (gpointer data)
{
  LxSdpfragCandidate *candidate = data;
  g_free (candidate->mid);
  g_free (candidate->candidate);
  g_free (candidate);
}

void
lx_sdpfrag_free (LxSdpfrag *frag)
{
  if (frag == NULL)
    return;
  g_free (frag->ice_ufrag);
  g_free (frag->ice_pwd);
  g_ptr_array_unref (frag->candidates);
  g_free (frag);
}

LxSdpfrag *
lx_sdpfrag_parse (const char *text, GError **error)
{
  g_autoptr (LxSdpfrag) frag = g_new0 (LxSdpfrag, 1);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree gchar *mid = NULL;

  frag->candidates = g_ptr_array_new_with_free_func (candidate_free);
  for (guint i = 0; lines[i]; i++) {
    const char *line = g_strchomp (lines[i]);
    if (line[0] == '\0')
      continue;
    if (strlen (line) < 2 || line[1] != '=' || !g_utf8_validate (line, -1, NULL)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "line %u of the sdpfrag is not an SDP line", i + 1);
      return NULL;
    }
    if (g_str_has_prefix (line, "a=ice-ufrag:")) {
      g_free (frag->ice_ufrag);
      frag->ice_ufrag = g_strdup (line + strlen ("a=ice-ufrag:"));
    } else if (g_str_has_prefix (line, "a=ice-pwd:")) {
      g_free (frag->ice_pwd);
      frag->ice_pwd = g_strdup (line + strlen ("a=ice-pwd:"));
    } else if (g_str_has_prefix (line, "a=mid:")) {
      g_free (mid);
      mid = g_strdup (line + strlen ("a=mid:"));
    } else if (g_str_has_prefix (line, "a=candidate:")) {
      LxSdpfragCandidate *candidate = g_new0 (LxSdpfragCandidate, 1);
      candidate->mid = g_strdup (mid);
      candidate->candidate = g_strdup (line + 2);
      g_ptr_array_add (frag->candidates, candidate);
    } else if (g_str_equal (line, "a=end-of-candidates")) {
      frag->end_of_candidates = TRUE;
    }
  }
  if ((frag->ice_ufrag == NULL) != (frag->ice_pwd == NULL) ||
      (frag->ice_ufrag && (frag->ice_ufrag[0] == '\0' || frag->ice_pwd[0] == '\0'))) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "the sdpfrag must give a=ice-ufrag and a=ice-pwd together, or neither");
    return NULL;
  }
  return g_steal_pointer (&frag);
}

gchar *
lx_sdpfrag_write (const char *ufrag, const char *pwd, const char *mid,
                  const char *const *candidates)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", ufrag, pwd);
  /* The m-line only carries the mid (RFC 8840 §5.1: its port and formats mean nothing here). */
  g_string_append_printf (text, "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%s\r\n", mid ? mid : "0");
  for (guint i = 0; candidates && candidates[i]; i++)
    g_string_append_printf (text, "%s%s\r\n",
                            g_str_has_prefix (candidates[i], "a=") ? "" : "a=", candidates[i]);
  g_string_append (text, "a=end-of-candidates\r\n");
  return g_string_free (text, FALSE);
}
