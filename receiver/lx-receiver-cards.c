/* What a classroom's screen shows instead of a frozen picture (see lx-receiver-private.h): the
 * cards, drawn by the standby pipeline, and the way back to the picture. */
#include "lx-receiver-private.h"

void
lx_receiver_show_card (LxReceiver *receiver, const char *card, const char *text)
{
  if (receiver->standby == NULL) {
    receiver->standby =
        lx_standby_new (receiver->config, receiver->screen_width, receiver->screen_height);
    if (receiver->fullscreen && lx_standby_get_pipeline (receiver->standby))
      lx_fullscreen_window_attach (receiver->fullscreen,
                                   lx_standby_get_pipeline (receiver->standby));
  }
  if (g_strcmp0 (receiver->card, card) != 0) {
    g_message ("classroom %s: showing the %s card", receiver->config->connection.school, card);
    lx_media_watch_card_shown (&receiver->watch,
                               lx_playback_get_stats (receiver->playback).frames_decoded);
  }
  receiver->card = card;
  lx_standby_show (receiver->standby, text);
}

void
lx_receiver_show_reconnecting (LxReceiver *receiver)
{
  lx_receiver_show_card (receiver, "reconnecting",
                         "正在重新连接… · Reconnecting…\n\n网络中断，课程会自动恢复\n"
                         "The link dropped; the lesson comes back by itself");
}

void
lx_receiver_show_video_paused (LxReceiver *receiver)
{
  lx_receiver_show_card (receiver, "video-paused",
                         "视频暂停 · Video paused\n\n网络太慢，老师的声音继续\n"
                         "The link is too slow for pictures; the teacher's voice goes on");
}

void
lx_receiver_show_waiting_for_teacher (LxReceiver *receiver)
{
  lx_receiver_show_card (receiver, "waiting-for-teacher",
                         "等待老师… · Waiting for the teacher…\n\n课程会自动继续\n"
                         "The lesson goes on by itself when the teacher is back");
}

void
lx_receiver_show_lesson_over (LxReceiver *receiver)
{
  lx_receiver_show_card (receiver, "lesson-over",
                         "下课了 · The lesson is over\n\n老师结束了这节课\n"
                         "The teacher ended the lesson");
}

void
lx_receiver_hide_card (LxReceiver *receiver)
{
  if (receiver->card == NULL)
    return;
  receiver->card = NULL;
  lx_standby_hide (receiver->standby);
  if (receiver->fullscreen && receiver->session)
    lx_fullscreen_window_attach (receiver->fullscreen,
                                 lx_receiver_session_get_pipeline (receiver->session));
}
