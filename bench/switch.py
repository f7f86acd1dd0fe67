"""A live source switch from the teacher's console (issue 18): what it costs the classrooms. The
sender captures a camera (the moving test pattern) and an X screen (Xvfb, painted one colour);
the console switches camera → screen → screen + camera → hold → camera ... while two classrooms
watch. Per switch, at each classroom: the keyframes received (target: at most one), the pictures
that came more than 100 ms after the one before (the receiver's freezes, and their total time:
target no frozen picture over 200 ms). Against the way a teacher switches without the console:
stopping the sender and starting it again with the other source, measured the same way in the
same run (the classroom's picture stops until the new sender's first keyframe arrives). Scheduled
keyframes are put 60 s apart so that none falls in a measured window. Every run kept; each figure
its own median."""

import json
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.request

PASSWORD = "bench-console"
SWITCHES = ["screen", "screen-camera", "camera", "hold", "camera", "screen", "camera",
            "screen-camera"]
SETTLE_S = 1.5  # after a switch, before its counters are read
SENDER_EXTRA = ["--keyframe-interval-s", "60", "--screen-source", "x11",
                "--console-address", "127.0.0.1:0", "--console-password", PASSWORD]


def start_screen(run):
    """An Xvfb display of the run's own, painted one colour; its name."""
    display = 80
    while os.path.exists(f"/tmp/.X11-unix/X{display}") or os.path.exists(f"/tmp/.X{display}-lock"):
        display += 1
    run._start(["Xvfb", f":{display}", "-screen", "0", "1280x720x24", "-nolisten", "tcp",
                "-noreset"], "xvfb")
    deadline = time.monotonic() + 10
    while not os.path.exists(f"/tmp/.X11-unix/X{display}"):
        if time.monotonic() > deadline:
            raise RuntimeError("Xvfb did not start")
        time.sleep(0.05)
    subprocess.run(["xsetroot", "-display", f":{display}", "-solid", "#2a7fff"], check=True)
    return f":{display}"


def console_url(run):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(os.path.join(run.dir, "sender.log"), errors="replace") as log:
            found = re.search(r"the teacher's console: (http://127\.0\.0\.1:\d+/)", log.read())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise RuntimeError(f"the sender's console did not start (logs in {run.dir})")


