// Lianxiao's staff pages: log in with the admin token (kept for this browser tab only), book
// lessons and schools, and watch the live status board. Everything goes through the REST API.
"use strict";

const api = "/api/v1/";
let token = sessionStorage.getItem("lianxiao-token");
let boardStream = null;

const $ = (id) => document.getElementById(id);

// fetch with the admin token; throws {status, message, field} on refusal.
async function request(method, path, body) {
  const response = await fetch(api + path, {
    method,
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw { status: response.status, message: data?.message ?? response.statusText, field: data?.field };
  return data;
}

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function showError(element, form, error) {
  element.textContent = `${error.status ?? ""} ${error.message}`;
  form.querySelectorAll(".invalid").forEach((input) => input.classList.remove("invalid"));
  if (error.field && form.elements[error.field]) form.elements[error.field].classList.add("invalid");
}

// ---- Tabs ----

function showTab(name) {
  for (const section of ["timetable", "schools", "board"]) $(section).hidden = section !== name;
  document.querySelectorAll("#tabs button[data-tab]").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  if (boardStream) { boardStream.abort(); boardStream = null; }
  if (name === "board") watchBoard();
  if (name === "schools") loadSchools();
  if (name === "timetable") loadLessons([$("day").value]);
}

// ---- Timetable ----

function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

async function loadLessons(days) {
  const tbody = $("lessons").tBodies[0];
  const seen = new Map();
  for (const day of days) {
    for (const lesson of await request("GET", "lessons?day=" + day)) seen.set(lesson.id, lesson);
  }
  tbody.replaceChildren();
  for (const lesson of seen.values()) {
    const row = tbody.insertRow();
    row.dataset.lesson = lesson.id;
    cell(row, lesson.id);
    cell(row, `${lesson.start.replace("T", " ").slice(0, 16)} – ${lesson.end.slice(11, 16)}` +
              (lesson.weekly_until ? ` (每周 weekly → ${lesson.weekly_until})` : ""));
    cell(row, lesson.title);
    cell(row, lesson.teacher);
    cell(row, lesson.sender);
    cell(row, lesson.receivers.join(", "));
    const edit = document.createElement("button");
    edit.textContent = "编辑 Edit";
    edit.className = "edit";
    edit.onclick = () => editLesson(lesson);
    const remove = document.createElement("button");
    remove.textContent = "取消 Cancel";
    remove.onclick = async () => { await request("DELETE", "lessons/" + lesson.id); loadLessons(days); };
    row.insertCell().append(edit, " ", remove);
  }
  $("lessons-empty").hidden = seen.size > 0;
}

function weekDays() {
  const start = new Date($("day").value || today());
  start.setDate(start.getDate() - ((start.getDay() + 6) % 7)); // Monday
  return [...Array(7).keys()].map((i) => {
    const day = new Date(start);
    day.setDate(start.getDate() + i);
    return day.toISOString().slice(0, 10);
  });
}

async function fillSchoolChoices() {
  const schools = await request("GET", "schools");
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
}

// Fills the form with @lesson; the next save changes it instead of booking a new one.
function editLesson(lesson) {
  const form = $("lesson-form");
  const f = form.elements;
  form.dataset.editing = lesson.id;
  f.title.value = lesson.title;
  f.teacher.value = lesson.teacher;
  f.sender.value = lesson.sender;
  form.querySelectorAll("input[name=receivers]").forEach((box) => (box.checked = lesson.receivers.includes(box.value)));
  f.date.value = lesson.start.slice(0, 10);
  f.start.value = lesson.start.slice(11, 16);
  f.end.value = lesson.end.slice(11, 16);
  f.weekly_until.value = lesson.weekly_until ?? "";
  f.time_zone.value = lesson.time_zone;
  $("lesson-form-title").textContent = `修改第 ${lesson.id} 课 Change lesson ${lesson.id}`;
  form.querySelector("button[type=submit]").textContent = "保存修改 Save changes";
  form.scrollIntoView();
}

function stopEditing() {
  const form = $("lesson-form");
  delete form.dataset.editing;
  $("lesson-form-title").textContent = "新课 Book a lesson";
  form.querySelector("button[type=submit]").textContent = "保存 Book";
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
  try {
    if (form.dataset.editing) await request("PUT", "lessons/" + form.dataset.editing, lesson);
    else await request("POST", "lessons", lesson);
    stopEditing();
    $("lesson-error").textContent = "";
    $("day").value = f.date.value;
    await loadLessons([f.date.value]);
  } catch (error) {
    showError($("lesson-error"), form, error);
  }
}

// ---- Schools ----

async function loadSchools() {
  const tbody = $("school-list").tBodies[0];
  tbody.replaceChildren();
  for (const school of await request("GET", "schools")) {
    const row = tbody.insertRow();
    cell(row, school.id);
    cell(row, school.name);
    cell(row, school.county);
  }
}

async function registerSchool(event) {
  event.preventDefault();
  const f = event.target.elements;
  try {
    const school = await request("POST", "schools", { id: f.id.value, name: f.name.value, county: f.county.value });
    $("school-error").textContent = "";
    $("new-token-value").textContent = school.token;
    $("new-token").hidden = false;
    event.target.reset();
    await Promise.all([loadSchools(), fillSchoolChoices()]);
  } catch (error) {
    showError($("school-error"), event.target, error);
  }
}

// ---- Live board: server-sent events, read with fetch so the token stays in a header ----

function renderBoard(lessons) {
  $("board-updated").textContent = new Date().toLocaleTimeString();
  $("board-empty").hidden = lessons.length > 0;
  $("board-lessons").replaceChildren(...lessons.map((lesson) => {
    const card = document.createElement("div");
    card.className = "lesson-card";
    card.dataset.lesson = lesson.lesson;
    const title = document.createElement("h3");
    title.textContent = `${lesson.title || lesson.lesson} — ${lesson.sender} ` +
      (lesson.sender_connected ? "在线 on air" : "未连接 not connected");
    card.append(title);
    for (const room of lesson.classrooms) {
      const badge = document.createElement("span");
      badge.className = "classroom " + (room.receiving ? "receiving" : room.connected ? "connected" : "absent");
      badge.dataset.school = room.school;
      badge.textContent = room.school + (room.video_kbps !== undefined
        ? ` · ${room.video_kbps} kbit/s · ${room.packets_lost} lost` : "") +
        (room.rtt_ms !== undefined ? ` · RTT ${room.rtt_ms} ms` : "");
      card.append(badge);
    }
    return card;
  }));
}

async function watchBoard() {
  boardStream = new AbortController();
  try {
    const response = await fetch(api + "status/events", {
      headers: { Authorization: "Bearer " + token }, signal: boardStream.signal,
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (event.startsWith("data: ")) renderBoard(JSON.parse(event.slice(6)));
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") $("board-updated").textContent = "连接中断 connection lost";
  }
}

// ---- Start ----

async function enter() {
  $("login").hidden = true;
  $("tabs").hidden = false;
  $("day").value = $("day").value || today();
  $("lesson-form").elements.date.value = $("day").value;
  await fillSchoolChoices();
  showTab("timetable");
}

$("login-form").onsubmit = async (event) => {
  event.preventDefault();
  token = $("token").value;
  try {
    await request("GET", "schools");
    sessionStorage.setItem("lianxiao-token", token);
    $("login-error").textContent = "";
    await enter();
  } catch (error) {
    $("login-error").textContent = error.status === 401 ? "令牌不对 Wrong token" : error.message;
  }
};
$("logout").onclick = () => { sessionStorage.removeItem("lianxiao-token"); location.reload(); };
document.querySelectorAll("#tabs button[data-tab]").forEach((b) => (b.onclick = () => showTab(b.dataset.tab)));
$("show-day").onclick = () => loadLessons([$("day").value]);
$("show-week").onclick = () => loadLessons(weekDays());
$("lesson-form").onsubmit = bookLesson;
$("school-form").onsubmit = registerSchool;
if (token) enter().catch(() => sessionStorage.removeItem("lianxiao-token"));
