/* The sender's insides, shared by its files: lx-sender.c (the pipeline, the classrooms, the
 * lesson on the air) and lx-sender-console.c (what the teacher's console shows and does). */
#pragma once

#include "lx-sender.h"
#include "lx-console.h"
#include "lx-devices.h"
#include "lx-jpeg-feed.h"
#include "lx-lesson-picture.h"
#include "lx-wall.h"
#include "lx-floor-view.h"
#include "lx-lesson-sound.h"

#include "lx-capture.h"
#include "lx-classroom.h"
#include "lx-encoder.h"
#include "lx-json.h"
#include "lx-latency-stamp.h"
#include "lx-layer-set.h"
#include "lx-lesson-follower.h"
#include "lx-pads.h"
#include "lx-stats.h"
#include "lx-timetable.h"
#include "lx-whip-publisher.h"

struct _LxSender {
  const LxSenderConfig *config;
  GstElement *pipeline;
  GstElement *raw_tee;       /* raw video, into every encoder (and, with an encoder per classroom,
                          * into every branch) */
  LxLayerSet *h264;          /* (nullable) none with an encoder per classroom */
  LxLayerSet *vp8;           /* (nullable) for browsers without H.264, running while one watches */
  GstElement *audio_tee;     /* (nullable) */
  LxDelayWindow *encode;     /* time each frame spends in the shared encoder */
  GstVideoInfo capture_info; /* raw video format, for the latency stamp */
  gint frames_sent;          /* frames into the video tee (encoded, or raw with an encoder per
                              * classroom); atomic */
  LxSignalingClient *signaling; /* (nullable) while on the air */
  gint64 last_rtt_report_us;
  LxLessonFollower *lessons; /* which lesson is on the air */
  LxTimetable *timetable;    /* (nullable) when following the timetable */
  guint follow_timer;
  GHashTable *classrooms;    /* school → LxClassroom* (owned: closed on removal) */
  GHashTable *unconfirmed;   /* schools not heard of since we joined again */
  GHashTable *offered_again; /* school → when (gint64 *) its failed connection was last offered
                              * again */
  guint connections_offered_again;
  guint confirm_timer;
  LxWhipPublisher *publisher; /* (nullable) publishing to a media server too */
  LxJanusRelay *janus;        /* (nullable) relaying to a Janus mountpoint */
  LxFloorView *floor;         /* the lesson on the air's hands, speakers and questions */
  LxWall *wall;               /* (nullable) the classrooms' pictures (a joint lesson) */
  LxLessonSound *sound;       /* (nullable) no sound: the teacher's, and the speakers' voices */
  LxLessonPicture *picture;   /* (nullable) the sources and the speakers' pictures composed */
  /* The teacher's console (lx-sender-console.c) */
  LxConsole *console;     /* (nullable) */
  LxJpegFeed *preview;    /* (nullable) what goes out, for the console */
  LxJpegFeed *wall_feed;  /* (nullable) the wall, for the console's tiles */
  gboolean teacher_muted; /* the console's mute (the hold card mutes too) */
  gchar *chosen_lesson;   /* (nullable) the lesson the teacher put on the air */
  gchar *ended_lesson;    /* (nullable) the lesson the teacher ended ... */
  gint64 ended_until;     /* ... not joined again before this (UTC seconds) */
  gint64 on_air_since;    /* UTC seconds the lesson on the air was joined; 0 off the air */
  gint poll_id;           /* the last poll the server told of (0: none) ... */
  gchar *poll_question;
  gint poll_choices;
  gboolean poll_open;
  gchar *refusal;       /* (nullable) the server's last refusal, for the console */
  JsonNode *last_stats; /* (nullable) the statistics last written */
  LxDevices *devices;   /* (nullable) cameras and microphones present */
  GMainLoop *loop;
  int exit_status;
  guint stats_timer, control_timer;
};

/* The lesson that should be on the air now (the teacher's choice, the timetable's or the one
 * configured; none while the teacher has not started or has ended it), joined or left. */
void lx_sender_follow_lessons (LxSender *sender);

/* The console (lx-sender-console.c): started with the sender if console-address is set; FALSE
 * with @error if it cannot listen. */
gboolean lx_sender_start_console (LxSender *sender, GError **error);
void lx_sender_stop_console (LxSender *sender);
