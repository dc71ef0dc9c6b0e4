"""The Socket.io transport: protocol.md, checked with a raw python-socketio client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio as python_socketio

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import SocketServer, socketio

from ..helpers.socketio import Echo, call, raw_client, serve, wait_until


def echo_app(**options: Any) -> Any:
    app = feathers()
    app.configure(socketio(options))
    app.use("echo", Echo(), methods=["find", "get", "create", "update", "patch", "remove", "shout"])
    return app


# Calls and their arguments


async def test_argument_positions_and_params() -> None:
    app = echo_app()
    async with serve(app) as url, raw_client(url) as client:
        query = {"$limit": 2, "nested": {"a": [1, {"b": None}]}, "flag": True}
        error, found = await call(client, "find", "echo", query)
        assert error is None
        assert found["params"]["query"] == query
        assert found["params"]["provider"] == "socketio"
        assert found["params"]["route"] == {}
        assert found["params"]["headers"]["host"].startswith("127.0.0.1")
        _, got = await call(client, "get", "echo", 5, query)
        assert (got["id"], got["params"]["query"]) == (5, query)
        _, created = await call(client, "create", "echo", {"a": 1}, query)
        assert (created["data"], created["params"]["query"]) == ({"a": 1}, query)
        _, updated = await call(client, "update", "echo", None, {"b": 2}, query)
        assert (updated["id"], updated["data"], updated["params"]["query"]) == (
            None,
            {"b": 2},
            query,
        )
        _, patched = await call(client, "patch", "echo", 3, {"c": 3}, query)
        assert (patched["id"], patched["data"], patched["params"]["query"]) == (3, {"c": 3}, query)
        _, removed = await call(client, "remove", "echo", "x", query)
        assert (removed["id"], removed["params"]["query"]) == ("x", query)
        _, shouted = await call(client, "shout", "echo", "hi", {})
        assert shouted == {"shouted": "HI"}


async def test_missing_arguments_are_none_and_bad_queries_are_empty() -> None:
    app = echo_app()
    async with serve(app) as url, raw_client(url) as client:
        _, found = await call(client, "find", "echo")
        assert found["params"]["query"] == {}
        _, got = await call(client, "get", "echo")
        assert got["id"] is None and got["params"]["query"] == {}
        _, patched = await call(client, "patch", "echo", 1)
        assert patched["data"] is None and patched["params"]["query"] == {}
        for query in ([1, 2], "text", 5, None, True):
            _, found = await call(client, "find", "echo", query)
            assert found["params"]["query"] == {}


async def test_too_many_arguments() -> None:
    app = echo_app()
    async with serve(app) as url, raw_client(url) as client:
        error = await call(client, "get", "echo", 1, {}, "extra")
        assert error == {
            "name": "BadRequest",
            "message": "Too many arguments for 'get' method",
            "code": 400,
            "className": "bad-request",
        }
        error = await call(client, "find", "echo", {}, {})
        assert error["message"] == "Too many arguments for 'find' method"


async def test_paths_not_found_and_methods_not_allowed() -> None:
    app = echo_app()
    app.use("/", Echo(), methods=["get"])
    app.use("limited", Echo(), methods=["get"])
    async with serve(app) as url, raw_client(url) as client:
        _, got = await call(client, "get", "/echo/", 1, {})
        assert got["id"] == 1
        for root in ("", "/", "//"):
            _, got = await call(client, "get", root, 2, {})
            assert got["id"] == 2
        error = await call(client, "get", "nowhere", 1, {})
        assert (error["name"], error["message"]) == ("NotFound", "Service 'nowhere' not found")
        for path in (5, None, ["echo"], {"path": "echo"}):
            error = await call(client, "get", path, 1, {})
            assert (error["name"], error["message"]) == ("NotFound", "Invalid service path")
        error = await call(client, "find", "limited", {})
        assert error["name"] == "MethodNotAllowed"
        assert error["message"] == "Method 'find' not allowed on service 'limited'"
        for method in ("nope", "setup", "hooks", "__class__", "_private"):
            error = await call(client, method, "echo", {}, {})
            assert error["name"] == "MethodNotAllowed", method
            assert error["message"] == f"Method '{method}' not allowed on service 'echo'"


async def test_route_placeholders() -> None:
    app = feathers()
    app.configure(socketio())
    app.use("users/:user_id/posts", Echo(), methods=["find"])
    async with serve(app) as url, raw_client(url) as client:
        _, found = await call(client, "find", "users/7/posts", {"a": "1"})
        assert found["params"]["route"] == {"user_id": "7"}
        assert found["params"]["query"] == {"a": "1"}


async def test_client_cannot_set_params_other_than_query() -> None:
    app = echo_app()
    async with serve(app) as url, raw_client(url) as client:
        _, found = await call(client, "find", "echo", {"user": 1, "provider": "rest"})
        params = found["params"]
        assert params["query"] == {"user": 1, "provider": "rest"}
        assert "user" not in params
        assert params["provider"] == "socketio"


async def test_dispatch_is_sent_instead_of_result() -> None:
    app = feathers()
    app.configure(socketio())
    app.use("users", MemoryService())

    def hide_password(context: Any) -> None:
        context.dispatch = {k: v for k, v in context.result.items() if k != "password"}

    app.service("users").hooks({"after": {"create": [hide_password]}})
    app.on("connection", lambda connection: app.channel("all").join(connection))
    app.publish(lambda data, context: app.channel("all"))
    async with serve(app) as url, raw_client(url) as client:
        events: list[Any] = []
        client.on("users created", events.append)
        _, created = await call(client, "create", "users", {"name": "A", "password": "x"}, {})
        assert created == {"name": "A", "id": 0}
        await wait_until(lambda: len(events) == 1)
        assert events == [{"name": "A", "id": 0}]
        assert app.service("users").store[0]["password"] == "x"


async def test_errors_in_production_hide_internals() -> None:
    class Broken:
        async def get(self, id: Any, params: Any) -> Any:
            if id == "feathers":
                raise errors.Forbidden("No", {"why": "because"})
            raise RuntimeError("database password is hunter2")

    for env, message in (("production", "Internal server error"), (None, None)):
        app = feathers()
        app.set("env", env)
        app.configure(socketio())
        app.use("broken", Broken())
        async with serve(app) as url, raw_client(url) as client:
            error = await call(client, "get", "broken", 1, {})
            assert set(error) == {"name", "message", "code", "className"}
            assert (error["name"], error["code"]) == ("GeneralError", 500)
            assert error["message"] == (message or "database password is hunter2")
            error = await call(client, "get", "broken", "feathers", {})
            assert error == {
                "name": "Forbidden",
                "message": "No",
                "code": 403,
                "className": "forbidden",
                "data": {"why": "because"},
            }


# Events and channels


def channel_app() -> Any:
    app = feathers()

    def rooms(io: SocketServer) -> None:
        def pick_room(socket: Any, next_step: Any) -> None:
            socket.feathers["room"] = socket.handshake.query.get("room", "lobby")
            next_step()

        io.use(pick_room)

    app.configure(socketio(rooms))
    app.use("messages", MemoryService(multi=True), events=["typing"])
    app.on("connection", lambda connection: app.channel(connection["room"]).join(connection))
    app.publish(lambda data, context: app.channel(data.get("room", "lobby")))
    return app


def record_events(client: python_socketio.AsyncClient, *names: str) -> list[tuple[str, Any]]:
    received: list[tuple[str, Any]] = []
    for name in names:
        client.on(name, lambda data, name=name: received.append((name, data)))
    return received


async def test_standard_and_custom_events_reach_the_channel_only() -> None:
    app = channel_app()
    names = ("messages created", "messages updated", "messages patched", "messages removed")
    async with (
        serve(app) as url,
        raw_client(f"{url}?room=red") as red,
        raw_client(f"{url}?room=blue") as blue,
    ):
        red_events = record_events(red, *names, "messages typing")
        blue_events = record_events(blue, *names, "messages typing")
        _, record = await call(blue, "create", "messages", {"text": "a", "room": "red"}, {})
        await call(blue, "update", "messages", record["id"], {"text": "b", "room": "red"}, {})
        await call(blue, "patch", "messages", record["id"], {"text": "c"}, {})
        await call(blue, "remove", "messages", record["id"], {})
        app.service("messages").emit("typing", {"user": "Ann", "room": "red"})
        await wait_until(lambda: len(red_events) == 5)
        assert [name for name, _ in red_events] == [*names, "messages typing"]
        assert red_events[0][1] == record
        assert red_events[2][1] == {"text": "c", "room": "red", "id": record["id"]}
        assert red_events[4][1] == {"user": "Ann", "room": "red"}
        await asyncio.sleep(0.1)
        assert blue_events == []


async def test_one_event_per_item_and_per_connection_data() -> None:
    app = channel_app()
    app.service("messages").publish(
        "created",
        lambda data, context: [
            app.channel("red").send({"summary": data["text"]}),
            app.channel("blue"),
        ],
    )
    async with (
        serve(app) as url,
        raw_client(f"{url}?room=red") as red,
        raw_client(f"{url}?room=blue") as blue,
    ):
        red_events = record_events(red, "messages created")
        blue_events = record_events(blue, "messages created")
        _, created = await call(red, "create", "messages", [{"text": "x"}, {"text": "y"}], {})
        await wait_until(lambda: len(red_events) == 2 and len(blue_events) == 2)
        assert [data for _, data in red_events] == [{"summary": "x"}, {"summary": "y"}]
        assert [data for _, data in blue_events] == created


async def test_a_connection_in_several_channels_gets_an_event_once() -> None:
    app = channel_app()
    app.on("connection", lambda connection: app.channel("everybody").join(connection))
    app.publish(lambda data, context: [app.channel("lobby"), app.channel("everybody")])
    async with serve(app) as url, raw_client(url) as client:
        events = record_events(client, "messages created")
        await call(client, "create", "messages", {"text": "once"}, {})
        await wait_until(lambda: len(events) == 1)
        await asyncio.sleep(0.1)
        assert len(events) == 1


async def test_root_service_events_and_the_list_dispatch() -> None:
    app = feathers()
    app.configure(socketio())
    app.use("/", MemoryService(multi=True))

    def strip(context: Any) -> None:
        context.dispatch = [{"id": item["id"]} for item in context.result]

    app.service("/").hooks({"after": {"create": [strip]}})
    app.on("connection", lambda connection: app.channel("all").join(connection))
    app.publish(lambda data, context: app.channel("all"))
    async with serve(app) as url, raw_client(url) as client:
        events = record_events(client, "/ created")
        _, reply = await call(client, "create", "/", [{"secret": 1}, {"secret": 2}], {})
        assert reply == [{"id": 0}, {"id": 1}]
        await wait_until(lambda: len(events) == 2)
        assert [data for _, data in events] == [{"id": 0}, {"id": 1}]


# Connections


async def test_connection_and_disconnect_events() -> None:
    app = channel_app()
    connected: list[Any] = []
    disconnected: list[Any] = []
    app.on("connection", connected.append)
    app.on("disconnect", disconnected.append)
    async with serve(app) as url:
        async with raw_client(f"{url}?room=red"):
            await wait_until(lambda: len(connected) == 1)
            connection = connected[0]
            assert connection["provider"] == "socketio"
            assert connection["room"] == "red"
            assert connection in app.channel("red")
        await wait_until(lambda: len(disconnected) == 1)
        assert disconnected[0] is connection
        assert "red" not in app.channels


async def test_the_app_emitting_disconnect_closes_the_socket() -> None:
    app = channel_app()
    connected: list[Any] = []
    disconnected: list[Any] = []
    app.on("connection", connected.append)
    app.on("disconnect", disconnected.append)
    async with serve(app) as url, raw_client(url) as client:
        dropped = asyncio.Event()
        client.on("disconnect", lambda *_: dropped.set())
        await wait_until(lambda: len(connected) == 1)
        app.emit("disconnect", connected[0])
        await asyncio.wait_for(dropped.wait(), 3)
        await asyncio.sleep(0.05)
        assert len(disconnected) == 1
        assert not app.io.feathers_sockets


async def test_the_same_connection_dict_reaches_params_and_channels() -> None:
    app = feathers()
    seen: list[Any] = []

    class Spy:
        async def find(self, params: Any) -> Any:
            seen.append(params)
            return []

    app.configure(socketio())
    app.use("spy", Spy())
    connections: list[Any] = []
    app.on("connection", connections.append)
    async with serve(app) as url, raw_client(url) as client:
        await call(client, "find", "spy", {})
        await call(client, "find", "spy", {})
        assert seen[0]["connection"] is seen[1]["connection"] is connections[0]
        assert seen[0]["headers"] is connections[0]["headers"]


# Configuration


async def test_the_four_configure_forms() -> None:
    calls: list[Any] = []

    def setup_io(io: Any) -> None:
        calls.append(io)

    for configure, port in (
        (socketio(), None),
        (socketio(setup_io), None),
        (socketio({"path": "/ws/"}, setup_io), None),
        (socketio(3031), 3031),
        (socketio(3031, {"pingTimeout": 5000}), 3031),
        (socketio(3031, {}, setup_io), 3031),
        (socketio(3031, setup_io), 3031),
    ):
        app = feathers()
        app.configure(configure)
        assert isinstance(app.io, SocketServer)
        assert isinstance(app.io, python_socketio.AsyncServer)
        assert app.transports[0].port == port
        await app.transports[0].setup(app)
    assert len(calls) == 4
    assert all(isinstance(io, SocketServer) for io in calls)


def test_options_are_mapped_to_python_socketio() -> None:
    app = feathers()
    app.configure(
        socketio(
            {
                "path": "ws",
                "pingInterval": 10000,
                "pingTimeout": 4000,
                "maxHttpBufferSize": 5000,
                "transports": ["websocket"],
                "cors": {"origin": True, "credentials": False},
                "serveClient": False,
                "connectTimeout": 1500,
            }
        )
    )
    transport = app.transports[0]
    eio = app.io.eio
    assert transport.path == "/ws/"
    assert (eio.ping_interval, eio.ping_timeout, eio.max_http_buffer_size) == (10, 4, 5000)
    assert eio.transports == ["websocket"]
    assert (eio.cors_allowed_origins, eio.cors_credentials) == ("*", False)
    assert app.io.connect_timeout == 1.5
    default = feathers()
    default.configure(socketio({"ping_interval": 3}))
    assert default.io.eio.max_http_buffer_size == 1_000_000
    assert default.io.eio.ping_interval == 3
    assert default.io.eio.cors_allowed_origins is None  # same origin only


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"nope": 1}, TypeError),
        ({"allowEIO3": True}, ValueError),
        ({"cors": "*"}, TypeError),
        ({"cors": {"origin": 5}}, TypeError),
    ],
)
def test_bad_options_fail_clearly(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        socketio(options)


def test_configuring_twice_fails() -> None:
    app = feathers()
    app.configure(socketio())
    with pytest.raises(ValueError, match="already configured"):
        app.configure(socketio())
    with pytest.raises(TypeError):
        socketio({}, "not callable")  # type: ignore[arg-type]
