"""Slow and hostile clients (issue 14 item 4): a socket that stops reading is disconnected
once its unsent data passes the bound, without holding up the others, and the server's
memory stays bounded; a connection that never finishes the Socket.io handshake is closed."""

from __future__ import annotations

import asyncio
import resource
import socket
from typing import Any

import pytest

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio

from ..helpers.socketio import raw_client, serve, wait_until
from .test_socketio_fast_paths import _stalled_client

EVENT_TEXT = "x" * 10_000


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def fan_out_app(**options: Any) -> Any:
    app = feathers()
    app.configure(socketio(options))
    app.use("messages", MemoryService())
    app.on("connection", lambda connection: app.channel("all").join(connection))
    app.publish(lambda data, context: app.channel("all"))
    return app


async def test_non_reading_sockets_are_cut_off_and_memory_stays_bounded() -> None:
    app = fan_out_app()
    disconnected: list[Any] = []
    app.on("disconnect", disconnected.append)
    service = app.service("messages")
    async with serve(app) as url:
        stalled: list[socket.socket] = []
        try:
            for _ in range(100):
                stalled.append(await _stalled_client(url))
            async with raw_client(url) as reader:
                got: list[int] = []
                reader.on("messages created", lambda data: got.append(data["n"]))
                await wait_until(lambda: len(app.channel("all")) == 101, 5.0)
                before = rss_mib()
                for index in range(1000):  # 1,000 events of 10 KB to 101 sockets
                    await service.create({"n": index, "text": EVENT_TEXT})
                    if index % 10 == 0:
                        # the reading client (in this process) gets its turn, as a client
                        # on another machine reads while the server publishes
                        await asyncio.sleep(0.002)
                try:
                    await wait_until(lambda: len(got) == 1000, 20.0)
                except AssertionError:
                    raise AssertionError(f"{len(got)} events, {len(disconnected)} gone") from None
                growth = rss_mib() - before
                print(f"RSS growth with 100 stalled sockets: {growth:.1f} MiB")
                assert got == list(range(1000))
                # every stalled socket was disconnected, the reader never was
                await wait_until(lambda: len(disconnected) == 100, 10.0)
                assert len(app.channel("all")) == 1 and reader.connected
                assert len(app.io.eio.sockets) == 1
                # 100 sockets x 10 MB were published: what is held is far below that
                assert growth < 150, f"RSS grew by {growth:.1f} MiB"
        finally:
            for raw in stalled:
                raw.close()


async def test_the_bound_is_configurable_in_packets() -> None:
    app = fan_out_app(maxBufferedPackets=20, maxBufferedBytes=10**9)
    async with serve(app) as url:
        stalled = await _stalled_client(url)
        try:
            await wait_until(lambda: len(app.channel("all")) == 1, 5.0)
            for index in range(1000):  # 10 MB: more than the kernel's socket buffers
                await app.service("messages").create({"n": index, "text": EVENT_TEXT})
                if len(app.io.eio.sockets) == 0:
                    break
            # cut off by the packet bound, long before the byte bound (1 GB)
            await wait_until(lambda: len(app.io.eio.sockets) == 0, 5.0)
        finally:
            stalled.close()


@pytest.mark.parametrize("option", [{"handshakeTimeout": 300}, {"handshake_timeout": 0.3}])
async def test_a_connection_that_never_joins_is_closed(option: dict[str, Any]) -> None:
    app = fan_out_app(**option)
    async with serve(app) as url:
        silent = await _stalled_client(url, join=False)
        try:
            await wait_until(lambda: len(app.io.eio.sockets) == 1, 3.0)
            await wait_until(lambda: len(app.io.eio.sockets) == 0, 3.0)
        finally:
            silent.close()
        # a client that joins in time is not touched
        async with raw_client(url) as client:
            await asyncio.sleep(0.6)
            assert client.connected and len(app.io.eio.sockets) == 1


@pytest.mark.parametrize(
    "options", [{"max_buffered_bytes": 0}, {"maxBufferedPackets": "many"}, {"shutdownTimeout": -1}]
)
def test_bad_limits_fail_clearly(options: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="must be a positive number"):
        feathers().configure(socketio(options))


async def _closed_by_server(raw: socket.socket, dribble: bytes, seconds: float) -> bool:
    """Send `dribble` one byte every 0.1 s; True once the server closes the connection."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    position = 0
    while loop.time() < deadline:
        if position < len(dribble):
            try:
                await loop.sock_sendall(raw, dribble[position : position + 1])
            except OSError:
                return True
            position += 1
        try:
            data = await asyncio.wait_for(loop.sock_recv(raw, 1024), 0.1)
        except TimeoutError:
            continue
        except OSError:
            return True
        if data == b"":
            return True
    return False


@pytest.mark.parametrize("dribble", [b"", b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n"])
async def test_connections_that_never_send_a_whole_request_are_closed(dribble: bytes) -> None:
    # nothing at all, or a request line one byte at a time (slowloris)
    app = fan_out_app(handshake_timeout=0.5)
    async with serve(app) as url:
        host, port = url.removeprefix("http://").split(":")
        raw = socket.socket()
        raw.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(raw, (host, int(port)))
            assert await _closed_by_server(raw, dribble * 3, 5.0)
        finally:
            raw.close()
        # a client that sends its request in time is served as usual
        async with raw_client(url, transports=["polling"]) as client:
            await asyncio.sleep(0.8)
            assert client.connected
