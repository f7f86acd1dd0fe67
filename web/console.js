// The teacher's console (console.html): logs in for a session cookie, then reads the sender's
// state twice a second and draws it — what goes out, the classrooms' tiles cut from the wall's
// picture, the floor, the poll — and sends the teacher's commands. Chinese first, English beside.
"use strict";

const $ = (id) => document.getElementById(id);
let state = null;
let pollTally = null;
let recordShownFor = null;

// ---- Requests ----

async function call(method, path, body) {
  let response;
  try {
    response = await fetch("/console/" + path, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw { status: 0, message: "连不上讲台电脑的发送程序 Cannot reach the sender on this PC" };
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.status === 401 && path !== "login") showLogin();
  if (!response.ok) throw { status: response.status, message: data?.message ?? `HTTP ${response.status}` };
  return data;
}

function showError(error) {
  $("error").textContent = error ? error.message : "";
}

async function command(name, body) {
  try {
    state = await call("POST", name, body ?? {});
    showError(null);
    render();
  } catch (error) {
    showError(error);
  }
}

// ---- Logging in ----

function showLogin() {
  $("login").hidden = false;
  $("console").hidden = true;
  $("keys").hidden = true;
}

function showConsole() {
  $("login").hidden = true;
  $("console").hidden = false;
  $("keys").hidden = false;
  // The pictures start once logged in (their routes need the session too).
  if (!$("preview").src) $("preview").src = "/console/preview.mjpg";
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    state = await call("POST", "login", { secret: $("secret").value });
    $("secret").value = "";
    $("login-error").textContent = "";
    showConsole();
    render();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});

// ---- Drawing the state ----

