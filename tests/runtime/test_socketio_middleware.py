"""`io.use(middleware)`, `io.on('connection')` and the socket object they get."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio as python_socketio

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.socketio import Socket, socketio

from ..helpers.socketio import call, raw_client, serve, wait_until


class Who:
    async def find(self, params: dict[str, Any]) -> Any:
        return {k: v for k, v in params.items() if k not in ("connection", "headers")}


def app_with(*middleware: Any, options: dict[str, Any] | None = None) -> Any:
    def setup_io(io: Any) -> None:
        for item in middleware:
            io.use(item)

    app = feathers()
    app.configure(socketio(options or {}, setup_io))
    app.use("who", Who())
    return app


async def refused(url: str, **connect: Any) -> Any:
    """Connect a raw client that must be refused; return the connect error data."""
    client = python_socketio.AsyncClient(reconnection=False)
    errors_seen: list[Any] = []
    client.on("connect_error", errors_seen.append)
    with pytest.raises(python_socketio.exceptions.ConnectionError):
        await client.connect(url, transports=["websocket"], wait_timeout=3, **connect)
    await client.shutdown()
    return errors_seen[0]


async def test_sync_and_async_middleware_set_connection_params() -> None:
    def named(socket: Socket, next_step: Any) -> None:
        socket.feathers["user"] = {"name": "David"}
        next_step()

    async def referrer(socket: Socket, next_step: Any) -> None:
        await asyncio.sleep(0)
        socket.feathers["referrer"] = socket.handshake.headers.get("referer")
        socket.feathers["scope_type"] = socket.request["type"]
        next_step()

    app = app_with(named, referrer)
    async with (
        serve(app) as url,
        raw_client(url, headers={"Referer": "http://example.com/page"}) as client,
    ):
        _, params = await call(client, "find", "who", {})
        assert params["user"] == {"name": "David"}
        assert params["referrer"] == "http://example.com/page"
        assert params["scope_type"] == "websocket"
        assert params["provider"] == "socketio"


async def test_the_handshake() -> None:
    seen: list[Socket] = []

    def remember(socket: Socket, next_step: Any) -> None:
        seen.append(socket)
        next_step()

    app = app_with(remember)
    async with (
        serve(app) as url,
        raw_client(
            f"{url}?room=red&room=blue&x=", headers={"X-Custom": "Yes"}, auth={"token": "t"}
        ),
    ):
        handshake = seen[0].handshake
        assert handshake.headers["x-custom"] == "Yes"
        assert all(name == name.lower() for name in handshake.headers)
        assert handshake.query["room"] == "red"
        assert handshake.query["x"] == ""
        assert handshake.query["EIO"] == "4"
        assert handshake.address == "127.0.0.1"
        assert handshake.auth == {"token": "t"}
        assert handshake.url.startswith("/socket.io/")
        assert handshake.secure is False
        assert seen[0].feathers["headers"] is handshake.headers


@pytest.mark.parametrize(
    ("middleware", "message"),
    [
        (lambda socket, next_step: next_step(errors.NotAuthenticated("No token")), "No token"),
        (lambda socket, next_step: next_step(Exception("Plain refusal")), "Plain refusal"),
        (lambda socket, next_step: next_step("as a string"), "as a string"),
    ],
)
async def test_next_with_an_error_refuses_the_connection(middleware: Any, message: str) -> None:
    connected: list[Any] = []
    app = app_with(middleware)
    app.on("connection", connected.append)
    async with serve(app) as url:
        refusal = await refused(url)
        assert refusal["message"] == message
        assert connected == []
        assert not app.io.feathers_sockets


async def test_raising_refuses_and_errors_carry_their_data() -> None:
    async def raising(socket: Socket, next_step: Any) -> None:
        if "token" not in socket.handshake.query:
            raise errors.NotAuthenticated("Missing token", {"hint": "add ?token="})
        raise RuntimeError("secret internals")

    app = app_with(raising)
    async with serve(app) as url:
        assert await refused(url) == {"message": "Missing token", "data": {"hint": "add ?token="}}
        assert (await refused(f"{url}?token=1"))["message"] == "secret internals"
        app.set("env", "production")
        assert (await refused(f"{url}?token=1"))["message"] == "Internal server error"


async def test_middleware_that_never_calls_next_times_out() -> None:
    app = app_with(lambda socket, next_step: None, options={"connectTimeout": 200})
    async with serve(app) as url:
        assert (await refused(url))["message"] == "Connection middleware did not call next()"


async def test_middleware_replacing_socket_feathers_is_respected() -> None:
    def replace(socket: Socket, next_step: Any) -> None:
        socket.feathers = {"provider": "socketio", "headers": {}, "replaced": True}
        next_step()

    connections: list[Any] = []
    app = app_with(replace)
    app.on("connection", connections.append)
    async with serve(app) as url, raw_client(url) as client:
        _, params = await call(client, "find", "who", {})
        assert params["replaced"] is True
        assert connections[0]["replaced"] is True


async def test_connection_listeners_get_the_socket() -> None:
    sockets: list[Socket] = []
    order: list[str] = []

    def setup_io(io: Any) -> None:
        @io.on("connection")
        async def remember(socket: Socket) -> None:
            order.append("io")
            sockets.append(socket)
            await socket.emit("welcome", {"id": socket.id})

        io.on("connection", lambda socket: 1 / 0)  # an error is logged, nothing else

    app = feathers()
    app.configure(socketio(setup_io))
    app.on("connection", lambda connection: order.append("app"))
    async with serve(app) as url:
        client = python_socketio.AsyncClient(reconnection=False)
        welcomed: list[Any] = []
        client.on("welcome", welcomed.append)
        await client.connect(url, transports=["websocket"], wait_timeout=3)
        try:
            await wait_until(lambda: len(welcomed) == 1)
            assert welcomed == [{"id": sockets[0].id}]
            assert order == ["io", "app"]
            assert sockets[0].connected
            assert repr(sockets[0]).startswith("<Socket")
            await sockets[0].join("room-1")
            await app.io.emit("to-room", "hello", to="room-1")
            await sockets[0].leave("room-1")
            await sockets[0].disconnect()
            await wait_until(lambda: not client.connected)
            assert not sockets[0].connected
        finally:
            await client.disconnect()


async def test_an_async_configure_callback_and_plain_python_socketio_handlers() -> None:
    async def setup_io(io: Any) -> None:
        await asyncio.sleep(0)

        @io.on("ping-me")
        async def ping(sid: str, data: Any) -> Any:
            return {"pong": data}

    app = feathers()
    app.configure(socketio(setup_io))
    async with serve(app) as url, raw_client(url) as client:
        assert await client.call("ping-me", 1, timeout=3) == {"pong": 1}


def test_use_needs_a_callable() -> None:
    app = feathers()
    app.configure(socketio())
    with pytest.raises(TypeError):
        app.io.use("not a function")
    assert app.io.use(lambda socket, next_step: next_step()) is app.io
