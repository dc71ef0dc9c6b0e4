"""The Python client against this server (tests/interop runs it against Node Feathers)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.client import Client, RemoteService, connect
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio

from ..helpers.socketio import wait_until


class Extras:
    async def get(self, id: Any, params: Any) -> Any:
        if id == "slow":
            await asyncio.sleep(1)
        if id in errors.error_classes:
            raise errors.error_classes[id](f"Boom {id}", {"x": 1})
        return {"id": id, "query": params["query"], "token": params.get("token")}

    async def shout(self, data: Any, params: Any) -> Any:
        return {"shouted": data["text"].upper(), "query": params["query"]}


class Posts:
    async def find(self, params: Any) -> Any:
        return params["route"]


def make_app() -> Any:
    def setup_io(io: Any) -> None:
        def check(socket: Any, next_step: Any) -> None:
            if socket.handshake.headers.get("x-refuse"):
                next_step(errors.Forbidden("Not you"))
                return
            socket.feathers["token"] = (socket.handshake.auth or {}).get("token")
            next_step()

        io.use(check)

    app = feathers()
    app.configure(socketio(setup_io))
    app.use("messages", MemoryService(), events=["typing"])
    app.use("extras", Extras(), methods=["get", "shout"])
    app.use("users/:user_id/posts", Posts())
    app.use("/", MemoryService())
    app.on("connection", lambda connection: app.channel("all").join(connection))
    app.publish(lambda data, context: app.channel("all"))
    return app


@pytest.fixture
async def url() -> AsyncIterator[str]:
    server = await make_app().start(0)
    try:
        yield server.url
    finally:
        await server.stop()


@pytest.fixture
async def client(url: str) -> AsyncIterator[Client]:
    async with await connect(url, timeout=3) as client:
        yield client


async def test_crud_and_queries(client: Client) -> None:
    messages = client.service("/messages/")
    assert isinstance(messages, RemoteService)
    assert client.service("messages") is messages
    created = await messages.create({"text": "Hi", "n": 1})
    assert created == {"text": "Hi", "n": 1, "id": 0}
    await messages.create({"text": "Other", "n": 2})
    assert await messages.get(0) == created
    found = await messages.find({"query": {"n": {"$gt": 1}}, "user": "ignored"})
    assert found == [{"text": "Other", "n": 2, "id": 1}]
    assert await messages.update(0, {"text": "New"}) == {"text": "New", "id": 0}
    assert await messages.patch(0, {"n": 5}) == {"text": "New", "n": 5, "id": 0}
    assert await messages.remove(0) == {"text": "New", "n": 5, "id": 0}
    assert await client.service("/").create({"root": True}) == {"root": True, "id": 0}


@pytest.mark.parametrize("name", sorted(errors.error_classes))
async def test_typed_errors(client: Client, name: str) -> None:
    with pytest.raises(errors.error_classes[name]) as caught:
        await client.service("extras").get(name)
    assert caught.value.message == f"Boom {name}"
    assert caught.value.data == {"x": 1}


async def test_protocol_errors(client: Client) -> None:
    with pytest.raises(errors.NotFound, match="Service 'nowhere' not found"):
        await client.service("nowhere").find()
    with pytest.raises(errors.MethodNotAllowed):
        await client.service("extras").find()
    with pytest.raises(errors.MethodNotAllowed):
        await client.service("extras").unknown_method({"a": 1})
    with pytest.raises(TypeError):
        await client.service("extras").call("get", 1)
    with pytest.raises(AttributeError):
        client.service("extras")._private  # noqa: B018


async def test_custom_methods_and_route_params(client: Client) -> None:
    extras = client.service("extras")
    assert await extras.shout({"text": "hi"}, {"query": {"q": 1}}) == {
        "shouted": "HI",
        "query": {"q": 1},
    }
    assert await extras.call("shout", {"text": "yo"}) == {"shouted": "YO", "query": {}}
    posts = client.service("users/:user_id/posts")
    assert await posts.find({"route": {"user_id": 9}}) == {"user_id": "9"}


async def test_events_on_and_off(client: Client, url: str) -> None:
    messages = client.service("messages")
    created: list[Any] = []
    also: list[Any] = []

    async def async_listener(data: Any) -> None:
        also.append(data)

    messages.on("created", created.append).on("created", async_listener)
    messages.on("created", lambda data: 1 / 0)  # logged; the other listeners still run
    async with await connect(url, transports=["polling"]) as other:
        await other.service("messages").create({"text": "one"})
        await wait_until(lambda: len(created) == 1 and len(also) == 1)
        messages.off("created", created.append)
        await other.service("messages").create({"text": "two"})
        await wait_until(lambda: len(also) == 2)
    assert created == [{"text": "one", "id": 0}]
    assert also == [{"text": "one", "id": 0}, {"text": "two", "id": 1}]
    messages.off("created")
    messages.off("never-registered")
    with pytest.raises(TypeError):
        messages.on("created", "not callable")  # type: ignore[arg-type]


async def test_custom_events_and_connection_events() -> None:
    app = make_app()
    server = await app.start(0)
    try:
        client = await connect(server.url)
        typing: list[Any] = []
        reasons: list[Any] = []
        client.service("messages").on("typing", typing.append)
        client.on("disconnect", reasons.append)
        app.service("messages").emit("typing", {"user": "Ann"})
        await wait_until(lambda: typing == [{"user": "Ann"}])
        assert client.connected
        await client.close()
        await wait_until(lambda: len(reasons) == 1)
    finally:
        await server.stop()


async def test_timeout_per_call(client: Client) -> None:
    with pytest.raises(errors.Timeout, match=r"Timeout of 0\.1s exceeded calling get on extras"):
        await client.service("extras").get("slow", {"timeout": 0.1})
    # a late answer after a timeout is ignored, and the client keeps working
    await asyncio.sleep(1)
    assert (await client.service("extras").get(1))["id"] == 1


async def test_headers_and_auth_reach_the_server(url: str) -> None:
    async with await connect(url, auth={"token": "abc"}, transports=["websocket"]) as client:
        assert (await client.service("extras").get(1))["token"] == "abc"


async def test_refused_and_unreachable_connections(url: str) -> None:
    with pytest.raises(ConnectionError, match="Not you"):
        await connect(url, headers={"X-Refuse": "1"}, timeout=2)
    with pytest.raises(ConnectionError, match="Could not connect"):
        await connect("http://127.0.0.1:9", timeout=1)


async def test_close_fails_pending_calls_and_later_calls(url: str) -> None:
    client = await connect(url)
    pending = asyncio.ensure_future(client.service("extras").get("slow"))
    await asyncio.sleep(0.1)
    await client.close()
    with pytest.raises(errors.Unavailable):
        await pending
    assert not client.connected
    with pytest.raises(errors.Unavailable):
        await client.service("messages").find()
