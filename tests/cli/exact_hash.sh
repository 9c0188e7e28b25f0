#!/usr/bin/env bash
# tests/cli/exact_hash.sh UTSIM SCRATCH: issue 11 "Exact state identity" with the
# real binary.  On a set of the catalogue's scenarios (every race with its bug
# switched on, and scenarios of utrace, ptrace and Linux that report, stop,
# exit, signal and clone), `utsim graph --verify-merges` replays the merges
# the stateful search makes and finds none that continues differently, and no
# state of the graph has two successors for one thread.  A coroutine that
# keeps a local across a yield without sim::Keep fails here.  check
# --stateful --verify-merges reports its counts in --json.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
cli_args "$@"

scenarios=(
  races/r1-attach-during-report-bug races/r2-detach-before-stop-bug races/r3-detach-return-vs-barrier-bug
  races/r4-set-events-vs-report-bug races/r6-attach-vs-release-bug races/r8-death-vs-exit-notify-bug
  races/r10-resume-before-park races/r11-interrupt-vs-recalc-sigpending-bug races/r7-reap-vs-death-bug
  utrace/g08-set-events-during-reap utrace/g07-detach-in-callback utrace/computed-return-passes-signal-action
  ptrace/race-traceme-vs-parent-exit ptrace/sigkill-syscall-stop-then-exit-event ptrace/event-exec
  linux/exit-group-threads linux/alarm-interrupts-pause linux/waitpid-sa-restart
)
for s in "${scenarios[@]}"; do
  f=scenarios/$s.json
  [[ -f $f ]] || fail "$f is gone: update the list"
  set +e
  "$utsim" graph "$f" --verify-merges 2000 --max-states 30000 -o "$scratch/g.dot" >"$scratch/out.txt" 2>&1
  code=$?
  set -e
  # 0 or 1 (a bug scenario's expectations), or 2 at --max-states: never 70.
  [[ $code == 0 || $code == 1 || $code == 2 ]] || fail "$s: graph --verify-merges exited $code: $(cat "$scratch/out.txt")"
  grep -qE "^merges: [1-9][0-9]* checked \(--verify-merges\), each continued alike" "$scratch/out.txt" ||
    fail "$s: no merge checked, or one continued differently: $(cat "$scratch/out.txt")"
  if grep -q "two successors for one thread" "$scratch/out.txt"; then
    fail "$s: the state graph has conflicts: $(cat "$scratch/out.txt")"
  fi
done
# check --stateful --verify-merges: the counts in --json; without --stateful, a usage error.
"$utsim" check scenarios/races/r2-detach-before-stop-bug.json --stateful --verify-merges 300 --json >"$scratch/check.json" ||
  fail "check --stateful --verify-merges exited $?"
python3 - "$scratch/check.json" <<'PY' || fail "check --json does not report the merges checked"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["merges_checked"] == 300 and s["merges_differ"] == 0, s
PY
set +e
"$utsim" check scenarios/races/r2-detach-before-stop-bug.json --verify-merges 5 >"$scratch/usage.txt" 2>&1
code=$?
set -e
[[ $code == 2 ]] || fail "check --verify-merges without --stateful exited $code, not 2"
grep -qF -- "--verify-merges requires --stateful" "$scratch/usage.txt" || fail "no usage message: $(cat "$scratch/usage.txt")"
echo "exact-hash: ok (${#scenarios[@]} scenarios)"
