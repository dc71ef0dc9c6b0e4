#!/usr/bin/env bash
# Runs the whole test suite with the project's virtual environment.
# In CI (CI=true) it also starts PostgreSQL for the SQL adapter tests and Redis for the sync
# tests (stopping them after), and installs chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# what to stop on the way out (each server started below adds its command)
CLEANUP=":"
trap 'eval "$CLEANUP"' EXIT

if [ "${CI:-}" = "true" ] && [ -x scripts/postgres.sh ] && [ -z "${FEATHERS_TEST_POSTGRES_URL:-}" ]; then
  FEATHERS_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
  export FEATHERS_TEST_POSTGRES_URL
  CLEANUP="$CLEANUP; scripts/postgres.sh stop >/dev/null 2>&1 || true"
fi

if [ "${CI:-}" = "true" ] && [ -x scripts/redis.sh ] && [ -z "${FEATHERS_TEST_REDIS_URL:-}" ]; then
  FEATHERS_TEST_REDIS_URL=$(scripts/redis.sh start)
  export FEATHERS_TEST_REDIS_URL
  CLEANUP="$CLEANUP; scripts/redis.sh stop >/dev/null 2>&1 || true"
fi

# Browser tests (tests/browser): Debian's chromium, installed by the project's script.
if [ "${CI:-}" = "true" ] && [ -z "${FEATHERS_CHROMIUM:-}" ]; then
  FEATHERS_CHROMIUM=$(scripts/chromium.sh)
  export FEATHERS_CHROMIUM
fi

$BIN/ruff check .
$BIN/ruff format --check .
$BIN/python -m pytest "$@"

# The documentation site builds with no warning (mkdocs.yml; into the git-ignored build/site).
NO_MKDOCS_2_WARNING=1 $BIN/mkdocs build --strict --quiet

# The transport on the oldest and newest python-socketio/engineio/uvicorn pyproject allows.
if [ "${CI:-}" = "true" ]; then
  bash scripts/test-versions.sh both
fi
