#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded at
# test time).
#
#   scripts/chromium.sh      install Debian's chromium if missing, print its executable path
#   scripts/chromium.sh path print the executable path only (exit 1 when not installed)
#
# Idempotent: with chromium installed it only prints the path. The tests find the browser
# through FEATHERS_CHROMIUM, else `chromium` on PATH.
#
# Typical use (what CI does):
#   export FEATHERS_CHROMIUM="$(scripts/chromium.sh)"
#   pytest -m browser
set -euo pipefail

log() { echo "chromium.sh: $*" >&2; }

find_chromium() {
  local name
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null; then
      command -v "$name"
      return
    fi
  done
}

install_chromium() {
  if [[ -n "$(find_chromium)" ]]; then
    return
  fi
  if [[ "$(id -u)" != 0 ]]; then
    log "chromium is not installed; run as root, or: sudo apt-get install chromium"
    exit 1
  fi
  log "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
}

case "${1:-install}" in
  install)
    install_chromium
    ;;
  path)
    ;;
  *)
    log "usage: scripts/chromium.sh [install|path]"
    exit 2
    ;;
esac

executable="$(find_chromium)"
if [[ -z "$executable" ]]; then
  log "chromium not found"
  exit 1
fi
echo "$executable"
