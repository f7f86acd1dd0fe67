"""Echo cancelling (issue 17): two classrooms whose microphones hear the lesson from their own
speakers (simulated: what they play, 60 ms later, 6 dB quieter) besides their own 880 Hz; one
sends it through webrtcdsp, the other uncancelled (the naive baseline, in the same lesson). The
figure: the teacher's 440 Hz in what each microphone sends, and how many dB cancelling takes off
(the issue's target: at least 25). Every run kept; each figure its own median."""

import statistics
import time


def measure_echo(Run, workdir, label, seconds):
    run = Run(workdir, label)
    try:
        run.start_sender(["--return-media=true", "--wall", "off"])
        common = ["--microphone", "test", "--test-tone-hz", "880", "--simulated-echo-ms", "60",
                  "--simulated-echo-db", "-6", "--measure-tone-hz", "440"]
        run.start_receiver("uncancelled", common + ["--echo-cancel=false"])
        run.start_receiver("cancelled", common + ["--echo-cancel=true"])
        run.wait(lambda: all(run.stats(n).get("audio_tone_hz", 0) >= 430
                             for n in ("uncancelled", "cancelled")), 60, "the lesson's sound")
        time.sleep(5)  # (the canceller adapts)
        readings = {"uncancelled": [], "cancelled": []}
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for name in readings:
                readings[name].append(run.stats(name)["microphone_probe_db"])
            time.sleep(0.5)
        figures = {f"{name}_db": statistics.median(values) for name, values in readings.items()}
        figures["cancelled_by_db"] = round(figures["uncancelled_db"] - figures["cancelled_db"], 1)
        figures["readings"] = readings
        return figures
    finally:
        run.close()


def measure_echo_table(Run, workdir, result, window, repeats):
    runs = [measure_echo(Run, workdir, f"echo-{i}", window) for i in range(repeats)]
    figures = {key: statistics.median(r[key] for r in runs)
               for key in ("uncancelled_db", "cancelled_db", "cancelled_by_db")}
    figures["runs"] = runs
    result["echo"] = figures
    print(f"Echo: the teacher's tone in what a classroom's microphone sends, its speakers' echo "
          f"simulated (60 ms, -6 dB); median of {repeats}")
    print(f"  uncancelled {figures['uncancelled_db']:6.1f} dBFS   cancelled "
          f"{figures['cancelled_db']:6.1f} dBFS   -> {figures['cancelled_by_db']:.1f} dB less",
          flush=True)
