"""Websocket-only Socket.io, what several processes behind a proxy without sticky sessions
need (docs/scaling.md): `socketio({'transports': ['websocket']})`."""

from __future__ import annotations

import aiohttp
import pytest

from feathers_cli.runtime import feathers
from feathers_cli.runtime.client import connect
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio


async def test_websocket_clients_are_served_and_polling_is_refused():
    app = feathers()
    app.configure(socketio({"transports": ["websocket"]}))
    app.use("messages", MemoryService())
    server = await app.start(0)
    try:
        client = await connect(server.url, transports=["websocket"], reconnection=False)
        try:
            assert (await client.service("messages").create({"a": 1}))["a"] == 1
        finally:
            await client.close()
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{server.url}/socket.io/?EIO=4&transport=polling") as response,
        ):
            assert response.status == 400
        with pytest.raises(ConnectionError):
            await connect(server.url, transports=["polling"], reconnection=False, timeout=3)
    finally:
        await server.stop()
