/* The names people know the API's fields by (see lx-field-labels.h). */
#include "lx-field-labels.h"

const char *
lx_field_label (const char *field)
{
  static const char *const labels[][2] = {
    { "id", "编号" },
    { "name", "名称" },
    { "county", "县" },
    { "title", "课程" },
    { "teacher", "教师" },
    { "sender", "主讲学校" },
    { "receivers", "听课教室" },
    { "start", "开始时间" },
    { "end", "结束时间" },
    { "time_zone", "时区" },
    { "weekly_until", "每周重复至" },
    { "action", "操作" },
    { "school", "学校" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i][0], field) == 0)
      return labels[i][1];
  return field;
}
