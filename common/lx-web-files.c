/* Static web pages (see lx-web-files.h). */
#include "lx-web-files.h"

#include <string.h>

static const char *
content_type (const char *path)
{
  if (g_str_has_suffix (path, ".html"))
    return "text/html; charset=utf-8";
  if (g_str_has_suffix (path, ".js"))
    return "text/javascript; charset=utf-8";
  if (g_str_has_suffix (path, ".css"))
    return "text/css; charset=utf-8";
  if (g_str_has_suffix (path, ".png"))
    return "image/png";
  return "application/octet-stream";
}

void
lx_web_files_serve (SoupServerMessage *message, const char *root, const char *path)
{
  const char *method = soup_server_message_get_method (message);
  g_autofree gchar *file = NULL;
  gchar *contents = NULL;
  gsize length;

  if (root == NULL || (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) ||
      strstr (path, "..") || strstr (path, "/.") || strchr (path, '\\')) {
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  file = g_build_filename (root, g_str_equal (path, "/") ? "index.html" : path + 1, NULL);
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR) ||
      !g_file_get_contents (file, &contents, &length, NULL)) {
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Cache-Control",
                                "no-cache");
  soup_server_message_set_response (message, content_type (file), SOUP_MEMORY_TAKE, contents,
                                    length);
}
