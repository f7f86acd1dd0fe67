// The teacher's console in Debian's headless Chromium, on a real lesson: lianxiao-signaling with
// a booked lesson, a lianxiao-sender with its console that captures an X screen (Xvfb, its root
// painted a known colour) and waits for the teacher, and two native classrooms that send their
// pictures and take commands. The teacher logs in, goes on the air, switches to "screen + camera"
// (checked in the pixels a classroom decodes), calls on a raised hand (the other classroom hears
// its tone), runs a poll, ends the lesson (the classrooms show "lesson over") and reads the record.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { PNG } from "pngjs";
import { launchChromium, screenshot, start, startSignaling, stop, stopAll, waitFor } from "./helpers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const webRoot = join(here, "..", "..", "web");
const ADMIN = "console-test-admin-5d1e";
const SCREEN = [0x2a, 0x7f, 0xff]; // the X screen's colour: what "screen" shows
const CARD = [0x26, 0x46, 0x53]; // the hold card's (common/lx-capture.c)
const workdir = mkdtempSync(join(tmpdir(), "lx-console-"));
const tokens = {};
const classrooms = {};
let base, consoleUrl, browser, page, xvfb, lesson;

const readJson = (path) => { try { return JSON.parse(readFileSync(path, "utf8")); } catch { return {}; } };
const classroomStats = (school) => readJson(join(workdir, `${school}.json`));
const senderStats = () => readJson(join(workdir, "sender.json"));

