#!/usr/bin/env bash
# Installs Debian's `wrk` (the HTTP load generator benchmarks/rest.py uses) when it is
# missing, then prints its path. Needs root (or sudo) only for the installation.
set -euo pipefail
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk.sh: installing Debian's wrk" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get install -y --no-install-recommends wrk >&2 || {
    $SUDO apt-get update >&2
    $SUDO apt-get install -y --no-install-recommends wrk >&2
  }
fi
command -v wrk
