"""The joint lesson's cost (issue 17): the teacher's PC with N classrooms that each send their
picture back (a 320x180 15 fps test camera, decoded onto the wall), against the one-way lesson
with the same classrooms in the same run; and what sending its picture adds to a classroom.
Alternating runs of each, every run kept."""

import statistics

JOINT_SENDER = ["--return-media=true", "--wall", "headless"]
CAMERA = ["--camera", "test"]


def measure_joint_table(measure_fan_out, workdir, result, classrooms, window, repeats):
    one_way, joint = [], []
    for i in range(repeats):
        one_way.append(measure_fan_out(workdir, f"one-way-{classrooms}-{i}", [], classrooms,
                                       window))
        joint.append(measure_fan_out(workdir, f"joint-{classrooms}-{i}", JOINT_SENDER,
                                     classrooms, window, CAMERA))

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    figures = {
        "classrooms": classrooms,
        "one_way_sender_cpu_cores": median(one_way, "sender_cpu_cores"),
        "joint_sender_cpu_cores": median(joint, "sender_cpu_cores"),
        "one_way_sender_rss_mb": median(one_way, "sender_rss_mb"),
        "joint_sender_rss_mb": median(joint, "sender_rss_mb"),
        "one_way_receiver_cpu_cores": median(one_way, "receiver_cpu_cores"),
        "joint_receiver_cpu_cores": median(joint, "receiver_cpu_cores"),
        "returned_fps_per_classroom": median(joint, "returned_fps_per_classroom"),
        "lesson_frames_ratio": median(joint, "frames_decoded_ratio"),
        "runs": {"one_way": one_way, "joint": joint},
    }
    figures["sender_cpu_ratio_joint_over_one_way"] = round(
        figures["joint_sender_cpu_cores"] / max(figures["one_way_sender_cpu_cores"], 1e-4), 2)
    figures["classroom_added_cpu_cores"] = round(
        figures["joint_receiver_cpu_cores"] - figures["one_way_receiver_cpu_cores"], 4)
    result["joint"] = figures
    print(f"Joint lesson: the teacher's PC with {classrooms} classrooms each sending its picture "
          f"(320x180, 15 fps) to the wall, against the one-way lesson; median of {repeats}")
    print(f"  {'':10} {'sender cpu':>11} {'rss (MB)':>9} {'a classroom cpu':>16}")
    print(f"  {'one-way':10} {figures['one_way_sender_cpu_cores']:11.3f} "
          f"{figures['one_way_sender_rss_mb']:9.1f} {figures['one_way_receiver_cpu_cores']:16.3f}")
    print(f"  {'joint':10} {figures['joint_sender_cpu_cores']:11.3f} "
          f"{figures['joint_sender_rss_mb']:9.1f} {figures['joint_receiver_cpu_cores']:16.3f}")
    print(f"  the teacher's PC: {figures['sender_cpu_ratio_joint_over_one_way']}x the one-way "
          f"lesson's CPU; each classroom's picture arrives at "
          f"{figures['returned_fps_per_classroom']} fps; the lesson reaches "
          f"{figures['lesson_frames_ratio']} of its frames; sending its picture costs a classroom "
          f"{figures['classroom_added_cpu_cores'] * 100:.1f} % of a core", flush=True)
