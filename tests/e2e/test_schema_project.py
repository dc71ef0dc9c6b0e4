"""Issue 12, done when: a generated project with a schema'd SQL service passes its own tests,
rejects a wrong type over a socket (and over REST when the app serves it), and migrates after
a field is added to the model (`alembic revision --autogenerate`, then `feathers migrate`),
the new column usable at once.

No virtual environment for the project: `feathers start`, `feathers migrate` and alembic run
with the interpreter running these tests, which has every dependency.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from feathers_cli.runtime.client import connect
from feathers_cli.runtime.errors import BadRequest

from ..helpers.projects import (
    feathers_command,
    generate_project,
    run_project_tests,
    running_feathers,
)

pytestmark = pytest.mark.slow

DEVELOPMENT = {k: v for k, v in os.environ.items() if k != "FEATHERS_ENV"}


def run(cwd: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=DEVELOPMENT,
        timeout=120,
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done


def serves_rest(root: Path) -> bool:
    """Whether the generated app serves REST (`[tool.feathers] transports`)."""
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["feathers"]
    return "rest" in config.get("transports", [])


async def rest_refusals(url: str) -> None:
    """Over REST too: a BadRequest (400) naming the field, for data and for queries."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        refused = await http.post("/messages", json={"text": 5})
        assert (refused.status_code, refused.json()["data"][0]["loc"]) == (400, ["text"])
        refused = await http.get("/messages", params={"id[$gt]": "many"})
        assert (refused.status_code, refused.json()["data"][0]["loc"]) == (400, ["id", "$gt"])


def columns(database: Path, table: str) -> dict[str, tuple[str, bool, Any]]:
    """name -> (type, not null, default) of a SQLite table."""
    with sqlite3.connect(database) as db:
        rows = db.execute(f"PRAGMA table_info({table})").fetchall()
    return {name: (kind, bool(notnull), default) for _, name, kind, notnull, default, _ in rows}


async def test_a_schema_sql_service_validates_and_migrates_a_new_field(tmp_path: Path):
    root = generate_project(tmp_path, "chat")  # SQLite by default
    # anonymous calls: the validation is the point here (test_auth_service_project.py logs in)
    run(root, feathers_command("generate", "service", "messages", "--no-auth", "--yes"))
    schema_file = root / "chat" / "services" / "messages" / "schema.py"
    assert "messages_table = sql_table(Model, metadata" in schema_file.read_text()
    assert "pydantic>=2.7,<3" in (root / "pyproject.toml").read_text()
    tests = run_project_tests(root)
    assert "passed" in tests.stdout and "skipped" not in tests.stdout

    run(root, feathers_command("migrate"))
    development = root / "data" / "development.sqlite"
    assert columns(development, "messages") == {
        "id": ("INTEGER", True, None),
        "text": ("VARCHAR(1000)", True, None),
    }
    with running_feathers(root, "start") as server:
        client = await connect(server.url)
        try:
            messages = client.service("messages")
            with pytest.raises(BadRequest) as raised:
                await messages.create({"text": 5})
            assert raised.value.data[0]["loc"] == ["text"]
            with pytest.raises(BadRequest) as raised:
                await messages.find({"query": {"id": {"$gt": "many"}}})
            assert raised.value.data[0]["loc"] == ["id", "$gt"]
            first = await messages.create({"text": "before the new field"})
        finally:
            await client.close()
        if serves_rest(root):
            await rest_refusals(server.url)

    # a field with a default: the rows already in the table get it
    source = schema_file.read_text()
    edited = source.replace(
        "    text: str = Field(min_length=1, max_length=1000)\n",
        "    text: str = Field(min_length=1, max_length=1000)\n    done: bool = False\n",
    ).replace('fields=["id", "text"]', 'fields=["id", "text", "done"]')
    assert edited.count("done") == 2
    schema_file.write_text(edited)
    alembic = [sys.executable, "-m", "alembic", "revision", "--autogenerate", "-m", "add done"]
    generated = run(root, alembic)
    assert "Detected added column 'messages.done'" in generated.stderr
    [migration] = (root / "migrations" / "versions").glob("*_add_done.py")
    assert "add_column" in migration.read_text()
    run(root, feathers_command("migrate"))
    assert columns(development, "messages")["done"][:2] == ("BOOLEAN", True)

    with running_feathers(root, "start") as server:
        client = await connect(server.url)
        try:
            messages = client.service("messages")
            assert await messages.get(first["id"]) == {**first, "done": False}
            second = await messages.create({"text": "after", "done": True})
            assert second == {"id": second["id"], "text": "after", "done": True}
            page = await messages.find({"query": {"done": True}})
            assert page["data"] == [second]
            with pytest.raises(BadRequest) as raised:
                await messages.create({"text": "x", "done": "maybe"})
            assert raised.value.data[0]["loc"] == ["done"]
        finally:
            await client.close()
        if serves_rest(root):  # ?done=true: the query string's "true" is the boolean
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
                page = (await http.get("/messages", params={"done": "true"})).json()
                assert page["data"] == [second]
    # the project's own tests migrate their database through the new revision too
    assert "passed" in run_project_tests(root).stdout
