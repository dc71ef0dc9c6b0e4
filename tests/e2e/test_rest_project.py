"""Issue 10, done when (CLI side): a freshly generated project (`feathers new`, `generate
service messages`, `migrate`) served by `feathers start` answers `GET /messages` with JSON,
shows its landing page at `/` with the browser bundles next to it, and the real
`@feathersjs/rest-client` 5 works against it.

No virtual environment for the project: `feathers start` runs it with the interpreter running
these tests, which has every dependency.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from feathers_cli.bundles import BUNDLE_SCRIPTS, bundle_files

from ..helpers.projects import (
    generate_project,
    run_feathers,
    run_js_client,
    running_feathers,
)

pytestmark = pytest.mark.slow

JS_REST_CLIENT = """
'use strict'
const assert = require('node:assert/strict')
const { feathers } = require('@feathersjs/feathers')
const rest = require('@feathersjs/rest-client')

const app = feathers().configure(rest(process.env.FEATHERS_URL).fetch(fetch))
const messages = app.service('messages')

async function main () {
  const created = await messages.create({ text: 'from the rest client' })
  assert.equal(created.text, 'from the rest client')
  assert.deepEqual(await messages.get(created.id), created)
  const page = await messages.find({ query: { text: 'from the rest client' } })
  assert.deepEqual(page.data, [created])
  const patched = await messages.patch(created.id, { text: 'patched' })
  assert.equal(patched.text, 'patched')
  await assert.rejects(messages.update(created.id, { text: 'no' }), { name: 'MethodNotAllowed' })
  await assert.rejects(app.service('nothing-here').find(), { name: 'NotFound' })
  assert.deepEqual(await messages.remove(created.id), patched)
}

main().catch((error) => { console.error(error); process.exit(1) })
"""


async def test_a_generated_project_answers_rest_and_shows_its_landing_page(tmp_path: Path):
    root = generate_project(tmp_path, "chat")  # Socket.io and REST, SQLite
    # anonymous calls, as curl makes them (test_auth_service_project.py logs in)
    run_feathers(root, "generate", "service", "messages", "--no-auth", "--yes")
    run_feathers(root, "migrate")

    with running_feathers(root, "start") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            empty = await http.get("/messages")
            created = await http.post("/messages", json={"text": "over curl"})
            listed = await http.get("/messages")
            page = await http.get("/")
            scripts = {name: await http.get(f"/{name}") for name in BUNDLE_SCRIPTS}
            unknown = await http.get("/nothing-here")
        check_answers(empty, created, listed, page, scripts, unknown)
        # last: it skips (or fails with CI=true) without node and tests/interop's packages
        client = await asyncio.to_thread(run_js_client, JS_REST_CLIENT, server.url, tmp_path)
        assert client.returncode == 0, client.stdout + client.stderr
        assert server.process.poll() is None


def check_answers(empty, created, listed, page, scripts, unknown) -> None:
    assert empty.status_code == 200
    assert empty.headers["content-type"].startswith("application/json")
    assert empty.json() == {"total": 0, "limit": 10, "skip": 0, "data": []}
    assert created.status_code == 201
    assert created.json() == {"id": 1, "text": "over curl"}
    assert listed.json()["data"] == [{"id": 1, "text": "over curl"}]

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>chat</title>" in page.text
    assert '<meta name="feathers-service" content="messages">' in page.text

    bundles = bundle_files()
    for name, response in scripts.items():
        if bundles is None:  # a feathers-py built without npm: the page says how to get them
            assert response.status_code == 404
        else:
            assert response.status_code == 200, name
            assert "javascript" in response.headers["content-type"]
            assert response.content == bundles[name].read_bytes()

    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Path /nothing-here not found"
