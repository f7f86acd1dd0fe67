"""Lianxiao media benchmark (run it with bench/run).

Starts the real programs on 127.0.0.1 (lianxiao-signaling, one lianxiao-sender at 1280x720, 30 fps,
software H.264 on a moving test pattern, and headless lianxiao-receivers), reads their statistics
files, and measures the sender's CPU and memory from /proc. Every figure is compared with a naive
baseline measured in the same run, because absolute times on a shared machine drift.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import echo
import joint
import question
import links
import switch
import processes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
# meson test says where it built the programs; bench/run uses build/.
SIGNALING = os.environ.get("LX_SIGNALING", os.path.join(BUILD, "signaling", "lianxiao-signaling"))
SENDER = os.environ.get("LX_SENDER", os.path.join(BUILD, "sender", "lianxiao-sender"))
RECEIVER = os.environ.get("LX_RECEIVER", os.path.join(BUILD, "receiver", "lianxiao-receiver"))
FLOOR = os.environ.get("LX_BENCH_FLOOR", os.path.join(BUILD, "bench", "lx-bench-floor"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The lesson every scenario sends: 720p30 on moving content (one layer: these scenarios measure
# delay and fan-out cost, not layer choice), loopback only.
# The one-way lesson (the classrooms only watch; bench/joint.py measures the joint lesson).
SENDER_BASE = ["--layers", "1280x720@2500", "--framerate", "30",
               "--test-pattern", "ball", "--return-media=false",
               "--ice-local-addresses", "127.0.0.1", "--stats-interval-ms", "100"]
RECEIVER_BASE = ["--headless", "--ice-local-addresses", "127.0.0.1",
                 "--stats-interval-ms", "100"]

# The naive baseline: GStreamer's and x264's defaults.
NAIVE_SENDER = ["--x264-tune", "none", "--x264-speed-preset", "medium", "--bframes", "-1",
                "--x264-vbv-ms", "600"]
NAIVE_RECEIVER = ["--jitter-buffer-ms", "200", "--decoder-threading", "auto"]


class Run:
    """One scenario's processes, all on loopback, all stopped at the end."""

    def __init__(self, workdir, name, signaling_extra=()):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.processes = []
        # An ad-hoc lesson: the benchmark measures media, not the timetable.
        self.signaling = self._start([SIGNALING, "--port", "0", "--allow-unbooked-lessons",
                                      "--database", os.path.join(self.dir, "lianxiao.db")]
                                     + list(signaling_extra), "signaling", pipe=True)
        line = self.signaling.stdout.readline().decode()
        port = re.search(r"127\.0\.0\.1:(\d+)", line)
        if not port:
            raise RuntimeError(f"signaling server did not start: {line!r}")
        self.url = f"ws://127.0.0.1:{port.group(1)}/ws"
        self.sender = None

    def _start(self, argv, name, pipe=False):
        process = processes.start(argv, os.path.join(self.dir, name + ".log"), pipe)
        self.processes.append(process)
        return process

    def stats_path(self, name):
        return os.path.join(self.dir, name + ".json")

    def start_sender(self, extra=(), lesson="bench"):
        argv = [SENDER, "--server", self.url, "--lesson", lesson, "--school", "master",
                "--stats-json", self.stats_path("sender")] + SENDER_BASE + list(extra)
        self.sender = self._start(argv, "sender")
        return self.sender

    def start_receiver(self, name, extra=(), lesson="bench"):
        argv = [RECEIVER, "--server", self.url, "--lesson", lesson, "--school", name,
                "--stats-json", self.stats_path(name)] + RECEIVER_BASE + list(extra)
        return self._start(argv, name)

    def stats(self, name):
        return processes.read_json(self.stats_path(name))

    def wait(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {what} (logs in {self.dir})")

    def stop(self, process, timeout=10):
        processes.stop(process, timeout)

    def close(self):
        for process in reversed(self.processes):
            self.stop(process)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def spread(values):
    return (max(values) - min(values)) if values else 0


# ---- Scenarios ----

def measure_latency(workdir, label, sender_extra, receiver_extra, seconds):
    """Glass-to-glass delay of one classroom, over the last `seconds` of a run."""
    run = Run(workdir, label)
    try:
        run.start_sender(["--latency-stamp"] + sender_extra)
        run.start_receiver("classroom", receiver_extra)
        run.wait(lambda: run.stats("classroom").get("frames_decoded", 0) >= 60, 30,
                 "the classroom's first frames")
        # The delay window holds the last 300 frames (10 s at 30 fps): let it fill with steady state.
        time.sleep(seconds)
        stats = run.stats("classroom")
        sender = run.stats("sender")
        return {"p50": stats["g2g_p50_ms"], "p95": stats["g2g_p95_ms"],
                "p99": stats["g2g_p99_ms"], "samples": stats["g2g_samples"],
                "first_frame_ms": stats["first_frame_ms"],
                "encode_p50": sender["encode_p50_ms"], "decode_p50": stats["decode_p50_ms"]}
    finally:
        run.close()


def measure_first_frames(workdir, label, sender_extra, receiver_extra, joins):
    """Time from a receiver's start to its first correct picture, for classrooms joining one by one
    a running lesson."""
    run = Run(workdir, label)
    times = []
    try:
        run.start_sender(sender_extra)
        run.wait(lambda: run.stats("sender").get("frames_encoded", 0) >= 30, 20, "the sender")
        for i in range(joins):
            name = f"join-{i}"
            receiver = run.start_receiver(name, receiver_extra + ["--exit-after-frames", "1",
                                                                  "--timeout-s", "10"])
            receiver.wait(20)
            stats = run.stats(name)
            if receiver.returncode != 0 or stats.get("first_frame_ms", -1) < 0:
                raise RuntimeError(f"{name} got no picture (logs in {run.dir})")
            times.append(stats["first_frame_ms"])
            time.sleep(0.3)
        return times
    finally:
        run.close()


def measure_fan_out(workdir, label, sender_extra, classrooms, seconds, receiver_extra=()):
    """The sender's CPU and memory with `classrooms` receivers that count frames without decoding,
    and the share of the encoded frames each classroom received; the receivers' mean CPU, and the
    pictures per second the sender decodes from each classroom (a joint lesson)."""
    run = Run(workdir, label)
    try:
        sender = run.start_sender(sender_extra)
        names = [f"room-{i}" for i in range(classrooms)]
        receivers = [run.start_receiver(name, ["--decode", "false"] + list(receiver_extra))
                     for name in names]
        run.wait(lambda: run.stats("sender").get("classrooms_connected", 0) == classrooms, 60,
                 f"{classrooms} classrooms to connect")
        run.wait(lambda: all(run.stats(n).get("frames_decoded", 0) > 0 for n in names), 30,
                 "every classroom's first frame")
        time.sleep(2)  # settle: joins and their keyframes are over
        start_cpu, start_time = cpu_seconds(sender.pid), time.monotonic()
        start_receivers_cpu = sum(cpu_seconds(r.pid) for r in receivers)
        start_returned = returned_frames(run.stats("sender"))
        start_encoded = run.stats("sender")["frames_encoded"]
        start_frames = {n: run.stats(n)["frames_decoded"] for n in names}
        start_packets = {n: run.stats(n)["packets_received"] for n in names}
        time.sleep(seconds)
        elapsed = time.monotonic() - start_time
        cpu = (cpu_seconds(sender.pid) - start_cpu) / elapsed
        receivers_cpu = (sum(cpu_seconds(r.pid) for r in receivers) - start_receivers_cpu) / elapsed
        returned = returned_frames(run.stats("sender")) - start_returned
        encoded = run.stats("sender")["frames_encoded"] - start_encoded
        received = sum(run.stats(n)["frames_decoded"] - start_frames[n] for n in names)
        packets = sum(run.stats(n)["packets_received"] - start_packets[n] for n in names)
        memory = rss_mb(sender.pid)
        return {"classrooms": classrooms, "sender_cpu_cores": round(cpu, 4),
                "sender_rss_mb": round(memory, 1),
                "receiver_cpu_cores": round(receivers_cpu / classrooms, 4),
                "returned_fps_per_classroom": round(returned / classrooms / elapsed, 2),
                "packets_per_classroom_per_s": round(packets / classrooms / elapsed),
                "frames_decoded_ratio": round(received / (classrooms * encoded), 4) if encoded else 0}
    finally:
        run.close()


def returned_frames(sender_stats):
    """Pictures decoded from every classroom so far (a joint lesson's return video)."""
    return sum(c.get("return_frames", 0) for c in sender_stats.get("classrooms", []))


def measure_join_burst(workdir, label, sender_extra, joiners, watchers, window):
    """Ten classrooms join within one second while others watch: how many keyframes the watchers
    received beyond the scheduled ones (none are scheduled: 60 s interval), and their frame rate."""
    run = Run(workdir, label)
    try:
        run.start_sender(["--keyframe-interval-s", "60"] + sender_extra)
        watching = [f"watcher-{i}" for i in range(watchers)]
        for name in watching:
            run.start_receiver(name, ["--decode", "false"])
        run.wait(lambda: all(run.stats(n).get("frames_decoded", 0) >= 30 for n in watching), 30,
                 "the watching classrooms")
        time.sleep(1.5)
        before = {n: run.stats(n) for n in watching}
        started = time.monotonic()
        for i in range(joiners):
            run.start_receiver(f"joiner-{i}", ["--decode", "false"])
            time.sleep(1.0 / joiners)
        time.sleep(max(0.0, window - (time.monotonic() - started)))
        elapsed = time.monotonic() - started
        after = {n: run.stats(n) for n in watching}
        joined = sum(1 for i in range(joiners)
                     if run.stats(f"joiner-{i}").get("frames_decoded", 0) > 0)
        extra = [after[n]["keyframes"] - before[n]["keyframes"] for n in watching]
        fps = [(after[n]["frames_decoded"] - before[n]["frames_decoded"]) / elapsed
               for n in watching]
        return {"joiners": joiners, "joined_with_picture": joined,
                "extra_keyframes_per_watcher": max(extra),
                "watcher_fps_during_joins": round(min(fps), 1),
                "sender_keyframes_requested": run.stats("sender").get("keyframes_requested", 0)}
    finally:
        run.close()


def least_squares_slope(points):
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    denominator = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / denominator


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--only",
                        default="latency,first,burst,fan-out,joint,question,echo,switch,links",
                        help="comma-separated scenarios to run (default: all; links needs root)")
    parser.add_argument("--links", help="rural-link rows to run: parts of their names, separated by "
                        "';' (e.g. '1000 kbit/s, 150 ms;loss'; default: every row)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    for program in (SIGNALING, SENDER, RECEIVER, FLOOR):
        if not os.access(program, os.X_OK):
            sys.exit(f"bench: {program} is missing; run scripts/setup")

    repeats = 1 if args.quick else 3
    window = 6 if args.quick else 11
    # 32: the "32 classrooms from one 2-core sender at 1.000 of frames".
    fan_outs = [1, 4, 16] if args.quick else [1, 2, 4, 8, 16, 32]
    naive_fan_outs = [1, 2] if args.quick else [1, 2, 4]
    workdir = tempfile.mkdtemp(prefix="lianxiao-bench-")
    result = {"machine": {"cores": os.cpu_count()}, "runs": repeats}

    print(f"Lianxiao benchmark: 1280x720, 30 fps, x264, moving picture, loopback; {repeats} run(s)"
          f" per figure; work files in {workdir}\n", flush=True)

    if "latency" in only:
        measure_latency_table(workdir, result, repeats, window)
    if "first" in only:
        measure_first_table(workdir, result, 4 if args.quick else 10)
    if "burst" in only:
        measure_burst_table(workdir, result)
    if "fan-out" in only:
        measure_fan_out_table(workdir, result, fan_outs, naive_fan_outs, window)
    if "joint" in only:
        joint.measure_joint_table(measure_fan_out, workdir, result, 8 if args.quick else 16,
                                  window, repeats)
    if "question" in only:
        question.measure_question_table(Run, workdir, result, window, repeats)
    if "echo" in only:
        echo.measure_echo_table(Run, workdir, result, window, repeats)
    if "switch" in only:
        switch.measure_switch_table(Run, workdir, result, repeats, window, cpu_seconds)
    if "links" in only:
        links.measure_links_table((SIGNALING, SENDER, RECEIVER), workdir, result, args.quick,
                                  args.links.split(";") if args.links else None)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
        print(f"\nfigures written to {args.json}")
    shutil.rmtree(workdir, ignore_errors=True)


def measure_latency_table(workdir, result, repeats, window):
    tuned, naive = [], []
    for i in range(repeats):
        tuned.append(measure_latency(workdir, f"latency-tuned-{i}", [], [], window))
        naive.append(measure_latency(workdir, f"latency-naive-{i}", NAIVE_SENDER, NAIVE_RECEIVER,
                                     window))
    for key in ("p50", "p95", "p99"):
        result[f"g2g_{key}_ms"] = statistics.median(r[key] for r in tuned)
        result[f"naive_g2g_{key}_ms"] = statistics.median(r[key] for r in naive)
    result["g2g_p50_spread_ms"] = spread([r["p50"] for r in tuned])
    result["latency_runs"] = {"tuned": tuned, "naive": naive}
    for key in ("encode_p50", "decode_p50"):
        result[f"{key}_ms"] = round(statistics.median(r[key] for r in tuned), 2)
        result[f"naive_{key}_ms"] = round(statistics.median(r[key] for r in naive), 2)
    result["g2g_ratio_naive_over_tuned_p50"] = round(
        result["naive_g2g_p50_ms"] / max(result["g2g_p50_ms"], 1), 2)
    print("Glass-to-glass delay (capture → shown, ms), median of runs")
    print(f"  {'':8} {'p50':>6} {'p95':>6} {'p99':>6}")
    for label, prefix in (("tuned", ""), ("naive", "naive_")):
        print(f"  {label:8} " + " ".join(f"{result[f'{prefix}g2g_{k}_ms']:6}" for k in
                                         ("p50", "p95", "p99")))
    print(f"  naive/tuned at p50: {result['g2g_ratio_naive_over_tuned_p50']}x "
          f"(tuned p50 spread over runs: {result['g2g_p50_spread_ms']} ms)")
    print(f"  of which in the encoder (p50): tuned {result['encode_p50_ms']} ms, naive "
          f"{result['naive_encode_p50_ms']} ms; in the decoder: tuned {result['decode_p50_ms']} ms,"
          f" naive {result['naive_decode_p50_ms']} ms\n", flush=True)



def measure_first_table(workdir, result, joins):
    tuned_first = measure_first_frames(workdir, "first-tuned", [], [], joins)
    naive_first = measure_first_frames(workdir, "first-naive", NAIVE_SENDER + [
        "--min-keyframe-interval-ms", "0"], NAIVE_RECEIVER, joins)
    result["first_frame_p50_ms"] = statistics.median(tuned_first)
    result["first_frame_max_ms"] = max(tuned_first)
    result["naive_first_frame_p50_ms"] = statistics.median(naive_first)
    result["naive_first_frame_max_ms"] = max(naive_first)
    print(f"Time to first picture after a receiver starts ({joins} joins, ms)")
    print(f"  tuned  p50 {result['first_frame_p50_ms']:6}  max {result['first_frame_max_ms']:6}")
    print(f"  naive  p50 {result['naive_first_frame_p50_ms']:6}  "
          f"max {result['naive_first_frame_max_ms']:6}\n", flush=True)



def measure_burst_table(workdir, result):
    burst = measure_join_burst(workdir, "burst-gated", [], 10, 2, 4.0)
    ungated = measure_join_burst(workdir, "burst-ungated", ["--min-keyframe-interval-ms", "0"],
                                 10, 2, 4.0)
    result["join_burst"] = burst
    result["naive_join_burst"] = ungated
    print("Ten classrooms join within 1 s while two watch (4 s window)")
    print(f"  {'':22} {'extra keyframes':>16} {'watcher fps':>12} {'joined':>7}")
    for label, figures in (("merged requests", burst), ("every request (naive)", ungated)):
        print(f"  {label:22} {figures['extra_keyframes_per_watcher']:16} "
              f"{figures['watcher_fps_during_joins']:12} {figures['joined_with_picture']:7}")
    print(flush=True)



def measure_fan_out_table(workdir, result, fan_outs, naive_fan_outs, window):
    # The frame counts are snapshots taken 100 ms apart in each process: over 11 s, with 32
    # receivers read one after the other, their skew alone moves the ratio by ~1 %. 32 classrooms
    # count for 30 s.
    result["fan_out"] = [measure_fan_out(workdir, f"fan-out-{n}", [], n,
                                         window if n < 32 else max(window, 30))
                         for n in fan_outs]
    result["naive_fan_out"] = [measure_fan_out(workdir, f"naive-fan-out-{n}",
                                               ["--encoder-per-classroom"], n, window)
                               for n in naive_fan_outs]
    # What sending the packets beside webrtcbin saves: the same scenario with them pushed
    # through it, compared over the same numbers of classrooms.
    through_fan_outs = [n for n in fan_outs if n in (1, 4, 16)]
    result["through_webrtcbin_fan_out"] = [
        measure_fan_out(workdir, f"through-webrtcbin-{n}",
                        ["--send-beside-webrtcbin", "false"], n, window)
        for n in through_fan_outs]
    cpu_slope = least_squares_slope([(f["classrooms"], f["sender_cpu_cores"])
                                     for f in result["fan_out"]])
    memory_slope = least_squares_slope([(f["classrooms"], f["sender_rss_mb"])
                                        for f in result["fan_out"]])
    naive_slope = least_squares_slope([(f["classrooms"], f["sender_cpu_cores"])
                                       for f in result["naive_fan_out"]])
    result["cpu_per_classroom_cores"] = round(cpu_slope, 4)
    result["memory_per_classroom_mb"] = round(memory_slope, 2)
    result["naive_cpu_per_classroom_cores"] = round(naive_slope, 4)
    result["cpu_per_classroom_ratio_naive_over_tuned"] = round(naive_slope / max(cpu_slope, 1e-4),
                                                               1)
    through_slope = least_squares_slope([(f["classrooms"], f["sender_cpu_cores"])
                                         for f in result["through_webrtcbin_fan_out"]])
    beside_slope = least_squares_slope([(f["classrooms"], f["sender_cpu_cores"])
                                        for f in result["fan_out"]
                                        if f["classrooms"] in through_fan_outs])
    result["through_webrtcbin_cpu_per_classroom_cores"] = round(through_slope, 4)
    result["beside_webrtcbin_cpu_per_classroom_cores"] = round(beside_slope, 4)
    print("Fan-out: the sender with N classrooms (receivers count frames without decoding)")
    print(f"  {'N':>3} {'cpu (cores)':>12} {'rss (MB)':>9} {'frames received':>16}")
    for figures in result["fan_out"]:
        print(f"  {figures['classrooms']:3} {figures['sender_cpu_cores']:12.3f} "
              f"{figures['sender_rss_mb']:9.1f} {figures['frames_decoded_ratio']:16.3f}")
    print("  naive: one encoder per classroom")
    for figures in result["naive_fan_out"]:
        print(f"  {figures['classrooms']:3} {figures['sender_cpu_cores']:12.3f} "
              f"{figures['sender_rss_mb']:9.1f} {figures['frames_decoded_ratio']:16.3f}")
    print("  every packet through webrtcbin (send-beside-webrtcbin = false)")
    for figures in result["through_webrtcbin_fan_out"]:
        print(f"  {figures['classrooms']:3} {figures['sender_cpu_cores']:12.3f} "
              f"{figures['sender_rss_mb']:9.1f} {figures['frames_decoded_ratio']:16.3f}")
    print(f"  each extra classroom: {cpu_slope * 100:.2f} % of a core, {memory_slope:.2f} MB "
          f"(naive: {naive_slope * 100:.1f} % of a core, "
          f"{result['cpu_per_classroom_ratio_naive_over_tuned']}x)", flush=True)
    print(f"  over {', '.join(map(str, through_fan_outs))} classrooms: {beside_slope * 100:.2f} % "
          f"sent beside webrtcbin, {through_slope * 100:.2f} % through it "
          f"({through_slope / max(beside_slope, 1e-4):.2f}x)", flush=True)
    floor = measure_floor(statistics.median(f["packets_per_classroom_per_s"]
                                            for f in result["fan_out"]))
    result["floor"] = floor
    print(f"  the floor: SRTP {floor['own_srtp_ns'] / 1000:.1f} us (webrtcbin's srtpenc "
          f"{floor['srtp_ns'] / 1000:.1f} us) + a UDP send "
          f"{floor['udp_send_ns'] / 1000:.1f} us per packet, x {floor['packets_per_s']} packets/s "
          f"= {floor['cores'] * 100:.2f} % of a core per classroom; measured "
          f"{cpu_slope / max(floor['cores'], 1e-6):.1f}x the floor", flush=True)


def measure_floor(packets_per_s):
    """What encrypting and sending each packet costs here (bench/lx-bench-floor.c), times the
    packets a classroom gets each second: the least any sender could spend on a classroom."""
    output = subprocess.run([FLOOR], check=True, capture_output=True, text=True).stdout
    floor = json.loads(output)
    floor["packets_per_s"] = packets_per_s
    # What the sender pays: its own SRTP beside webrtcbin (srtpenc's, webrtcbin's, beside it).
    floor["cores"] = round(packets_per_s * (floor["own_srtp_ns"] + floor["udp_send_ns"]) / 1e9, 5)
    return floor


if __name__ == "__main__":
    main()
