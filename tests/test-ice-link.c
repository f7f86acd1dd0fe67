/* STUN/TURN servers in WHIP/WHEP Link headers (RFC 9725 §4.6): written from our URLs, read back
 * into them, and read as other servers write them. */
#include "lx-ice-link.h"
#include "lx-webrtc.h"

#include <gio/gio.h>

static void
test_round_trip (void)
{
  static const char *const urls[] = {
    "stun://stun.city.example:3478",
    "turn://school:s3cret@turn.city.example:3478",
    "turn://school:s3cret@turn.city.example:443?transport=tcp",
    "turns://school:s3cret@turn.city.example:5349",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *link = lx_ice_link_from_url (urls[i], &error);
    g_auto (GStrv) back = NULL;

    g_assert_no_error (error);
    g_assert_true (g_str_has_suffix (link, "\"") || g_str_has_suffix (link, "rel=\"ice-server\""));
    back = lx_ice_link_parse (link);
    g_assert_cmpuint (g_strv_length (back), ==, 1);
    g_assert_cmpstr (back[0], ==, urls[i]);
  }
}

/* Several servers in one header, as HTTP joins repeated headers; other rels and unreadable ones are
 * left out; credentials with separators survive. */
static void
test_read_foreign_links (void)
{
  const char *links =
      "<https://whep.example/whep/l/s>; rel=\"alternate\", "
      "<stun:stun.l.example.net:19302>; rel=\"ice-server\", "
      "<turn:relay.example.net:3478?transport=udp>; rel=\"ice-server\"; "
      "username=\"1733500000:school\"; credential=\"a,b;c@d\"; credential-type=\"password\", "
      "<turn:no-credentials.example>; rel=\"ice-server\", "
      "<stun:>; rel=\"ice-server\"";
  g_auto (GStrv) servers = lx_ice_link_parse (links);

  g_assert_cmpuint (g_strv_length (servers), ==, 2);
  g_assert_cmpstr (servers[0], ==, "stun://stun.l.example.net:19302");
  g_assert_cmpstr (servers[1], ==,
                   "turn://1733500000%3Aschool:a%2Cb%3Bc%40d@relay.example.net:3478");
  {
    g_auto (GStrv) none = lx_ice_link_parse (NULL);
    g_assert_cmpuint (g_strv_length (none), ==, 0);
  }
}

static void
test_refuses_other_urls (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *link = lx_ice_link_from_url ("http://turn.example", &error);

  g_assert_null (link);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* webrtcbin takes what a client read from Link headers: the STUN server where none was
 * configured, and the TURN server (a refused one would warn, and warnings fail this test). */
static void
test_webrtcbin_takes_announced_servers (void)
{
  g_auto (GStrv) servers = lx_ice_link_parse (
      "<stun:stun.city.example:3478>; rel=\"ice-server\", "
      "<turn:turn.city.example:3478?transport=udp>; rel=\"ice-server\"; username=\"a:b\"; "
      "credential=\"c@d\", <turns:turn.city.example:5349?transport=tcp>; rel=\"ice-server\"; "
      "username=\"u\"; credential=\"p\"");
  g_autoptr (GstElement) webrtc =
      gst_object_ref_sink (gst_element_factory_make ("webrtcbin", NULL));
  g_autofree gchar *stun = NULL;

  g_assert_cmpuint (g_strv_length (servers), ==, 3);
  lx_webrtc_add_announced_ice_servers (webrtc, (const char *const *) servers);
  g_object_get (webrtc, "stun-server", &stun, NULL);
  g_assert_cmpstr (stun, ==, "stun://stun.city.example:3478");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ice-link/webrtcbin-takes-announced-servers",
                   test_webrtcbin_takes_announced_servers);
  g_test_add_func ("/ice-link/round-trip", test_round_trip);
  g_test_add_func ("/ice-link/read-foreign-links", test_read_foreign_links);
  g_test_add_func ("/ice-link/refuses-other-urls", test_refuses_other_urls);
  return g_test_run ();
}
