#!/usr/bin/env bash
# tests/cli/step_tmux.sh UTSIM SCRATCH: `utsim step` as a person uses it, in a
# real terminal under tmux (send-keys to type, capture-pane to read the
# screen).  The keys are those of docs/tutorial.md: Enter seven times (the
# default choices), then b (X reads engine->ops), c (T preempts X and detaches
# the engine), ! (run to the end): X is left in TASK_TRACED for an engine
# that no longer exists.  Then s FILE saves the schedule, u undoes the last
# choice, q quits; the saved schedule must replay to the same violation.
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
tmux -S "$sock" -f "$scratch/tmux.conf" new-session -d -s "$session" -x 200 -y 50 \
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
wait_for "b  X-2        finish_callback_report       reads e1(e) engine->ops"
key b Enter
wait_for "── choice point 8 "
key c Enter
wait_for "schedule so far 'a3b3cbc'"
key '!' Enter
wait_for "VIOLATED stop-without-engine at step"
wait_for "schedule: 'a3b3cbcc'"
key "s $scratch/r2.sched" Enter
wait_for "saved 'a3b3cbcc' to $scratch/r2.sched"
[[ $(cat "$scratch/r2.sched") == a3b3cbcc ]] || fail "the saved schedule is '$(cat "$scratch/r2.sched")'"
key u Enter
wait_for "undo: 'c' is taken back; replaying from the start"
key q Enter
wait_for "utsim step exited 0"
screen >"$scratch/screen.txt"

# The schedule saved by hand replays to the same violation.
"$utsim" replay "$scenario" --schedule "$(cat "$scratch/r2.sched")" >"$scratch/replay.txt" ||
  fail "utsim replay of the saved schedule exited $? ($scratch/replay.txt)"
grep -qF "stop-without-engine at step" "$scratch/replay.txt" ||
  fail "the saved schedule does not reproduce stop-without-engine ($scratch/replay.txt)"
echo "step under tmux: ok"
