"""The real `@feathersjs/authentication-client` 5 over `@feathersjs/socketio-client` against
the Python server with authentication (tests/runtime/auth_app.py): `auth_js/` with node."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.runtime.auth_app import add_user, make_app

from .test_js_client import run_node

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent
SCRIPT = HERE / "auth_js" / "authentication.test.js"


@pytest.fixture
def auth_client_package(node: str) -> str:
    """`node`, when `@feathersjs/authentication-client` is installed (a CI run must have it)."""
    if not (HERE / "node_modules" / "@feathersjs" / "authentication-client").is_dir():
        reason = "npm package @feathersjs/authentication-client missing: run `npm ci` here"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return node


async def test_js_authentication_client(auth_client_package: str) -> None:
    app = make_app()
    server = await app.start(0, "127.0.0.1")
    try:
        await add_user(app)
        report = await run_node(auth_client_package, SCRIPT, {"FEATHERS_URL": server.url}, 60)
        passed = re.search(r"pass (\d+)", report)
        assert passed is not None and int(passed.group(1)) == 5, report
    finally:
        await server.stop()
