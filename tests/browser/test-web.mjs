// The web pages in a real browser (Debian's headless Chromium, driven by playwright-core): log
// in with the admin token, register schools and book a lesson through the forms, see it in the
// timetable and in the API, watch a connected classroom turn green on the live board; then a
// browser classroom follows its timetable into the lesson, plays a real lianxiao-sender's picture
// and sound, and comes back by itself when the sender restarts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { exitStatus, forget, launchChromium, screenshot, start, startSignaling, stop, stopAll,
  waitFor }
  from "./helpers.mjs";
import jsQR from "jsqr";
import { PNG } from "pngjs";

const here = dirname(fileURLToPath(import.meta.url));
const webRoot = join(here, "..", "..", "web");
const ADMIN = "browser-test-admin-81c2";
const workdir = mkdtempSync(join(tmpdir(), "lx-browser-"));
const senderStats = join(workdir, "sender.json");

// The sender's statistics file (rewritten every second; {} while it is being replaced).
function readSenderStats() {
  try {
    return JSON.parse(readFileSync(senderStats, "utf8"));
  } catch {
    return {};
  }
}
// Accepts (or dismisses) the next confirm() and returns its question.
function answerNextDialog(somePage, accept) {
  return new Promise((resolve) => somePage.once("dialog", async (dialog) => {
    const question = dialog.message();
    await (accept ? dialog.accept() : dialog.dismiss());
    resolve(question);
  }));
}

