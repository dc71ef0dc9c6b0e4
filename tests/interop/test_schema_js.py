"""The real Feathers JS client against a Python service with schema hooks
(`schema_js/schema.test.js`, run with `node --test`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.schema import (
    OMIT,
    query_model,
    resolve_external,
    validate_data,
    validate_query,
)
from feathers_cli.runtime.socketio import socketio

from .test_js_client import run_node

pytestmark = pytest.mark.interop

SCRIPT = Path(__file__).parent / "schema_js" / "schema.test.js"


class UserData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    password: str
    age: int | None = None


class User(UserData):
    id: int


def create_app() -> Any:
    app = feathers()
    app.configure(socketio())
    app.use("users", MemoryService())
    app.service("users").hooks(
        {
            "around": {"all": [resolve_external({"password": lambda *_: OMIT})]},
            "before": {
                "all": [validate_query(query_model(User, fields=["id", "email", "age"]))],
                "create": [validate_data(UserData)],
            },
        }
    )
    app.on("connection", lambda connection: app.channel("everyone").join(connection))
    app.publish(lambda data, context: app.channel("everyone"))
    return app


async def test_js_client_and_schemas(node: str) -> None:
    app = create_app()
    server = await app.start(0)
    try:
        report = await run_node(node, SCRIPT, {"FEATHERS_URL": server.url})
    finally:
        await server.stop()
    assert re.search(r"\bpass 4\b", report), report
    assert (await app.service("users").get(0))["password"] == "pw"
