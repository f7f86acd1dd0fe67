// The timetable tab: the lessons of a day, the next 7 days or a week — every school's, or one
// school's (printable, one week per page) — with names instead of ids; book, change and delete.
"use strict";

let shownDays = [];
let shownHeading = "";

// Each day's occurrences: a weekly lesson shows on every day it happens, at that day's date.
async function loadLessons(days, heading) {
  shownDays = days;
  shownHeading = heading;
  const school = $("school-filter").value;
  const tbody = $("lessons").tBodies[0];
  const rows = [];
  for (const day of days) {
    const lessons = await request("GET", `lessons?day=${day}` + (school ? `&school=${encodeURIComponent(school)}` : ""));
    for (const lesson of lessons) rows.push({ day, lesson });
  }
  rows.sort((a, b) => (a.day + a.lesson.start.slice(11)).localeCompare(b.day + b.lesson.start.slice(11)));
  $("lessons-heading").textContent = (school ? `${schoolName(school)} · ` : "") + heading;
  tbody.replaceChildren();
  for (const { day, lesson } of rows) {
    const row = tbody.insertRow();
    row.dataset.lesson = lesson.id;
    cell(row, lesson.id);
    cell(row, `${dayLabel(day)} ${lesson.start.slice(11, 16)}–${lesson.end.slice(11, 16)}` +
              (lesson.weekly_until ? `（每周至 weekly until ${lesson.weekly_until}）` : ""));
    cell(row, lesson.title);
    cell(row, lesson.teacher);
    cell(row, schoolName(lesson.sender));
    cell(row, lesson.receivers.map(schoolName).join("、"));
    const actions = row.insertCell();
    actions.className = "actions";
    actions.append(button("编辑 Edit", "edit", () => editLesson(lesson)), " ",
      button("删除课程 Delete lesson", "delete", () => deleteLesson(lesson)));
  }
  $("lessons-empty").hidden = rows.length > 0;
}

const WEEKDAY_NAMES = ["周日 Sun", "周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat"];

// "2026-12-08 周二 Tue" (with 今天 Today where it is today).
function dayLabel(day) {
  const weekday = WEEKDAY_NAMES[new Date(`${day}T12:00:00`).getDay()];
  return `${day} ${weekday}` + (day === today() ? " 今天 Today" : "");
}

function daysFrom(first, count) {
  const start = new Date(`${first}T12:00:00`);
  return [...Array(count).keys()].map((i) => {
    const day = new Date(start);
    day.setDate(start.getDate() + i);
    return isoDay(day);
  });
}

function showDay() {
  const day = $("day").value || today();
  return loadLessons([day], dayLabel(day));
}

function showNext7() {
  const days = daysFrom(today(), 7);
  return loadLessons(days, `未来 7 天 Next 7 days: ${days[0]} – ${days[6]}`);
}

// The week (Monday to Sunday) of the chosen day.
function showWeek() {
  const chosen = new Date(`${$("day").value || today()}T12:00:00`);
  chosen.setDate(chosen.getDate() - ((chosen.getDay() + 6) % 7));
  const days = daysFrom(isoDay(chosen), 7);
  return loadLessons(days, `${days[0]} – ${days[6]} 这一周 Week`);
}

// One printable week: the chosen school's (or everyone's), without the forms and buttons.
async function printWeek() {
  await showWeek();
  window.print();
}

function reload() {
  return loadLessons(shownDays.length ? shownDays : [today()], shownHeading || dayLabel(today()));
}

function fillSchoolChoices(schools) {
  const select = $("lesson-form").elements.sender;
  select.replaceChildren(...schools.map((s) => new Option(`${s.name} (${s.id})`, s.id)));
  $("receiver-choices").replaceChildren(...schools.map((s) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "receivers";
    box.value = s.id;
    label.append(box, ` ${s.name} (${s.id})`);
    return label;
  }));
  for (const id of ["school-filter", "attendance-school"]) {
    const filter = $(id);
    const chosen = filter.value;
    filter.replaceChildren(new Option("全部学校 All schools", ""),
      ...schools.map((s) => new Option(`${s.name} (${s.id})`, s.id)));
    filter.value = schoolsById.has(chosen) ? chosen : "";
  }
}

