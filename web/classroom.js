// Lianxiao's browser classroom: what lianxiao-receiver does, in a browser. It speaks the same
// signaling protocol (docs/protocol.md) as a receiver, answers the sender's offer, and reports the
// same link and statistics messages, so the sender adapts its layer and the status board shows it.
"use strict";

const params = new URLSearchParams(location.hash.slice(1));
const school = params.get("school");
const token = params.get("token");
const fixedLesson = params.get("lesson"); // an ad-hoc lesson instead of the timetable
// The sender encodes H.264 (constrained baseline, packetization-mode 1); a browser that cannot
// decode it gets VP8 (&video=vp8 asks for VP8 anyway).
const videoCodec = params.get("video") === "vp8" || !decodesH264() ? "VP8" : null;

function decodesH264() {
  const codecs = window.RTCRtpReceiver?.getCapabilities?.("video")?.codecs ?? [];
  return codecs.some((c) => c.mimeType.toLowerCase() === "video/h264" &&
    /packetization-mode=1/.test(c.sdpFmtpLine ?? "") && /profile-level-id=42e0/.test(c.sdpFmtpLine ?? ""));
}

const TIMETABLE_EVERY_MS = 15000;
const WATCH_EVERY_MS = 1000;
const STATS_EVERY_MS = 5000;
const SILENCE_CARD_MS = 2000; // no packet this long: the "reconnecting" card
const MEDIA_TIMEOUT_MS = 6000; // no packet this long: join again, to negotiate afresh
const RETRY_MS = [1000, 2000, 4000, 5000];

const $ = (id) => document.getElementById(id);
const video = $("picture");

// Everything the page knows; tests read it as window.lianxiao.
const classroom = {
  state: "starting",
  card: "starting",
  lesson: null, // the lesson joined (or being joined)
  ws: null,
  pc: null,
  joined: false,
  refused: null, // why the server refused this lesson, if it did
  attempts: 0,
  media: null, // what the last look at the statistics saw
  sessions: 0, // peer connections made so far
};
window.lianxiao = classroom;
// The joint lesson's part: the room's camera and microphone, the hand, polls (classroom-joint.js).
classroom.joint = createJoint((message) => send(message));
classroom.joint.school = school;

function setState(state) {
  if (classroom.state !== state) console.info(`classroom ${school}: ${state}`);
  classroom.state = state;
}

function showCard(name, text) {
  classroom.card = name;
  $("card-text").textContent = text;
  $("card").hidden = false;
}

function hideCard() {
  classroom.card = null;
  $("card").hidden = true;
}

// ---- The timetable: when to join, and what the standby card says ----

// Who a classroom calls when its link is wrong: nobody in the room can fix a token.
const CALL_IT_STAFF = "请联系县电教站（管理员）：他们在学校页发新令牌和课堂链接\n" +
  "Call your county IT staff: they issue a new token and classroom link";

