"""`feathers generate service` in a project with authentication (the default of `feathers
new`): the service requires a login. The project's own generated tests pass, among them the
ones refusing anonymous calls over REST and over a socket; served by `feathers start`, an
anonymous caller gets NotAuthenticated (401) before any validation, and a user who signed up
and logged in uses the service over both transports. With SQLite and with the memory adapter.

No virtual environment for the project: the CLI runs it with the interpreter running these
tests, which has every dependency.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from feathers_cli.runtime.client import connect
from feathers_cli.runtime.errors import NotAuthenticated

from ..helpers.projects import (
    generate_project,
    run_feathers,
    run_project_tests,
    running_feathers,
)

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"
# The generated tests of a service that requires a login (each must have run and passed).
REFUSAL_TESTS = (
    "test_anonymous_calls_are_refused_over_a_socket",
    "test_anonymous_calls_are_refused_over_rest",
)


@pytest.mark.parametrize("database", ["sqlite", "memory"])
async def test_a_generated_service_requires_a_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str
):
    root = generate_project(tmp_path, "chat", "--database", database)  # --auth local,jwt
    generated = run_feathers(root, "generate", "service", "messages", "--yes")
    assert "login required" in generated.stderr
    adapter = "sql" if database == "sqlite" else "memory"
    assert f"({adapter}; methods find,get,create,patch,remove;" in generated.stderr

    monkeypatch.setenv("PYTEST_ADDOPTS", "-rA")  # a PASSED line for each of its tests
    tests = run_project_tests(root)
    for name in REFUSAL_TESTS:
        assert f"PASSED tests/services/test_messages_service.py::{name}" in tests.stdout
    assert "skipped" not in tests.stdout
    monkeypatch.delenv("PYTEST_ADDOPTS")

    if database == "sqlite":
        run_feathers(root, "migrate")
    with running_feathers(root, "start") as server:
        await anonymous_calls_are_refused(server.url)
        await a_user_calls_the_service(server.url)


async def anonymous_calls_are_refused(url: str) -> None:
    """NotAuthenticated, also for data and a query the schema refuses (no BadRequest naming a
    field), and for a record that does not exist (no NotFound)."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        for refused in (
            await http.get("/messages"),
            await http.get("/messages", params={"nonexistent": "1"}),
            await http.get("/messages/12345"),
            await http.post("/messages", json={"text": 5}),
            await http.post("/messages", json={"text": "anonymous"}),
            await http.delete("/messages/1"),
        ):
            assert (refused.status_code, refused.json()["name"]) == (401, "NotAuthenticated")
    client = await connect(url)
    try:
        with pytest.raises(NotAuthenticated):
            await client.service("messages").find({"query": {"nonexistent": 1}})
        with pytest.raises(NotAuthenticated):
            await client.service("messages").create({"text": "anonymous"})
    finally:
        await client.close()


async def a_user_calls_the_service(url: str) -> None:
    client = await connect(url)
    try:
        login = {"strategy": "local", "email": "py@example.com", "password": PASSWORD}
        await client.service("users").create({"email": login["email"], "password": PASSWORD})
        token = (await client.authenticate(login))["accessToken"]
        created = await client.service("messages").create({"text": "over the socket"})
        assert created == {"id": created["id"], "text": "over the socket"}
    finally:
        await client.close()
    async with httpx.AsyncClient(
        base_url=url, timeout=10, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        listed = await http.get("/messages")
        assert listed.status_code == 200
        assert listed.json()["data"] == [created]
        posted = await http.post("/messages", json={"text": "over REST"})
        assert (posted.status_code, posted.json()["text"]) == (201, "over REST")