async function api(method, path, body, token = ADMIN) {
  const response = await fetch(`${base}/api/v1/${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

// An X server of its own, on a display nobody uses, its whole screen one known colour.
async function startScreen() {
  let display = 90;
  while (existsSync(`/tmp/.X11-unix/X${display}`) || existsSync(`/tmp/.X${display}-lock`)) display++;
  xvfb = spawn("Xvfb", [`:${display}`, "-screen", "0", "1280x720x24", "-nolisten", "tcp",
    "-noreset"], // (without it the server resets, black again, when xsetroot disconnects)
    { stdio: "ignore" });
  await waitFor(() => existsSync(`/tmp/.X11-unix/X${display}`), "Xvfb", 10);
  const hex = SCREEN.map((c) => c.toString(16).padStart(2, "0")).join("");
  const painted = spawnSync("xsetroot", ["-display", `:${display}`, "-solid", `#${hex}`]);
  assert.equal(painted.status, 0, `xsetroot: ${painted.stderr}`);
  return `:${display}`;
}

function startClassroom(school, toneHz, ws) {
  classrooms[school] = start("LX_RECEIVER", ["--server", ws, "--lesson", lesson, "--school", school,
    "--token", tokens[school], "--headless", "--camera", "test", "--microphone", "test",
    "--test-tone-hz", String(toneHz), "--measure-tone-hz", "880", "--commands-on-stdin",
    "--stats-json", join(workdir, `${school}.json`), "--snapshot", join(workdir, `${school}.png`),
    "--ice-local-addresses", "127.0.0.1"], { stdin: "pipe" });
}

// The console's address, from the sender's log (its log still goes to the test's).
function consoleAddress(sender) {
  return new Promise((resolve, reject) => {
    createInterface({ input: sender.stderr }).on("line", (line) => {
      process.stderr.write(line + "\n");
      const found = line.match(/the teacher's console: (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (found) resolve(found[1]);
    });
    sender.once("exit", () => reject(new Error("lianxiao-sender ended")));
  });
}

before(async () => {
  const display = await startScreen();
  base = await startSignaling(["--database", join(workdir, "lianxiao.db"), "--admin-token", ADMIN,
    "--web-root", webRoot]);
  for (const [id, name] of [["city", "城关一小 City No. 1"], ["village-a", "新庄小学"],
    ["village-b", "山后小学"], ["village-c", "河口小学"]])
    tokens[id] = (await api("POST", "schools", { id, name })).body.token;
  const now = Date.now();
  const local = (ms) => new Date(ms).toISOString().slice(0, 19);
  const booked = await api("POST", "lessons", { title: "光的折射 Refraction", teacher: "王老师",
    sender: "city", receivers: ["village-a", "village-b", "village-c"], start: local(now - 120000),
    end: local(now + 3600000), time_zone: "UTC" });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  lesson = String(booked.body.id);
  const ws = base.replace("http", "ws") + "/ws";
  const sender = start("LX_SENDER", ["--server", ws, "--lesson", lesson, "--school", "city",
    "--token", tokens.city, "--console-address", "127.0.0.1:0", "--console-web-root", webRoot,
    "--wait-for-teacher=true", "--return-media=true", "--wall", "headless",
    "--screen-source", "x11", "--screen-display", display, "--layers", "640x360@800",
    "--stats-json", join(workdir, "sender.json"), "--ice-local-addresses", "127.0.0.1"],
  { stderr: "pipe" });
  consoleUrl = await consoleAddress(sender);
  startClassroom("village-a", 660, ws);
  startClassroom("village-b", 880, ws);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

after(async () => {
  await browser?.close();
  for (const child of Object.values(classrooms)) child.stdin.end();
  const unclean = await stopAll();
  xvfb?.kill();
  rmSync(workdir, { recursive: true, force: true });
  assert.deepEqual(unclean, [], "every program ends cleanly");
});

test("only the teacher gets in: the school's token, nobody else's", async () => {
  const state = await fetch(`${consoleUrl}console/state`);
  assert.equal(state.status, 401);
  for (const secret of ["wrong", tokens["village-a"]]) {
    const login = await fetch(`${consoleUrl}console/login`, { method: "POST", body: JSON.stringify({ secret }) });
    assert.equal(login.status, 401, `${secret} is refused`);
  }
  const bad = await fetch(`${consoleUrl}console/source`, { method: "POST",
    headers: { Authorization: `Bearer ${tokens.city}` }, body: JSON.stringify({ source: "projector" }) });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).message, /camera, screen, screen-camera or hold/);
  // A camera that is not there: refused with the reason; the test pattern takes its place and the
  // lesson's picture goes on (the preview below).
  const missing = await fetch(`${consoleUrl}console/device`, { method: "POST",
    headers: { Authorization: `Bearer ${tokens.city}` },
    body: JSON.stringify({ kind: "camera", id: "v4l2:/dev/video-not-there" }) });
  assert.equal(missing.status, 400);
  assert.match((await missing.json()).message, /cannot be used/);
  // Another microphone (the test tone again, made anew): the meter below shows it live.
  const microphone = await fetch(`${consoleUrl}console/device`, { method: "POST",
    headers: { Authorization: `Bearer ${tokens.city}` }, body: JSON.stringify({ kind: "microphone", id: "test" }) });
  assert.equal(microphone.status, 200);
  assert.equal((await microphone.json()).microphone, "test");

  await page.goto(consoleUrl);
  await page.fill("#secret", "wrong");
  await page.click("#login-form button");
  await page.waitForSelector("#login-error:text-matches('wrong token')");
  await page.fill("#secret", tokens.city);
  await page.click("#login-form button");
  await page.waitForSelector("#console", { state: "visible" });
});

test("before the lesson: today's lesson, the picture that will go out, the microphone's level", async () => {
  await page.waitForSelector("#today li:has-text('光的折射')");
  await page.waitForFunction(() => document.getElementById("preview").naturalWidth === 640);
  await page.waitForFunction(() => document.getElementById("meter").value > -40);
  assert.equal(await page.isVisible("#on-air.off"), true);
  // Another camera, chosen from the list, replaces the picture that goes out (the test pattern's
  // white bar at the top left, the moving ball's black background).
  const topLeft = () => page.evaluate(() => {
    const preview = document.getElementById("preview");
    const canvas = Object.assign(document.createElement("canvas"), { width: 640, height: 360 });
    canvas.getContext("2d").drawImage(preview, 0, 0);
    return [...canvas.getContext("2d").getImageData(20, 20, 1, 1).data.slice(0, 3)];
  });
  assert.ok((await topLeft()).every((v) => v > 150), "the test pattern's white bar");
  await page.selectOption("#camera", "test:ball");
  await waitFor(async () => (await topLeft()).every((v) => v < 60), "the ball's black background", 10);
  await page.selectOption("#camera", "test:smpte");
  await waitFor(async () => (await topLeft()).every((v) => v > 150), "the test pattern again", 10);
  await screenshot(page, "console-before");
  // Nobody is on the air yet: the classrooms wait.
  assert.equal(classroomStats("village-a").frames_decoded ?? 0, 0);
});

test("on the air: the classrooms' tiles, and the one booked but missing", async () => {
  await page.keyboard.press("g");
  await page.waitForSelector("#on-air.on:text-matches('ON AIR')");
  await page.waitForFunction(() => document.querySelectorAll(".tile").length === 2, null, { timeout: 30000 });
  await page.waitForSelector(".tile[data-school='village-a'] .status:text-matches('receiving')", { timeout: 30000 });
  await page.waitForSelector("#missing:text-matches('河口小学')");
  // The tiles show the classrooms' pictures (cut from the wall): their test camera's white ball
  // and name, not a black canvas.
  await page.waitForFunction(() => [...document.querySelectorAll(".tile canvas")].every((canvas) => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 450) lit++;
    return lit > data.length / 4 / 200;
  }), null, { timeout: 30000 });
  await waitFor(() => classroomStats("village-a").frames_decoded > 30, "the lesson at village-a", 30);
});

