"""Soak: what a long day of sessions leaves in memory. Two lessons side by side, for --minutes
each run:

- lesson "restarts": one classroom that stays, its sender restarted every cycle, or its sender
  frozen (SIGSTOP) past the classroom's media timeout — a link cut — so the classroom negotiates
  a new session each time. Measures the receiver.
- lesson "churn": one sender that stays, a classroom visiting it (joins, plays, leaves) every
  cycle. Measures the sender.

After each session and two seconds of rest it prints both programs' resident size as one JSON
line, and at the end the growth per session after the first two (a straight line fitted through
the samples, kB per session). The same schedule runs twice: as built, and the naive baseline
(LX_MALLOC_DEFAULTS=1: glibc's defaults — an arena per thread, nothing trimmed) — with the
ratio. The webrtcbin each session used to keep (fixed, issue 15) is not in either.

  python3 bench/soak.py --minutes 30          # the issue's measure: 30 minutes a run
  python3 bench/soak.py --minutes 3           # a quick look
  python3 bench/soak.py --minutes 30 --naive-minutes 10 --build /tmp/other/build
"""

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time

import processes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
SIGNALING = SENDER = RECEIVER = None  # the programs, in the build folder chosen (main())


def use_build(build):
    global SIGNALING, SENDER, RECEIVER
    SIGNALING = os.path.join(build, "signaling", "lianxiao-signaling")
    SENDER = os.path.join(build, "sender", "lianxiao-sender")
    RECEIVER = os.path.join(build, "receiver", "lianxiao-receiver")
MEDIA_TIMEOUT_S = 3


def rss_kb(process):
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_frames(path, at_least, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if processes.read_json(path).get("frames_decoded", 0) >= at_least:
            return True
        time.sleep(0.2)
    return False


def slope(samples):
    """kB per session, least squares through (session, rss) after the first two sessions."""
    points = [(i, rss) for i, rss in enumerate(samples) if i >= 2]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    variance = sum((x - mean_x) ** 2 for x, _ in points)
    return round(covariance / variance, 1)


def run(minutes, env, label, work):
    port_file = os.path.join(work, f"{label}-signaling.log")
    signaling = processes.start([SIGNALING, "--address", "127.0.0.1", "--port", "0",
                                 "--allow-unbooked-lessons", "--database",
                                 os.path.join(work, f"{label}.db")], port_file, pipe=True)
    port = signaling.stdout.readline().decode().rsplit(":", 1)[1].split()[0]
    server = f"ws://127.0.0.1:{port}/ws"
    common = ["--server", server, "--ice-local-addresses", "127.0.0.1"]
    sender_argv = lambda lesson: [SENDER, *common, "--lesson", lesson, "--school", f"{lesson}-s",
                                  "--layers", "640x360@800", "--audio-source", "test"]
    receiver_argv = lambda lesson, school, stats: [
        RECEIVER, *common, "--lesson", lesson, "--school", school, "--headless",
        "--media-timeout-s", str(MEDIA_TIMEOUT_S), "--stats-json", stats]
    start = lambda argv, name: subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                                stderr=open(os.path.join(work, f"{label}-{name}.log"), "ab"))
    kept_stats = os.path.join(work, f"{label}-kept.json")
    restarting = start(sender_argv("restarts"), "restarting")
    kept = start(receiver_argv("restarts", "kept", kept_stats), "kept")
    staying = start(sender_argv("churn"), "staying")
    receiver_samples, sender_samples = [], []
    frames, cycle = 0, 0
    deadline = time.time() + minutes * 60
    try:
        while time.time() < deadline:
            frames = processes.read_json(kept_stats).get("frames_decoded", 0)
            # the receiver's next session: a restarted sender, or a frozen one (a link cut)
            if cycle % 2 == 0:
                processes.stop(restarting)
                restarting = start(sender_argv("restarts"), "restarting")
                event = "sender restart"
            else:
                restarting.send_signal(signal.SIGSTOP)
                time.sleep(MEDIA_TIMEOUT_S + 2)
                restarting.send_signal(signal.SIGCONT)
                event = "link cut"
            # the sender's next classroom visit, meanwhile
            visitor_stats = os.path.join(work, f"{label}-visitor.json")
            if os.path.exists(visitor_stats):
                os.unlink(visitor_stats)
            visitor = start(receiver_argv("churn", f"visitor{cycle}", visitor_stats), "visitor")
            visited = wait_frames(visitor_stats, 30)
            processes.stop(visitor)
            renegotiated = wait_frames(kept_stats, frames + 30)
            time.sleep(2)
            receiver_samples.append(rss_kb(kept))
            sender_samples.append(rss_kb(staying))
            print(json.dumps({"run": label, "session": cycle + 1, "event": event,
                              "receiver_played": renegotiated, "visitor_played": visited,
                              "receiver_rss_kb": receiver_samples[-1],
                              "sender_rss_kb": sender_samples[-1]}), flush=True)
            cycle += 1
    finally:
        for process in (kept, restarting, staying):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
            processes.stop(process)
        processes.stop(signaling)
    return {"sessions": cycle, "receiver_kb_per_session": slope(receiver_samples),
            "sender_kb_per_session": slope(sender_samples),
            "receiver_rss_kb": receiver_samples, "sender_rss_kb": sender_samples}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30, help="per run (default 30)")
    parser.add_argument("--naive-minutes", type=float, default=None,
                        help="the naive baseline's run (default: --minutes)")
    parser.add_argument("--build", default=BUILD,
                        help="the build folder whose programs run (default: build/; a copy "
                        "lets the tree be rebuilt meanwhile)")
    arguments = parser.parse_args()
    use_build(arguments.build)
    naive_minutes = arguments.naive_minutes or arguments.minutes
    work = tempfile.mkdtemp(prefix="lianxiao-soak-")
    print(f"Lianxiao soak: {arguments.minutes} min a run; logs in {work}", flush=True)
    results = {}
    for label, extra in (("tuned", {}), ("naive", {"LX_MALLOC_DEFAULTS": "1"})):
        env = dict(os.environ, **extra)
        env.pop("MALLOC_ARENA_MAX", None)
        minutes = arguments.minutes if label == "tuned" else naive_minutes
        results[label] = run(minutes, env, label, work)
        results[label]["minutes"] = minutes
    for who in ("receiver", "sender"):
        tuned = results["tuned"][f"{who}_kb_per_session"]
        naive = results["naive"][f"{who}_kb_per_session"]
        print(f"{who}: {tuned} kB kept per session as built, {naive} naive"
              + (f" (naive / built: {naive / tuned:.1f})" if tuned and naive and tuned > 0 else ""))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
