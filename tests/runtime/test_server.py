"""Serving: `app.asgi`, `await app.start()` / `server.stop()`, `app.listen()`, own ports."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from typing import Any

import aiohttp
import pytest

from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

from ..helpers.socketio import call, raw_client


class Lifecycle:
    def __init__(self) -> None:
        self.events: list[str] = []

    async def setup(self, app: Any, path: str) -> None:
        self.events.append(f"setup {path}")

    async def teardown(self, app: Any, path: str) -> None:
        self.events.append(f"teardown {path}")

    async def get(self, id: Any, params: Any) -> Any:
        return {"id": id}


async def http_get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_start_sets_up_serves_and_stop_tears_down() -> None:
    app = feathers()
    app.configure(socketio())
    service = Lifecycle()
    app.use("things", service)
    server = await app.start(0)
    try:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert service.events == ["setup things"]
        async with raw_client(server.url) as client:
            assert await call(client, "get", "things", 1, {}) == (None, {"id": 1})
        status, text = await http_get(f"{server.url}/anything")
        assert status == 404
        assert json.loads(text) == {
            "name": "NotFound",
            "message": "Path /anything not found",
            "code": 404,
            "className": "not-found",
        }
    finally:
        await server.stop()
    assert service.events == ["setup things", "teardown things"]
    await server.stop()  # stopping twice is harmless
    with pytest.raises(aiohttp.ClientConnectionError):
        await http_get(f"{server.url}/socket.io/?EIO=4&transport=polling")


async def test_stop_disconnects_clients_first() -> None:
    app = feathers()
    app.configure(socketio())
    disconnected: list[Any] = []
    app.on("disconnect", disconnected.append)
    server = await app.start(0)
    async with (
        raw_client(server.url, transports=["polling"]),
        raw_client(server.url, transports=["websocket"]),
    ):
        started = time.perf_counter()
        await server.stop()
        assert time.perf_counter() - started < 3
    assert len(disconnected) == 2


async def test_a_port_of_its_own() -> None:
    app = feathers()
    app.configure(socketio(0))
    app.use("things", Lifecycle())
    server = await app.start(0)
    try:
        own_port = server.ports[app.transports[0]]
        assert own_port not in (0, server.port)
        async with raw_client(f"http://127.0.0.1:{own_port}") as client:
            assert await call(client, "get", "things", 2, {}) == (None, {"id": 2})
        status, _ = await http_get(f"{server.url}/socket.io/?EIO=4&transport=polling")
        assert status == 404
        status, _ = await http_get(f"http://127.0.0.1:{own_port}/other")
        assert status == 404
    finally:
        await server.stop()


async def test_a_failing_setup_makes_start_fail() -> None:
    class Broken:
        async def setup(self, app: Any, path: str) -> None:
            raise RuntimeError("no database")

        async def get(self, id: Any, params: Any) -> Any:
            return id

    app = feathers()
    app.configure(socketio())
    app.use("broken", Broken())
    with pytest.raises(RuntimeError, match="no database"):
        await app.start(0)


async def test_the_asgi_lifespan() -> None:
    app = feathers()
    app.configure(socketio())
    service = Lifecycle()
    app.use("things", service)
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app.asgi({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert service.events == ["setup things", "teardown things"]


async def test_the_port_setting_and_host() -> None:
    app = feathers()
    app.configure(socketio())
    probe = await app.start(0)
    free = probe.port
    await probe.stop()
    app.set("port", free)
    server = await app.start(None, "127.0.0.1")
    try:
        assert server.port == free
    finally:
        await server.stop()


class Named:
    def __init__(self, name: str) -> None:
        self.name = name

    async def get(self, id: Any, params: Any) -> Any:
        return self.name


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="SO_REUSEPORT")
async def test_reuse_port_lets_several_servers_share_a_port() -> None:
    apps = []
    for name in ("a", "b"):
        app = feathers()
        app.configure(socketio())
        app.use("name", Named(name))
        apps.append(app)
    first = await apps[0].start(0, reuse_port=True)
    try:
        # without SO_REUSEPORT the port is taken
        with pytest.raises(OSError):
            await apps[1].start(first.port)
        second = await apps[1].start(first.port, reuse_port=True)
        try:
            assert second.port == first.port
            answers = set()
            for _ in range(40):  # the kernel spreads connections by their address hash
                async with raw_client(first.url) as client:
                    answers.add((await call(client, "get", "name", 1, {}))[1])
                if answers == {"a", "b"}:
                    break
            assert answers == {"a", "b"}
        finally:
            await second.stop()
    finally:
        await first.stop()


LISTEN_SCRIPT = """
import sys
from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

class Service:
    async def setup(self, app, path):
        print("setup", flush=True)
    async def teardown(self, app, path):
        print("teardown", flush=True)
    async def get(self, id, params):
        return id

app = feathers()
app.configure(socketio())
app.use("service", Service())
app.listen(int(sys.argv[1]), log_level="warning")
print("exited", flush=True)
"""


async def test_listen_blocks_and_ctrl_c_stops_cleanly() -> None:
    app = feathers()
    app.configure(socketio())
    probe = await app.start(0)
    port = probe.port
    await probe.stop()
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(LISTEN_SCRIPT), str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert process.stdout is not None
        assert await asyncio.to_thread(process.stdout.readline) == "setup\n"
        async with raw_client(f"http://127.0.0.1:{port}") as client:
            assert await call(client, "get", "service", 3, {}) == (None, 3)
            process.send_signal(signal.SIGINT)
            output, _ = await asyncio.to_thread(process.communicate, timeout=10)
        assert output.split() == ["teardown", "exited"]
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
