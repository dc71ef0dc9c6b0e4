#!/usr/bin/env bash
# A private Redis server for the tests that need one (feathers.sync).
#
#   scripts/redis.sh          install Debian's redis-server if missing, start a private
#                             server, print its URL
#   scripts/redis.sh url      print the URL only
#   scripts/redis.sh stop     stop the private server (its directory stays)
#   scripts/redis.sh destroy  stop it and delete its directory
#
# Idempotent: running it again with the server up only prints the URL. The server is
# separate from any system Redis: its own directory (pid file, log), its own port, listening
# on 127.0.0.1 only, nothing saved to disk (no RDB snapshots, no AOF).
#
# Settings (environment):
#   FEATHERS_REDIS_PORT  TCP port           (default 63790)
#   FEATHERS_REDIS_DIR   its directory      (default /tmp/feathers-redis-<port>)
#
# Typical use (what CI does):
#   export FEATHERS_TEST_REDIS_URL="$(scripts/redis.sh)"
#   pytest
#   scripts/redis.sh stop
set -euo pipefail

REDIS_PORT="${FEATHERS_REDIS_PORT:-63790}"
REDIS_DIR="${FEATHERS_REDIS_DIR:-/tmp/feathers-redis-${REDIS_PORT}}"
URL="redis://127.0.0.1:${REDIS_PORT}/0"

log() { echo "redis.sh: $*" >&2; }

install_server() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    return
  fi
  if [[ "$(id -u)" != 0 ]]; then
    log "redis-server is not installed; run as root, or: sudo apt-get install redis-server"
    exit 1
  fi
  log "installing Debian's redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # the package may start a system server on 6379; ours is separate and ignores it
  apt-get install -y -qq redis-server >&2
}

cli() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

is_running() {
  [[ "$(cli ping 2>/dev/null || true)" == PONG ]]
}

start_server() {
  if is_running; then
    return
  fi
  mkdir -p "$REDIS_DIR"
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
    --daemonize yes --save "" --appendonly no >/dev/null
  for _ in $(seq 1 100); do
    if is_running; then
      return
    fi
    sleep 0.1
  done
  log "redis-server did not answer on port $REDIS_PORT; see $REDIS_DIR/redis.log"
  exit 1
}

stop_server() {
  if is_running; then
    log "stopping redis-server on 127.0.0.1:$REDIS_PORT"
    cli shutdown nosave >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 50); do
    if ! is_running; then
      return
    fi
    sleep 0.1
  done
  log "redis-server on port $REDIS_PORT did not stop"
  exit 1
}

command="${1:-start}"
case "$command" in
  start)
    install_server
    start_server
    echo "$URL"
    ;;
  url)
    echo "$URL"
    ;;
  stop | destroy)
    if command -v redis-cli >/dev/null; then
      stop_server
    fi
    if [[ "$command" == destroy ]]; then
      rm -rf "$REDIS_DIR"
    fi
    ;;
  *)
    echo "usage: $0 [start|url|stop|destroy]" >&2
    exit 2
    ;;
esac
