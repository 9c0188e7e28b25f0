#!/usr/bin/env bash
# tests/cli/explain.sh UTSIM SCRATCH: utsim explain narrates the R2 race: the
# scenario's own text first, the kernel functions and return codes of the
# steps with their explanations, the value each lockless read saw and the
# store it came from, the kernel (and the race switch) whose rule each "why"
# states, and the violated guarantee quoted from utrace-semantics.md;
# --color always/never control the ANSI colour.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
utsim=$1 scratch=$2
mkdir -p "$scratch"
scenario=scenarios/races/r2-detach-before-stop-bug.json
out=$scratch/explain.txt
"$utsim" explain "$scenario" --schedule a3b3cbcc --color never >"$out" || fail "utsim explain exited $?"
expect() { grep -qF -- "$1" "$out" || fail "utsim explain does not say: $1 (see $out)"; }
expect "About this scenario"
expect "R2: detach-before-stop"
expect "finish_callback_report: reads e1(e) engine->ops = ops (its initial value)"
expect "X-2 looks at e1(e) engine->ops without the lock in finish_callback:"
expect "&utrace_detached_ops (stored at step 38 by T-3 in mark_engine_detached)"
expect "R2 decides this step"
expect "why (2010-rhel6 +R2): R2 is switched on"
expect "utrace_control(e1(e), UTRACE_DETACH) returned"
expect "ENGINE_STOP set"
expect "utrace_stop: X-2 parks in TASK_TRACED"
expect "why (2010-rhel6): "
expect "VIOLATED stop-without-engine"
expect 'G18 (utrace-semantics.md §6): "A detached engine never causes (or prolongs) a stop."'
expect "utsim replay $scenario --schedule 'a3b3cbc'"
if grep -q $'\033\\[' "$out"; then fail "--color never printed ANSI escapes"; fi
# To a file, not a pipe into grep -q: grep exits at the first match, utsim
# then dies of SIGPIPE and pipefail would call that a failure.
"$utsim" explain "$scenario" --schedule a3b3cbcc --color always >"$scratch/color.txt" ||
  fail "utsim explain --color always exited $?"
grep -q $'\033\\[' "$scratch/color.txt" || fail "--color always printed no ANSI escape"
# The fixed variant under the same schedule: no violation, and the verdict says so.
"$utsim" explain scenarios/races/r2-detach-before-stop.json --schedule a3b3cbcc --color never >"$scratch/fixed.txt" ||
  fail "utsim explain of the fixed variant exited $?"
grep -qF "violations: none" "$scratch/fixed.txt" || fail "the fixed variant shows a violation ($scratch/fixed.txt)"
# Its whys state the fixed rule: no race switch named, none decided a step.
if grep -qF -e "+R2)" -e "R2 decides this step" "$scratch/fixed.txt"; then
  fail "the fixed variant names R2 as a reason ($scratch/fixed.txt)"
fi
# Another kernel: its whys name it.
"$utsim" explain scenarios/races/r2-detach-before-stop.json --kernel 2009-rfc --color never >"$scratch/rfc.txt" ||
  fail "utsim explain --kernel 2009-rfc exited $?"
grep -qF "why (2009-rfc" "$scratch/rfc.txt" || fail "the 2009-rfc run's whys do not name 2009-rfc ($scratch/rfc.txt)"
if grep -qF "why (2010-rhel6" "$scratch/rfc.txt"; then fail "a 2009-rfc run states a 2010-rhel6 rule"; fi
echo "explain: ok"
