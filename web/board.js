// The live board: every lesson under way, every booked classroom's colour — and, for one that is
// not green, why, in words (docs/api.md, GET /status: `why`, `state`, `refusal`). And the
// attendance tab each classroom links to.
"use strict";

let boardStream = null;

// What the server's `why` means for the people watching the board.
const WHY = {
  "receiving": "正在收看 Receiving",
  "no-picture": "已连接，还没有画面 Connected, no picture yet",
  "never-connected": "从未连接：电脑开机了吗？网络通吗？ Never connected: is the PC on and online?",
  "link-lost": "连接中断：网络断了或电脑关了 Link lost: the network dropped or the PC went off",
  "left": "已退出：程序关了 Left: the program was stopped",
  "bad-token": "令牌不对：在「学校」页发新令牌，换上新的课堂链接 Wrong token: issue a new one on the Schools page",
  "not-booked": "没排进这节课：电脑上设置的课号或学校编号不对 Not booked into this lesson: check the lesson number and school id on the PC",
  "lesson-full": "这节课人数已满 The lesson is full",
  "unsupported-version": "教室软件版本不对，请更新 The classroom's software needs updating",
  "lesson-has-sender": "这节课已经有主讲在上 Another sender already teaches this lesson",
  "on-air": "在线 On air",
};

// The receiver's own state (its stats reports), for a classroom that is connected.
const STATES = {
  "receiving": "正在播放 playing",
  "waiting-for-sender": "等待老师 waiting for the teacher",
  "waiting-for-offer": "正在连接 connecting",
  "connecting": "正在连接 connecting",
  "joining": "正在加入 joining",
  "video-paused": "画面暂停 picture paused",
  "reconnecting": "重新连接中 reconnecting",
  "failed": "连接失败，正在重试 failed, trying again",
  "standby": "待机 standby",
};

function explain(why) {
  return WHY[why] ?? why;
}

function line(className, text) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text;
  return span;
}

function renderClassroom(room) {
  const badge = document.createElement("div");
  badge.className = "classroom " + (room.receiving ? "receiving" : room.connected ? "connected" : "absent");
  badge.dataset.school = room.school;
  const name = document.createElement("a");
  name.className = "name";
  name.textContent = room.name ?? room.school;
  name.href = `#attendance/${encodeURIComponent(room.school)}`;
  name.title = "出勤记录 Attendance";
  name.onclick = (event) => { event.preventDefault(); showAttendance(room.school); };
  badge.append(name, line("why", explain(room.why)));
  if (room.video_kbps !== undefined)
    badge.append(line("detail", `${room.video_kbps} kbit/s · 丢包 ${room.packets_lost} lost` +
      (room.rtt_ms !== undefined ? ` · RTT ${room.rtt_ms} ms` : "")));
  if (room.connected && room.state)
    badge.append(line("detail state", `接收端 Receiver: ${STATES[room.state] ?? room.state}`));
  if (!room.connected) {
    badge.append(line("detail seen", room.last_seen_utc ? `上次在线 Last seen: ${whenSeen(room.last_seen_utc)}`
      : "上次在线 Last seen: 从未 never"));
    if (room.refusal) badge.append(line("detail refusal", `${whenSeen(room.refusal.at_utc)}：${room.refusal.message}`));
  }
  return badge;
}

function renderBoard(lessons) {
  $("board-updated").textContent = new Date().toLocaleTimeString();
  $("board-empty").hidden = lessons.length > 0;
  $("board-lessons").replaceChildren(...lessons.map((lesson) => {
    const card = document.createElement("div");
    card.className = "lesson-card";
    card.dataset.lesson = lesson.lesson;
    const title = document.createElement("h3");
    title.textContent = `第 ${lesson.lesson} 课 ${lesson.title || ""}` + (lesson.teacher ? `（${lesson.teacher}）` : "");
    const sender = line("sender " + (lesson.sender_connected ? "on-air" : "off-air"),
      `主讲 Sender: ${lesson.sender_name ?? lesson.sender} — ${explain(lesson.sender_why)}`);
    card.append(title, sender, ...lesson.classrooms.map(renderClassroom));
    return card;
  }));
}

// Server-sent events, read with fetch so the token stays in a header.
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
    if (error.name !== "AbortError") $("board-updated").textContent = "连接中断 Connection lost";
  }
}

// ---- Attendance ----

async function loadAttendance() {
  const school = $("attendance-school").value;
  const rows = await request("GET", "attendance" + (school ? `?school=${encodeURIComponent(school)}` : ""));
  const tbody = $("attendance-list").tBodies[0];
  tbody.replaceChildren();
  for (const record of rows.reverse()) { // newest first
    const row = tbody.insertRow();
    row.dataset.school = record.school;
    cell(row, record.lesson);
    cell(row, schoolName(record.school));
    cell(row, whenSeen(Date.parse(record.joined_utc) / 1000));
    cell(row, whenSeen(Date.parse(record.left_utc) / 1000));
    cell(row, Math.round(record.seconds / 60));
    cell(row, record.frames_decoded ?? "–");
    cell(row, record.packets_lost ?? "–");
    cell(row, record.mean_kbps ?? "–");
    const show = document.createElement("button");
    show.textContent = "这节课的记录 The lesson's record";
    show.onclick = () => showLessonRecord(record);
    row.insertCell().append(show);
  }
  $("attendance-empty").hidden = rows.length > 0;
}

// The lesson's record beside the attendance: that occurrence's classrooms, questions and polls,
// as the teacher's console showed them after the lesson (GET /lessons/ID/record).
async function showLessonRecord(stay) {
  const from = Math.floor(Date.parse(stay.joined_utc) / 1000) - 3600;
  const to = Math.floor(Date.parse(stay.left_utc) / 1000) + 3600;
  const box = $("lesson-record");
  box.hidden = false;
  box.replaceChildren();
  let record;
  try {
    record = await request("GET", `lessons/${stay.lesson}/record?from=${from}&to=${to}`);
  } catch (error) {
    box.textContent = describeError(error);
    return;
  }
  const heading = document.createElement("h3");
  heading.textContent = `第 ${record.lesson} 课 Lesson ${record.lesson}: ${record.title}`;
  const list = (title, items) => {
    const h = document.createElement("h4");
    h.textContent = title;
    const ul = document.createElement("ul");
    for (const text of items.length ? items : ["没有 none"]) ul.appendChild(document.createElement("li")).textContent = text;
    box.append(h, ul);
  };
  const name = (school) => record.names?.[school] ?? schoolName(school);
  box.append(heading);
  list("出勤 Attendance", record.attendance.map((a) => `${name(a.school)}: ${Math.round(a.seconds / 60)} 分钟 min`));
  list("提问 Questions", record.questions.map((q) => `${name(q.school)}: ${q.text}`));
  list("小测验 Polls", record.polls.map((p) =>
    `${p.question}: ${Object.entries(p.tally).map(([letter, n]) => `${letter} ${n}`).join(" · ")}`));
}

function showAttendance(school) {
  $("attendance-school").value = school;
  showTab("attendance");
}