function clockText(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${String(minutes).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

// A classroom's link in a teacher's words: loss (0–1, -1 unknown) and round trip.
function linkWords(classroom) {
  if (classroom.state !== "connected") return ["lost", "断开 lost"];
  if (classroom.picture === "frozen") return ["weak", "画面卡住 picture frozen"];
  if (classroom.loss >= 0.1 || classroom.rtt_ms > 800) return ["lost", "很差 very poor"];
  if (classroom.loss >= 0.02 || classroom.rtt_ms > 300) return ["weak", "较弱 weak"];
  return ["good", "良好 good"];
}

// A layer's size ("1280x720") in words: by its height, whatever the layers configured.
function layerWords(size) {
  const height = Number(String(size).split("x")[1]);
  return height >= 720 ? "高清 HD" : height >= 360 ? "标清 SD" : "流畅 low";
}

// A classroom's name, from today's timetable (its id where the timetable does not say).
function nameOf(school) {
  for (const occurrence of state?.timetable ?? []) {
    const index = (occurrence.receivers ?? []).indexOf(school);
    if (index >= 0 && occurrence.receiver_names?.[index]) return occurrence.receiver_names[index];
  }
  return school;
}

function tileFor(school) {
  let tile = document.querySelector(`.tile[data-school="${CSS.escape(school)}"]`);
  if (tile) return tile;
  tile = document.createElement("div");
  tile.className = "tile";
  tile.dataset.school = school;
  tile.innerHTML = `<canvas width="320" height="180"></canvas><div class="name"></div>
    <div class="status"></div><button class="call"></button>`;
  tile.querySelector(".call").addEventListener("click", () => {
    const speaking = state?.speaking?.includes(school);
    command("floor", { action: speaking ? "hang-up" : "call-on", school });
  });
  $("classrooms").append(tile);
  return tile;
}

function renderClassrooms() {
  const classrooms = state.stats?.classrooms ?? [];
  const seen = new Set();
  for (const classroom of classrooms) {
    const tile = tileFor(classroom.school);
    const [quality, words] = linkWords(classroom);
    const watching = classroom.state === "connected" && classroom.rtt_ms >= 0;
    seen.add(classroom.school);
    tile.querySelector(".name").textContent = nameOf(classroom.school);
    tile.className = `tile ${quality}` + (state.speaking.includes(classroom.school) ? " speaking" : "");
    const parts = [watching ? "在收看 receiving" : classroom.state === "connected" ? "已连接 connected" : "连接中 connecting",
      classroom.layer >= 0 ? `${layerWords(classroom.layer_size)} ${classroom.layer_size}` : "只有声音 sound only",
      `线路 link: ${words}`];
    if (classroom.loss >= 0) parts.push(`丢包 loss ${(classroom.loss * 100).toFixed(1)}%`);
    if (classroom.rtt_ms >= 0) parts.push(`${classroom.rtt_ms} ms`);
    if (classroom.picture === "missing") parts.push("没有画面 no picture");
    tile.querySelector(".status").textContent = parts.join(" · ");
    tile.querySelector(".call").textContent = state.speaking.includes(classroom.school)
      ? "挂断 Hang up" : "请发言 Call on";
  }
  for (const tile of document.querySelectorAll(".tile"))
    if (!seen.has(tile.dataset.school)) tile.remove();
  $("count").textContent = `${classrooms.length}`;
  // Booked but not here.
  const occurrence = (state.timetable ?? []).find((o) => o.lesson === state.lesson);
  const missing = (occurrence?.receivers ?? []).filter((school) => !seen.has(school));
  $("missing").hidden = !state.on_air || missing.length === 0;
  $("missing").textContent = `没来的教室 Booked but missing: ${missing.map(nameOf).join(", ")}`;
}

// Each tile shows its part of the wall's picture (one stream for all the classrooms).
function drawTiles() {
  const wall = $("wall");
  if (!state?.tiles || !wall.naturalWidth) return;
  const scale = wall.naturalWidth / state.wall_width;
  for (const placed of state.tiles) {
    const tile = document.querySelector(`.tile[data-school="${CSS.escape(placed.school)}"]`);
    const canvas = tile?.querySelector("canvas");
    if (!canvas) continue;
    canvas.getContext("2d").drawImage(wall, placed.x * scale, placed.y * scale,
      placed.width * scale, placed.height * scale, 0, 0, canvas.width, canvas.height);
  }
}

function renderList(list, items, make) {
  list.replaceChildren(...items.map((item) => {
    const li = document.createElement("li");
    make(li, item);
    return li;
  }));
}

function button(text, action) {
  const b = document.createElement("button");
  b.textContent = text;
  b.addEventListener("click", action);
  return b;
}

function renderFloor() {
  renderList($("hands"), state.hands, (li, school) => {
    li.append(nameOf(school), button("请发言 Call on", () => command("floor", { action: "call-on", school })));
  });
  renderList($("speaking"), state.speaking, (li, school) => {
    li.append(nameOf(school), button("挂断 Hang up", () => command("floor", { action: "hang-up", school })));
  });
  renderList($("questions"), [...state.questions].reverse(), (li, question) => {
    li.textContent = `${nameOf(question.school)}: ${question.text}`;
  });
  if (state.refusal) showError({ message: state.refusal });
}

function renderPoll() {
  const poll = state.poll;
  const box = $("poll");
  if (!poll.poll_id) { box.textContent = ""; return; }
  const tally = pollTally?.poll_id === poll.poll_id ? pollTally.tally : {};
  const total = Object.values(tally).reduce((a, b) => a + b, 0);
  box.replaceChildren();
  const title = document.createElement("p");
  title.textContent = `${poll.question} — ${poll.open ? "进行中 open" : "已结束 closed"} · ${total} 个回答 answers`;
  box.append(title);
  for (const letter of "ABCD".slice(0, poll.choices)) {
    const row = document.createElement("div");
    row.className = "bar";
    const count = tally[letter] ?? 0;
    row.innerHTML = `<span>${letter}</span><span class="fill"></span><span class="n"></span>`;
    row.querySelector(".fill").style.width = `${total ? (count / total) * 12 : 0}em`;
    row.querySelector(".n").textContent = String(count);
    box.append(row);
  }
}

function renderDevices() {
  for (const [kind, list] of [["camera", state.cameras], ["microphone", state.microphones]]) {
    const select = $(kind);
    if (!list || document.activeElement === select) continue;
    const ids = list.map((d) => d.id).join();
    if (select.dataset.ids !== ids) {
      select.replaceChildren(...list.map((d) => new Option(d.name, d.id)));
      select.dataset.ids = ids;
    }
    select.value = state[kind];
  }
  $("meter").value = Math.max(-60, state.meter_db);
}

function renderToday() {
  renderList($("today"), state.timetable ?? [], (li, occurrence) => {
    const time = occurrence.start.slice(11, 16);
    li.append(`${time} ${occurrence.title} (#${occurrence.lesson})`);
    if (occurrence.lesson !== state.lesson)
      li.append(button("上课 On air", () => command("on-air", { lesson: occurrence.lesson })));
  });
}

async function renderRecord() {
  const lesson = state.on_air ? null : state.ended_lesson;
  $("record").hidden = !lesson;
  if (!lesson || recordShownFor === lesson) return;
  recordShownFor = lesson;
  try {
    const record = await call("GET", `record?lesson=${encodeURIComponent(lesson)}`);
    const body = $("record-body");
    const name = (school) => escapeHtml(record.names?.[school] ?? school);
    const rows = (record.attendance ?? []).map((a) =>
      `<tr><td>${name(a.school)}</td><td>${clockText(a.seconds)}</td></tr>`).join("");
    const questions = (record.questions ?? []).map((q) =>
      `<li>${name(q.school)}: ${escapeHtml(q.text)}</li>`).join("");
    const polls = (record.polls ?? []).map((p) =>
      `<li>${escapeHtml(p.question)}: ${Object.entries(p.tally).map(([k, v]) => `${k} ${v}`).join(" · ")}</li>`).join("");
    body.innerHTML = `<h3>出勤 Attendance</h3><table><tr><th>教室 Classroom</th><th>时长 Time (min:s)</th></tr>${rows}</table>
      <h3>提问 Questions</h3><ul>${questions || "<li>没有 none</li>"}</ul>
      <h3>小测验 Polls</h3><ul>${polls || "<li>没有 none</li>"}</ul>`;
  } catch (error) {
    $("record-body").textContent = `记录还没有 No record: ${error.message}`;
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function render() {
  if (!state) return;
  const occurrence = (state.timetable ?? []).find((o) => o.lesson === state.lesson);
  $("lesson-name").textContent = occurrence ? `${occurrence.title} (#${state.lesson})`
    : state.lesson ? `课 Lesson ${state.lesson}` : "";
  $("on-air").className = state.on_air ? "on" : "off";
  $("on-air").textContent = state.on_air ? (state.joined ? "上课中 ON AIR" : "连接中 connecting") : "未上课 Off the air";
  $("clock").textContent = state.on_air ? clockText(Math.max(0, state.now_utc - state.on_air_since_utc)) : "--:--";
  $("mute").hidden = $("end").hidden = !state.on_air;
  $("mute").classList.toggle("active", !!state.muted);
  $("mute").textContent = state.muted ? "已静音 Muted (M)" : "静音 Mute (M)";
  $("before").hidden = !!state.on_air;
  for (const b of document.querySelectorAll("#sources button")) {
    b.classList.toggle("active", b.dataset.source === state.source);
    b.disabled = b.dataset.source.startsWith("screen") && !state.has_screen;
  }
  if (state.wall && !$("wall").src) $("wall").src = "/console/wall.mjpg";
  renderDevices();
  renderToday();
  renderClassrooms();
  renderFloor();
  renderPoll();
  renderRecord();
}

// ---- Controls ----

for (const b of document.querySelectorAll("#sources button"))
  b.addEventListener("click", () => command("source", { source: b.dataset.source }));
$("mute").addEventListener("click", () => command("mute", { muted: !state?.muted }));
$("go").addEventListener("click", () => command("on-air", {}));
function endLesson() {
  if (confirm("下课？各教室回到待机画面。End the lesson? The classrooms go to their standby card."))
    command("end");
}
$("end").addEventListener("click", endLesson);
// (blurred once chosen: the keys work again)
for (const kind of ["camera", "microphone"])
  $(kind).addEventListener("change", () => { $(kind).blur(); command("device", { kind, id: $(kind).value }); });

$("poll-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    pollTally = await call("POST", "poll", { action: "open", question: $("poll-question").value,
      choices: Number($("poll-choices").value) });
    $("poll-question").value = "";
    showError(null);
  } catch (error) { showError(error); }
});
$("poll-close").addEventListener("click", async () => {
  try { pollTally = await call("POST", "poll", { action: "close" }); showError(null); }
  catch (error) { showError(error); }
});