// The text the QR code on the page encodes, read back from its pixels.
async function readQrCode(somePage, selector) {
  const png = PNG.sync.read(await somePage.locator(selector).screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

let base, browser, page;
const tokens = {};
const running = {}; // the programs the tests hand on to each other

async function api(method, path, body) {
  const response = await fetch(`${base}/api/v1/${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

// Local date and times in Asia/Shanghai (the lessons' zone), for the form.
function shanghai(offsetMinutes) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(Date.now() + offsetMinutes * 60000));
  const get = (type) => parts.find((p) => p.type === type).value;
  return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}` };
}

before(async () => {
  base = await startSignaling(["--database", join(workdir, "lianxiao.db"), "--admin-token", ADMIN,
    "--web-root", webRoot]);
  browser = await launchChromium();
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  const unclean = await stopAll();
  rmSync(workdir, { recursive: true, force: true });
  assert.deepEqual(unclean, [], "every program ends cleanly");
});

test("log in, register schools, book a lesson, see it in the timetable and the API", async () => {
  await page.goto(base + "/");
  await page.fill("#token", "wrong");
  await page.click("#login-form button");
  await page.waitForFunction(() => document.querySelector("#login-error").textContent.includes("Wrong token"));
  assert.equal(await page.isVisible("#tabs"), false);

  await page.fill("#token", ADMIN);
  await page.click("#login-form button");
  await page.waitForSelector("#tabs", { state: "visible" });

  await page.click("button[data-tab=schools]");
  for (const [id, name] of [["city", "City No.1"], ["village", "新庄小学"], ["spare", "山后小学"]]) {
    await page.fill("#school-form input[name=id]", id);
    await page.fill("#school-form input[name=name]", name);
    await page.click("#school-form button");
    await page.waitForFunction((n) => [...document.querySelectorAll("#school-list td")]
      .some((td) => td.textContent === n), name);
    tokens[id] = await page.textContent("#new-token-value");
    assert.match(tokens[id], /^[0-9a-f]{48}$/);
  }
  // The classroom link with the fresh token, and a QR code that really encodes it.
  const link = `${base}/classroom.html#school=spare&token=${tokens.spare}`;
  assert.equal(await page.textContent("#classroom-link"), link);
  assert.equal(await readQrCode(page, "#qr img"), link);
  assert.equal(await page.textContent("#schools tr[data-school=spare] td:nth-child(4)"), "从未连接 Never connected");
  await screenshot(page, "schools");

  // Edit: the name changes, the id stays.
  await page.click("#schools tr[data-school=spare] button.edit");
  assert.equal(await page.getAttribute("#school-form input[name=id]", "readonly"), "");
  await page.fill("#school-form input[name=name]", "山后中心小学");
  await page.click("#school-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#schools tr[data-school=spare] td:nth-child(2)")
    ?.textContent === "山后中心小学");
  assert.equal((await api("GET", "schools/spare")).body.name, "山后中心小学");

  // A new token, confirmed: the old one opens nothing any more; the link and QR code carry the new.
  const renewQuestion = answerNextDialog(page, true);
  await page.click("#schools tr[data-school=spare] button.renew");
  assert.match(await renewQuestion, /旧令牌马上作废/);
  await page.waitForFunction((old) => document.querySelector("#new-token-value").textContent !== old, tokens.spare);
  const renewed = await page.textContent("#new-token-value");
  assert.match(renewed, /^[0-9a-f]{48}$/);
  const oldTimetable = await fetch(`${base}/api/v1/schools/spare/timetable`, { headers: { Authorization: `Bearer ${tokens.spare}` } });
  assert.equal(oldTimetable.status, 401);
  assert.equal(await readQrCode(page, "#qr img"), `${base}/classroom.html#school=spare&token=${renewed}`);

  // Delete asks first; dismissed, nothing happens; confirmed, the school goes.
  const kept = answerNextDialog(page, false);
  await page.click("#schools tr[data-school=spare] button.delete");
  assert.match(await kept, /删除学校 山后中心小学/);
  assert.equal((await api("GET", "schools/spare")).status, 200);
  const gone = answerNextDialog(page, true);
  await page.click("#schools tr[data-school=spare] button.delete");
  await gone;
  await page.waitForSelector("#schools tr[data-school=spare]", { state: "detached" });
  assert.equal((await api("GET", "schools/spare")).status, 404);

  // A lesson under way now (a minute ago to half an hour on, within today in Shanghai).
  await page.click("button[data-tab=timetable]");
  let start = shanghai(-1);
  if (start.date !== shanghai(0).date) start = { date: shanghai(0).date, time: "00:00" };
  let end = shanghai(29);
  if (end.date !== start.date) end = { date: start.date, time: "23:59" };
  const form = "#lesson-form";
  // Books city → village through the form (the teacher field keeps what it has).
  const bookThroughForm = async (title, date, from, to) => {
    await page.fill(`${form} input[name=title]`, title);
    await page.selectOption(`${form} select[name=sender]`, "city");
    await page.check(`${form} input[name=receivers][value=village]`);
    await page.fill(`${form} input[name=date]`, date);
    await page.fill(`${form} input[name=start]`, from);
    await page.fill(`${form} input[name=end]`, to);
    await page.click(`${form} button`);
  };
  await page.fill(`${form} input[name=teacher]`, "王老师");
  await bookThroughForm("数学 七年级", start.date, start.time, end.time);
  await page.waitForFunction(() => [...document.querySelectorAll("#lessons td")]
    .some((td) => td.textContent === "数学 七年级"));
  // Names, not ids.
  const row = `#lessons tr[data-lesson]`;
  assert.equal(await page.textContent(`${row} td:nth-child(5)`), "City No.1");
  assert.equal(await page.textContent(`${row} td:nth-child(6)`), "新庄小学");

  const lessons = await api("GET", "lessons");
  assert.equal(lessons.status, 200);
  assert.equal(lessons.body.length, 1);
  assert.equal(lessons.body[0].title, "数学 七年级");
  assert.deepEqual(lessons.body[0].receivers, ["village"]);
  tokens.lesson = String(lessons.body[0].id);

  // Edit it through the form: the change is stored, not a second lesson.
  await page.click(`#lessons tr[data-lesson="${tokens.lesson}"] button.edit`);
  await page.fill(`${form} input[name=title]`, "数学 七年级 (二)");
  await page.click(`${form} button`);
  await page.waitForFunction(() => [...document.querySelectorAll("#lessons td")]
    .some((td) => td.textContent === "数学 七年级 (二)"));
  const edited = await api("GET", "lessons");
  assert.equal(edited.body.length, 1);
  assert.equal(edited.body[0].title, "数学 七年级 (二)");

  // A refused booking says why in words, Chinese first, and marks the field; nothing is stored.
  // (Tomorrow: today, between 10:00 and 11:00 its end would be past, and the page would first ask
  // whether to book a lesson in the past.)
  await page.fill(`${form} input[name=date]`, shanghai(24 * 60).date);
  await page.fill(`${form} input[name=start]`, "11:00");
  await page.fill(`${form} input[name=end]`, "10:00");
  await page.click(`${form} button`);
  await page.waitForFunction(() => document.querySelector("#lesson-error").textContent
    .startsWith("输入有误 Please check the form：结束时间：要晚于开始时间"));
  assert.doesNotMatch(await page.textContent("#lesson-error"), /400/);
  assert.equal(await page.getAttribute(`${form} input[name=end]`, "class"), "invalid");
  assert.equal((await api("GET", "lessons")).body.length, 1);

  // A clash names the school booked twice, by name.
  await bookThroughForm("语文", start.date, start.time, end.time);
  await page.waitForFunction(() => document.querySelector("#lesson-error").textContent.includes("冲突 Conflict"));
  assert.match(await page.textContent("#lesson-error"), /时间冲突：City No\.1 \(city\) 在 .* 已经排了第 \d+ 课「数学 七年级 \(二\)」/);

  // A lesson in the past is booked only when confirmed: dismissed, nothing is stored.
  const yesterday = shanghai(-24 * 60);
  await page.fill(`${form} input[name=date]`, yesterday.date);
  await page.fill(`${form} input[name=start]`, "08:00");
  await page.fill(`${form} input[name=end]`, "08:45");
  const pastQuestion = answerNextDialog(page, false);
  await page.click(`${form} button`);
  assert.match(await pastQuestion, /已经过去了，还要排这节课吗/);
  await page.waitForFunction(() => document.querySelector("#lesson-error").textContent.includes("Not saved"));
  assert.equal((await api("GET", "lessons")).body.length, 1);
  // Confirmed, it is booked (then deleted again, after its own question).
  const confirmed = answerNextDialog(page, true);
  await page.click(`${form} button`);
  await confirmed;
  await page.waitForFunction(() => [...document.querySelectorAll("#lessons td")].some((td) => td.textContent === "语文"));
  const past = (await api("GET", "lessons")).body.find((l) => l.title === "语文");
  assert.ok(past, "the confirmed past lesson is stored");
  const deleteQuestion = answerNextDialog(page, true);
  await page.click(`#lessons tr[data-lesson="${past.id}"] button.delete`);
  assert.match(await deleteQuestion, /删除第 \d+ 课「语文」/);
  await page.waitForSelector(`#lessons tr[data-lesson="${past.id}"]`, { state: "detached" });
  assert.equal((await api("GET", "lessons")).body.length, 1);

  // The next 7 days, one school's view; the week prints without forms or buttons.
  await page.selectOption("#school-filter", "village");
  await page.click("#show-next7");
  await page.waitForFunction(() => document.querySelector("#lessons-heading").textContent.startsWith("新庄小学 · 未来 7 天"));
  assert.equal(await page.locator("#lessons tr[data-lesson]").count(), 1);
  // One printable week of one school: the week of the chosen day, then the browser's print.
  await page.evaluate(() => { window.printed = 0; window.print = () => window.printed++; });
  await page.fill("#day", start.date);
  await page.click("#print-week");
  await page.waitForFunction(() => window.printed === 1);
  assert.match(await page.textContent("#lessons-heading"), /^新庄小学 · \d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d 这一周 Week$/);
  assert.equal(await page.locator("#lessons tr[data-lesson]").count(), 1);
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.isVisible("#lesson-form"), false);
  assert.equal(await page.isVisible("#lessons button.delete"), false);
  assert.equal(await page.isVisible("#lessons"), true);
  await screenshot(page, "timetable-print");
  await page.emulateMedia({ media: "screen" });
  await page.selectOption("#school-filter", "");
  await screenshot(page, "timetable");
});

