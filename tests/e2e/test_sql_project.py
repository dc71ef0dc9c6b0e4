"""Issue 6, done when: a generated project with the default database (SQLite) and a SQL
service migrates, passes its own tests, keeps a record created over a socket across a restart
of `feathers dev`, and reloads on an edit with the data still there.

No virtual environment for the project: `feathers dev` and `feathers migrate` run it with the
interpreter running these tests, which has every dependency.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from feathers_cli.runtime.client import connect

from ..helpers.projects import (
    generate_project,
    run_feathers,
    run_project_tests,
    running_feathers,
)

pytestmark = pytest.mark.slow


def stored_messages(database: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT id, text FROM messages ORDER BY id").fetchall()


async def call(url: str, method: str, *args: Any) -> Any:
    """One call of the `messages` service over a new socket connection."""
    client = await connect(url)
    try:
        return await getattr(client.service("messages"), method)(*args)
    finally:
        await client.close()


async def eventually(url: str, expected_limit: int, timeout: float = 20) -> dict[str, Any]:
    """`find()` once the server answers with `expected_limit` (it reloads meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            page = await asyncio.wait_for(call(url, "find"), timeout=5)
            if page["limit"] == expected_limit:
                return page
            problem: object = page
        except Exception as error:  # restarting: refused, or the connection dropped
            problem = error
        if time.monotonic() > deadline:
            raise AssertionError(f"no reload within {timeout} s: {problem}")
        await asyncio.sleep(0.2)


async def test_a_sqlite_project_keeps_its_data_across_restarts_and_reloads(tmp_path: Path):
    root = generate_project(tmp_path, "chat", "--auth", "none")  # SQLite by default
    created = run_feathers(root, "generate", "service", "messages", "--yes")
    summary = "(sql; methods find,get,create,patch,remove; schema pydantic; no login)"
    assert summary in created.stderr
    migrated = run_feathers(root / "chat" / "services", "migrate")  # any folder of the project
    assert "Running upgrade  -> " in migrated.stderr
    development = root / "data" / "development.sqlite"
    assert stored_messages(development) == []

    tests = run_project_tests(root)
    assert "15 passed" in tests.stdout  # test_app.py (7) and the messages service (8)
    assert stored_messages(development) == []  # the tests used data/test.sqlite

    with running_feathers(root, "dev") as server:
        record = await call(server.url, "create", {"text": "kept"})
        assert record == {"id": 1, "text": "kept"}
    assert stored_messages(development) == [(1, "kept")]

    with running_feathers(root, "dev") as server:  # a restart
        page = await call(server.url, "find")
        assert page == {"total": 1, "limit": 10, "skip": 0, "data": [record]}

        registration = root / "chat" / "services" / "messages" / "__init__.py"
        source = registration.read_text()
        edited = source.replace('paginate=app.get("paginate")', 'paginate={"default": 5}')
        assert edited != source
        registration.write_text(edited)

        page = await eventually(server.url, expected_limit=5)
        assert page["data"] == [record]
        assert server.process.poll() is None
    assert "reloading on changes" in server.output()
