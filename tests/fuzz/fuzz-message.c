/* libFuzzer target: a signaling message from untrusted bytes (lx_message_from_json). Whatever it
 * accepts must encode again, and decode to the same type: the server forwards what it accepted. */
#include "lx-protocol.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = lx_message_from_json ((const char *) data, size, &error);
  g_autofree gchar *json = NULL;
  g_autoptr (LxMessage) again = NULL;

  if (message == NULL) {
    /* The server answers with an error message carrying this text: it must encode. */
    g_autoptr (LxMessage) reply = NULL;
    g_assert (error != NULL && error->domain == LX_PROTOCOL_ERROR && error->message != NULL);
    reply = lx_message_new_error (error->code, "%s", error->message);
    json = lx_message_to_json (reply, NULL);
    g_assert (json != NULL);
    return 0;
  }
  json = lx_message_to_json (message, &error);
  g_assert_no_error (error);
  again = lx_message_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert (again->type == message->type);
  return 0;
}