async function readTimetable() {
  if (!school || !token)
    throw new Error(`这个链接缺少学校编号或令牌 · This link has no school or token\n\n${CALL_IT_STAFF}`);
  const response = await fetch(`/api/v1/schools/${encodeURIComponent(school)}/timetable?days=7`,
    { headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 401)
    throw new Error(`学校编号或令牌不对 · Wrong school id or token\n\n${CALL_IT_STAFF}`);
  if (response.status === 404)
    throw new Error(`没有编号为 ${school} 的学校 · No school '${school}'\n\n${CALL_IT_STAFF}`);
  if (!response.ok) throw new Error(`课表读取失败，稍后自动重试 · Timetable unavailable, trying again (${response.status})`);
  return response.json();
}

const WEEKDAYS = ["星期日 Sunday", "星期一 Monday", "星期二 Tuesday", "星期三 Wednesday",
  "星期四 Thursday", "星期五 Friday", "星期六 Saturday"];

// The date today in @zone ("2026-12-07"): the lesson's day is counted in its own time zone.
function todayIn(zone) {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit",
      day: "2-digit" }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

// "今天 Today", "明天 Tomorrow", or the weekday and date of @date ("2026-12-09") in @zone.
function dayName(date, zone) {
  const days = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${todayIn(zone)}T00:00:00Z`)) / 86400000);
  if (days === 0) return "今天 Today";
  if (days === 1) return "明天 Tomorrow";
  return `${WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]} ${date.slice(5).replace("-", "/")}`;
}

function standbyText(name, next) {
  let text = `${name}\n\n`;
  if (next) text += `下一节课 · Next lesson\n${next.title}\n${dayName(next.start.slice(0, 10), next.time_zone)}  ` +
    `${next.start.slice(11, 16)}–${next.end.slice(11, 16)}`;
  else text += "最近 7 天没有课 · No lesson in the next 7 days";
  return text;
}

// The clock on every card, readable from the back row: time, weekday and date.
function showClock() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  $("clock-time").textContent = `${pad(now.getHours())}:${pad(now.getMinutes())}`;
  $("clock-day").textContent = `${WEEKDAYS[now.getDay()]} · ${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

async function followTimetable() {
  if (fixedLesson) {
    if (!classroom.lesson) join(fixedLesson);
    return;
  }
  let timetable;
  try {
    timetable = await readTimetable();
  } catch (error) {
    if (!classroom.lesson) {
      setState("refused");
      showCard("refused", error.message);
    }
    return;
  }
  const now = Date.now();
  const mine = timetable.lessons.filter((l) => l.role === "receiver");
  const current = mine.find((l) => Date.parse(l.start_utc) <= now && now < Date.parse(l.end_utc));
  if (current && classroom.lesson !== String(current.lesson)) {
    leave();
    join(String(current.lesson));
  } else if (!current && classroom.lesson) {
    leave();
  }
  if (!classroom.lesson) {
    const next = mine.filter((l) => Date.parse(l.start_utc) > now)
      .sort((a, b) => Date.parse(a.start_utc) - Date.parse(b.start_utc))[0];
    setState("standby");
    showCard("standby", standbyText(timetable.school.name, next));
  }
}

// ---- Signaling ----

function send(message) {
  if (classroom.ws?.readyState === WebSocket.OPEN) classroom.ws.send(JSON.stringify(message));
}

function join(lesson, resume = false) {
  classroom.lesson = lesson;
  classroom.refused = null;
  setState("joining");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws`);
  classroom.ws = ws;
  ws.onopen = () => send({ type: "hello", version: 1, role: "receiver", lesson, school,
    ...(token ? { token } : {}), ...(resume ? { resume: true } : {}),
    ...(videoCodec ? { video_codec: videoCodec } : {}) });
  ws.onmessage = (event) => onMessage(JSON.parse(event.data));
  ws.onclose = () => {
    if (classroom.ws !== ws) return; // replaced or left on purpose
    classroom.ws = null;
    classroom.joined = false;
    if (classroom.lesson && !classroom.refused) reconnectLater();
  };
}

// The signaling connection dropped: media that still flows goes on; connect again, with jitter,
// and say so (resume) so that the sender keeps this classroom's peer connection.
function reconnectLater() {
  const base = RETRY_MS[Math.min(classroom.attempts++, RETRY_MS.length - 1)];
  const lesson = classroom.lesson;
  setTimeout(() => {
    if (classroom.lesson === lesson && !classroom.ws) {
      classroom.lesson = null;
      join(lesson, classroom.pc?.connectionState === "connected");
    }
  }, base * (0.75 + Math.random() * 0.5));
}

function leave() {
  const ws = classroom.ws;
  classroom.ws = null;
  classroom.lesson = null;
  classroom.joined = false;
  ws?.close(1000);
  closePeer();
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      classroom.joint.reset();
      classroom.joined = true;
      classroom.attempts = 0;
      if (!message.sender_present && !classroom.pc) waitForTeacher();
      break;
    case "offer":
      acceptOffer(message.sdp).catch((error) => console.error("cannot answer the offer", error));
      break;
    case "candidate":
      if (classroom.pc && message.candidate)
        classroom.pc.addIceCandidate({ candidate: message.candidate, sdpMLineIndex: message.mline_index })
          .catch((error) => console.warn("candidate refused", error));
      break;
    case "sender-joined":
      if (!message.resume) { closePeer(); waitForTeacher(); } // an offer follows
      break;
    case "sender-left":
      closePeer();
      waitForTeacher(message.reason === "lesson-ended");
      break;
    case "floor":
      classroom.joint.onFloor(message);
      break;
    case "poll":
      classroom.joint.onPoll(message);
      break;
    case "error":
      console.warn(`server: ${message.code}: ${message.message}`);
      if (message.code === "bad-token" || message.code === "not-booked") {
        classroom.refused = message.code;
        showCard("refused", `无法加入 · Cannot join\n\n${message.message}\n\n${CALL_IT_STAFF}`);
      }
      break;
  }
}

// @over: the teacher ended the lesson (the sender said so as it left).
function waitForTeacher(over = false) {
  setState("waiting-for-sender");
  if (over) showCard("lesson-over", "下课了 · The lesson is over\n\n老师结束了这节课\nThe teacher ended the lesson");
  else showCard("waiting-for-teacher", "等待老师 · Waiting for the teacher\n\n课程马上开始\nThe lesson starts soon");
}

// ---- Media ----

function closePeer() {
  classroom.pc?.close();
  classroom.pc = null;
  classroom.media = null;
}

async function acceptOffer(sdp) {
  closePeer();
  const pc = new RTCPeerConnection();
  const stream = new MediaStream();
  classroom.pc = pc;
  classroom.sessions++;
  classroom.media = { since: Date.now(), seen: Date.now(), framesSeen: Date.now() };
  setState("connecting");
  // One stream for both tracks, given to the element once: assigning srcObject again (for the
  // second track) would restart the element's load and abort the play() of the first.
  video.srcObject = stream;
  pc.ontrack = (event) => {
    stream.addTrack(event.track);
    play();
  };
  pc.onicecandidate = (event) => send({ type: "candidate",
    mline_index: event.candidate?.sdpMLineIndex ?? 0, candidate: event.candidate?.candidate ?? "" });
  pc.onconnectionstatechange = () => {
    if (classroom.pc !== pc) return;
    if (pc.connectionState === "connected") setState("receiving");
    if (pc.connectionState === "failed") renegotiate("the connection failed");
  };
  await pc.setRemoteDescription({ type: "offer", sdp });
  await classroom.joint.attach(pc, sdp);
  if (classroom.pc !== pc) return; // (another offer came meanwhile)
  await pc.setLocalDescription(await pc.createAnswer());
  send({ type: "answer", sdp: pc.localDescription.sdp });
}

// Browsers play sound only after a click, unless the machine's browser is set up for kiosk use
// (--autoplay-policy=no-user-gesture-required): then it just plays. Only the browser's refusal
// (NotAllowedError) mutes and asks for a click; any other failure (an AbortError when the stream
// changed under a pending play) is not a refusal, and the next play() carries on with sound.
function play() {
  if (!$("sound").hidden) { // refused before: play on, muted, until the click
    video.play().catch(() => {});
    return;
  }
  video.muted = false;
  video.play().catch((error) => {
    if (error.name !== "NotAllowedError") {
      console.warn("play() failed, not refused:", error.name);
      return;
    }
    video.muted = true;
    video.play().catch(() => {});
    $("sound").hidden = false;
  });
}

$("sound").onclick = () => {
  video.muted = false;
  $("sound").hidden = true;
};

// Join again as a newcomer: the sender builds a fresh peer connection.
function renegotiate(why) {
  console.warn(`classroom ${school}: ${why}; joining again`);
  const lesson = classroom.lesson;
  leave();
  if (lesson) join(lesson);
}

// ---- Watching the link, reporting it ----

async function watchMedia() {
  const pc = classroom.pc;
  const media = classroom.media;
  if (!pc || !media || !classroom.lesson) return;
  const now = Date.now();
  let video = null, audio = null;
  (await pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") video = s;
    if (s.type === "inbound-rtp" && s.kind === "audio") audio = s;
  });
  if (classroom.pc !== pc) return;
  const counts = {
    time: now,
    lost: Math.max(0, (video?.packetsLost ?? 0) + (audio?.packetsLost ?? 0)),
    received: (video?.packetsReceived ?? 0) + (audio?.packetsReceived ?? 0),
    videoBytes: video?.bytesReceived ?? 0,
    frames: video?.framesDecoded ?? 0,
  };
  const last = media.last;
  media.last = counts;
  if (!last) return;
  const seconds = Math.max((now - last.time) / 1000, 0.001);
  const kbps = Math.round((counts.videoBytes - last.videoBytes) * 8 / 1000 / seconds);
  if (counts.received !== last.received) media.seen = now;
  if (counts.frames !== last.frames) media.framesSeen = now;

  // The link report the sender chooses this classroom's layer by (Chromium counts a packet that
  // a retransmission brought back as received, so this is the loss left after repair).
  const lost = counts.lost - last.lost, received = counts.received - last.received;
  if (lost + received > 0)
    send({ type: "link", loss_permille: Math.min(1000, Math.round(lost * 1000 / (lost + received))),
      video_kbps: Math.max(0, kbps), state: classroom.state });
  if (now - (media.reported ?? 0) >= STATS_EVERY_MS) {
    media.reported = now;
    send({ type: "stats", frames_decoded: counts.frames, packets_lost: counts.lost,
      video_kbps: Math.max(0, kbps), state: classroom.state });
  }

  // The cards: never a frozen picture.
  const silent = now - media.seen;
  if (silent >= (counts.received ? MEDIA_TIMEOUT_MS : 3 * MEDIA_TIMEOUT_MS)) {
    renegotiate("no media for a while");
  } else if (silent >= SILENCE_CARD_MS) {
    setState("reconnecting");
    showCard("reconnecting", "正在重新连接… · Reconnecting…\n\n网络中断，课程会自动恢复\nThe link dropped; the lesson comes back by itself");
  } else if (now - media.framesSeen >= SILENCE_CARD_MS && counts.frames > 0) {
    setState("video-paused");
    showCard("video-paused", "视频暂停 · Video paused\n\n网络太慢，老师的声音继续\nThe link is too slow for pictures; the teacher's voice goes on");
  } else if (counts.frames > last.frames) {
    setState("receiving");
    hideCard();
  }
}

// ---- Start ----

if (!school) {
  showCard("refused", "地址缺少学校编号 · The address needs #school=ID&token=TOKEN");
} else {
  showCard("starting", "网络联校 · Lianxiao\n\n正在连接… · Connecting…");
  showClock();
  setInterval(showClock, 1000);
  followTimetable();
  setInterval(followTimetable, TIMETABLE_EVERY_MS);
  setInterval(() => watchMedia().catch((error) => console.warn("statistics", error)), WATCH_EVERY_MS);
}
