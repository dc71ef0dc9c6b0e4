#!/usr/bin/env bash
# A private PostgreSQL server for the tests that need one.
#
#   scripts/postgres.sh          install Debian's postgresql if missing, start a private
#                                cluster, create role + database feathers_test, print the URL
#   scripts/postgres.sh url      print the URL only
#   scripts/postgres.sh stop     stop the private cluster (its data directory stays)
#   scripts/postgres.sh destroy  stop it and delete its data directory
#
# Idempotent: running it again with the server up only prints the URL. The cluster is
# separate from any system cluster: its own data directory, its own port, listening on
# 127.0.0.1 only, with its socket in the data directory. As root the server runs as the
# `postgres` user; otherwise as the current user.
#
# Settings (environment):
#   FEATHERS_PG_DIR   data directory       (default /tmp/feathers-postgres)
#   FEATHERS_PG_PORT  TCP port             (default 54329)
#
# Typical use (what CI does):
#   export FEATHERS_TEST_POSTGRES_URL="$(scripts/postgres.sh)"
#   pytest
#   scripts/postgres.sh stop
set -euo pipefail

PG_DIR="${FEATHERS_PG_DIR:-/tmp/feathers-postgres}"
PG_PORT="${FEATHERS_PG_PORT:-54329}"
NAME="feathers_test"
URL="postgresql+asyncpg://${NAME}:${NAME}@127.0.0.1:${PG_PORT}/${NAME}"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  # the newest installed server version
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then
    echo "$dir"
  fi
}

install_server() {
  if [[ -n "$(find_bindir)" ]]; then
    return
  fi
  if [[ "$(id -u)" != 0 ]]; then
    log "PostgreSQL is not installed; run as root, or: sudo apt-get install postgresql"
    exit 1
  fi
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # the package creates and may start a system cluster; ours is separate and ignores it
  apt-get install -y -qq postgresql >&2
}

# run a command as the owner of the cluster
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() {
  [[ -f "$PG_DIR/postmaster.pid" ]] && as_owner "$BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1
}

init_cluster() {
  if [[ -f "$PG_DIR/PG_VERSION" ]]; then
    return
  fi
  log "creating a cluster in $PG_DIR"
  mkdir -p "$PG_DIR"
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres:postgres "$PG_DIR"
  fi
  chmod 700 "$PG_DIR"
  # local socket: the owner only (peer); TCP on 127.0.0.1: passwords
  as_owner "$BIN/initdb" -D "$PG_DIR" -U postgres --auth-local=peer \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$PG_DIR/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

start_cluster() {
  if is_running; then
    return
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_owner "$BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null
}

psql_admin() {
  as_owner "$BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

create_database() {
  if [[ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$NAME'")" != 1 ]]; then
    psql_admin -c "CREATE ROLE $NAME LOGIN PASSWORD '$NAME'"
  fi
  if [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$NAME'")" != 1 ]]; then
    psql_admin -c "CREATE DATABASE $NAME OWNER $NAME"
  fi
}

stop_cluster() {
  if is_running; then
    log "stopping PostgreSQL in $PG_DIR"
    as_owner "$BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null
  fi
}

command="${1:-start}"
case "$command" in
  start)
    install_server
    BIN="$(find_bindir)"
    init_cluster
    start_cluster
    create_database
    echo "$URL"
    ;;
  url)
    echo "$URL"
    ;;
  stop | destroy)
    BIN="$(find_bindir)"
    if [[ -n "$BIN" ]]; then
      stop_cluster
    fi
    if [[ "$command" == destroy ]]; then
      rm -rf "$PG_DIR"
    fi
    ;;
  *)
    echo "usage: $0 [start|url|stop|destroy]" >&2
    exit 2
    ;;
esac
