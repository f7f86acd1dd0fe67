/* A quick poll's rules (see lx-poll.h). */
#include "lx-poll.h"
#include "lx-protocol.h"

#include "lx-json.h"

#include <string.h>

struct _LxPoll {
  guint id;
  gchar *question;
  guint n_choices;
  gboolean open;
  GHashTable *answers; /* school → its choice + 1 (GINT_TO_POINTER) */
  gint64 opened_utc;
};

LxPoll *
lx_poll_new (guint id, const char *question, guint n_choices)
{
  LxPoll *poll = g_new0 (LxPoll, 1);

  g_return_val_if_fail (n_choices >= 2 && n_choices <= LX_POLL_MOST_CHOICES, NULL);
  poll->id = id;
  poll->question = g_strdup (question);
  poll->n_choices = n_choices;
  poll->open = TRUE;
  poll->opened_utc = g_get_real_time () / G_USEC_PER_SEC;
  poll->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return poll;
}

void
lx_poll_free (LxPoll *poll)
{
  if (poll == NULL)
    return;
  g_hash_table_unref (poll->answers);
  g_free (poll->question);
  g_free (poll);
}

gboolean
lx_poll_answer (LxPoll *poll, guint id, const char *school, guint choice, GError **error)
{
  if (id != poll->id || !poll->open) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_NO_POLL,
                 "poll %u is not open (the open poll: %s)", id,
                 poll->open ? "another one" : "none");
    return FALSE;
  }
  if (choice >= poll->n_choices) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                 "poll %u has answers A to %s", id, lx_poll_choice_letter (poll->n_choices - 1));
    return FALSE;
  }
  g_hash_table_insert (poll->answers, g_strdup (school), GUINT_TO_POINTER (choice + 1));
  return TRUE;
}

void
lx_poll_close (LxPoll *poll)
{
  poll->open = FALSE;
}

guint
lx_poll_get_id (LxPoll *poll)
{
  return poll->id;
}

const char *
lx_poll_get_question (LxPoll *poll)
{
  return poll->question;
}

guint
lx_poll_get_n_choices (LxPoll *poll)
{
  return poll->n_choices;
}

gboolean
lx_poll_is_open (LxPoll *poll)
{
  return poll->open;
}

guint
lx_poll_count (LxPoll *poll, guint choice)
{
  GHashTableIter iter;
  gpointer value;
  guint count = 0;

  g_hash_table_iter_init (&iter, poll->answers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    count += GPOINTER_TO_UINT (value) == choice + 1;
  return count;
}

/* (for g_ptr_array_sort: pointers to the strings) */
static gint
compare_schools (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
lx_poll_get_schools (LxPoll *poll)
{
  GPtrArray *schools = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer school;

  g_hash_table_iter_init (&iter, poll->answers);
  while (g_hash_table_iter_next (&iter, &school, NULL))
    g_ptr_array_add (schools, school);
  g_ptr_array_sort (schools, compare_schools);
  return schools;
}

gint
lx_poll_get_choice (LxPoll *poll, const char *school)
{
  return (gint) GPOINTER_TO_UINT (g_hash_table_lookup (poll->answers, school)) - 1;
}

const char *
lx_poll_choice_letter (guint choice)
{
  static const char *const letters[LX_POLL_MOST_CHOICES] = { "A", "B", "C", "D" };
  return choice < LX_POLL_MOST_CHOICES ? letters[choice] : "?";
}

gint64
lx_poll_get_opened (LxPoll *poll)
{
  return poll->opened_utc;
}

void
lx_poll_add_json (LxPoll *poll, JsonBuilder *builder)
{
  g_autoptr (GPtrArray) schools = lx_poll_get_schools (poll);

  json_builder_set_member_name (builder, "poll_id");
  json_builder_add_int_value (builder, poll->id);
  lx_json_add_string (builder, "question", poll->question);
  json_builder_set_member_name (builder, "choices");
  json_builder_add_int_value (builder, poll->n_choices);
  json_builder_set_member_name (builder, "open");
  json_builder_add_boolean_value (builder, poll->open);
  json_builder_set_member_name (builder, "opened_utc");
  json_builder_add_int_value (builder, poll->opened_utc);
  /* The tally, A first; and each classroom's answer. */
  json_builder_set_member_name (builder, "tally");
  json_builder_begin_object (builder);
  for (guint i = 0; i < poll->n_choices; i++) {
    json_builder_set_member_name (builder, lx_poll_choice_letter (i));
    json_builder_add_int_value (builder, lx_poll_count (poll, i));
  }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "answers");
  json_builder_begin_object (builder);
  for (guint i = 0; i < schools->len; i++) {
    json_builder_set_member_name (builder, schools->pdata[i]);
    json_builder_add_string_value (
        builder, lx_poll_choice_letter ((guint) lx_poll_get_choice (poll, schools->pdata[i])));
  }
  json_builder_end_object (builder);
}
