"""The real `@feathersjs/authentication-client` 5 over `@feathersjs/socketio-client` and
`@feathersjs/rest-client` against the Python server with authentication
(tests/runtime/auth_app.py): the scripts of `auth_js/`, run with node."""

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
REST_SCRIPT = HERE / "auth_js" / "authentication-rest.test.js"


def _require_packages(*names: str) -> None:
    for name in names:
        if not (HERE / "node_modules" / "@feathersjs" / name).is_dir():
            reason = f"npm package @feathersjs/{name} missing: run `npm ci` in tests/interop"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(reason)
            pytest.skip(reason)


@pytest.fixture
def auth_client_package(node: str) -> str:
    """`node`, when `@feathersjs/authentication-client` is installed (a CI run must have it)."""
    _require_packages("authentication-client")
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


async def test_js_authentication_client_over_rest(auth_client_package: str) -> None:
    rest = pytest.importorskip("feathers_cli.runtime.rest", reason="REST is not merged yet")
    _require_packages("rest-client")
    app = make_app()
    app.configure(rest.rest())
    server = await app.start(0, "127.0.0.1")
    try:
        await add_user(app)
        report = await run_node(auth_client_package, REST_SCRIPT, {"FEATHERS_URL": server.url}, 60)
        passed = re.search(r"pass (\d+)", report)
        assert passed is not None and int(passed.group(1)) == 3, report
    finally:
        await server.stop()
