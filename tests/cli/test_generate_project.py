"""End to end: `feathers new` (SQLite, the default), three services (one nested; `messages`
on SQL) and two hooks (one registered); the generated project's own tests pass, its code is
ruff clean, and the real JS client calls every generated service."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from feathers_cli.generators.new import NewAnswers, create_project, project_names

from ..helpers.generate import run
from ..helpers.projects import run_js_client, run_project_tests

pytestmark = pytest.mark.slow

VENV_BIN = Path(sys.executable).parent

TODOS = "find,get,create,update"
GENERATE = [
    ["g", "service", "messages"],
    # custom services without a schema: the JS client below stores `title`s
    ["g", "service", "api/todos", "--adapter", "custom", "--schema", "none", "--methods", TODOS],
    ["g", "service", "weather", "--adapter", "custom", "--methods", "find,get", "--schema", "none"],
    ["g", "hook", "log_runtime", "--type", "around", "--service", "messages"],
    ["g", "hook", "stamp", "--type", "regular", "--service", "messages", "--method", "create"],
]

JS_CLIENT = """
'use strict'
const assert = require('node:assert/strict')
const { feathers } = require('@feathersjs/feathers')
const socketioClient = require('@feathersjs/socketio-client')
const { io } = require('socket.io-client')

async function main () {
  const socket = io(process.env.FEATHERS_URL, { forceNew: true, reconnection: false })
  const app = feathers().configure(socketioClient(socket, { timeout: 5000 }))
  try {
    const messages = app.service('messages')
    // the schema of messages (schema.py): a BadRequest naming the field, as in Feathers
    await assert.rejects(messages.create({ text: 5 }), (error) => {
      assert.equal(error.name, 'BadRequest')
      assert.deepEqual(error.data[0].loc, ['text'])
      return true
    })
    await assert.rejects(messages.find({ query: { id: 'one' } }), { name: 'BadRequest' })
    const message = await messages.create({ text: 'hello' })
    assert.equal((await messages.get(message.id)).text, 'hello')
    assert.equal((await messages.find({ query: { text: 'hello' } })).total, 1)
    assert.equal((await messages.patch(message.id, { text: 'changed' })).text, 'changed')
    assert.equal((await messages.remove(message.id)).id, message.id)

    const todos = app.service('api/todos')
    const todo = await todos.create({ title: 'write tests' })
    assert.deepEqual(await todos.update(todo.id, { title: 'done' }), { id: todo.id, title: 'done' })
    const found = await todos.find({ query: { title: 'done' } })
    assert.deepEqual(found, [{ id: todo.id, title: 'done' }])
    await assert.rejects(todos.remove(todo.id), { name: 'MethodNotAllowed' })

    const weather = app.service('weather')
    assert.deepEqual(await weather.find(), [])
    await assert.rejects(weather.get(1), { name: 'NotFound' })
    await assert.rejects(weather.create({}), { name: 'MethodNotAllowed' })
  } finally {
    socket.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
"""

SERVE = """
import asyncio

from chat.app import create_app
from chat.config import load_config
from chat.database import migrate

CONFIG = load_config(environ={"FEATHERS_ENV": "test"})


async def main():
    server = await create_app(CONFIG).start(0, "127.0.0.1")
    print(server.port, flush=True)
    await asyncio.Event().wait()


migrate(reset=True, settings=CONFIG["database"])  # the test database, from empty
asyncio.run(main())
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "chat"
    # without authentication: the JS client calls the services and gets their events anonymously
    create_project(NewAnswers(project_names("chat"), auth=()), root, ask=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for args in GENERATE:
            result = run(*args)
            assert result.exit_code == 0, f"{args}: {result.output}"
    return root


def test_the_generated_project_passes_its_own_tests(project):
    result = run_project_tests(project)
    tests = sorted(path.name for path in (project / "tests").rglob("test_*.py"))
    assert tests == [
        "test_api_todos_service.py",
        "test_app.py",
        "test_log_runtime_hook.py",
        "test_messages_service.py",
        "test_stamp_hook.py",
        "test_weather_service.py",
    ]
    assert " passed" in result.stdout
    assert "skipped" not in result.stdout
    service = (project / "chat" / "services" / "messages" / "service.py").read_text()
    assert "class MessagesService(SQLService):" in service  # the default database's adapter


def test_the_generated_code_is_ruff_clean(project):
    ruff = shutil.which("ruff", path=str(VENV_BIN)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    for command in ([ruff, "check", "."], [ruff, "format", "--check", "--diff", "."]):
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.interop
def test_the_js_client_calls_every_generated_service(project, tmp_path):
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        assert port.isdigit(), "the generated app did not start"
        client = run_js_client(JS_CLIENT, f"http://127.0.0.1:{port}", tmp_path)
        assert client.returncode == 0, client.stdout + client.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
