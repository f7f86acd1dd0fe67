/* What lianxiao-ctl's command files (lx-ctl-school.c, lx-ctl-lesson.c) share with lx-ctl.c: one
 * way to ask the server, and one way to print tables. */
#pragma once

#include "lx-ctl.h"

#include <json-glib/json-glib.h>

/* Sends the request and returns (transfer full) the parsed answer (a null node for an empty
 * one); when the server refuses or cannot be reached, prints why — in words, Chinese first, with
 * the option to change — and returns NULL. */
JsonNode *lx_ctl_request (const LxCtlOptions *options, const char *method, const char *path,
                          JsonNode *body);
/* DELETEs @path and prints @done (a line, Chinese first); returns the exit status. */
int lx_ctl_delete (const LxCtlOptions *options, const char *path, const char *done);
/* (transfer none) The string member @name of @object, or "". */
const char *lx_ctl_member (JsonObject *object, const char *name);
void lx_ctl_print_json (JsonNode *root);
/* @text, then spaces up to @width terminal columns and one more. */
void lx_ctl_print_cell (const char *text, guint width);
/* Prints the list @answer: a header and one line per item (or as JSON); @nothing when empty. */
int lx_ctl_print_items (const LxCtlOptions *options, JsonNode *answer, void (*print_header) (void),
                        void (*print_item) (JsonObject *), const char *nothing);
/* GETs a list and prints it, a header and one line per item (or as JSON); @nothing when empty. */
int lx_ctl_print_list (const LxCtlOptions *options, const char *path, void (*print_header) (void),
                       void (*print_item) (JsonObject *), const char *nothing);
/* Prints @text and the --help hint; returns 2, the status of bad usage. */
int lx_ctl_usage (const char *text);
/* TRUE if @text is a date "YYYY-MM-DD" (@with_time FALSE) or a date and time "YYYY-MM-DD HH:MM"
 * (TRUE); else prints which form @flag takes, with an example, and returns FALSE. */
gboolean lx_ctl_check_date (const char *flag, const char *text, gboolean with_time);

int lx_ctl_school_command (const LxCtlOptions *options, int argc, char **argv);
int lx_ctl_lesson_command (const LxCtlOptions *options, int argc, char **argv);
/* The quick poll of @lesson: shown (@action NULL), or @action: "open" (@question, @choices "2"
 * to "4" or NULL for 4) or "close". */
int lx_ctl_poll_command (const LxCtlOptions *options, const char *lesson, const char *action,
                         const char *question, const char *choices);
/* The floor of @lesson: shown (@action NULL), or @action ("call-on", "hang-up") on @school. */
int lx_ctl_floor_command (const LxCtlOptions *options, const char *lesson, const char *action,
                          const char *school);
