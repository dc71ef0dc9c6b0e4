#!/usr/bin/env bash
# Runs the transport tests on the oldest and the newest releases of python-socketio,
# python-engineio and uvicorn that pyproject.toml allows (the transport overrides their
# internals, so both ends of each range must pass). Usage:
#   scripts/test-versions.sh [oldest|newest|both] [pytest args...]
# Each run uses a throwaway venv that sees .venv's packages through a .pth file, so only the
# three packages are installed (from pip's cache when possible): about a minute per edge.
# scripts/test.sh runs it when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
EDGES=${1:-both}
shift || true
[ "$EDGES" = both ] && EDGES="oldest newest"

TESTS=(
  tests/runtime/test_versions.py
  tests/runtime/test_socketio.py
  tests/runtime/test_socketio_bad_input.py
  tests/runtime/test_socketio_fast_paths.py
  tests/runtime/test_socketio_middleware.py
  tests/runtime/test_socketio_tasks.py
  tests/runtime/test_slow_clients.py
  tests/runtime/test_server.py
  tests/runtime/test_client.py
  tests/runtime/test_soak.py
  tests/cli/test_signals.py
  tests/interop
)
EXISTING=()
for path in "${TESTS[@]}"; do [ -e "$path" ] && EXISTING+=("$path"); done

# The pinned ranges, read from pyproject.toml: "name>=low,<high" per line.
RANGES=$($BIN/python - <<'PY'
import re, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
for dep in deps:
    m = re.fullmatch(r"(python-socketio|python-engineio|uvicorn)(?:\[\w+\])?>=([\d.]+),<([\d.]+)", dep)
    if m:
        print(m.group(1), m.group(2), m.group(3))
PY
)

for edge in $EDGES; do
  VENV=$(mktemp -d /tmp/feathers-versions.XXXXXX)
  trap 'rm -rf "$VENV"' EXIT
  $BIN/python - "$VENV" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, ".")
from tests.helpers.projects import venv_reusing_packages
venv_reusing_packages(Path(sys.argv[1]), with_editable_installs=True)
PY
  SPECS=()
  while read -r name low high; do
    if [ "$edge" = oldest ]; then SPECS+=("$name==$low"); else SPECS+=("$name>=$low,<$high"); fi
  done <<<"$RANGES"
  echo "== $edge: ${SPECS[*]}" >&2
  # --ignore-installed: install into the new venv even when .venv has a release that fits.
  $BIN/python -m pip --python "$VENV/bin/python" install --quiet --disable-pip-version-check \
    --no-deps --ignore-installed "${SPECS[@]}"
  "$VENV/bin/python" - <<'PY' >&2
from importlib import metadata
print("   installed:", ", ".join(f"{p} {metadata.version(p)}" for p in ("python-socketio", "python-engineio", "uvicorn")))
PY
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${EXISTING[@]}" "$@"
  rm -rf "$VENV"
  trap - EXIT
done
