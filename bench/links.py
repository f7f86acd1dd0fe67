"""Rural links: one classroom behind an impaired link (tests/lx-netlab: network namespaces, nftables
random loss, tc tbf bandwidth caps with a modem's queue, a delay line for the round trip), with
loss recovery and layer adaptation on, and off (the naive baseline: no retransmission, no FEC, the
top layer whatever the link), in the same run.

Needs root (network namespaces); says why and skips otherwise. Figures, over a window that starts
5 s after the classroom's first picture: frames shown / frames sent, time frozen (waits over 100 ms
for the next picture), sound missing, the layer the classroom ended on and, for a capacity drop,
how long the sender took to step down. Target rows run three times and report each figure's own
median, every run kept in the JSON; a row short of its target is marked.
"""

import os
import re
import statistics
import subprocess
import time

import processes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETLAB = os.path.join(ROOT, "tests", "lx-netlab")
LAB = f"lxb{os.getpid()}"
HUB, ROOM = f"{LAB}-hub", f"{LAB}-c1"

# The sender's default layers (configs/sender.conf), largest first, and their video bitrates.
LAYERS = [("1280x720", 2500), ("640x360", 700), ("320x180", 250)]
WARM_UP_S = 5  # the figures start this long after the first picture
TARGET_REPEATS = 3
TARGET_FROZEN = 0.02  # capped links and 5 % loss: frozen under 2 % of the time
DROP_HANDLED_S = 2.0  # a capacity drop handled within 2 s


def fitting_layer(kbit):
    """The largest layer a link of kbit/s carries with its audio, RTP and repair overhead."""
    for size, video_kbps in LAYERS:
        if video_kbps * 1.15 + 64 <= kbit:
            return size
    return "paused"


def case(label, steps, rtt_ms=0, seconds=20, target=None):
    """A row: steps are (seconds into the window, lx-netlab verb, value); those at 0 apply before
    the classroom starts."""
    return {"label": label, "steps": steps, "rtt_ms": rtt_ms, "seconds": seconds,
            "target": target}


def capped(kbit, rtt_ms):
    return case(f"{kbit} kbit/s, {rtt_ms} ms", [(0, "rate", kbit)], rtt_ms,
                target={"frozen": TARGET_FROZEN, "layer": fitting_layer(kbit)})


def capacity_drop(rtt_ms):
    """3000 kbit/s, down to 800 kbit/s 10 s into the window, back 10 s later; 20 s more to climb
    back (the layer is judged at the end)."""
    return case(f"3000→800→3000, {rtt_ms} ms",
                [(0, "rate", 3000), (10, "rate", 800), (20, "rate", 3000)], rtt_ms, seconds=40,
                target={"frozen": TARGET_FROZEN, "layer": fitting_layer(3000),
                        "drop_layer": fitting_layer(800), "drop_handled_s": DROP_HANDLED_S})


ROUND_TRIPS_MS = [50, 150, 300]
FULL_CASES = ([case("clean", []),
               case("2 % loss", [(0, "loss", 2)]),
               case("5 % loss", [(0, "loss", 5)],
                    target={"frozen": 0.01, "frames": 0.99, "layer": "1280x720"}),
               case("10 % loss", [(0, "loss", 10)]),
               case("20 % loss", [(0, "loss", 20)], target={"frames": 0.95, "audio": 0.99})]
              + [capped(kbit, rtt) for rtt in ROUND_TRIPS_MS for kbit in (600, 1000, 2000, 3000)]
              + [capacity_drop(rtt) for rtt in ROUND_TRIPS_MS])
QUICK_CASES = [case("5 % loss", [(0, "loss", 5)], seconds=8), capped(1000, 150)]
QUICK_CASES[1]["seconds"] = 8

RECOVERY_OFF_SENDER = ["--loss-recovery=false", "--adapt-layers=false"]
RECOVERY_OFF_RECEIVER = ["--loss-recovery=false"]


def available():
    """None if links (with delay) can be built here, else why not."""
    for verb in ("check", "check-delay"):
        result = subprocess.run([NETLAB, verb], capture_output=True, text=True)
        if result.returncode != 0:
            return result.stdout.strip() or f"lx-netlab {verb} failed"
    return None


def netlab(*args):
    subprocess.run([NETLAB, *map(str, args)], check=True, capture_output=True)


