/* What the teacher's side knows of its lesson's floor (docs/protocol.md): the hands up in order,
 * the classrooms called on, and the questions asked in writing — for the statistics now, and for
 * the console and the classroom's voice in the lesson. Told by the signaling server; main
 * context. */
#pragma once

#include "lx-protocol.h"

#include <json-glib/json-glib.h>

typedef struct _LxFloorView LxFloorView;

/* The questions kept, newest last: a lesson's worth. */
#define LX_FLOOR_VIEW_QUESTIONS 50

LxFloorView *lx_floor_view_new (void);
void lx_floor_view_free (LxFloorView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxFloorView, lx_floor_view_free)

/* The server's `floor`, and a `question` it passed on. */
void lx_floor_view_note_floor (LxFloorView *view, const LxMessage *floor);
void lx_floor_view_note_question (LxFloorView *view, const LxMessage *question);
gboolean lx_floor_view_is_speaking (LxFloorView *view, const char *school);
/* Adds "hands", "speaking" and "questions" ({school, text, asked_utc}) to the open object. */
void lx_floor_view_add_stats (LxFloorView *view, JsonBuilder *builder);
