#!/usr/bin/env bash
# tests/cli/explore.sh UTSIM SCRATCH: utsim explore and utsim merge as a user
# runs them, with the real binary: the R2 race found by dfs with a replay
# command that reproduces it; an exploration split into shards the way a
# Slurm array or a Kubernetes indexed job splits it (docs/exploration.md),
# merged back to the unsharded result; SIGTERM giving a whole JSON report and
# exit 130; the progress line on a terminal (under script(1)).
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
cli_args "$@"
bug=scenarios/races/r2-detach-before-stop-bug.json
# A JSON field, by a Python expression over the document d.
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# 1. dfs finds R2 and exhausts the space within 2 preemptions.
"$utsim" explore "$bug" --strategy dfs --max-schedules 100000 >"$scratch/dfs.txt" || fail "explore exited $? ($scratch/dfs.txt)"
expect() { grep -qF -- "$2" "$1" || fail "$1 does not say: $2"; }
expect "$scratch/dfs.txt" "complete    true: every schedule with at most 2 preemptions was run; schedules with more preemptions exist"
expect "$scratch/dfs.txt" "expected stop-without-engine:"
# Under the violation: what shrinking it did, then the replay command.
grep -A1 "expected stop-without-engine:" "$scratch/dfs.txt" | tail -1 | grep -qF "kept as found: 1 preemption, 58 steps" ||
  fail "no shrink line under the violation"
replay=$(grep -A2 "expected stop-without-engine:" "$scratch/dfs.txt" | tail -1 | sed 's/^ *utsim //')
[[ $replay == replay* ]] || fail "no replay command under the violation"
eval "\"\$utsim\" $replay --json" >"$scratch/replay.json" || true
grep -qF '"stop-without-engine"' "$scratch/replay.json" || fail "the replay command does not reproduce it: $replay"

# 2. Shards, as array jobs run them: the index from the scheduler's variable.
whole=$scratch/whole.json
"$utsim" explore "$bug" --strategy dfs --max-schedules 100000 --json -o "$whole" || fail "explore --json exited $?"
for SLURM_ARRAY_TASK_ID in 0 1 2 3; do
  SLURM_ARRAY_TASK_COUNT=4
  "$utsim" explore "$bug" --strategy dfs --max-schedules 100000 --json \
    --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" -o "$scratch/shard-$SLURM_ARRAY_TASK_ID.json" ||
    fail "shard $SLURM_ARRAY_TASK_ID exited $?"
done
"$utsim" merge --json -o "$scratch/merged.json" "$scratch"/shard-*.json || fail "merge exited $?"
[[ $(field "$scratch/merged.json" 'd["complete"]') == True ]] || fail "the merged shards are not complete"
for key in schedules bounded; do
  [[ $(field "$scratch/merged.json" "d['$key']") == "$(field "$whole" "d['$key']")" ]] ||
    fail "merged $key differs from the unsharded exploration's"
done
outcomes='sorted((o["signature"], o["count"]) for o in d["outcomes"])'
[[ $(field "$scratch/merged.json" "$outcomes") == "$(field "$whole" "$outcomes")" ]] ||
  fail "merged outcomes differ from the unsharded exploration's"
violations='sorted((v["property"], v["count"]) for v in d["violations"])'
[[ $(field "$scratch/merged.json" "$violations") == "$(field "$whole" "$violations")" ]] ||
  fail "merged violations differ from the unsharded exploration's"
# Three of four shards: merged, not complete.
"$utsim" merge "$scratch/shard-0.json" "$scratch/shard-1.json" "$scratch/shard-3.json" >"$scratch/partial.txt" ||
  fail "merge of three shards exited $?"
expect "$scratch/partial.txt" "complete    false: shards not merged in: 2"
# A shard of another exploration is refused with exit 2.
"$utsim" explore "$bug" --strategy dpor --max-schedules 50 --json --shard 2/4 -o "$scratch/other.json"
set +e
"$utsim" merge "$scratch/shard-0.json" "$scratch/other.json" >/dev/null 2>"$scratch/refused.txt"
code=$?
set -e
[[ $code == 2 ]] || fail "merging a dpor shard into dfs shards exited $code, not 2"
expect "$scratch/refused.txt" "strategy dfs vs dpor"

# 3. SIGTERM: the report so far, whole, and exit 130.
"$utsim" explore scenarios/races/r2-detach-before-stop.json --strategy random --max-schedules 1000000000000 \
  --json -o "$scratch/stopped.json" &
pid=$!
sleep 1
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
[[ $code == 130 ]] || fail "explore stopped by SIGTERM exited $code, not 130"
[[ $(field "$scratch/stopped.json" 'd["interrupted"]') == True ]] || fail "the stopped report is not marked interrupted"
(( $(field "$scratch/stopped.json" 'd["schedules"]') > 0 )) || fail "the stopped report lost its schedules"

# 4. On a terminal, a progress line on stderr with the rate and the estimate.
if command -v script >/dev/null 2>&1; then
  script -qec "$utsim explore $bug --strategy dfs --max-schedules 100000 --json -o $scratch/tty.json" \
    "$scratch/typescript" >/dev/null || fail "explore under script(1) exited $?"
  grep -qF "/s, estimate " "$scratch/typescript" || fail "no progress line with a rate and an estimate on the terminal"
  grep -qF "explored " "$scratch/typescript" || fail "no closing timing line on the terminal"
fi
echo "explore: ok"
