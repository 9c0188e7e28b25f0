#!/usr/bin/env bash
# tests/cli/report_chromium.sh UTSIM SCRATCH: `utsim report` writes a page that
# headless Chromium (Debian's chromium package) loads without a JavaScript
# error — the page's script sets document.title to "utsim report: ok" when it
# ran through, and shows any error in a visible #js-errors box — and whose
# screenshot is not blank (png_not_blank.py).
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
utsim=$(realpath "$1")
scratch=$(realpath -m "$2")
mkdir -p "$scratch"
need_chromium
command -v python3 >/dev/null 2>&1 || need_tool python3 python3

page=$scratch/report.html
"$utsim" report scenarios/races/r2-detach-before-stop-bug.json --schedule a3b3cbcc --explore 300 -o "$page" ||
  fail "utsim report exited $?"
grep -q "http://\|https://" "$page" && ! grep -q 'xmlns="http://www.w3.org/2000/svg"' "$page" &&
  fail "the page refers to the network"
for part in 'id="timeline"' 'class="timeline"' 'class="states"' 'id="narrative"' 'id="exploration"' \
  'Counterexample: stop-without-engine'; do
  grep -qF "$part" "$page" || fail "the page lacks $part"
done

chrome() {
  timeout 180 "$browser" --headless --disable-gpu --no-sandbox --disable-dev-shm-usage \
    --user-data-dir="$scratch/profile" --no-first-run "$@" "file://$page"
}
if ! chrome --dump-dom >"$scratch/dom.html" 2>"$scratch/chromium-dom.log"; then
  tail -20 "$scratch/chromium-dom.log" >&2
  fail "$browser --headless --dump-dom failed: Chromium cannot run here (log: $scratch/chromium-dom.log)"
fi
if ! grep -qF "<title>utsim report: ok</title>" "$scratch/dom.html"; then
  grep -o '<div id="js-errors"[^<]*</div>' "$scratch/dom.html" >&2 || true
  grep -o '<title>[^<]*</title>' "$scratch/dom.html" | head -1 >&2 || true
  fail "the page's script did not finish without errors (dumped DOM: $scratch/dom.html)"
fi
grep -qF '<div id="js-errors"></div>' "$scratch/dom.html" ||
  fail "the page shows JavaScript errors: $(grep -o '<div id="js-errors"[^<]*' "$scratch/dom.html")"

rm -f "$scratch/report.png"
chrome --screenshot="$scratch/report.png" --window-size=1280,2000 >"$scratch/chromium-shot.log" 2>&1 || {
  tail -20 "$scratch/chromium-shot.log" >&2
  fail "$browser --headless --screenshot failed (log: $scratch/chromium-shot.log)"
}
[[ -s $scratch/report.png ]] || fail "no screenshot was written"
python3 "$here/png_not_blank.py" "$scratch/report.png" || fail "the screenshot is blank ($scratch/report.png)"
echo "report in headless Chromium: ok ($scratch/report.png)"
