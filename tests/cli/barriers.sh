#!/usr/bin/env bash
# tests/cli/barriers.sh UTSIM SCRATCH: issue 12 item 3, the kernel model's
# barriers under a weak memory model, with the real binary.  Each barrier
# switch is listed and found under tso, and not under sc (where the barriers
# order nothing); the store buffers show in the trace (a store that waits,
# the drain that publishes it) and in replay, deterministically; the
# missing-report property is known by name.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
cli_args "$@"

"$utsim" list --bugs >"$scratch/bugs.txt"
for sw in no-mb-add-engine no-mb-start-callback no-mb-set-events no-mb-control set-bit-notify-resume; do
  grep -qF -- "$sw" "$scratch/bugs.txt" || fail "list --bugs lacks $sw: $(cat "$scratch/bugs.txt")"
done

# Found under tso (the files' own model), each within its file's exploration.
for f in no-mb-add-engine-bug no-mb-start-callback-bug no-mb-set-events-bug; do
  "$utsim" check "scenarios/barriers/$f.json" >"$scratch/$f.txt" || fail "check $f: exit $?: $(cat "$scratch/$f.txt")"
  grep -qE "^$f .* pass$" "$scratch/$f.txt" || fail "$f not found under tso: $(cat "$scratch/$f.txt")"
done
# The plain set_bit() of set_notify_resume() loses a report under lkmm,
# where it orders nothing, and not under tso, where it is lock bts.
"$utsim" check scenarios/barriers/set-bit-notify-resume-bug.json >"$scratch/setbit.txt" ||
  fail "check set-bit-notify-resume-bug: $(cat "$scratch/setbit.txt")"
set +e
"$utsim" check scenarios/barriers/set-bit-notify-resume-bug.json --memory tso >"$scratch/setbit-tso.txt"
rc=$?
set -e
[[ $rc == 1 ]] && grep -qF "expected violation missing-report not found" "$scratch/setbit-tso.txt" ||
  fail "under tso set_bit() is a full barrier: $(cat "$scratch/setbit-tso.txt")"
# Not under sc: the same file, the same exploration, nothing breaks.
set +e
"$utsim" check scenarios/barriers/no-mb-add-engine-bug.json --memory sc >"$scratch/sc.txt"
rc=$?
set -e
[[ $rc == 1 ]] || fail "check --memory sc: exit $rc, expected 1: $(cat "$scratch/sc.txt")"
grep -qF "expected violation engine-lifetime not found" "$scratch/sc.txt" ||
  fail "under sc the switch should break nothing: $(cat "$scratch/sc.txt")"

# The counterexample, replayed: T's store of utrace_flags waits in its store
# buffer while release_task() reads the old value; twice the same bytes.
sched=$("$utsim" check scenarios/barriers/no-mb-add-engine-bug.json --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["scenarios"][0]["violations"][0]["schedule"])')
"$utsim" replay scenarios/barriers/no-mb-add-engine-bug.json --schedule "$sched" --trace text >"$scratch/t1.txt" 2>/dev/null
"$utsim" replay scenarios/barriers/no-mb-add-engine-bug.json --schedule "$sched" --trace text >"$scratch/t2.txt" 2>/dev/null
cmp -s "$scratch/t1.txt" "$scratch/t2.txt" || fail "two replays of '$sched' differ"
python3 - "$scratch/t1.txt" <<'PY' || fail "the trace does not show the buffered store before the violation"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
def first(pat):
    for i, l in enumerate(lines):
        if re.search(pat, l):
            return i
    raise SystemExit("no line matches " + pat)
store = first(r'T-3 +utsim_memory: op=store field="X-2 utrace_flags"')
release = first(r"utsim_release_task: released=X-2")
visible = first(r"utsim_utrace_state: field=utrace_flags old=0 new=REAP")
prop = first(r"utsim_property: property=engine-lifetime")
assert store < release < visible < prop, (store, release, visible, prop)
PY

"$utsim" explain scenarios/barriers/no-mb-add-engine-bug.json --schedule "$sched" >"$scratch/explain.txt"
grep -qF "store buffer(" "$scratch/explain.txt" || grep -qF "op=drain" "$scratch/explain.txt" ||
  fail "explain shows no store buffer: $(head -40 "$scratch/explain.txt")"

# The proof docs/memory-model.md quotes: the stateful search visits every
# reachable state of add-engine-tso (the hash covers the store buffers) and
# none leaks the engine; without the barrier it finds the leak.
"$utsim" graph scenarios/barriers/add-engine-tso.json --max-states 100000 -o "$scratch/fixed.dot" >"$scratch/graph.txt"
grep -qE "^add-engine-tso: [0-9]+ states.*, complete$" "$scratch/graph.txt" || fail "not complete: $(cat "$scratch/graph.txt")"
! grep -q "counterexample for" "$scratch/graph.txt" || fail "a violation with the barrier: $(cat "$scratch/graph.txt")"
"$utsim" graph scenarios/barriers/no-mb-add-engine-bug.json --max-states 100000 -o "$scratch/bug.dot" >"$scratch/graph-bug.txt"
grep -q "shortest counterexample for engine-lifetime" "$scratch/graph-bug.txt" ||
  fail "the stateful search misses the leak: $(cat "$scratch/graph-bug.txt")"

"$utsim" list --properties >"$scratch/props.txt"
grep -qx "missing-report" "$scratch/props.txt" || fail "list --properties lacks missing-report: $(cat "$scratch/props.txt")"
echo "barriers: ok"
