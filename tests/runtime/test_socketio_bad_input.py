"""No frame a client sends may crash the server, leak a stack trace, log an error with a
traceback, or disturb another connection."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import pytest

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio

from ..helpers.socketio import Echo, call, raw_client, serve, wait_until


class Slow:
    def __init__(self) -> None:
        self.finished = 0

    async def get(self, id: Any, params: Any) -> Any:
        await asyncio.sleep(0.3)
        self.finished += 1
        return {"id": id}


def make_app() -> Any:
    app = feathers()
    app.configure(socketio({"maxHttpBufferSize": 100_000}))
    app.use("echo", Echo())
    app.use("messages", MemoryService())
    app.use("slow", Slow())
    return app


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]


GARBAGE = [
    "2[",
    '2"abc"',
    "2{}",
    "2[]",
    "25",
    '2[5,"echo"]',
    '21[[1],"echo"]',
    '22[{"a":1},"echo"]',
    '2["disconnect"]',
    '2["connect",{}]',
    '2["connect_error"]',
    "3",
    "399[null]",
    "34",
    "9",
    "x",
    "4",
    '2/admin,["find","echo"]',
    '599-["create","messages",{"_placeholder":true,"num":0}]',
    "2" + "[" * 5000 + "]" * 5000,
    '2["get","echo",' + "9" * 5000 + "]",
    '2["get","echo",1e999]',
    '2["find","echo",{"$limit":{"$gt":[[[[[[]]]]]]}}]',
]


async def test_garbage_frames_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app = make_app()
    async with serve(app) as url, raw_client(url) as client, raw_client(url) as bystander:
        for frame in GARBAGE:
            await client.eio.send(frame)
        _, found = await call(client, "find", "echo", {"still": "works"})
        assert found["params"]["query"] == {"still": "works"}
        _, found = await call(bystander, "find", "echo", {})
        assert found["params"]["query"] == {}
        assert len(app.io.feathers_sockets) == 2
    no_errors_logged(caplog)
    assert any("Dropped a malformed" in r.getMessage() for r in caplog.records)


async def test_broken_binary_attachments_do_not_wedge_the_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    async with serve(app) as url, raw_client(url) as client:
        await client.eio.send('51-["create","messages",{"_placeholder":true,"num":7}]')
        await client.eio.send(b"\x00\x01")
        _, found = await call(client, "find", "messages", {})
        assert found == []
    no_errors_logged(caplog)


async def test_binary_data_round_trips() -> None:
    app = make_app()
    async with serve(app) as url, raw_client(url) as client:
        _, created = await call(client, "create", "messages", {"blob": b"\x00\xff"}, {})
        assert created == {"blob": b"\x00\xff", "id": 0}


async def test_odd_ids_and_argument_types_get_error_acks_or_results() -> None:
    app = make_app()
    async with serve(app) as url, raw_client(url) as client:
        for odd in ([1, 2], {"a": 1}, True, 1.5, None, "x" * 10_000):
            reply = await call(client, "get", "messages", odd, {})
            assert isinstance(reply, dict), reply
            assert reply["name"] in errors.error_classes
            assert "stack" not in reply
            _, echoed = await call(client, "get", "echo", odd, {})
            assert echoed["id"] == odd
        for data in ("text", 5, [1, [2]], None):
            reply = await call(client, "patch", "messages", 0, data, {})
            assert isinstance(reply, dict | list | tuple)


async def test_emits_without_an_ack_still_run() -> None:
    app = make_app()
    async with serve(app) as url, raw_client(url) as client:
        await client.emit("create", ("messages", {"text": "no ack"}, {}))
        await client.emit("get", ("nowhere", 1, {}))
        await wait_until(lambda: len(app.service("messages").store) == 1)
        _, found = await call(client, "find", "messages", {})
        assert found == [{"text": "no ack", "id": 0}]


async def test_oversize_payloads_close_only_that_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    async with serve(app) as url, raw_client(url) as bystander:
        async with raw_client(url) as big:
            gone = asyncio.Event()
            big.on("disconnect", lambda *_: gone.set())
            await big.emit("create", ("messages", {"text": "x" * 200_000}, {}))
            await asyncio.wait_for(gone.wait(), 5)
        async with aiohttp.ClientSession() as session:
            handshake = await session.get(f"{url}/socket.io/?EIO=4&transport=polling")
            sid = (await handshake.text()).split('"sid":"')[1].split('"')[0]
            post = await session.post(
                f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}", data="4" + "y" * 200_000
            )
            assert post.status == 413
        _, found = await call(bystander, "find", "messages", {})
        assert found == []
    no_errors_logged(caplog)


async def test_disconnecting_during_a_slow_call(caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    disconnected: list[Any] = []
    app.on("disconnect", disconnected.append)
    async with serve(app) as url:
        async with raw_client(url) as client:
            await client.emit("get", ("slow", 1, {}), callback=lambda *args: None)
            await asyncio.sleep(0.05)
        await wait_until(lambda: app.service("slow").finished == 1)
        assert len(disconnected) == 1
        async with raw_client(url) as again:
            _, got = await call(again, "get", "slow", 2, {})
            assert got == {"id": 2}
    no_errors_logged(caplog)


async def test_a_burst_of_calls_is_answered_without_starving_others() -> None:
    app = make_app()
    async with serve(app) as url, raw_client(url) as busy, raw_client(url) as other:
        started = time.perf_counter()
        burst = asyncio.gather(*(call(busy, "get", "echo", i, {}) for i in range(2000)))
        _, quick = await call(other, "get", "echo", "quick", {})
        assert quick["id"] == "quick"
        replies = await asyncio.wait_for(burst, 20)
        assert [reply[1]["id"] for reply in replies] == list(range(2000))
        assert time.perf_counter() - started < 20


async def test_polling_clients_work_and_stop_quickly() -> None:
    app = make_app()
    server = await app.start(0)
    try:
        async with raw_client(server.url, transports=["polling"]) as client:
            _, found = await call(client, "find", "echo", {"p": 1})
            assert found["params"]["query"] == {"p": 1}
            started = time.perf_counter()
            await server.stop()
            assert time.perf_counter() - started < 3
    finally:
        await server.stop()
