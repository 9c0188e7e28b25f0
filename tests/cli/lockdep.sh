#!/usr/bin/env bash
# tests/cli/lockdep.sh UTSIM SCRATCH: issue 12 item 4, lock checking, with the
# real binary.  check and explore report the lock-inversion switch's cycle in
# lockdep's shape (text) and under "lockdep" (JSON), the same way on every
# run; the unmodified kernel has none; the named switches are listed and taken
# by --bug.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
cli_args "$@"
bug=scenarios/lockdep/lock-inversion-bug.json
fixed=scenarios/lockdep/lock-inversion.json

"$utsim" check "$bug" >"$scratch/check.txt" || fail "check $bug: exit $?: $(cat "$scratch/check.txt")"
for want in "lockdep: lock-inversion-bug" "WARNING: possible circular locking dependency detected" \
  "is trying to acquire lock:" " (&utrace->lock), at: utrace_get_signal" "but task is already holding lock:" \
  "the existing dependency chain (in reverse order) is:" "-> #1 (&sighand->siglock):" "-> #0 (&utrace->lock):" \
  " Possible unsafe locking scenario:" " *** DEADLOCK ***"; do
  grep -qF -- "$want" "$scratch/check.txt" || fail "check text lacks '$want': $(cat "$scratch/check.txt")"
done

"$utsim" check "$bug" --json >"$scratch/a.json"
"$utsim" check "$bug" --json >"$scratch/b.json"
python3 - "$scratch/a.json" "$scratch/b.json" <<'PY' || fail "check --json: lockdep section wrong or not deterministic"
import json, sys
a, b = (json.load(open(p))["scenarios"][0] for p in sys.argv[1:3])
l = a["lockdep"]
assert l == b["lockdep"], "two runs differ"
assert "&utrace->lock" in l["classes"] and "&sighand->siglock" in l["classes"], l["classes"]
assert l["cycles"] and "possible circular locking dependency" in l["cycles"][0]["summary"], l["cycles"]
assert len(l["cycles"][0]["chain"]) == 2
assert any(v["property"] == "lock-order" and v["expected"] for v in a["violations"]), a["violations"]
assert not any(v["property"] == "hang" for v in a["violations"]), "a schedule deadlocked"
PY

"$utsim" explore "$bug" --json >"$scratch/x.json" || fail "explore --json exited $?"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["lockdep"]["cycles"][0]["report"].startswith("======")' \
  "$scratch/x.json" || fail "explore --json has no lockdep cycle"
"$utsim" explore "$bug" >"$scratch/x.txt" || fail "explore exited $?"
grep -q "^lockdep     1 possible deadlock" "$scratch/x.txt" || fail "explore text: $(cat "$scratch/x.txt")"

"$utsim" check "$fixed" --json >"$scratch/fixed.json" || fail "check $fixed exited $?"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"][0]; assert "lockdep" not in s and not s["violations"]' \
  "$scratch/fixed.json" || fail "the unmodified kernel reports a lock problem"

set +e
"$utsim" check "$fixed" --bug lock-inversion >"$scratch/over.txt" 2>&1
code=$?
set -e
[[ $code == 1 ]] || fail "check --bug lock-inversion on the fixed scenario: exit $code, not 1"
grep -q "lock-order" "$scratch/over.txt" || fail "--bug lock-inversion: $(cat "$scratch/over.txt")"

"$utsim" list --bugs >"$scratch/bugs.txt"
grep -q "^lock-inversion  lock-order  " "$scratch/bugs.txt" || fail "list --bugs: $(cat "$scratch/bugs.txt")"
grep -q "^reap-callbacks-under-lock  sleep-in-atomic  " "$scratch/bugs.txt" || fail "list --bugs: $(cat "$scratch/bugs.txt")"
echo "lockdep: ok"
