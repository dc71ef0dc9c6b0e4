"""From nothing to a running app: generate, install, test, serve with reload, edit, reload;
the Python client and the real Feathers JS client both talk to `feathers dev`.

The project gets its own virtual environment whose packages come from the environment running
these tests (a .pth file), so nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feathers_cli.runtime.client import connect
from feathers_cli.runtime.errors import NotFound

from ..helpers.projects import (
    generate_project,
    run_js_client,
    run_project_tests,
    running_feathers,
    venv_reusing_packages,
)

SERVICES_MARKERS = (
    "# feathers:service-imports (generators add imports above this line)",
    "    # feathers:service-registrations (generators add lines above this line)",
)

pytestmark = pytest.mark.slow


def make_project_venv(root: Path) -> Path:
    """`root/.venv` reusing this environment's packages; the project installed into it."""
    python = venv_reusing_packages(root / ".venv", with_editable_installs=True)
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    if importlib.util.find_spec("hatchling") is not None:
        install += ["--no-index", "--no-build-isolation"]
    # Every dependency is already there; pip only builds the project (hatchling fetched from
    # the configured index when this environment does not have it).
    subprocess.run([*install, "-e", f"{root}[test]"], check=True, timeout=300)
    return python


JS_CLIENT = """
'use strict'
const assert = require('node:assert/strict')
const { feathers } = require('@feathersjs/feathers')
const socketioClient = require('@feathersjs/socketio-client')
const { io } = require('socket.io-client')

const socket = io(process.env.FEATHERS_URL, { reconnection: false })
const app = feathers().configure(socketioClient(socket, { timeout: 5000 }))
app.service('greetings').find()
  .then((greetings) => assert.deepEqual(greetings, [{ id: 1, text: 'hi' }]))
  .then(() => app.service('nothing-here').find())
  .then(
    () => { throw new Error('expected NotFound') },
    (error) => assert.equal(error.name, 'NotFound')
  )
  .then(() => socket.close(), (error) => { console.error(error); process.exit(1) })
"""


async def find_greetings(url: str) -> list:
    client = await connect(url)
    try:
        return await client.service("greetings").find()
    finally:
        await client.close()


async def test_generate_install_test_serve_and_reload(tmp_path):
    root = generate_project(tmp_path, "chat")
    python = make_project_venv(root)

    tests = run_project_tests(root, python)
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    with running_feathers(root / "chat", "dev") as server:
        with pytest.raises(NotFound):
            await find_greetings(server.url)

        services = root / "chat" / "services" / "__init__.py"
        text = services.read_text()
        text = text.replace(
            SERVICES_MARKERS[0], "from feathers.memory import MemoryService\n" + SERVICES_MARKERS[0]
        )
        registration = (
            '    app.use("greetings", MemoryService(store={1: {"id": 1, "text": "hi"}}))\n'
        )
        text = text.replace(SERVICES_MARKERS[1], registration + SERVICES_MARKERS[1])
        services.write_text(text)

        deadline = time.monotonic() + 30
        while True:
            try:
                greetings = await asyncio.wait_for(find_greetings(server.url), timeout=5)
                break
            except Exception as error:  # not yet reloaded, or restarting
                if time.monotonic() > deadline:
                    raise AssertionError(f"no reload: {error}\n{server.output()}") from error
                await asyncio.sleep(0.2)
        assert greetings == [{"id": 1, "text": "hi"}]
        client = await asyncio.to_thread(run_js_client, JS_CLIENT, server.url, tmp_path)
        assert client.returncode == 0, client.stdout + client.stderr
        assert server.process.poll() is None
    assert "reloading on changes" in server.output()
    assert f"Python: {root / '.venv' / 'bin' / 'python'}" in server.output()
