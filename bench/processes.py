"""What every benchmark scenario does with the programs it runs: start one with its output in a log,
stop it (SIGTERM, then SIGKILL after a timeout), read the statistics file it rewrites."""

import json
import signal
import subprocess


def start(argv, log_path, pipe=False):
    """Starts argv with stderr (and stdout, unless pipe) going to log_path."""
    log = open(log_path, "wb")
    return subprocess.Popen(argv, stdout=subprocess.PIPE if pipe else log, stderr=log,
                            stdin=subprocess.DEVNULL)


def stop(process, timeout=10):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_json(path):
    """The JSON object in path, or {} while it is missing or half written."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}
