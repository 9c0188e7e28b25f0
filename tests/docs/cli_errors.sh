#!/usr/bin/env bash
# tests/docs/cli_errors.sh: every id of a command-line error (cli.E001 ...)
# that tools/ can print has its entry ("### cli.E001") in docs/errors.md, and
# every entry there is an id the sources print: ids are stable, and a user
# who gets one must find what it means.
#
#   tests/docs/cli_errors.sh [ROOT]   (run from anywhere; ROOT defaults to the checkout)
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"
used=$(grep -rhoE 'cli\.E[0-9]{3}' tools --include='*.cpp' --include='*.h' | sort -u)
documented=$(grep -oE '^### cli\.E[0-9]{3}$' docs/errors.md | sed 's/^### //' | sort -u)
[[ -n $used ]] || { echo "no cli.E id found in tools/: the pattern is broken" >&2; exit 1; }
bad=0
for id in $used; do
  grep -qx "$id" <<<"$documented" || { echo "$id is printed by tools/ but has no entry in docs/errors.md" >&2; bad=1; }
done
for id in $documented; do
  grep -qx "$id" <<<"$used" || { echo "docs/errors.md documents $id, which tools/ never prints" >&2; bad=1; }
done
echo "$(wc -w <<<"$used") command-line error ids, each documented"
exit $bad
