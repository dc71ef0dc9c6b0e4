"""The Engine.IO fast paths of the transport (issue 7): direct websocket writes, calls run
without a task each. Ordering (an event before the ack of the call that caused it, frames
of one socket in order) and isolation (a socket that stops reading delays nobody else)."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
import time
from typing import Any

import pytest

from feathers_cli.runtime import feathers
from feathers_cli.runtime._engine import ENGINE_FAST_PATH, FeathersEngineSocket
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio

from ..helpers.socketio import Echo, call, raw_client, serve, wait_until


def test_the_installed_engine_has_the_fast_paths() -> None:
    # No skipping: with a python-engineio of another shape this fails (and the transport
    # refuses to start, tests/runtime/test_versions.py).
    assert ENGINE_FAST_PATH


def broadcast_app(**options: Any) -> Any:
    app = feathers()
    app.configure(socketio(options))
    app.use("messages", MemoryService())
    app.use("echo", Echo(), methods=["get"])
    app.on("connection", lambda connection: app.channel("all").join(connection))
    app.publish(lambda data, context: app.channel("all"))
    return app


async def test_sessions_get_the_fast_socket_on_every_transport() -> None:
    app = broadcast_app()
    async with serve(app) as url:
        for transports in (["websocket"], ["polling"], ["polling", "websocket"]):
            async with raw_client(url, transports=transports) as client:
                reply = await call(client, "get", "echo", 1)
                assert reply[0] is None and reply[1]["id"] == 1
                sessions = list(app.io.eio.sockets.values())
                assert sessions and all(type(s) is FeathersEngineSocket for s in sessions)


async def test_events_arrive_before_the_ack_of_their_call_under_fan_out() -> None:
    app = broadcast_app()
    async with serve(app) as url:
        clients = [raw_client(url) for _ in range(20)]
        entered = [await context.__aenter__() for context in clients]
        try:
            caller = entered[0]
            seen: list[tuple[str, Any]] = []
            caller.on("messages created", lambda data: seen.append(("event", data["id"])))
            others: list[int] = []
            for client in entered[1:]:
                client.on("messages created", lambda data: others.append(data["id"]))

            def acked(error: Any, result: Any = None) -> None:
                seen.append(("ack", result["id"]))

            for index in range(30):
                await caller.emit("create", ("messages", {"n": index}, {}), callback=acked)
            await wait_until(lambda: len(seen) == 60 and len(others) == 30 * 19, 5.0)
            for position, (kind, record_id) in enumerate(seen):
                if kind == "ack":
                    assert ("event", record_id) in seen[:position]
            assert [record_id for kind, record_id in seen if kind == "event"] == list(range(30))
        finally:
            for context in reversed(clients):
                await context.__aexit__(None, None, None)


async def test_calls_that_wait_still_run_concurrently() -> None:
    class Slow:
        async def get(self, id: Any, params: Any) -> Any:
            await asyncio.sleep(0.2)
            return {"id": id}

    app = feathers()
    app.configure(socketio())
    app.use("slow", Slow(), methods=["get"])
    async with serve(app) as url, raw_client(url) as client:
        started = time.monotonic()
        replies = await asyncio.gather(*(call(client, "get", "slow", n) for n in range(10)))
        assert [list(reply) for reply in replies] == [[None, {"id": n}] for n in range(10)]
        assert time.monotonic() - started < 1.5  # not 10 x 0.2 s one after the other


def _frame(text: str) -> bytes:
    payload = text.encode()
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    assert len(payload) < 126
    return struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked


async def _stalled_client(url: str, join: bool = True) -> socket.socket:
    """A websocket-only client that opens its session (and joins the namespace when `join`),
    then never reads or sends again."""
    host, port = url.removeprefix("http://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.sock_connect(raw, (host, int(port))), 5)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    )
    await loop.sock_sendall(raw, request.encode())
    received = b""
    deadline = time.monotonic() + 5
    while b"\r\n\r\n" not in received and time.monotonic() < deadline:
        received += await asyncio.wait_for(loop.sock_recv(raw, 4096), 5)
    assert b" 101 " in received
    if join:
        await loop.sock_sendall(raw, _frame("40"))
    return raw


@pytest.mark.parametrize("join", [True, False])
async def test_a_silent_websocket_is_closed_after_ping_interval_and_timeout(join: bool) -> None:
    app = feathers()
    app.configure(socketio({"pingInterval": 200, "pingTimeout": 200}))
    async with serve(app) as url:
        silent = await _stalled_client(url, join=join)
        try:
            await wait_until(lambda: len(app.io.eio.sockets) == 1, 3.0)
            started = time.monotonic()
            await wait_until(lambda: len(app.io.eio.sockets) == 0, 5.0)
            assert time.monotonic() - started < 2.0
        finally:
            silent.close()


async def test_a_socket_that_stops_reading_does_not_hold_up_the_others() -> None:
    # Bounds above the 12 MB sent, so the stalled socket stays backed up rather than being
    # disconnected (that: tests/runtime/test_slow_clients.py).
    app = broadcast_app(max_buffered_bytes=64_000_000)
    big = "x" * 200_000
    async with serve(app) as url:
        stalled = await _stalled_client(url)
        try:
            async with raw_client(url) as reader:
                got: list[int] = []
                reader.on("messages created", lambda data: got.append(data["n"]))
                await wait_until(lambda: len(app.io.feathers_sockets) == 2, 3.0)
                service = app.service("messages")
                started = time.monotonic()
                for index in range(60):  # 12 MB: far more than the stalled socket's buffers
                    await service.create({"n": index, "text": big})
                publishing = time.monotonic() - started
                await wait_until(lambda: len(got) == 60, 10.0)
                assert got == list(range(60))
                assert publishing < 5.0
                sessions = [
                    s
                    for s in app.io.eio.sockets.values()
                    if s._feathers_direct is not None or not s.queue.empty()
                ]
                assert sessions, "the stalled socket was never backed up"
        finally:
            stalled.close()