// Fills the form with @lesson; the next save changes it instead of booking a new one.
function editLesson(lesson) {
  const form = $("lesson-form");
  const f = form.elements;
  form.dataset.editing = lesson.id;
  form.dataset.originalStart = lesson.start.slice(0, 16);
  f.title.value = lesson.title;
  f.teacher.value = lesson.teacher;
  f.sender.value = lesson.sender;
  form.querySelectorAll("input[name=receivers]").forEach((box) => (box.checked = lesson.receivers.includes(box.value)));
  f.date.value = lesson.start.slice(0, 10);
  f.start.value = lesson.start.slice(11, 16);
  f.end.value = lesson.end.slice(11, 16);
  f.weekly_until.value = lesson.weekly_until ?? "";
  f.time_zone.value = lesson.time_zone;
  $("lesson-form-title").textContent = `修改第 ${lesson.id} 课「${lesson.title}」 Change lesson ${lesson.id}`;
  form.querySelector("button[type=submit]").textContent = "保存修改 Save changes";
  $("cancel-edit").hidden = false;
  form.scrollIntoView();
}

function stopEditing() {
  const form = $("lesson-form");
  delete form.dataset.editing;
  delete form.dataset.originalStart;
  $("lesson-form-title").textContent = "新课 Book a lesson";
  form.querySelector("button[type=submit]").textContent = "保存 Book";
  $("cancel-edit").hidden = true;
  $("lesson-error").textContent = "";
}

async function deleteLesson(lesson) {
  const question = `删除第 ${lesson.id} 课「${lesson.title}」？` +
    (lesson.weekly_until ? `每周的课（至 ${lesson.weekly_until}）会全部删除。` : "") +
    `\nDelete lesson ${lesson.id} '${lesson.title}'` + (lesson.weekly_until ? ", every week of it?" : "?");
  if (!confirm(question)) return;
  try {
    await request("DELETE", "lessons/" + lesson.id);
    $("lesson-error").textContent = "";
  } catch (error) {
    $("lesson-error").textContent = describeError(error);
  }
  await reload();
}

// "2026-12-06T17:05" now in @zone (the lesson's time zone, not necessarily this browser's).
function nowIn(zone) {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date());
    const get = (type) => parts.find((p) => p.type === type).value;
    return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`;
  } catch {
    return null; // an unknown zone: the server says so
  }
}

async function bookLesson(event) {
  event.preventDefault();
  const form = event.target;
  const f = form.elements;
  const lesson = {
    title: f.title.value, teacher: f.teacher.value, sender: f.sender.value,
    receivers: [...form.querySelectorAll("input[name=receivers]:checked")].map((b) => b.value),
    start: `${f.date.value}T${f.start.value}:00`, end: `${f.date.value}T${f.end.value}:00`,
    time_zone: f.time_zone.value,
  };
  if (f.weekly_until.value) lesson.weekly_until = f.weekly_until.value;
  // A lesson over before it is booked is most often a mistyped date: booked only when confirmed.
  // (One under way now is not: a lesson can be booked as it starts.)
  const now = nowIn(lesson.time_zone);
  const moved = lesson.start.slice(0, 16) !== form.dataset.originalStart;
  if (now && moved && lesson.end.slice(0, 16) <= now && !lesson.weekly_until &&
      !confirm(`${f.date.value} ${f.start.value} 已经过去了，还要排这节课吗？\n` +
               `${f.date.value} ${f.start.value} is in the past. Book it anyway?`)) {
    $("lesson-error").textContent = "没有保存：时间已经过去 Not saved: that time is past";
    f.date.classList.add("invalid");
    return;
  }
  try {
    if (form.dataset.editing) await request("PUT", "lessons/" + form.dataset.editing, lesson);
    else await request("POST", "lessons", lesson);
    stopEditing();
    form.querySelectorAll(".invalid").forEach((input) => input.classList.remove("invalid"));
    $("day").value = f.date.value;
    await showDay();
  } catch (error) {
    showError($("lesson-error"), form, error);
  }
}
