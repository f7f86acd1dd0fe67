/* A classroom's part in the floor of a joint lesson (docs/protocol.md): what the server says of
 * its hand, of who speaks and of the teacher's quick poll, and what the classroom asks for — its
 * hand raised or lowered, a question in writing, its answer to the poll — from commands on
 * standard input (commands-on-stdin). */
#include "lx-receiver-private.h"

#include <gio/gunixinputstream.h>
#include <string.h>

void
lx_receiver_floor_reset (LxReceiver *receiver)
{
  receiver->hand_up = FALSE;
  receiver->called_on = FALSE;
  if (receiver->session)
    lx_receiver_session_set_microphone_open (receiver->session, FALSE);
}

void
lx_receiver_floor_note (LxReceiver *receiver, const LxMessage *floor)
{
  const char *school = receiver->config->connection.school;
  gboolean hand_up = g_strv_contains ((const char *const *) floor->hands, school);
  gboolean called_on = g_strv_contains ((const char *const *) floor->speaking, school);

  if (hand_up != receiver->hand_up)
    g_message ("classroom %s: hand %s", school, hand_up ? "up" : "down");
  if (called_on != receiver->called_on)
    g_message ("classroom %s: %s", school,
               called_on ? "called on: the class has the floor" : "hung up: the floor is closed");
  receiver->hand_up = hand_up;
  receiver->called_on = called_on;
  if (receiver->session)
    lx_receiver_session_set_microphone_open (receiver->session, called_on);
}

gboolean
lx_receiver_toggle_hand (LxReceiver *receiver)
{
  g_autoptr (LxMessage) message = NULL;

  if (receiver->signaling == NULL) {
    g_message ("classroom %s: no lesson joined: the hand stays down",
               receiver->config->connection.school);
    return FALSE;
  }
  /* (called on, the class has the floor already: the teacher hangs up) */
  if (receiver->called_on)
    return FALSE;
  message = lx_message_new (receiver->hand_up ? LX_MESSAGE_LOWER_HAND : LX_MESSAGE_RAISE_HAND);
  lx_signaling_client_send (receiver->signaling, message);
  return TRUE;
}

gboolean
lx_receiver_ask (LxReceiver *receiver, const char *text)
{
  g_autoptr (LxMessage) message = NULL;

  if (receiver->signaling == NULL || *text == '\0')
    return FALSE;
  message = lx_message_new (LX_MESSAGE_QUESTION);
  message->text = g_utf8_make_valid (text, -1);
  lx_signaling_client_send (receiver->signaling, message);
  return TRUE;
}

void
lx_receiver_poll_note (LxReceiver *receiver, const LxMessage *poll)
{
  if (poll->poll_id != receiver->poll_id) {
    receiver->poll_answer = -1;
    g_free (receiver->poll_question);
    receiver->poll_question = g_strdup (poll->text);
  }
  receiver->poll_id = poll->poll_id;
  receiver->poll_choices = poll->choices;
  receiver->poll_open = poll->poll_open;
  g_message ("classroom %s: poll %d %s: %s (answers A to %c)", receiver->config->connection.school,
             poll->poll_id, poll->poll_open ? "open" : "closed", poll->text,
             'A' + poll->choices - 1);
}

gboolean
lx_receiver_answer_poll (LxReceiver *receiver, const char *letter)
{
  g_autoptr (LxMessage) message = NULL;
  gint choice = g_ascii_toupper (letter[0]) - 'A';

  if (receiver->signaling == NULL || !receiver->poll_open || letter[0] == '\0' ||
      letter[1] != '\0' || choice < 0 || choice >= receiver->poll_choices) {
    g_message ("classroom %s: no open poll takes the answer '%s'",
               receiver->config->connection.school, letter);
    return FALSE;
  }
  message = lx_message_new (LX_MESSAGE_POLL_ANSWER);
  message->poll_id = receiver->poll_id;
  message->choice = choice;
  lx_signaling_client_send (receiver->signaling, message);
  receiver->poll_answer = choice;
  return TRUE;
}

static void read_next_command (LxReceiver *receiver);

static void
on_command (GObject *source, GAsyncResult *result, gpointer data)
{
  LxReceiver *receiver = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL) {
    /* (end of input: nothing more will come) */
    if (error)
      g_warning ("commands on standard input: %s", error->message);
    return;
  }
  g_strstrip (line);
  if (g_str_equal (line, "hand"))
    lx_receiver_toggle_hand (receiver);
  else if (g_str_has_prefix (line, "ask "))
    lx_receiver_ask (receiver, g_strchug (line + 4));
  else if (g_str_has_prefix (line, "answer "))
    lx_receiver_answer_poll (receiver, g_strchug (line + 7));
  else if (*line != '\0')
    g_message ("unknown command '%s': hand (raise or lower the hand), ask TEXT (a question), "
               "answer A-D (the teacher's poll)",
               line);
  read_next_command (receiver);
}

static void
read_next_command (LxReceiver *receiver)
{
  g_data_input_stream_read_line_async (receiver->commands, G_PRIORITY_DEFAULT,
                                       receiver->commands_cancel, on_command, receiver);
}

void
lx_receiver_floor_start (LxReceiver *receiver)
{
  g_autoptr (GInputStream) stdin_stream = NULL;

  if (!receiver->config->commands_on_stdin)
    return;
  stdin_stream = g_unix_input_stream_new (0, FALSE);
  receiver->commands = g_data_input_stream_new (stdin_stream);
  receiver->commands_cancel = g_cancellable_new ();
  read_next_command (receiver);
}

void
lx_receiver_floor_stop (LxReceiver *receiver)
{
  if (receiver->commands_cancel)
    g_cancellable_cancel (receiver->commands_cancel);
  g_clear_object (&receiver->commands_cancel);
  g_clear_object (&receiver->commands);
}
