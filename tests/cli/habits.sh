#!/usr/bin/env bash
# tests/cli/habits.sh UTSIM SCRATCH: the command line a new user expects
# (issue #14, item 5), with the real binary: --kernel, --bug and --no-bugs on
# every command that runs a scenario, the model said in the output and in
# the replay command (which reproduces the run), verdicts that admit the
# expect was written for another model; bad names refused with their id and
# a did-you-mean; validate taking folders; unknown subcommands and options
# named in the user's words and order; a schedule that does not fit refused
# alike by every command that takes one.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
cli_args "$@"
fixed=scenarios/races/r2-detach-before-stop.json
bug=scenarios/races/r2-detach-before-stop-bug.json
race=a3b3cbcc # the schedule that breaks the fixed scenario once R2 is back

# run CODE NAME ARGS...: utsim ARGS with stdout in $scratch/NAME.out and
# stderr in $scratch/NAME.err; its exit code must be CODE.
run() {
  local want=$1 name=$2
  shift 2
  local got=0
  "$utsim" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err" </dev/null || got=$?
  [[ $got == "$want" ]] || fail "utsim $* exited $got, not $want (see $scratch/$name.out, .err)"
}
says() { grep -qF -- "$2" "$scratch/$1" || fail "$1 does not say: $2 (see $scratch/$1)"; }
never() { if grep -qF -- "$2" "$scratch/$1"; then fail "$1 says: $2 (see $scratch/$1)"; fi; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# ---- 1. the bug and its fix, from one file ---------------------------------------------
run 0 fixed run "$fixed" --schedule "$race"
says fixed.out "violations:    none"
run 1 fixed-r2 run "$fixed" --schedule "$race" --bug R2
says fixed-r2.out "kernel:        2010-rhel6 +R2 (--bug R2; the file names 2010-rhel6)"
says fixed-r2.out "stop-without-engine at step"
says fixed-r2.out "[UNEXPECTED]"
says fixed-r2.out "verdict:       FAIL: 1 unexpected violation; the run ended in none of expect.outcomes (expect was written for 2010-rhel6, not for the simulated 2010-rhel6 +R2 (--bug R2))"
says fixed-r2.out "replay:        utsim replay $fixed --bug R2 --schedule '"
# The printed replay command reproduces the run, flags and all.
replay=$(sed -n 's/^replay: *utsim //p' "$scratch/fixed-r2.out")
eval "run 1 replayed $replay"
says replayed.out "stop-without-engine at step"
says replayed.out "kernel:        2010-rhel6 +R2 (--bug R2; the file names 2010-rhel6)"
# The bug's file with its bug taken out: nothing breaks, and the verdict
# says whose expect judged it.
run 0 bug-fixed run "$bug" --schedule "$race" --no-bugs
says bug-fixed.out "violations:    none"
says bug-fixed.out "verdict:       as expected (expect was written for 2010-rhel6 +R2, not for the simulated 2010-rhel6 (--no-bugs))"
says bug-fixed.out "replay:        utsim replay $bug --no-bugs --schedule '"
# --no-bugs --bug R2 on the bug's file is the file's own model: no flags to print.
run 0 same run "$bug" --schedule "$race" --no-bugs --bug R2 --kernel 2010-rhel6
never same.out "the file names"
says same.out "replay:        utsim replay $bug --schedule '"
# Another kernel, and a comma list of bugs; JSON says the model too.
run 1 json run "$fixed" --schedule "$race" --kernel 2009-rfc --bug R2,R7 --json
[[ $(field "$scratch/json.out" 'd["kernel"]') == "2009-rfc +R2,R7" ]] || fail "run --json: kernel is not 2009-rfc +R2,R7"
[[ $(field "$scratch/json.out" 'd["model_flags"]') == "--kernel 2009-rfc --bug R2 --bug R7" ]] ||
  fail "run --json: model_flags is $(field "$scratch/json.out" 'd["model_flags"]')"
[[ $(field "$scratch/json.out" 'd["file_kernel"]') == "2010-rhel6" ]] || fail "run --json: file_kernel"
[[ $(field "$scratch/json.out" 'd["replay"]') == "utsim replay $fixed --kernel 2009-rfc --bug R2 --bug R7 --schedule '"* ]] ||
  fail "run --json: replay is $(field "$scratch/json.out" 'd["replay"]')"

# ---- 2. on every command that runs a scenario ------------------------------------------
run 1 check check "$fixed" --bug R2 --max-schedules 300
says check.out "2010-rhel6 +R2"
says check.out "FAIL (model overridden)"
says check.out "expect was written for 2010-rhel6, not for the simulated 2010-rhel6 +R2 (--bug R2)"
says check.out "utsim replay $fixed --bug R2 --schedule '"
run 0 check-bug check "$bug" --max-schedules 300
says check-bug.out "pass"
never check-bug.out "overridden"
run 1 check-json check "$fixed" --bug R2 --max-schedules 300 --json
[[ $(field "$scratch/check-json.out" 'd["scenarios"][0]["model_flags"]') == "--bug R2" ]] || fail "check --json: model_flags"
[[ $(field "$scratch/check-json.out" 'd["scenarios"][0]["violations"][0]["replay"]') == *"--bug R2 --schedule"* ]] ||
  fail "check --json: the replay command lacks --bug R2"
run 1 explore explore "$fixed" --bug R2 --strategy dfs --max-schedules 2000
says explore.out "kernel      2010-rhel6 +R2"
says explore.out "model       --bug R2 overrode the file's 2010-rhel6"
says explore.out "VIOLATION stop-without-engine"
says explore.out "utsim replay $fixed --bug R2 --schedule '"
# Shards keep the flags; merge refuses shards of different models.
run 1 shard0 explore "$fixed" --bug R2 --strategy dfs --max-schedules 2000 --shard 0/2 --json -o "$scratch/s0.json"
run 1 shard1 explore "$fixed" --bug R2 --strategy dfs --max-schedules 2000 --shard 1/2 --json -o "$scratch/s1.json"
run 0 plain0 explore "$fixed" --strategy dfs --max-schedules 2000 --shard 1/2 --json -o "$scratch/p1.json"
run 1 merged merge "$scratch/s0.json" "$scratch/s1.json"
says merged.out "utsim replay $fixed --bug R2 --schedule '"
run 2 mixed merge "$scratch/s0.json" "$scratch/p1.json"
says mixed.err "not shards of one exploration: kernel"
run 0 explain explain "$fixed" --schedule "$race" --kernel 2011-3x --color never
says explain.out "kernel 2011-3x"
says explain.out "model overridden by --kernel 2011-3x: the file names 2010-rhel6"
says explain.out "utsim replay $fixed --kernel 2011-3x --schedule '"
run 1 explain-r2 explain "$fixed" --schedule "$race" --bug R2 --color never
says explain-r2.out "[UNEXPECTED]"
says explain-r2.out "(expect was written for 2010-rhel6, not for the simulated 2010-rhel6 +R2 (--bug R2))"
run 0 report report "$fixed" --schedule "$race" --bug R2 -o "$scratch/r.html"
grep -qF -- "2010-rhel6 +R2" "$scratch/r.html" || fail "the report does not name the model simulated"
grep -qF -- "utsim replay $fixed --bug R2 --schedule" "$scratch/r.html" || fail "the report's replay lacks --bug R2"
grep -qF -- "expect was written for 2010-rhel6" "$scratch/r.html" || fail "the report does not say whose expect judged it"
run 0 step step "$fixed" --bug R2
says step.out "utsim step: r2-detach-before-stop (2010-rhel6 +R2)"
says step.out "model overridden by --bug R2: the file names 2010-rhel6"
run 1 graph graph "$fixed" --bug R2 --max-states 20000 -o "$scratch/g.dot"
says graph.out "shortest counterexample for stop-without-engine"
says graph.out "utsim replay $fixed --bug R2 --schedule '"
says graph.out "note: expect was written for 2010-rhel6"
run 0 shrink shrink "$fixed" --bug R2 --schedule "$race"
says shrink.out "shrunk a counterexample of stop-without-engine"
says shrink.out "replay: utsim replay $fixed --bug R2 --schedule '"
# Without the flag there is nothing to shrink: the flag did reach the shrinker.
run 2 shrink-none shrink "$fixed" --schedule "$race"

# ---- 3. bad names: stable id, the valid values, the closest, exit 2 --------------------
for cmd in run replay check explore explain report step graph shrink; do
  extra=()
  [[ $cmd == replay || $cmd == shrink ]] && extra=(--schedule "$race")
  run 2 "badk-$cmd" "$cmd" "$fixed" "${extra[@]}" --kernel 2010-rhel
  says "badk-$cmd.err" "utsim $cmd: cli.E004: --kernel '2010-rhel': unknown kernel version (expected 2009-rfc, 2010-rhel6 or 2011-3x; did you mean '2010-rhel6'?)"
  run 2 "badb-$cmd" "$cmd" "$fixed" "${extra[@]}" --bug r2
  says "badb-$cmd.err" "utsim $cmd: cli.E005: --bug 'r2': unknown bug"
  says "badb-$cmd.err" "did you mean 'R2'?"
done
run 2 unswitchable run "$fixed" --bug R10
says unswitchable.err "cli.E005: --bug 'R10': R10 cannot be switched on"
run 2 not-a-bug run "$fixed" --bug R99
says not-a-bug.err "R1, R2, R3"

# ---- 4. validate takes folders, as check does -------------------------------------------
run 0 validate-dir validate scenarios/races
says validate-dir.out "$fixed: ok"
says validate-dir.out "$bug: ok"
run 0 validate-mixed validate scenarios/races "$fixed" tests/spec-examples/engines.json
[[ $(grep -c -- "^$fixed: ok" "$scratch/validate-mixed.out") == 1 ]] || fail "validate listed $fixed twice"
mkdir -p "$scratch/empty"
run 2 validate-empty validate "$scratch/empty"
says validate-empty.err "utsim validate: cli.E007: no scenario file (*.json) under $scratch/empty: nothing to validate"
mkdir -p "$scratch/mixed"
cp "$fixed" "$scratch/mixed/"
printf '{"utsim": 1,' >"$scratch/mixed/broken.json"
run 3 validate-bad validate "$scratch/mixed"
says validate-bad.out "$scratch/mixed/r2-detach-before-stop.json: ok"
says validate-bad.out "scenario.E001"

# ---- 5. unknown subcommands and options, in the user's words ----------------------------
run 2 rnu rnu "$fixed"
says rnu.err "utsim: cli.E001: unknown subcommand 'rnu'; did you mean 'run'?"
run 2 none
says none.err "utsim: cli.E001: a subcommand is required: validate, run, replay"
run 2 top --verison
says top.err "utsim: cli.E002: unknown option '--verison'; did you mean '--version'?"
# Two unknown options: the first one typed is named (CLI11 listed them reversed).
run 2 flags run "$fixed" --jsno --bogus
says flags.err "utsim run: cli.E002: unknown option '--jsno'; did you mean '--json'?"
never flags.err "--bogus --jsno"
run 2 flag-value run "$fixed" --sed=7
says flag-value.err "unknown option '--sed'; did you mean '--seed'?"
run 2 kernel-typo check "$fixed" --kernal 2009-rfc
says kernel-typo.err "utsim check: cli.E002: unknown option '--kernal'; did you mean '--kernel'?"
run 2 extra run "$fixed" "$bug"
says extra.err "utsim run: cli.E003: unexpected argument '$bug'"

# ---- 6. a schedule naming a thread that does not exist ---------------------------------
for cmd in run replay explain report step shrink; do
  extra=()
  [[ $cmd == report ]] && extra=(-o "$scratch/diverged.html")
  run 4 "div-$cmd" "$cmd" "$fixed" --schedule zz "${extra[@]}"
  says "div-$cmd.err" "utsim $cmd: cli.E006: --schedule 'zz' does not fit this scenario: at choice point 0, the schedule names thread 'z', which did not exist at that point"
done
[[ ! -e $scratch/diverged.html ]] || fail "report wrote a page for a schedule that does not fit"
never div-explain.out "verdict"
says div-replay.out "verdict:       DIVERGED"

echo "habits: ok"