def show(url, source):
    request = urllib.request.Request(
        url + "console/source", method="POST", data=json.dumps({"source": source}).encode(),
        headers={"Authorization": f"Bearer {PASSWORD}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"source {source}: {response.status}")


COUNTERS = ("keyframes", "freezes", "freeze_ms", "frames_decoded")


def counters(run, school):
    stats = run.stats(school)
    return {key: stats.get(key, 0) for key in COUNTERS}


def deltas(before, after):
    return {key: after[key] - before[key] for key in COUNTERS}


def picture_resumes(run, school, frames, timeout):
    """Seconds until the classroom decodes pictures past @frames (polled every 20 ms)."""
    started = time.monotonic()
    run.wait(lambda: run.stats(school).get("frames_decoded", 0) > frames, timeout,
             "the picture back at the classroom")
    return time.monotonic() - started


def measure_switch(Run, workdir, label):
    run = Run(workdir, label)
    try:
        display = start_screen(run)
        sender_args = SENDER_EXTRA + ["--screen-display", display]
        run.start_sender(sender_args)
        url = console_url(run)
        for school in ("a", "b"):
            run.start_receiver(school)
        run.wait(lambda: all(run.stats(s).get("frames_decoded", 0) >= 90 for s in ("a", "b")),
                 60, "both classrooms' pictures")
        switches = []
        for source in SWITCHES:
            before = {s: counters(run, s) for s in ("a", "b")}
            show(url, source)
            time.sleep(SETTLE_S)
            switches.append({"source": source, **{s: deltas(before[s], counters(run, s))
                                                  for s in ("a", "b")}})
        # The baseline: the sender stopped and started again with another source (the frozen
        # time is the classroom's own measure: its last picture to its next).
        before = {s: counters(run, s) for s in ("a", "b")}
        run.stop(run.sender)
        run.start_sender(sender_args + ["--start-source", "screen"])
        run.wait(lambda: all(run.stats(s).get("freezes", 0) > before[s]["freezes"] and
                             run.stats(s).get("frames_decoded", 0) >
                             before[s]["frames_decoded"] + 30 for s in ("a", "b")),
                 60, "the restarted sender's pictures")
        restart = {s: deltas(before[s], counters(run, s)) for s in ("a", "b")}
        return {"switches": switches, "restart": restart}
    finally:
        run.close()


def watch_preview(url, stop):
    """A console open on the preview: reads the MJPEG stream until @stop is set."""
    request = urllib.request.Request(url + "console/preview.mjpg",
                                     headers={"Authorization": f"Bearer {PASSWORD}"})
    with urllib.request.urlopen(request, timeout=10) as stream:
        while not stop.is_set():
            stream.read(65536)


def measure_cost(Run, workdir, label, console, seconds, cpu_seconds):
    """The sender's CPU (cores) with one classroom: plain (camera → encoders), or with the
    console's parts (the compositor, an X screen captured, the preview encoded for one viewer)."""
    run = Run(workdir, label)
    stop = threading.Event()
    try:
        extra = []
        if console:
            extra = SENDER_EXTRA + ["--screen-display", start_screen(run)]
        sender = run.start_sender(extra)
        run.start_receiver("a")
        run.wait(lambda: run.stats("a").get("frames_decoded", 0) >= 60, 60, "the picture")
        if console:
            threading.Thread(target=watch_preview, args=(console_url(run), stop),
                             daemon=True).start()
        time.sleep(1)
        start_cpu, start = cpu_seconds(sender.pid), time.monotonic()
        time.sleep(seconds)
        return round((cpu_seconds(sender.pid) - start_cpu) / (time.monotonic() - start), 3)
    finally:
        stop.set()
        run.close()


def summarise(run):
    """Per classroom and switch: keyframes, freezes, frozen ms; their worst and sums."""
    rows = [row[s] for row in run["switches"] for s in ("a", "b")]
    return {"keyframes_per_switch_max": max(r["keyframes"] for r in rows),
            "keyframes_per_switch_mean": round(statistics.fmean(r["keyframes"] for r in rows), 2),
            "freezes_per_switch_max": max(r["freezes"] for r in rows),
            "frozen_ms_per_switch_max": max(r["freeze_ms"] for r in rows),
            "restart_keyframes": max(run["restart"][s]["keyframes"] for s in ("a", "b")),
            "restart_frozen_ms": max(run["restart"][s]["freeze_ms"] for s in ("a", "b"))}


def measure_switch_table(Run, workdir, result, repeats, window, cpu_seconds):
    runs = [measure_switch(Run, workdir, f"switch-{i}") for i in range(repeats)]
    costs = [{"plain": measure_cost(Run, workdir, f"cost-plain-{i}", False, window, cpu_seconds),
              "console": measure_cost(Run, workdir, f"cost-console-{i}", True, window, cpu_seconds)}
             for i in range(repeats)]
    summaries = [summarise(r) for r in runs]
    figures = {key: statistics.median(s[key] for s in summaries) for key in summaries[0]}
    # (a console switch's frozen time is 0 when no picture waited over 100 ms: the ratio is
    # against that threshold, a lower bound)
    figures["restart_over_switch_frozen"] = round(
        figures["restart_frozen_ms"] / max(figures["frozen_ms_per_switch_max"], 100), 1)
    figures["sender_cores_plain"] = statistics.median(c["plain"] for c in costs)
    figures["sender_cores_console"] = statistics.median(c["console"] for c in costs)
    figures["console_over_plain"] = round(
        figures["sender_cores_console"] / max(figures["sender_cores_plain"], 1e-3), 2)
    figures["summaries"] = summaries
    figures["runs"] = runs
    figures["cost_runs"] = costs
    result["switch"] = figures
    print(f"Source switch from the console ({len(SWITCHES)} switches, 2 classrooms), against "
          f"restarting the sender with the other source; median of {repeats}")
    print(f"  console switch: keyframes per switch at most {figures['keyframes_per_switch_max']} "
          f"(mean {figures['keyframes_per_switch_mean']}), freezes over 100 ms at most "
          f"{figures['freezes_per_switch_max']}, frozen at most "
          f"{figures['frozen_ms_per_switch_max']} ms")
    print(f"  sender restart: frozen {figures['restart_frozen_ms']} ms, "
          f"{figures['restart_keyframes']} keyframes (at least "
          f"{figures['restart_over_switch_frozen']}x the console's worst)")
    print(f"  the sender's CPU, one classroom: {figures['sender_cores_console']} of a core with the "
          f"console (compositor, screen captured, preview watched) against "
          f"{figures['sender_cores_plain']} without ({figures['console_over_plain']}x)", flush=True)
