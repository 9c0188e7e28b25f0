#!/usr/bin/env python3
"""tests/kernel/replayer.py UTSIM_KERNEL DIR: utsim-kernel's own tests.

Each DIR/*.json is a scenario that exercises one way the replayer once
misjudged (issue 13.5).  Its "x-replayer" object says what utsim-kernel
--compare --verbose must print for it:

  verdict      the scenario's verdict ("agree", "DISAGREE", ...)
  lines        texts that must appear in its output
  absent       texts that must not
  max_seconds  an upper bound on the run (the early end of a blocked run)

Exit 0 when every scenario behaves, 1 otherwise, 77 (skipped) where ptrace is
not permitted (utsim-kernel --probe).
"""
import json
import pathlib
import subprocess
import sys
import time


def check(kernel, path):
    want = json.loads(path.read_text())["x-replayer"]
    start = time.monotonic()
    run = subprocess.run([kernel, "--compare", str(path), "--verbose"], capture_output=True, text=True, timeout=120)
    took = time.monotonic() - start
    out = run.stdout
    first = out.splitlines()[0] if out else ""
    problems = []
    verdict = first[:32].strip()
    if verdict != want["verdict"]:
        problems.append(f"verdict {verdict!r}, want {want['verdict']!r}")
    problems += [f"missing: {t}" for t in want.get("lines", []) if t not in out]
    problems += [f"present: {t}" for t in want.get("absent", []) if t in out]
    if "max_seconds" in want and took > want["max_seconds"]:
        problems.append(f"took {took:.1f} s, want at most {want['max_seconds']} s")
    print(f"{'ok  ' if not problems else 'FAIL'} {path.name} ({took:.1f} s)")
    for p in problems:
        print(f"     {p}")
    if problems:
        print("     output:\n" + "".join(f"       {line}\n" for line in out.splitlines()) + run.stderr)
    return not problems


def main():
    kernel, folder = sys.argv[1], pathlib.Path(sys.argv[2])
    probe = subprocess.run([kernel, "--probe"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"skipped: {probe.stdout.strip()}")
        return 77
    results = [check(kernel, p) for p in sorted(folder.glob("*.json"))]
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
