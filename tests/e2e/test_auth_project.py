"""Issue 13, item 5 end to end: `feathers new --auth local,jwt` makes a project whose own
tests pass; `feathers start` serves it with the secret of its `.env`, and users sign up and
log in with the Python client and with the real `@feathersjs/authentication-client` over
`@feathersjs/socketio-client`; the password never leaves the server. Without a secret,
`feathers start` refuses in one line.

No virtual environment for the project: the CLI runs it with the interpreter running these
tests, which has every dependency.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

import httpx
import jwt
import pytest

from feathers_cli.runtime.client import connect

from ..helpers.projects import (
    feathers_command,
    run_js_client,
    run_project_tests,
    running_feathers,
)

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"

JS_CLIENT = """
const { feathers } = require('@feathersjs/feathers')
const socketio = require('@feathersjs/socketio-client')
const authentication = require('@feathersjs/authentication-client')
const io = require('socket.io-client')

const PASSWORD = %s

async function main () {
  const socket = io(process.env.FEATHERS_URL, { transports: ['websocket'], forceNew: true })
  const app = feathers()
  app.configure(socketio(socket))
  app.configure(authentication({ storage: new authentication.MemoryStorage() }))
  const events = []
  app.service('users').on('created', (user) => events.push(user))
  const login = { strategy: 'local', email: 'js@example.com', password: PASSWORD }
  const created = await app.service('users').create({ email: login.email, password: PASSWORD })
  let refused = null
  try { await app.service('users').find() } catch (error) { refused = error.name }
  const result = await app.authenticate(login)
  const own = await app.service('users').get(created.id)
  const again = await app.reAuthenticate(true)
  await app.logout()
  socket.close()
  console.log(JSON.stringify({ created, refused, result, own, again, events }))
}

main().catch((error) => { console.error(error); process.exit(1) })
"""


JS_REST_CLIENT = """
const { feathers } = require('@feathersjs/feathers')
const rest = require('@feathersjs/rest-client')
const authentication = require('@feathersjs/authentication-client')

const PASSWORD = %s

async function main () {
  const app = feathers()
  app.configure(rest(process.env.FEATHERS_URL).fetch(fetch))
  app.configure(authentication({ storage: new authentication.MemoryStorage() }))
  const login = { strategy: 'local', email: 'rest@example.com', password: PASSWORD }
  const created = await app.service('users').create({ email: login.email, password: PASSWORD })
  let refused = null
  try { await app.service('users').find() } catch (error) { refused = error.name }
  const result = await app.authenticate(login)
  const own = await app.service('users').get(created.id)
  await app.logout()
  console.log(JSON.stringify({ created, refused, result, own }))
}

main().catch((error) => { console.error(error); process.exit(1) })
"""


def environ_without(*names: str) -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in names}


def feathers(cwd: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        feathers_command(*args),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env if env is not None else environ_without("FEATHERS_ENV", "FEATHERS_AUTH_SECRET"),
        timeout=120,
    )


async def test_a_new_project_with_authentication_signs_up_and_logs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    created = feathers(tmp_path, "new", "chat", "--auth", "local,jwt", "--yes")
    assert created.returncode == 0, created.stderr
    root = tmp_path / "chat"
    secret = (root / ".env").read_text().split("FEATHERS_AUTH_SECRET=")[1].strip()
    assert len(secret) == 64
    assert secret not in created.stderr + created.stdout
    run_project_tests(root)
    migrated = feathers(root, "migrate")
    assert migrated.returncode == 0, migrated.stderr

    # the real environment has no secret: `feathers start` takes the one in .env
    monkeypatch.delenv("FEATHERS_AUTH_SECRET", raising=False)
    with running_feathers(root, "start") as server:
        client = await connect(server.url)
        try:
            user = await client.service("users").create(
                {"email": "py@example.com", "password": PASSWORD}
            )
            assert "password" not in user
            result = await client.authenticate(
                {"strategy": "local", "email": "py@example.com", "password": PASSWORD}
            )
            claims = jwt.decode(
                result["accessToken"],
                secret,
                algorithms=["HS256"],
                audience="https://yourdomain.com",
            )
            assert claims["sub"] == str(user["id"])
            assert "password" not in await client.service("users").get(user["id"])
        finally:
            await client.close()

        done = run_js_client(JS_CLIENT % json.dumps(PASSWORD), server.url, tmp_path)
        assert done.returncode == 0, done.stderr + server.output()
        output = json.loads(done.stdout)
        assert output["refused"] == "NotAuthenticated"
        assert output["result"]["user"]["email"] == "js@example.com"
        assert output["own"]["id"] == output["created"]["id"]
        assert output["again"]["accessToken"] == output["result"]["accessToken"]
        for record in (output["created"], output["result"]["user"], output["own"]):
            assert "password" not in record
        assert output["events"] == []  # not logged in when it signed up: no events

        transports = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["feathers"]
        if "rest" in transports["transports"]:
            await sign_up_and_log_in_over_http(server.url, secret)
            done = run_js_client(JS_REST_CLIENT % json.dumps(PASSWORD), server.url, tmp_path)
            assert done.returncode == 0, done.stderr + server.output()
            output = json.loads(done.stdout)
            assert output["refused"] == "NotAuthenticated"
            assert output["own"]["id"] == output["created"]["id"] == output["result"]["user"]["id"]
            for record in (output["created"], output["result"]["user"], output["own"]):
                assert "password" not in record

    (root / ".env").rename(root / "env.saved")
    refused = feathers(root, "start", "--port", "0")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: the authentication secret is missing")
    assert refused.stderr.count("\n") == 1


async def sign_up_and_log_in_over_http(url: str, secret: str) -> None:
    email = "http@example.com"
    async with httpx.AsyncClient(base_url=url) as http:
        created = await http.post("/users", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201, created.text
        assert "password" not in created.json()
        login = await http.post(
            "/authentication", json={"strategy": "local", "email": email, "password": PASSWORD}
        )
        assert login.status_code == 201, login.text
        token = login.json()["accessToken"]
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience="https://yourdomain.com")
        assert claims["sub"] == str(created.json()["id"])
        found = await http.get("/users", headers={"Authorization": f"Bearer {token}"})
        assert found.status_code == 200
        assert PASSWORD not in found.text and '"password"' not in found.text
