#!/usr/bin/env bash
# tests/cli/step_tmux.sh UTSIM SCRATCH: `utsim step` as a person uses it, in a
# real terminal of 80 columns under tmux (send-keys to type, capture-pane to
# read the screen).  The keys are those of docs/tutorial.md: Enter seven
# times (the default choices), then b (X reads engine->ops, and the narrative
# shows the value it read: still the real ops), c (T preempts X and detaches
# the engine), ! (run to the end): X is left in TASK_TRACED for an engine that
# no longer exists, and the why of that step names R2's switch.  Then s FILE
# saves the schedule, u undoes the last choice, r redoes it, goto 30 goes back
# to step 30, l FILE loads the saved schedule, ? lists every key, q quits; the
# saved schedule must replay to the same violation, and no line of the screen
# may be wider than the terminal.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
need_tool tmux tmux
utsim=$(realpath "$1")
scratch=$(realpath -m "$2")
mkdir -p "$scratch"
rm -f "$scratch/r2.sched"
scenario=scenarios/races/r2-detach-before-stop-bug.json
sock=$scratch/tmux.sock
session=utsim-step
printf 'set -g history-limit 100000\n' >"$scratch/tmux.conf"
tmux -S "$sock" -f "$scratch/tmux.conf" kill-server 2>/dev/null || true
trap 'tmux -S "$sock" kill-server 2>/dev/null || true' EXIT
tmux -S "$sock" -f "$scratch/tmux.conf" new-session -d -s "$session" -x 80 -y 50 \
  "$utsim step $scenario; echo \"utsim step exited \$?\"; sleep 600"

screen() { tmux -S "$sock" capture-pane -p -J -S - -t "$session"; }
# Waits (up to 20 s) until the screen shows the fixed string $1.
wait_for() {
  local i
  for ((i = 0; i < 200; i++)); do
    # grep the captured text, not a pipe: grep -q would close it early and
    # pipefail would count capture-pane's SIGPIPE as a miss.
    screen >"$scratch/now.txt" || true
    if grep -qF -- "$1" "$scratch/now.txt"; then return 0; fi
    sleep 0.1
  done
  screen >"$scratch/screen.txt"
  fail "the screen never showed: $1 (last screen in $scratch/screen.txt)"
}
key() { tmux -S "$sock" send-keys -t "$session" "$@"; }

wait_for "You are the scheduler"
wait_for "── choice point 0 "
wait_for "runnable threads, and what each would do next"
for ((n = 1; n <= 7; n++)); do
  key Enter
  wait_for "── choice point $n "
done
wait_for "   tasks:   "
wait_for "   engines: e1(e) on X-2: ->ops = ops"
wait_for "b  X-2    finish_callback_report: reads e1(e) engine->ops without a lock"
key b Enter
wait_for "── choice point 8 "
wait_for "finish_callback_report: reads e1(e) engine->ops = ops (its"
wait_for "initial value)"
key c Enter
wait_for "schedule so far 'a3b3cbc'"
key '!' Enter
wait_for "VIOLATED stop-without-engine at step"
wait_for "R2 decides this step"
wait_for "why (2010-rhel6 +R2): "
wait_for "schedule: 'a3b3cbcc'"
key "s $scratch/r2.sched" Enter
wait_for "saved 'a3b3cbcc' to $scratch/r2.sched"
[[ $(cat "$scratch/r2.sched") == a3b3cbcc ]] || fail "the saved schedule is '$(cat "$scratch/r2.sched")'"
key u Enter
wait_for "undo: 'c' is taken back; replaying from the start"
key r Enter
wait_for "redo: 'c' again; replaying from the start"
key "goto 30" Enter
wait_for "goto step 30: replaying to the first choice point at or after it"
key "l $scratch/r2.sched" Enter
wait_for "loaded 'a3b3cbcc' from $scratch/r2.sched; replaying it"
key '?' Enter
wait_for "goto N     go to step N"
key q Enter
wait_for "utsim step exited 0"
screen >"$scratch/screen.txt"
# 80 columns: capture-pane -J joins a line the terminal wrapped, so a line
# wider than the terminal shows here as a longer one.  Lines that name the
# scratch folder (the s and l FILE typed, in a long build path) do not count.
wide=$(python3 -c 'import sys
for n, l in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if len(l.rstrip("\n")) > 80 and sys.argv[2] not in l: print(f"{n}: {l}", end="")' \
  "$scratch/screen.txt" "$scratch")
[[ -z $wide ]] || fail "lines wider than 80 columns ($scratch/screen.txt): $wide"

# The schedule saved by hand replays to the same violation.
"$utsim" replay "$scenario" --schedule "$(cat "$scratch/r2.sched")" >"$scratch/replay.txt" ||
  fail "utsim replay of the saved schedule exited $? ($scratch/replay.txt)"
grep -qF "stop-without-engine at step" "$scratch/replay.txt" ||
  fail "the saved schedule does not reproduce stop-without-engine ($scratch/replay.txt)"
echo "step under tmux: ok"
