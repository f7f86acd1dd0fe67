/* What the teacher's side knows of its lesson's floor (see lx-floor-view.h). */
#include "lx-floor-view.h"
#include "lx-json.h"

typedef struct {
  gchar *school, *text;
  gint64 asked_utc; /* seconds */
} Question;

struct _LxFloorView {
  GStrv hands, speaking;
  GQueue questions; /* Question*, oldest first */
};

static void
question_free (Question *question)
{
  g_free (question->school);
  g_free (question->text);
  g_free (question);
}

LxFloorView *
lx_floor_view_new (void)
{
  LxFloorView *view = g_new0 (LxFloorView, 1);

  view->hands = g_new0 (gchar *, 1);
  view->speaking = g_new0 (gchar *, 1);
  g_queue_init (&view->questions);
  return view;
}

void
lx_floor_view_free (LxFloorView *view)
{
  if (view == NULL)
    return;
  g_strfreev (view->hands);
  g_strfreev (view->speaking);
  g_queue_clear_full (&view->questions, (GDestroyNotify) question_free);
  g_free (view);
}

void
lx_floor_view_note_floor (LxFloorView *view, const LxMessage *floor)
{
  g_autofree gchar *hands = g_strjoinv (", ", floor->hands);
  g_autofree gchar *speaking = g_strjoinv (", ", floor->speaking);

  g_message ("floor: hands up [%s], speaking [%s]", hands, speaking);
  g_strfreev (view->hands);
  g_strfreev (view->speaking);
  view->hands = g_strdupv (floor->hands);
  view->speaking = g_strdupv (floor->speaking);
}

void
lx_floor_view_note_question (LxFloorView *view, const LxMessage *question)
{
  Question *kept = g_new0 (Question, 1);

  kept->school = g_strdup (question->school);
  kept->text = g_strdup (question->text);
  kept->asked_utc = g_get_real_time () / G_USEC_PER_SEC;
  g_message ("classroom %s asks: %s", kept->school, kept->text);
  g_queue_push_tail (&view->questions, kept);
  if (g_queue_get_length (&view->questions) > LX_FLOOR_VIEW_QUESTIONS)
    question_free (g_queue_pop_head (&view->questions));
}

gboolean
lx_floor_view_is_speaking (LxFloorView *view, const char *school)
{
  return g_strv_contains ((const char *const *) view->speaking, school);
}

void
lx_floor_view_add_stats (LxFloorView *view, JsonBuilder *builder)
{
  lx_json_add_strings (builder, "hands", (const char *const *) view->hands);
  lx_json_add_strings (builder, "speaking", (const char *const *) view->speaking);
  json_builder_set_member_name (builder, "questions");
  json_builder_begin_array (builder);
  for (GList *l = view->questions.head; l; l = l->next) {
    Question *question = l->data;
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "school");
    json_builder_add_string_value (builder, question->school);
    json_builder_set_member_name (builder, "text");
    json_builder_add_string_value (builder, question->text);
    json_builder_set_member_name (builder, "asked_utc");
    json_builder_add_int_value (builder, question->asked_utc);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}
