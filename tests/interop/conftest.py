"""Fixtures of the interop tests: Node and the npm packages of this folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def _missing_node() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    packages = HERE / "node_modules" / "@feathersjs"
    if not all((packages / name).is_dir() for name in ("socketio-client", "rest-client", "koa")):
        return "npm packages missing: run `npm ci --prefix tests/interop`"
    return None


@pytest.fixture
def node() -> str:
    """The path of `node`; the test is skipped without Node or the npm packages (but fails
    when CI=true, so that CI cannot silently skip the interop tests)."""
    reason = _missing_node()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Interop tests cannot run in CI: {reason}")
        pytest.skip(reason)
    return shutil.which("node")  # type: ignore[return-value]
