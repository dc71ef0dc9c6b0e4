"""The Python client over HTTP (`connect_rest`) against the Python REST transport."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from feathers_cli.runtime import errors
from feathers_cli.runtime.client import RestClient, connect_rest

from .rest_app import create_app


@pytest.fixture
async def server_url() -> AsyncIterator[str]:
    server = await create_app().start(0)
    try:
        yield server.url
    finally:
        await server.stop()


@pytest.fixture
async def client(server_url: str) -> AsyncIterator[RestClient]:
    async with await connect_rest(server_url, timeout=5) as client:
        yield client


async def test_the_service_api_over_http(client: RestClient) -> None:
    messages = client.service("/messages/")
    assert client.service("messages") is messages
    created = await messages.create({"text": "hello", "tags": ["a"], "n": 1.5})
    assert created == {"text": "hello", "tags": ["a"], "n": 1.5, "id": 0}
    assert await messages.get(0) == created
    assert await messages.find({"query": {"text": "hello"}}) == [created]
    assert await messages.update(0, {"text": "new"}) == {"text": "new", "id": 0}
    assert await messages.patch(0, {"read": True}) == {"text": "new", "read": True, "id": 0}
    assert await messages.typing({"user": "ann"}) == {"typing": {"user": "ann"}, "provider": "rest"}
    assert await messages.call("typing", {"user": "bob"}) == {
        "typing": {"user": "bob"},
        "provider": "rest",
    }
    assert await messages.remove(0) == {"text": "new", "read": True, "id": 0}
    with pytest.raises(errors.NotFound, match="No record found for id '0'"):
        await messages.get(0)


async def test_ids_queries_routes_and_multi(client: RestClient) -> None:
    echo = client.service("echo")
    seen = await echo.get("a b/c?&é", {"query": {"$limit": 2, "in": {"$in": [1, 2]}, "t": True}})
    assert seen["id"] == "a b/c?&é"
    assert seen["query"] == {"$limit": "2", "in": {"$in": ["1", "2"]}, "t": "true"}
    assert seen["provider"] == "rest"
    assert (await echo.patch(None, {"a": 1}))["id"] is None
    assert (await echo.remove(None))["id"] is None
    assert (await echo.update(None, {"a": 1}))["method"] == "update"
    posts = client.service("users/:user_id/posts")
    assert await posts.find({"route": {"user_id": 9}, "query": {"x": 1}}) == {
        "route": {"user_id": "9"},
        "query": {"x": "1"},
    }
    assert await client.service("nothing").get(1) is None  # 204


async def test_headers_and_access_token_reach_the_server(server_url: str) -> None:
    async with await connect_rest(server_url, access_token="tok.en") as client:
        seen = await client.service("echo").find()
        assert seen["authentication"] == {"strategy": "jwt", "accessToken": "tok.en"}
        client.headers["Authorization"] = "JWT other"
        client.headers["X-Trace"] = "7"
        seen = await client.service("echo").find()
        assert seen["authentication"] == {"strategy": "jwt", "accessToken": "other"}
        assert seen["headers"]["x-trace"] == "7"
    async with await connect_rest(server_url, headers={"Authorization": "Bearer h"}) as client:
        seen = await client.service("echo").find()
        assert seen["authentication"] == {"strategy": "jwt", "accessToken": "h"}


@pytest.mark.parametrize("name", sorted(errors.error_classes))
async def test_errors_are_raised_as_their_classes(client: RestClient, name: str) -> None:
    with pytest.raises(errors.error_classes[name]) as caught:
        await client.service("errors").get(name)
    assert caught.value.message == f"Boom: {name}"
    assert caught.value.data == {"detail": name}
    assert caught.value.errors == ["bad"]


async def test_transport_errors_keep_their_name_and_code(client: RestClient) -> None:
    with pytest.raises(errors.FeathersError) as caught:
        await client.service("echo").create({"big": "x" * 1_000_001})
    assert (caught.value.name, caught.value.code) == ("PayloadTooLarge", 413)
    with pytest.raises(errors.NotFound, match="Path /no/where not found"):
        await client.service("no/where").find()
    with pytest.raises(errors.MethodNotAllowed, match="Method `nope` is not supported"):
        await client.service("messages").nope({})
    with pytest.raises(errors.MethodNotAllowed, match="Method `create` is not supported"):
        await client.service("readonly").create({})


async def test_no_events_over_rest(client: RestClient) -> None:
    with pytest.raises(TypeError, match="No 'messages created' events over REST"):
        client.service("messages").on("created", print)


async def test_an_unreachable_server_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with await connect_rest(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(errors.Unavailable, match="Could not reach"):
            await client.service("messages").find()


async def test_timeouts_are_feathers_timeouts() -> None:
    app = create_app()

    async def slow(context: Any) -> None:
        await asyncio.sleep(1)

    app.service("echo").hooks({"before": {"find": [slow]}})
    server = await app.start(0)
    try:
        async with await connect_rest(server.url) as client:
            with pytest.raises(errors.Timeout, match=r"Timeout of 0\.2s exceeded calling find"):
                await client.service("echo").find({"timeout": 0.2})
    finally:
        await server.stop()
    assert not client.connected
