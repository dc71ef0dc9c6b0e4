"""Schema hooks over a real socket (the Python client): errors on the wire, and an
external resolver that never lets a field out, in replies or in events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, EmailStr

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.client import Client, connect
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.schema import (
    OMIT,
    partial_model,
    query_model,
    resolve_data,
    resolve_external,
    resolve_result,
    validate_data,
    validate_query,
)
from feathers_cli.runtime.socketio import socketio

from ..helpers.socketio import wait_until

try:  # EmailStr needs the optional email-validator package
    import email_validator  # noqa: F401

    Email: Any = EmailStr
except ImportError:
    Email = str


class UserData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    password: str
    age: int | None = None


class User(UserData):
    id: int


def protect(*fields: str) -> Any:
    """Like Feathers' `protect`: the fields never leave the server."""
    return resolve_external({name: lambda value, item, context: OMIT for name in fields})


def make_app(paginate: Any = None) -> Any:
    app = feathers()
    app.configure(socketio())
    app.use("users", MemoryService(paginate=paginate, multi=["create", "patch"]))

    async def hash_password(value: Any, user: Any, context: Any) -> Any:
        await asyncio.sleep(0)
        return None if value is None else f"hashed:{value}"

    app.service("users").hooks(
        {
            "around": {
                "all": [
                    protect("password"),
                    resolve_result({"name": lambda value, user, c: user["email"].split("@")[0]}),
                ]
            },
            "before": {
                "all": [validate_query(query_model(User, fields=["id", "email", "age"]))],
                "create": [validate_data(UserData), resolve_data({"password": hash_password})],
                "patch": [validate_data(partial_model(UserData))],
            },
        }
    )
    app.use("messages", MemoryService(paginate=paginate))

    async def author(value: Any, message: Any, context: Any) -> Any:
        return await context.app.service("users").get(message["user_id"])

    app.service("messages").hooks(
        {"around": {"all": [resolve_external({}), resolve_result({"user": author})]}}
    )
    app.on("connection", lambda connection: app.channel("everyone").join(connection))
    app.publish(lambda data, context: app.channel("everyone"))
    return app


@pytest.fixture(params=[None, {"default": 10, "max": 50}], ids=["plain", "paginated"])
async def app(request: Any) -> Any:
    return make_app(request.param)


@pytest.fixture
async def clients(app: Any) -> AsyncIterator[tuple[Client, Client]]:
    server = await app.start(0)
    try:
        one, other = await connect(server.url, timeout=3), await connect(server.url, timeout=3)
        async with one, other:
            yield one, other
    finally:
        await server.stop()


def records(found: Any) -> list[dict[str, Any]]:
    return found["data"] if isinstance(found, dict) else found


async def test_protected_field_never_leaves_over_the_socket(
    app: Any, clients: tuple[Client, Client]
) -> None:
    client, other = clients
    events: list[tuple[str, Any]] = []
    for event in ("created", "patched", "removed"):
        other.service("users").on(event, lambda data, event=event: events.append((event, data)))
    users = client.service("users")
    created = await users.create({"email": "ann@example.com", "password": "pw", "age": 30})
    assert created == {"email": "ann@example.com", "age": 30, "id": 0, "name": "ann"}
    bob, cid = {"email": "bob@example.com", "password": "x"}, {"email": "cid@example.com"}
    many = await users.create([bob, {**cid, "password": "y"}])
    assert [user.get("password") for user in many] == [None, None]
    assert "password" not in await users.get(0)
    found = await users.find({"query": {"age": {"$gte": 18}}})
    assert records(found) == [created]
    assert all("password" not in user for user in records(await users.find()))
    assert "password" not in await users.patch(0, {"age": 31})
    assert all("password" not in user for user in await users.patch(None, {"age": 40}))
    assert "password" not in await users.remove(2)
    await wait_until(lambda: len(events) == 8)  # 3 created, 1 + 3 patched, 1 removed
    assert [event for event, _ in events].count("created") == 3
    for _, data in events:
        assert "password" not in data and data["email"].endswith("@example.com")
    # on the server the data is there, resolved (hashed) before it was stored
    assert app.service("users").store[0]["password"] == "hashed:pw"
    assert (await app.service("users").get(0))["password"] == "hashed:pw"


async def test_bad_data_over_the_socket_names_the_field(clients: tuple[Client, Client]) -> None:
    users = clients[0].service("users")
    with pytest.raises(errors.BadRequest) as caught:
        await users.create({"email": "ann@example.com", "password": "pw", "age": "thirty"})
    assert caught.value.code == 400
    assert caught.value.message.startswith("Invalid data: age: Input should be a valid integer")
    assert caught.value.data == [
        {
            "loc": ["age"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]
    with pytest.raises(errors.BadRequest, match="Invalid data: password: Field required"):
        await users.create({"email": "ann@example.com"})
    with pytest.raises(errors.BadRequest, match="Invalid data: role: Extra inputs"):
        await users.create({"email": "ann@example.com", "password": "pw", "role": "admin"})
    await users.create({"email": "ann@example.com", "password": "pw"})
    with pytest.raises(errors.BadRequest, match="Invalid data: age:"):
        await users.patch(0, {"age": [1]})
    assert (await users.get(0)).get("age") is None


async def test_bad_query_over_the_socket_names_the_field(clients: tuple[Client, Client]) -> None:
    users = clients[0].service("users")
    with pytest.raises(errors.BadRequest, match="Invalid query: password: Unknown query field"):
        await users.find({"query": {"password": "hashed:pw"}})
    with pytest.raises(errors.BadRequest, match=r"Invalid query: age.\$gt: Input should be"):
        await users.find({"query": {"age": {"$gt": "old"}}})
    with pytest.raises(errors.BadRequest, match=r"Invalid query: \$sort.password: Unknown"):
        await users.find({"query": {"$sort": {"password": 1}}})


async def test_an_embedded_record_stays_protected(app: Any, clients: tuple[Client, Client]) -> None:
    client, other = clients
    events: list[Any] = []
    other.service("messages").on("created", events.append)
    await client.service("users").create({"email": "ann@example.com", "password": "pw"})
    messages = client.service("messages")
    created = await messages.create({"text": "hi", "user_id": 0})
    author = {"email": "ann@example.com", "age": None, "id": 0, "name": "ann"}
    assert created == {"text": "hi", "user_id": 0, "id": 0, "user": author}
    assert records(await messages.find())[0]["user"] == author
    assert (await messages.get(0))["user"] == author
    await wait_until(lambda: len(events) == 1)
    assert events[0]["user"] == author
    internal = await app.service("messages").get(0)
    assert internal["user"]["password"] == "hashed:pw"