// The pixel at (x, y) of a PNG.
function pixel(png, x, y) {
  const i = (png.width * y + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}
const near = (a, b, tolerance) => a.every((v, i) => Math.abs(v - b[i]) <= tolerance);

test("'screen + camera' changes what a classroom decodes: the screen, the camera in its corner", async () => {
  const switched = Date.now();
  await page.click("[data-source='screen-camera']");
  await page.waitForSelector("[data-source='screen-camera'].active");
  const snapshot = join(workdir, "village-a.png");
  const png = await waitFor(() => {
    if (!existsSync(snapshot) || statSync(snapshot).mtimeMs < switched + 500) return null;
    const picture = PNG.sync.read(readFileSync(snapshot));
    return near(pixel(picture, 160, 270), SCREEN, 40) ? picture : null;
  }, "the screen's colour in the classroom's picture", 30);
  assert.equal(png.width, 640);
  // The camera's test pattern in the top-right quarter: its yellow and cyan bars.
  const corner = [];
  for (let x = 470; x < 630; x += 4) corner.push(pixel(png, x, 30));
  const sampled = JSON.stringify(corner);
  assert.ok(corner.some((p) => near(p, [255, 255, 0], 50)), `yellow bar in the corner: ${sampled}`);
  assert.ok(corner.some((p) => near(p, [0, 255, 255], 50)), `cyan bar in the corner: ${sampled}`);
  assert.ok(near(pixel(png, 100, 30), SCREEN, 40), "the corner only: the screen beside it");
  await screenshot(page, "console-screen-camera");

  // Hold: the card at the classroom, and the teacher's sound muted with it; back to the camera.
  const holding = Date.now();
  await page.keyboard.press("4");
  await page.waitForSelector("[data-source='hold'].active");
  const held = await (await fetch(`${consoleUrl}console/state`, { headers: { Authorization: `Bearer ${tokens.city}` } })).json();
  assert.equal(held.sound_muted, 1);
  await waitFor(() => existsSync(snapshot) && statSync(snapshot).mtimeMs > holding + 500 &&
    near(pixel(PNG.sync.read(readFileSync(snapshot)), 40, 40), CARD, 30), "the hold card at the classroom", 30);
  await page.keyboard.press("1");
  await page.waitForSelector("[data-source='camera'].active");
});

test("a raised hand, called on: the other classroom hears it; a question and a poll", async () => {
  classrooms["village-b"].stdin.write("hand\n");
  // (named as the timetable names them)
  await page.waitForSelector("#hands li:has-text('山后小学')");
  await page.click("#hands li:has-text('山后小学') button");
  await page.waitForSelector("#speaking li:has-text('山后小学')");
  await waitFor(() => classroomStats("village-a").audio_probe_permille > 50,
    "village-b's 880 Hz tone at village-a", 30);
  await page.waitForSelector(".tile.speaking[data-school='village-b']");

  classrooms["village-b"].stdin.write("ask 为什么筷子在水里看起来是弯的？\n");
  await page.waitForSelector("#questions li:has-text('筷子')");
  await page.fill("#poll-question", "光从空气进入水中会：A 偏折 B 直行");
  await page.selectOption("#poll-choices", "2");
  await page.click("#poll-form button[type=submit]");
  await waitFor(() => classroomStats("village-a").poll_open === 1, "the poll at village-a");
  classrooms["village-a"].stdin.write("answer A\n");
  await page.waitForSelector("#poll .bar:has-text('A') .n:text-is('1')", { timeout: 15000 });
  await screenshot(page, "console-lesson");
  await page.keyboard.press("h");
  await page.waitForSelector("#speaking li", { state: "detached" });
});

test("end of the lesson: the classrooms show it is over; the record is kept", async () => {
  page.once("dialog", (dialog) => dialog.accept());
  await page.keyboard.press("e");
  await page.waitForSelector("#on-air.off");
  await waitFor(() => classroomStats("village-a").card === "lesson-over" &&
    classroomStats("village-b").card === "lesson-over", "the classrooms' 'lesson over' card", 20);
  // The sender stays off the air although the lesson's time goes on.
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(senderStats().classrooms?.length ?? 0, 0);

  await page.waitForSelector("#record-body td:has-text('新庄小学')");
  await page.waitForSelector("#record-body li:has-text('筷子')");
  await page.waitForSelector("#record-body li:has-text('A 1')");
  await screenshot(page, "console-after");
  // IT staff read the same from the server, kept in its database.
  const record = await api("GET", `lessons/${lesson}/record`);
  assert.equal(record.status, 200);
  assert.deepEqual(record.body.questions.map((q) => q.school), ["village-b"]);
  assert.equal(record.body.polls[0].tally.A, 1);
  assert.deepEqual(record.body.polls[0].answers, { "village-a": "A" });
  // (a classroom that lost its connection and came back has two stays)
  assert.deepEqual([...new Set(record.body.attendance.map((a) => a.school))].sort(),
    ["village-a", "village-b"]);
  // A classroom's token does not read it.
  assert.equal((await api("GET", `lessons/${lesson}/record`, null, tokens["village-a"])).status, 403);
});

test("IT staff see the lesson's record beside the attendance", async () => {
  classrooms["village-b"].stdin.end();
  assert.equal(await stop(classrooms["village-b"]), 0);
  const staff = await browser.newPage();
  await staff.goto(base);
  await staff.fill("#token", ADMIN);
  await staff.click("#login-form button[type=submit]");
  await staff.click("button[data-tab=attendance]");
  await staff.click("#attendance-list tr[data-school='village-b'] button");
  await staff.waitForSelector("#lesson-record li:has-text('为什么筷子在水里看起来是弯的')");
  await staff.waitForSelector("#lesson-record li:has-text('A 1 · B 0')");
  await staff.waitForSelector("#lesson-record li:has-text('山后小学')");
  await screenshot(staff, "staff-lesson-record");
  await staff.close();
});
