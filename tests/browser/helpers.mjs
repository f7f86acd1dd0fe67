// What the browser tests share: starting and stopping the programs under test (every one must
// end cleanly), Debian's headless Chromium, screenshots, and waiting with a deadline.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const processes = [];

export function program(variable) {
  const path = process.env[variable];
  if (!path) throw new Error(`${variable} is not set: run the tests with meson test`);
  return path;
}

// Starts the program of @variable (LX_SENDER...) with @args; what it prints is read and dropped,
// its log goes to the test's (unless @options.stderr is "pipe": the caller reads it).
export function start(variable, args, options = {}) {
  const child = spawn(program(variable), args,
    { stdio: [options.stdin ?? "ignore", "pipe", options.stderr ?? "inherit"] });
  child.label = `${variable} ${args.join(" ")}`;
  child.stdout.resume(); // (read what it prints, or a full pipe would stall it)
  processes.push(child);
  return child;
}

// Stops @child (SIGTERM, SIGKILL after 5 s) and returns its exit status: every program the tests
// start must end cleanly — a sanitizer's report at shutdown, or a crash, fails the run.
export async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  }
  return child.exitCode;
}

// @child ends by itself with a status of its own (the test checks it): stopAll() leaves it be.
export function forget(child) {
  processes.splice(processes.indexOf(child), 1);
}

// Stops every program still running, last started first; the ones that did not end cleanly.
export async function stopAll() {
  const unclean = [];
  for (const child of processes.reverse()) {
    const status = await stop(child);
    if (status !== 0) unclean.push(`${child.label}: exit status ${status} (signal ${child.signalCode})`);
  }
  return unclean;
}

// The exit status of @child once it ends by itself, within @ms (null if it is still running).
export async function exitStatus(child, ms) {
  if (child.exitCode === null && child.signalCode === null)
    await Promise.race([new Promise((resolve) => child.once("exit", resolve)),
      new Promise((r) => setTimeout(r, ms))]);
  return child.exitCode;
}

// LX_SCREENSHOTS=DIR keeps a picture of each page there (docs/screenshots/ holds the ones checked
// by eye); without it nothing is written.
export async function screenshot(somePage, name) {
  if (process.env.LX_SCREENSHOTS)
    await somePage.screenshot({ path: join(process.env.LX_SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function waitFor(check, what, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${what}: not after ${seconds} s`);
}

// lianxiao-signaling on a free port with @args; its base URL once it listens.
export async function startSignaling(args) {
  const server = start("LX_SIGNALING", ["--address", "127.0.0.1", "--port", "0", ...args]);
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once("line", resolve);
    server.once("exit", () => reject(new Error("lianxiao-signaling did not start")));
  });
  return `http://127.0.0.1:${line.match(/127\.0\.0\.1:(\d+)/)[1]}`;
}

export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"],
  });
}