document.addEventListener("keydown", (event) => {
  if (!state || event.ctrlKey || event.altKey || event.metaKey) return;
  if (["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement?.tagName)) return;
  const sources = { 1: "camera", 2: "screen", 3: "screen-camera", 4: "hold" };
  const key = event.key.toLowerCase();
  if (sources[key]) command("source", { source: sources[key] });
  else if (key === "m") command("mute", { muted: !state.muted });
  else if (key === "c" && state.hands.length) command("floor", { action: "call-on", school: state.hands[0] });
  else if (key === "h" && state.speaking.length) command("floor", { action: "hang-up", school: state.speaking[0] });
  else if (key === "p") { $("poll-question").focus(); event.preventDefault(); }
  else if (key === "g" && !state.on_air) command("on-air", {});
  else if (key === "e" && state.on_air) endLesson();
});

// ---- Keeping up ----

async function refresh() {
  if ($("console").hidden) return;
  try {
    state = await call("GET", "state");
    render();
  } catch (error) {
    if (error.status !== 401) showError(error);
  }
}

async function refreshPoll() {
  if (!state?.poll?.poll_id || $("console").hidden) return;
  try { pollTally = await call("GET", "poll"); renderPoll(); } catch { /* shown by the next try */ }
}

setInterval(refresh, 500);
setInterval(drawTiles, 200);
setInterval(refreshPoll, 2000);
// Already logged in (the session cookie): straight to the console.
call("GET", "state").then((data) => { state = data; showConsole(); render(); }).catch(() => showLogin());
