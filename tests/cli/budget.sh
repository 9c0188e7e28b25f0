#!/usr/bin/env bash
# tests/cli/budget.sh UTSIM SCRATCH: issue 11 "Bounded memory, prompt stop"
# with the real binary.  utsim graph on a state space that takes it a
# quarter of a minute stops within a few seconds of SIGTERM, exits 130 and
# leaves a whole DOT that says it was interrupted (ctest's TIMEOUT bounds
# the test, not its speed); a DPOR run of a scenario whose runs never end
# stops at --max-memory with a report that says so, exit 0, and so does the
# HTML report of utsim report --explore.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
cli_args "$@"

# 1. graph and SIGTERM.
"$utsim" graph scenarios/races/r9-sigkill-vs-tracer-lock-bug.json -o "$scratch/r9.dot" >"$scratch/r9.txt" 2>&1 &
pid=$!
sleep 2
kill -TERM "$pid"
for _ in $(seq 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  kill -KILL "$pid"
  fail "utsim graph still ran 5 s after SIGTERM"
fi
set +e
wait "$pid"
code=$?
set -e
[[ $code == 130 ]] || fail "graph stopped by SIGTERM exited $code, not 130 ($(cat "$scratch/r9.txt"))"
[[ $(head -1 "$scratch/r9.dot") == "digraph G {" && $(tail -1 "$scratch/r9.dot") == "}" ]] ||
  fail "the DOT left by SIGTERM is not a whole graph"
grep -qF "interrupted" "$scratch/r9.dot" || fail "the DOT left by SIGTERM does not say it was interrupted"
grep -qF "interrupted: not analysed, not drawn" "$scratch/r9.txt" || fail "the summary does not say it was interrupted"

# 2. DPOR at the memory budget, inside a run of a million steps.
cat >"$scratch/spin.json" <<'JSON'
{"utsim": 1, "name": "spin", "summary": "two tasks spin forever",
 "tasks": [{"name": "A", "program": [{"loop": {"forever": true, "do": [{"compute": 1}]}}]},
           {"name": "B", "program": [{"loop": {"forever": true, "do": [{"compute": 1}]}}]}],
 "expect": {"allowed": ["hang"]}}
JSON
"$utsim" explore "$scratch/spin.json" --strategy dpor --max-steps 1000000 --max-memory 16M --no-shrink \
  >"$scratch/spin.txt" || fail "explore stopped by its memory budget exited $?"
grep -qF "complete    false: stopped by the memory budget (16M, --max-memory)" "$scratch/spin.txt" ||
  fail "the report does not say the memory budget stopped it: $(cat "$scratch/spin.txt")"
# 3. The report page says so too, and what its verdict covers (looked at in
# headless Chromium when written: a red sentence under the verdict line).
"$utsim" report "$scratch/spin.json" --explore 100 --max-memory 800K --max-steps 3000 --no-shrink \
  -o "$scratch/spin.html" >/dev/null || fail "report stopped by its memory budget exited $?"
python3 - "$scratch/spin.html" <<'PY' || fail "the report page does not say the memory budget stopped it"
import html, re, sys
page = open(sys.argv[1]).read()
section = page[page.index('<section id="exploration">'):]
text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section[: section.index("</section>")])).split())
assert "Verdict: pass (memory budget: incomplete)" in text, text
assert re.search(r"stopped at the memory budget \(800K, --max-memory \) after [0-9]+ schedules?: the verdict covers only "
                 r"the schedules explored", text), text
PY
"$utsim" report "$scratch/spin.json" --explore 100 --max-memory 4M --max-steps 200000 --no-shrink \
  -o "$scratch/spin0.html" >/dev/null || fail "report stopped before its first schedule exited $?"
grep -qF "before the first schedule ended" "$scratch/spin0.html" || fail "the page does not say nothing was explored"
grep -qF "None found: no schedule was explored to its end." "$scratch/spin0.html" ||
  fail "the page claims every property held on no schedule at all"
echo "budget: ok"
