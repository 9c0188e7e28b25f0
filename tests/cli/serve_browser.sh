#!/usr/bin/env bash
# tests/cli/serve_browser.sh UTSIM SCRATCH: `utsim serve` in headless Chromium.
# It takes the R2 race's counterexample from `utsim check --json` (the shrunk
# schedule), starts `utsim serve scenarios --port 0` (the README's command,
# on a free port), and serve_browser.py clicks the counterexample's threads on
# the page through chromedriver (Debian's chromium-driver) and checks what it
# shows: the violated property, the replay command, the timeline's lanes, the
# tasks, the narrative, undo.  Its screenshots (SCRATCH/serve-start.png and
# SCRATCH/serve-violation.png) must not be blank (png_not_blank.py).
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
utsim=$(realpath "$1")
scratch=$(realpath -m "$2")
rm -rf "$scratch"
mkdir -p "$scratch"
need_chromium
need_tool chromedriver chromium-driver
need_tool python3 python3

r2=scenarios/races/r2-detach-before-stop-bug.json
"$utsim" check "$r2" --json >"$scratch/check.json" || fail "utsim check $r2 exited $? (it must pass: R2 is expected)"
schedule=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for res in r["scenarios"]:
    for v in res["violations"]:
        if v["property"] == "stop-without-engine":
            print(v["schedule"]); sys.exit(0)
sys.exit("no stop-without-engine counterexample in utsim check --json")' "$scratch/check.json") ||
  fail "utsim check --json gave no counterexample of stop-without-engine ($scratch/check.json)"
echo "the counterexample of utsim check: '$schedule'"

"$utsim" serve scenarios --port 0 >"$scratch/serve.out" 2>"$scratch/serve.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 300); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$scratch/serve.out" || true)
  [[ -n $url ]] && break
  kill -0 "$server" 2>/dev/null || fail "utsim serve exited: $(cat "$scratch/serve.err")"
  sleep 0.1
done
[[ -n $url ]] || fail "utsim serve printed no URL: $(cat "$scratch/serve.out" "$scratch/serve.err")"

CHROMIUM=$browser timeout 600 python3 "$here/serve_browser.py" "$url" "$schedule" "$scratch" ||
  fail "the page did not show what it must (chromedriver log: $scratch/chromedriver.log)"
for shot in serve-start serve-violation; do
  python3 "$here/png_not_blank.py" "$scratch/$shot.png" || fail "the screenshot is blank ($scratch/$shot.png)"
done

# Ctrl-C (SIGINT) stops the server cleanly.
kill -INT "$server"
code=0
wait "$server" || code=$?
trap - EXIT
[[ $code == 0 ]] || fail "utsim serve exited $code on SIGINT"
grep -q "utsim serve: stopped" "$scratch/serve.out" || fail "utsim serve did not say it stopped"
echo "utsim serve in headless Chromium: ok ($scratch/serve-start.png, $scratch/serve-violation.png)"
