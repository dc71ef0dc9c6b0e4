#!/usr/bin/env bash
# Runs the whole test suite with the project's virtual environment.
# In CI (CI=true) it also starts PostgreSQL for the SQL adapter tests and stops it after.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ "${CI:-}" = "true" ] && [ -x scripts/postgres.sh ] && [ -z "${FEATHERS_TEST_POSTGRES_URL:-}" ]; then
  FEATHERS_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
  export FEATHERS_TEST_POSTGRES_URL
  trap 'scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
fi

$BIN/ruff check .
$BIN/ruff format --check .
$BIN/python -m pytest "$@"

# The transport on the oldest and newest python-socketio/engineio/uvicorn pyproject allows.
if [ "${CI:-}" = "true" ]; then
  bash scripts/test-versions.sh both
fi
