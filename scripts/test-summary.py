#!/usr/bin/env python3
"""The closing lines of a test run, from meson's log (build*/meson-logs/testlog.json): how many
suites passed, failed and were skipped, and every skip — a whole suite, or one subtest of a suite
that otherwise ran (meson counts a suite as skipped only when all of it skips) — with its reason.

With LX_NO_SKIPS=1 (what .ci/run sets: CI runs as root with every package installed, so nothing
may be missing there) any skip fails the run. Exit status: 1 then, else 0.

  scripts/test-summary.py build/meson-logs/testlog.json [LABEL]
"""
import json
import os
import re
import sys

SUBTEST_SKIP = re.compile(r"^ok \d+ (\S+) # SKIP\s*(.*)$", re.IGNORECASE)


def main():
    path = sys.argv[1]
    label = f"{sys.argv[2]}: " if len(sys.argv) > 2 else ""
    passed = failed = skipped = 0
    skips = []
    with open(path) as log:
        for line in log:
            entry = json.loads(line)
            output = entry.get("stdout") or ""
            if entry["result"] == "OK":
                passed += 1
            elif entry["result"] == "SKIP":
                skipped += 1
                reason = next((l for l in output.splitlines() if "SKIP" in l), "").strip()
                skips.append(f"{entry['name']} (the whole suite) {reason}")
            else:
                failed += 1
            for text in output.splitlines():
                match = SUBTEST_SKIP.match(text.strip())
                if match and entry["result"] != "SKIP":
                    skips.append(f"{entry['name']} {match.group(1)}: {match.group(2)}")
    print(f"{label}{passed} passed, {failed} failed, {skipped} skipped")
    for skip in skips:
        print(f"  skipped: {skip}")
    if skips and os.environ.get("LX_NO_SKIPS") == "1":
        print(f"{label}{len(skips)} skipped where nothing may be missing (LX_NO_SKIPS=1): failing")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
