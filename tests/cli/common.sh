# tests/cli/common.sh: sourced by the teaching tests (bash).
fail() { echo "FAIL: $*" >&2; exit 1; }
# The arguments every cli test takes (UTSIM SCRATCH): sets $utsim and
# $scratch, and empties the scratch folder.
cli_args() {
  utsim=$1 scratch=$2
  rm -rf "$scratch"
  mkdir -p "$scratch"
}
# A tool the test needs: missing on a developer's machine is a skip (exit 77),
# missing in CI (CI=true) is a failure: scripts/bootstrap installs it there.
need_tool() {
  local tool=$1 package=$2
  command -v "$tool" >/dev/null 2>&1 && return 0
  if [[ ${CI:-} == true ]]; then
    fail "$tool is not installed, and CI must have it (scripts/bootstrap deps installs the Debian package $package)"
  fi
  echo "SKIP: $tool is not installed on this machine (apt-get install $package, or scripts/bootstrap deps)"
  exit 77
}
# The headless browser of the page tests: sets $browser to Debian's chromium
# (its full path), or skips/fails as need_tool does.
need_chromium() {
  browser=""
  for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); return 0; fi
  done
  need_tool chromium chromium
}