test("a connected classroom turns green on the live board", async () => {
  assert.ok(tokens.lesson, "the first test booked the lesson");
  const ws = base.replace("http", "ws") + "/ws";
  running.sender = start("LX_SENDER", ["--server", ws, "--lesson", tokens.lesson, "--school", "city",
    "--token", tokens.city, "--ice-local-addresses", "127.0.0.1", "--layers", "320x240@300",
    "--audio-source", "none"]);
  await page.click("button[data-tab=board]");
  // Booked but not here yet: red, by name, and why: it never connected.
  const village = "#board-lessons .classroom[data-school=village]";
  await page.waitForSelector(`${village}.absent`, { timeout: 10000 });
  assert.equal(await page.textContent(`${village} .name`), "新庄小学");
  assert.match(await page.textContent(`${village} .why`), /^从未连接/);
  assert.equal(await page.isVisible(".legend .classroom.absent"), true);
  // A classroom PC with an old token: the board says so, with the server's words.
  const stale = start("LX_RECEIVER", ["--server", ws, "--lesson", tokens.lesson, "--school",
    "village", "--token", "0".repeat(48), "--ice-local-addresses", "127.0.0.1", "--headless"]);
  await page.waitForFunction((s) => /^令牌不对/.test(document.querySelector(`${s} .why`)?.textContent ?? ""),
    village, { timeout: 15000 });
  assert.match(await page.textContent(`${village} .refusal`), /wrong or missing token for school 'village'/);
  const status = await api("GET", "status");
  const refused = status.body[0].classrooms.find((c) => c.school === "village");
  assert.equal(refused.why, "bad-token");
  assert.equal(refused.name, "新庄小学");
  assert.equal(status.body[0].sender_name, "City No.1");
  await screenshot(page, "board-refused");
  // A classroom refused for its token gives up by itself: exit status 1, "signaling failed".
  // (The board can show the refusal before a slow build's receiver has read it: wait for it.)
  assert.equal(await exitStatus(stale, 15000), 1);
  forget(stale);

  running.receiver = start("LX_RECEIVER", ["--server", ws, "--lesson", tokens.lesson, "--school",
    "village", "--token", tokens.village, "--ice-local-addresses", "127.0.0.1", "--headless"]);
  // Receivers report every 5 s: green once the first report with video arrives, with its own state.
  await page.waitForSelector(`${village}.receiving`, { timeout: 30000 });
  const badge = await page.textContent(`${village}.receiving`);
  assert.match(badge, /kbit\/s/);
  assert.match(badge, /正在收看 Receiving/);
  assert.match(badge, /接收端 Receiver: 正在播放 playing/);
  // The round-trip time comes from the sender's RTCP, reported every few seconds.
  await page.waitForFunction(() => /RTT \d+ ms/.test(
    document.querySelector("#board-lessons .classroom[data-school=village]")?.textContent ?? ""), null, { timeout: 30000 });
  await screenshot(page, "board");
  // The classroom's name leads to its attendance (the refused try left no stay; the stay begins).
  await page.click(`${village} .name`);
  await page.waitForSelector("#attendance", { state: "visible" });
  assert.equal(await page.inputValue("#attendance-school"), "village");
});

