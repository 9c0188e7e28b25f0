#!/usr/bin/env bash
# tests/cli/slides.sh UTSIM SCRATCH: `--trace svg|png`, the timeline for
# slides (docs/pictures.md "For slides").  The pictures docs/pictures/ shows
# are what this utsim draws: the SVG byte for byte, the PNG a real PNG of the
# size the page states; `cli.E011` when the PNG cannot be made (stdout a
# terminal, rsvg-convert missing), with nothing written.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/common.sh"
cli_args "$@"
scenario=scenarios/races/r2-detach-before-stop-bug.json
replay=("$utsim" replay "$scenario" --schedule a3b3cbc)

# The SVG: the file docs/pictures.md shows, a standalone document.
"${replay[@]}" --trace svg -o "$scratch/r2.svg" >/dev/null || fail "--trace svg exited $?"
cmp -s "$scratch/r2.svg" docs/pictures/r2-timeline.svg ||
  fail "docs/pictures/r2-timeline.svg is not what utsim draws now: cp $scratch/r2.svg docs/pictures/r2-timeline.svg"
head -1 "$scratch/r2.svg" | grep -qF '<?xml version="1.0" encoding="UTF-8"?>' || fail "no XML declaration"
grep -qF '<style>' "$scratch/r2.svg" || fail "the SVG carries no style"
grep -qF 'class="race-window"' "$scratch/r2.svg" || fail "the SVG does not shade R2's race window"
python3 - "$scratch/r2.svg" <<'PY' || fail "the SVG is not well-formed XML"
import sys, xml.dom.minidom
xml.dom.minidom.parse(sys.argv[1])
PY

# The PNG needs rsvg-convert (librsvg2-bin).
need_tool rsvg-convert librsvg2-bin
"${replay[@]}" --trace png -o "$scratch/r2.png" >/dev/null || fail "--trace png exited $?"
size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n", "not a PNG"; print("%d x %d" % struct.unpack(">II", d[16:24]))' "$1"; }
got=$(size "$scratch/r2.png") || fail "--trace png did not write a PNG"
[[ $got == "$(size docs/pictures/r2-timeline.png)" ]] ||
  fail "docs/pictures/r2-timeline.png is $(size docs/pictures/r2-timeline.png), utsim draws $got now"
grep -qF "The PNG is ${got/ x / × } pixels" docs/pictures.md || fail "docs/pictures.md does not say the PNG is $got"
python3 "$here/png_not_blank.py" "$scratch/r2.png" || fail "the PNG is blank"
# To stdout through a pipe: the same bytes.
"${replay[@]}" --trace png 2>/dev/null >"$scratch/piped.png" || fail "--trace png | ... exited $?"
cmp -s "$scratch/piped.png" "$scratch/r2.png" || fail "the PNG on stdout differs from the one written with -o"

# cli.E011: rsvg-convert missing (a PATH without it), nothing written.
set +e
env PATH=/nonexistent "${replay[@]}" --trace png -o "$scratch/none.png" >"$scratch/e011.out" 2>"$scratch/e011.err"
code=$?
set -e
[[ $code == 2 ]] || fail "--trace png without rsvg-convert exited $code, not 2"
grep -qF "cli.E011: --trace png: rsvg-convert is not installed (Debian package librsvg2-bin)" "$scratch/e011.err" ||
  fail "no cli.E011 naming the package: $(cat "$scratch/e011.err")"
[[ ! -e $scratch/none.png ]] || fail "a PNG was written although rsvg-convert is missing"

# cli.E011: stdout a terminal (script(1) gives the command one), refused before the run.
if command -v script >/dev/null 2>&1; then
  set +e
  script -qec "$(printf '%q ' "${replay[@]}") --trace png" /dev/null >"$scratch/tty.out" 2>&1
  code=$?
  set -e
  [[ $code == 2 ]] || fail "--trace png to a terminal exited $code, not 2"
  grep -qF "cli.E011: --trace png writes a picture: give -o FILE.png" "$scratch/tty.out" ||
    fail "no cli.E011 for a terminal: $(cat "$scratch/tty.out")"
fi
echo "slides: r2-timeline.svg identical, r2-timeline.png $got, cli.E011 for a terminal and without rsvg-convert"
