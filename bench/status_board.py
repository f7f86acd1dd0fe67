"""The live board's cost on the server: GET /api/v1/status with one lesson of N booked classrooms
(each named, with when it was last seen and why it is not there — issue 14), the median of R
requests, every request kept. A board open in a browser asks for this once a second.

  python3 bench/status_board.py build/signaling/lianxiao-signaling 200 200
  python3 bench/status_board.py OTHER/lianxiao-signaling 200 200     # another build, to compare
"""

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def main():
    binary, count, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    work = tempfile.mkdtemp(prefix="lx-status-board-")
    server = subprocess.Popen([binary, "--address", "127.0.0.1", "--port", "0", "--database",
                               work + "/lianxiao.db", "--admin-token", "bench"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = re.search(r"127\.0\.0\.1:(\d+)", server.stdout.readline()).group(1)
        api = f"http://127.0.0.1:{port}/api/v1/"

        def call(method, path, body=None):
            request = urllib.request.Request(
                api + path, method=method, data=json.dumps(body).encode() if body else None,
                headers={"Authorization": "Bearer bench", "Content-Type": "application/json"})
            with urllib.request.urlopen(request) as answer:
                return answer.read()

        call("POST", "schools", {"id": "city", "name": "City"})
        for i in range(count):
            call("POST", "schools", {"id": f"v{i}", "name": f"村小 {i}"})
        now = time.time()
        at = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
        call("POST", "lessons", {"title": "bench", "sender": "city",
                                 "receivers": [f"v{i}" for i in range(count)],
                                 "start": at(now - 60), "end": at(now + 3600), "time_zone": "UTC"})
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            body = call("GET", "status")
            times.append((time.perf_counter() - start) * 1000)
        assert len(json.loads(body)[0]["classrooms"]) == count
        print(json.dumps({"classrooms": count, "runs": runs,
                          "median_ms": round(statistics.median(times), 3),
                          "max_ms": round(max(times), 3), "all_ms": [round(t, 3) for t in times]}))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