// The browser classroom's own view of the media, from RTCPeerConnection.getStats().
async function classroomMedia(classroomPage) {
  return classroomPage.evaluate(async () => {
    const { pc, state, card, sessions } = window.lianxiao;
    const video = document.querySelector("#picture");
    const media = { state, card, sessions, frames: 0, width: 0, height: 0, samples: 0, codec: null,
      muted: video.muted, paused: video.paused, soundButton: !document.querySelector("#sound").hidden,
      audioTracks: video.srcObject?.getAudioTracks().length ?? 0 };
    if (!pc) return media;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video")
        Object.assign(media, { frames: s.framesDecoded ?? 0, width: s.frameWidth ?? 0,
          height: s.frameHeight ?? 0, codec: report.get(s.codecId)?.mimeType ?? null });
      if (s.type === "inbound-rtp" && s.kind === "audio") media.samples = s.totalSamplesReceived ?? 0;
    });
    return media;
  });
}

async function waitForMedia(classroomPage, accept, what, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  let media;
  while (Date.now() < deadline) {
    media = await classroomMedia(classroomPage);
    if (accept(media)) return media;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${what}: still ${JSON.stringify(media)} after ${seconds} s`);
}

test("a browser classroom follows its timetable into the lesson, and comes back when the sender restarts", async () => {
  assert.ok(tokens.lesson, "the first test booked the lesson");
  const ws = base.replace("http", "ws") + "/ws";
  // The native classroom of the test before makes way; the sender now sends 640x360 with sound.
  await stop(running.receiver);
  await stop(running.sender);
  const senderArgs = ["--server", ws, "--lesson", tokens.lesson, "--school", "city", "--token",
    tokens.city, "--ice-local-addresses", "127.0.0.1", "--layers", "640x360@800",
    "--stats-json", senderStats];
  running.sender = start("LX_SENDER", senderArgs);
  running.senderArgs = senderArgs;

  const classroomPage = await browser.newPage();
  const problems = [];
  classroomPage.on("pageerror", (error) => problems.push(error.message));
  // A wrong token: the page says so instead of joining.
  await classroomPage.goto(`${base}/classroom.html#school=village&token=wrong`);
  await classroomPage.waitForFunction(() => document.querySelector("#card-text").textContent
    .includes("Wrong school id or token"));
  assert.equal(await classroomPage.evaluate(() => window.lianxiao.lesson), null);
  // ...and who to call, not "no lesson": nobody in the room can fix a token.
  let card = await classroomPage.textContent("#card-text");
  assert.match(card, /请联系县电教站/);
  assert.doesNotMatch(card, /暂无课程|No lesson/);
  await screenshot(classroomPage, "classroom-wrong-token");
  // A link without a token says that, not "wrong token".
  await classroomPage.goto("about:blank");
  await classroomPage.goto(`${base}/classroom.html#school=village`);
  await classroomPage.waitForFunction(() => document.querySelector("#card-text").textContent
    .includes("This link has no school or token"));
  assert.doesNotMatch(await classroomPage.textContent("#card-text"), /Wrong school id or token/);

  // A classroom between lessons: the standby card, readable from the back row — the time, the
  // weekday, and when the next lesson is (明天 Tomorrow).
  const spare = await api("POST", "schools", { id: "dongcun", name: "东村小学" });
  const tomorrow = shanghai(24 * 60);
  const booked = await api("POST", "lessons", { title: "英语", sender: "city", receivers: ["dongcun"],
    start: `${tomorrow.date}T10:00:00`, end: `${tomorrow.date}T10:40:00`, time_zone: "Asia/Shanghai" });
  assert.equal(booked.status, 201);
  await classroomPage.goto("about:blank");
  await classroomPage.goto(`${base}/classroom.html#school=dongcun&token=${spare.body.token}`);
  await classroomPage.waitForFunction(() => window.lianxiao.card === "standby");
  card = await classroomPage.textContent("#card-text");
  assert.match(card, /东村小学/);
  assert.match(card, /英语/);
  assert.match(card, /明天 Tomorrow  10:00–10:40/);
  assert.match(await classroomPage.textContent("#clock-time"), /^\d\d:\d\d$/);
  assert.match(await classroomPage.textContent("#clock-day"), /^星期. \w+day · \d{4}-\d\d-\d\d$/);
  // Large: the card's text at least 6 % of a 1080p screen's height... on this page's viewport.
  const sizes = await classroomPage.evaluate(() => ({
    text: parseFloat(getComputedStyle(document.querySelector("#card-text")).fontSize),
    clock: parseFloat(getComputedStyle(document.querySelector("#clock-time")).fontSize),
    height: innerHeight, width: innerWidth }));
  assert.ok(sizes.text >= 0.055 * Math.min(sizes.height, sizes.width), `card text ${JSON.stringify(sizes)}`);
  assert.ok(sizes.clock >= 0.15 * Math.min(sizes.height, sizes.width), `clock ${JSON.stringify(sizes)}`);
  await screenshot(classroomPage, "classroom-standby");
  await api("DELETE", `lessons/${booked.body.id}`);

  await classroomPage.goto("about:blank");
  await classroomPage.goto(`${base}/classroom.html#school=village&token=${tokens.village}`);
  // Frames decoded at the sender's size, and sound: counted over a window after the first frame.
  const first = await waitForMedia(classroomPage, (m) => m.frames > 0 && m.samples > 0,
    "the first picture and sound");
  const playing = await waitForMedia(classroomPage, (m) => m.frames >= first.frames + 60 &&
    m.card === null, "two seconds of pictures without a card");
  assert.equal(playing.width, 640);
  assert.equal(playing.height, 360);
  assert.equal(playing.codec, "video/H264");
  assert.ok(playing.samples > first.samples, "sound keeps arriving");
  // A kiosk browser (autoplay allowed, as docs/browser-classroom.md sets it up) plays the sound:
  // unmuted, playing, no button to click — an unattended box has no mouse.
  assert.equal(playing.muted, false, "the kiosk classroom plays its sound");
  assert.equal(playing.paused, false);
  assert.equal(playing.soundButton, false);
  assert.equal(playing.audioTracks, 1);
  assert.equal(await classroomPage.evaluate(() => window.lianxiao.lesson), tokens.lesson);

  // Its reports reach the server like a native classroom's: the status board shows it.
  const deadline = Date.now() + 15000;
  let seen;
  while (Date.now() < deadline) {
    const status = await api("GET", "status");
    seen = status.body.flatMap((l) => l.classrooms).find((c) => c.school === "village");
    if (seen?.receiving && seen.frames_decoded > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(seen?.receiving && seen.frames_decoded > 0, `status board: ${JSON.stringify(seen)}`);

  // The teacher's program restarts: a card meanwhile, then the lesson again on a new connection.
  await stop(running.sender);
  await classroomPage.waitForFunction(() => window.lianxiao.card === "waiting-for-teacher",
    null, { timeout: 10000 });
  running.sender = start("LX_SENDER", senderArgs);
  const again = await waitForMedia(classroomPage, (m) => m.sessions >= 2 && m.frames >= 30 &&
    m.card === null, "pictures after the sender restarted");
  assert.equal(again.width, 640);
  assert.deepEqual(problems, []);
  await classroomPage.close();
});

test("only the browser's refusal of sound mutes the page and asks for a click", async () => {
  assert.ok(running.sender, "the test before left a sender on the air");
  // The browser's own answers to play(), as a browser without the kiosk setting gives them: sound
  // refused (NotAllowedError), or a play() cut short by a new load (AbortError).
  const pages = {};
  for (const [name, refusal] of [["refused", "NotAllowedError"], ["aborted", "AbortError"]]) {
    const page = await browser.newPage();
    await page.addInitScript((refusal) => {
      const play = HTMLMediaElement.prototype.play;
      let failed = false;
      HTMLMediaElement.prototype.play = function () {
        if (!this.muted && (refusal === "NotAllowedError" || !failed)) {
          failed = true;
          return Promise.reject(new DOMException("play() failed", refusal));
        }
        return play.call(this);
      };
    }, refusal);
    await page.goto(`${base}/classroom.html#school=village&token=${tokens.village}`);
    pages[name] = await waitForMedia(page, (m) => m.frames > 30 && !m.paused, `${name}: pictures`);
    await page.close();
  }
  assert.equal(pages.refused.muted, true, "a refusal mutes");
  assert.equal(pages.refused.soundButton, true, "and asks for a click");
  assert.equal(pages.aborted.muted, false, "an aborted play() is no refusal");
  assert.equal(pages.aborted.soundButton, false);
});

test("a browser that asks for VP8 gets the lesson in VP8, encoded once beside the H.264", async () => {
  assert.ok(running.sender, "the test before left a sender on the air");
  const classroomPage = await browser.newPage();
  await classroomPage.goto(`${base}/classroom.html#school=village&token=${tokens.village}&video=vp8`);
  const first = await waitForMedia(classroomPage, (m) => m.frames > 0, "the first VP8 picture");
  const playing = await waitForMedia(classroomPage, (m) => m.frames >= first.frames + 60 &&
    m.card === null, "two seconds of VP8 pictures without a card");
  assert.equal(playing.codec, "video/VP8");
  assert.equal(playing.width, 640);
  assert.equal(playing.height, 360);
  assert.ok(playing.samples > 0, "sound arrives too");
  assert.equal(readSenderStats().vp8_layers, 1, "one VP8 encoder for the one layer");
  await classroomPage.close();
  // Nobody decodes VP8 any more: its encoders stop (10 s later) and the H.264 lesson goes on.
  const deadline = Date.now() + 25000;
  while (readSenderStats().vp8_layers !== 0) {
    assert.ok(Date.now() < deadline, `the VP8 encoders still run: ${JSON.stringify(readSenderStats())}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const frames = readSenderStats().frames_encoded;
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(readSenderStats().frames_encoded > frames + 20, "the sender keeps encoding");
});

// A WHEP player written against the draft (draft-ietf-wish-whep), with nothing of ours: the
// browser's own RTCPeerConnection and fetch. Non-trickle: the offer goes with its candidates.
async function whepPlay(playerPage, url, token) {
  return playerPage.evaluate(async ({ url, token }) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    await pc.setLocalDescription(await pc.createOffer());
    // All candidates, or what two seconds gathered (players do not wait longer either).
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
      setTimeout(resolve, 2000);
    });
    const response = await fetch(url, { method: "POST", body: pc.localDescription.sdp,
      headers: { "Content-Type": "application/sdp", Authorization: `Bearer ${token}` } });
    const result = { status: response.status, location: response.headers.get("Location"),
      type: response.headers.get("Content-Type") };
    if (response.status !== 201) return result;
    await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
    window.whep = pc;
    return result;
  }, { url, token });
}

test("a WHEP player plays the lesson, and ends its session with DELETE", async () => {
  assert.ok(running.sender, "a sender is on the air");
  const player = await browser.newPage();
  await player.goto(`${base}/healthz`); // a page of the server's origin: no CORS in the way
  const endpoint = `${base}/whep/${tokens.lesson}/village`;
  // Refused without the school's token, and for a school not booked into the lesson.
  assert.equal((await whepPlay(player, endpoint, "wrong")).status, 401);
  assert.equal((await whepPlay(player, `${base}/whep/${tokens.lesson}/city`, tokens.city)).status, 403);

  const session = await whepPlay(player, endpoint, tokens.village);
  assert.equal(session.status, 201);
  assert.equal(session.type, "application/sdp");
  assert.match(session.location, new RegExp(`^/whep/${tokens.lesson}/village/[0-9a-f-]{36}$`));
  const frames = async () => player.evaluate(async () => {
    let media = { frames: 0, width: 0, audioPackets: 0 };
    (await window.whep.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video")
        Object.assign(media, { frames: s.framesDecoded ?? 0, width: s.frameWidth ?? 0 });
      // (nothing plays the sound here, so Chromium receives it without decoding it)
      if (s.type === "inbound-rtp" && s.kind === "audio") media.audioPackets = s.packetsReceived ?? 0;
    });
    return media;
  });
  const deadline = Date.now() + 20000;
  let media = await frames();
  while (Date.now() < deadline && media.frames < 60) {
    await new Promise((r) => setTimeout(r, 250));
    media = await frames();
  }
  assert.ok(media.frames >= 60, `frames decoded through WHEP: ${JSON.stringify(media)}`);
  assert.equal(media.width, 640);
  assert.ok(media.audioPackets > 0, "sound through WHEP");

  const ended = await fetch(base + session.location, { method: "DELETE" });
  assert.equal(ended.status, 200);
  assert.equal((await fetch(base + session.location, { method: "DELETE" })).status, 404);
  await player.close();
});

// The sender's view of one classroom (its statistics file), or {} before it has one.
function senderClassroom(school) {
  return (readSenderStats().classrooms ?? []).find((c) => c.school === school) ?? {};
}

test("a browser classroom takes part in a joint lesson: camera, raised hand, microphone when called on, polls", async () => {
  assert.ok(running.senderArgs, "the classroom test started a sender");
  await stop(running.sender);
  running.sender = start("LX_SENDER", [...running.senderArgs, "--return-media=true", "--wall", "headless"]);
  const classroomPage = await browser.newPage();
  const problems = [];
  classroomPage.on("pageerror", (error) => problems.push(error.message));
  await classroomPage.goto(`${base}/classroom.html#school=village&token=${tokens.village}`);
  await waitForMedia(classroomPage, (m) => m.frames > 30 && m.card === null, "the lesson's pictures");

  // Chromium's fake camera reaches the teacher's wall; no sound before the class is called on.
  await waitFor(() => senderClassroom("village").return_frames > 30, "the room's picture on the wall");
  assert.equal(readSenderStats().wall_tiles, 1);
  assert.equal(senderClassroom("village").return_audio_buffers, 0, "no sound before the floor is given");

  // The hand: the page's button (a remote's H key does the same), seen on the teacher's side.
  assert.equal(await classroomPage.isVisible("#hand"), true);
  await classroomPage.click("#hand");
  await waitFor(() => (readSenderStats().hands ?? []).includes("village"), "the hand at the sender");
  await classroomPage.waitForFunction(() => window.lianxiao.joint.hand);
  await screenshot(classroomPage, "classroom-joint-hand");

  // Called on: the microphone's sound reaches the teacher; hung up, it stops.
  const floor = `lessons/${tokens.lesson}/floor`;
  assert.equal((await api("POST", floor, { action: "call-on", school: "village" })).status, 200);
  await classroomPage.waitForSelector("#on-the-floor", { state: "visible" });
  await waitFor(() => senderClassroom("village").return_audio_buffers > 50, "the room's voice at the sender");
  assert.equal(await classroomPage.isVisible("#hand"), false, "no hand to raise while speaking");
  assert.equal((await api("POST", floor, { action: "hang-up", school: "village" })).status, 200);
  await classroomPage.waitForSelector("#on-the-floor", { state: "hidden" });
  await new Promise((r) => setTimeout(r, 1500));
  const heard = senderClassroom("village").return_audio_buffers;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(senderClassroom("village").return_audio_buffers, heard, "no sound once hung up");

  // A poll: three answers shown, the B key answers, the teacher's tally has it.
  const poll = `lessons/${tokens.lesson}/poll`;
  assert.equal((await api("POST", poll, { action: "open", question: "光在水中比在空气中：A 快 B 慢 C 一样",
    choices: 3 })).status, 200);
  await classroomPage.waitForSelector("#poll", { state: "visible" });
  assert.equal(await classroomPage.isVisible("#poll-D"), false);
  await classroomPage.keyboard.press("b");
  await waitFor(async () => (await api("GET", poll)).body.answers?.village === "B", "the answer in the tally");
  await screenshot(classroomPage, "classroom-joint-poll");
  assert.deepEqual(problems, []);
  await classroomPage.close();
});
