#!/usr/bin/env bash
# tests/docs/paths.sh: every source path that README.md and docs/*.md name
# exists, so the docs cannot point a reader at a file that moved.
#
#   tests/docs/paths.sh [ROOT]   (run from anywhere; ROOT defaults to the checkout)
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"
missing=0
checked=0
while IFS=: read -r file path; do
  checked=$((checked + 1))
  if [[ ! -e $path ]]; then
    echo "$file names $path, which does not exist" >&2
    missing=$((missing + 1))
  fi
done < <(grep -oE '(tests|model|scenario|explore|sim|tools|fuzz|bench|scripts)/[A-Za-z0-9_./-]+\.(cpp|h|sh|cmake|json|py)' \
           README.md docs/*.md | sort -u)
echo "$checked paths named in README.md and docs/*.md, $missing missing"
((checked > 50)) || { echo "too few paths found: the pattern is broken" >&2; exit 1; }
((missing == 0))
