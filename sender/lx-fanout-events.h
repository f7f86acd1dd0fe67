/* The events an encoded stream carries to the classrooms: one segment event shared by every
 * stream, and no tags (see lx-fanout-events.c). */
#pragma once

#include <gst/gst.h>

/* From now on, the time segments that pass @pad (an encoder's output, before its tee) are replaced
 * with the process's shared one, the buffers' timestamps moved so that their running time stays
 * what it was, and tag events are dropped. */
void lx_fanout_events_attach (GstPad *pad);
