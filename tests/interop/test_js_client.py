"""The real Feathers JS client (`@feathersjs/socketio-client`, `socket.io-client` 4 from
npm) against Python servers: each file of `js/` runs with `node --test`."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from .python_app import create_app

pytestmark = pytest.mark.interop

JS_DIR = Path(__file__).parent / "js"
JS_TESTS = sorted(p.name for p in JS_DIR.glob("*.test.js"))


async def run_node(node: str, script: Path, env: dict[str, str], timeout: float = 30.0) -> str:
    """Run `node --test script`; the test fails with Node's report unless every test passed."""
    process = await asyncio.create_subprocess_exec(
        node,
        "--test",
        "--test-reporter=spec",
        str(script),
        cwd=script.parent.parent,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"{script.name} did not finish within {timeout}s")
    report = output.decode(errors="replace")
    assert process.returncode == 0, f"{script.name} failed:\n{report}"
    return report


@pytest.mark.parametrize("script", JS_TESTS)
async def test_js_client(node: str, script: str) -> None:
    apps = {
        "FEATHERS_URL": create_app(),
        "FEATHERS_WS_URL": create_app({"path": "/ws/"}),
        "FEATHERS_CORS_URL": create_app({"cors": {"origin": ["http://allowed.example"]}}),
    }
    servers = {}
    try:
        for name, app in apps.items():
            servers[name] = await app.start(0)
        env = {name: server.url for name, server in servers.items()}
        report = await run_node(node, JS_DIR / script, env)
        passed = re.search(r"pass (\d+)", report)
        assert passed is not None and int(passed.group(1)) > 0, f"no test ran:\n{report}"
    finally:
        for server in servers.values():
            await server.stop()