def sender_layer(sender):
    classrooms = sender.get("classrooms", [])
    return classrooms[0].get("layer_size", "?") if classrooms else "none"


def is_at_most(size, limit):
    """Whether layer size is limit or a smaller one ("paused" counts as smallest)."""
    order = [s for s, _ in LAYERS] + ["paused"]
    return size in order and limit in order and order.index(size) >= order.index(limit)


def run_case(programs, workdir, name, row, recovery):
    signaling, sender_program, receiver_program = programs
    directory = os.path.join(workdir, name)
    os.makedirs(directory, exist_ok=True)
    running = []

    def start(argv, log, namespace, pipe=False):
        process = processes.start(["ip", "netns", "exec", namespace] + argv,
                                  os.path.join(directory, log), pipe)
        running.append(process)
        return process

    netlab("sweep", "lxb")  # labs of benchmark runs that were interrupted
    netlab("up", LAB, 1)
    try:
        if row["rtt_ms"]:
            netlab("delay", LAB, 1, row["rtt_ms"] // 2, row["rtt_ms"] - row["rtt_ms"] // 2)
        server = start([signaling, "--address", "0.0.0.0", "--port", "0",
                        "--allow-unbooked-lessons", "--database",
                        os.path.join(directory, "lianxiao.db")], "signaling.log", HUB, pipe=True)
        port = re.search(r":(\d+)/", server.stdout.readline().decode()).group(1)
        sender_stats = os.path.join(directory, "sender.json")
        room_stats = os.path.join(directory, "classroom.json")
        start([sender_program, "--server", f"ws://127.0.0.1:{port}/ws", "--lesson", "bench",
               "--school", "master", "--ice-local-addresses", "198.18.1.1", "--stats-json",
               sender_stats, "--stats-interval-ms", "200"]
              + ([] if recovery else RECOVERY_OFF_SENDER), "sender.log", HUB)
        for at, verb, value in row["steps"]:
            if at == 0:
                netlab(verb, LAB, 1, value)
        start([receiver_program, "--server", f"ws://198.18.1.1:{port}/ws", "--lesson", "bench",
               "--school", "village", "--ice-local-addresses", "198.18.1.2", "--headless",
               "--stats-json", room_stats, "--stats-interval-ms", "200"]
              + ([] if recovery else RECOVERY_OFF_RECEIVER), "classroom.log", ROOM)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and processes.read_json(room_stats).get("frames_decoded", 0) < 1:
            time.sleep(0.1)
        first_picture = processes.read_json(room_stats).get("frames_decoded", 0) > 0
        time.sleep(WARM_UP_S)
        before_room, before_sender = processes.read_json(room_stats), processes.read_json(sender_stats)
        started = time.monotonic()
        later = sorted(step for step in row["steps"] if step[0] > 0)
        drop_at, drop_handled_s = None, None
        while time.monotonic() - started < row["seconds"]:
            now = time.monotonic() - started
            while later and later[0][0] <= now:
                _, verb, value = later.pop(0)
                netlab(verb, LAB, 1, value)
                if drop_at is None and verb == "rate" and value < 3000:
                    drop_at = time.monotonic()
            target = row["target"] or {}
            if drop_at is not None and drop_handled_s is None and is_at_most(
                    sender_layer(processes.read_json(sender_stats)), target.get("drop_layer", "")):
                drop_handled_s = round(time.monotonic() - drop_at, 1)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        room, sender = processes.read_json(room_stats), processes.read_json(sender_stats)
        delta = lambda key, a, b: b.get(key, 0) - a.get(key, 0)
        sent = delta("frames_encoded", before_sender, sender)
        figures = {
            "frames_shown_ratio": round(delta("frames_decoded", before_room, room) / sent, 3)
            if sent and first_picture else 0.0,
            "frozen_share": round(min(1.0, delta("freeze_ms", before_room, room) / (elapsed * 1000)),
                                  3) if first_picture else 1.0,
            "audio_share": round(min(1.0, delta("audio_ms", before_room, room) / (elapsed * 1000)),
                                 3),
            "audio_gap_ms": delta("audio_gap_ms", before_room, room),
            "layer": sender_layer(sender),
            "shown_size": f"{room.get('width', 0)}x{room.get('height', 0)}",
        }
        if drop_at is not None:
            figures["drop_handled_s"] = drop_handled_s  # None: never stepped down
        return figures
    finally:
        for process in reversed(running):
            processes.stop(process)
        netlab("down", LAB)


def median_figures(runs):
    """Each figure's own median over the runs (the layer: the median by size)."""
    order = [s for s, _ in LAYERS] + ["paused", "none", "?"]
    figures = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        if key in ("layer", "shown_size"):
            ranked = sorted(values, key=lambda v: order.index(v) if v in order else len(order))
            figures[key] = ranked[len(ranked) // 2]
        elif key == "drop_handled_s":
            # a run that never stepped down counts as the slowest
            ranked = sorted(values, key=lambda v: float("inf") if v is None else v)
            figures[key] = ranked[len(ranked) // 2]
        else:
            figures[key] = round(statistics.median(values), 3)
    return figures


def shortfalls(figures, target):
    """What of the target the figures miss, in words ([] when none or no target)."""
    missed = []
    if not target:
        return missed
    if "frozen" in target and figures["frozen_share"] >= target["frozen"]:
        missed.append(f"frozen ≥ {target['frozen'] * 100:.0f} %")
    if "frames" in target and figures["frames_shown_ratio"] < target["frames"]:
        missed.append(f"frames < {target['frames']:.2f}")
    if "audio" in target and figures["audio_share"] < target["audio"]:
        missed.append(f"sound < {target['audio'] * 100:.0f} %")
    if "layer" in target and figures["layer"] != target["layer"]:
        missed.append(f"layer not {target['layer']}")
    if "drop_handled_s" in target and (figures.get("drop_handled_s") is None or
                                       figures["drop_handled_s"] > target["drop_handled_s"]):
        missed.append(f"drop not handled within {target['drop_handled_s']:.0f} s")
    return missed


def measure_links_table(programs, workdir, result, quick, labels=None):
    why = available()
    if why:
        print(f"Rural links: skipped ({why})\n", flush=True)
        result["links_skipped"] = why
        return
    cases = QUICK_CASES if quick else FULL_CASES
    if labels:
        cases = [row for row in cases if any(label in row["label"] for label in labels)]
    rows = []
    print(f"Rural links: one classroom behind the link, from {WARM_UP_S} s after its first picture;"
          " recovery = NACK/RTX + ULPFEC + Opus FEC + layer choice; off = none of them, top layer;"
          f" target rows: each figure's median of {1 if quick else TARGET_REPEATS} runs")
    print(f"  {'link':24} {'':9} {'frames shown':>12} {'frozen':>7} {'sound':>6} "
          f"{'sound gaps':>10} {'layer':>9} {'drop':>6}")
    for spec in cases:
        label = spec["label"]
        row = {"link": label, "rtt_ms": spec["rtt_ms"], "target": spec["target"]}
        for mode, recovery in (("recovery", True), ("off", False)):
            repeats = TARGET_REPEATS if recovery and spec["target"] and not quick else 1
            runs = []
            for run in range(repeats):
                slug = re.sub(r"[^a-z0-9]+", "-", f"{label}-{mode}-{run}".lower())
                runs.append(run_case(programs, workdir, f"links-{slug}", spec, recovery))
            figures = median_figures(runs)
            figures["runs"] = runs
            row[mode] = figures
            missed = shortfalls(figures, spec["target"]) if recovery else []
            row["short_of_target"] = missed if recovery else row.get("short_of_target", [])
            drop = figures.get("drop_handled_s", "")
            print(f"  {label:24} {mode:9} {figures['frames_shown_ratio']:12.3f} "
                  f"{figures['frozen_share'] * 100:6.1f}% {figures['audio_share'] * 100:5.1f}% "
                  f"{figures['audio_gap_ms']:8} ms {figures['layer']:>9} "
                  f"{'never' if drop is None else drop:>6}"
                  + (f"  ✗ short of target: {', '.join(missed)}" if missed else
                     "  ✓ target met" if recovery and spec["target"] else ""), flush=True)
        off = row["off"]["frames_shown_ratio"]
        row["frames_shown_ratio_recovery_over_off"] = (
            round(row["recovery"]["frames_shown_ratio"] / off, 2) if off else None)
        rows.append(row)
    result["links"] = rows
    print(flush=True)
