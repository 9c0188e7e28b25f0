#!/usr/bin/env bash
# tests/cli/kernel_flags.sh UTSIM_KERNEL: utsim-kernel's own command line, without
# ptrace: malformed numbers are refused with exit 2 and a message naming the flag,
# and output that cannot be written is exit 2 (docs/hardening.md), as for utsim.
set -uo pipefail
k=$1
fail=0
expect() {  # expect RC WANT-IN-STDERR ARGS...
  local rc=$1 want=$2
  shift 2
  local err
  err=$("$k" "$@" 2>&1 >/dev/null)
  local got=$?
  if [[ $got != "$rc" || $err != *"$want"* ]]; then
    echo "FAIL: utsim-kernel $*: exit $got (want $rc), stderr: $err (want: $want)"
    fail=1
  fi
}
expect 2 "--schedules: 'abc' is not a whole number" --compare x --schedules abc
expect 2 "--schedules: '0' is not a whole number" --compare x --schedules 0
expect 2 "--schedules: '99999999999999999999'" --compare x --schedules 99999999999999999999
expect 2 "--schedules: '12x'" --compare x --schedules 12x
expect 2 "--timeout-ms: '-5' is not a whole number" --compare x --timeout-ms -5
expect 2 "usage:" --compare x --bogus
expect 2 "usage:" --compare
# utsim-kernel fuzz: the same rules for its own flags.
expect 2 "--shard: '3/3' is not I/N" fuzz --shard 3/3
expect 2 "--shard: 'x' is not I/N" fuzz --shard x
expect 2 "--count: '0' is not a whole number" fuzz --count 0
expect 2 "--seed: '-1' is not a whole number" fuzz --seed -1
expect 2 "usage: utsim-kernel fuzz" fuzz --bogus
# Lost output: stdout on a full device.
errf=$(mktemp)
"$k" --probe >/dev/full 2>"$errf"
rc=$?
if [[ $rc != 2 ]] || ! grep -q "cannot write the output" "$errf"; then
  echo "FAIL: utsim-kernel --probe >/dev/full: exit $rc, stderr: $(cat "$errf")"
  fail=1
fi
rm -f "$errf"
exit $fail
