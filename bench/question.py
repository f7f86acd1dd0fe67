"""The question's delay (issue 17): a called-on classroom's microphone to another classroom's
decoded sound. The asking classroom's test tone (2 kHz) beeps in the first 200 ms of every
wall-clock second — a probe in the sound, as the latency stamp is in the picture — and the
listening classroom notes when each beep starts in what it decodes (sound_delay_*): the way is
microphone, Opus, the network, the teacher's PC (jitter buffer, decoding, the lesson's mixer,
the lesson's Opus), the network, decoding. Against the teacher's own sound (440 Hz, beeping the
same way) to a classroom of the same lesson, measured the same way in the same run. Every run
kept; each figure its own median."""

import json
import statistics
import time
import urllib.request

ADMIN = "bench-admin-token"
QUESTION_HZ = "2000"  # (far from the teacher's 440 Hz: the 5 ms onset filter tells them apart)


def call_on(run, school):
    port = run.url.split(":")[2].split("/")[0]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/lessons/bench/floor", method="POST",
        data=json.dumps({"action": "call-on", "school": school}).encode(),
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"call-on {school}: {response.status}")


def measure_question(Run, workdir, label, seconds):
    run = Run(workdir, label, ["--admin-token", ADMIN])
    try:
        run.start_sender(["--return-media=true", "--wall", "headless",
                          "--test-tone-beeps=true"])
        run.start_receiver("asks", ["--microphone", "test", "--test-tone-hz", QUESTION_HZ,
                                    "--test-tone-beeps=true"])
        run.start_receiver("hears", ["--measure-tone-hz", QUESTION_HZ])
        run.start_receiver("watches", ["--measure-tone-hz", "440"])
        run.wait(lambda: run.stats("sender").get("classrooms_connected", 0) == 3, 60,
                 "three classrooms to connect")
        call_on(run, "asks")
        run.wait(lambda: run.stats("hears").get("sound_delay_samples", 0) >= 3, 30,
                 "the question's first beeps at the other classroom")
        time.sleep(seconds)
        hears, watches = run.stats("hears"), run.stats("watches")
        return {"question_p50_ms": hears["sound_delay_p50_ms"],
                "question_p95_ms": hears["sound_delay_p95_ms"],
                "question_samples": hears["sound_delay_samples"],
                "teacher_p50_ms": watches["sound_delay_p50_ms"],
                "teacher_p95_ms": watches["sound_delay_p95_ms"],
                "teacher_samples": watches["sound_delay_samples"]}
    finally:
        run.close()


def measure_question_table(Run, workdir, result, window, repeats):
    runs = [measure_question(Run, workdir, f"question-{i}", window) for i in range(repeats)]

    def median(key):
        return statistics.median(r[key] for r in runs)

    figures = {key: median(key) for key in runs[0]}
    figures["question_over_teacher"] = round(
        figures["question_p50_ms"] / max(figures["teacher_p50_ms"], 1e-3), 2)
    figures["runs"] = runs
    result["question"] = figures
    print(f"Question delay: a called-on classroom's microphone to another classroom's decoded "
          f"sound, against the teacher's microphone to a classroom; median of {repeats}")
    print(f"  question  p50 {figures['question_p50_ms']:6.1f} ms  p95 "
          f"{figures['question_p95_ms']:6.1f} ms")
    print(f"  teacher   p50 {figures['teacher_p50_ms']:6.1f} ms  p95 "
          f"{figures['teacher_p95_ms']:6.1f} ms")
    print(f"  the question takes {figures['question_over_teacher']}x the teacher's sound's time",
          flush=True)
