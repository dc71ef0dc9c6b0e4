"""Socket.io test helpers: an echo service, a served app and a raw python-socketio client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import socketio as python_socketio

__all__ = ["Echo", "call", "raw_client", "serve", "wait_until"]


class Echo:
    """Answers with what it received (params without the connection object)."""

    @staticmethod
    def _params(params: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if k != "connection"}

    async def find(self, params: dict[str, Any]) -> Any:
        return {"params": self._params(params)}

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        return {"id": id, "params": self._params(params)}

    async def create(self, data: Any, params: dict[str, Any]) -> Any:
        return {"data": data, "params": self._params(params)}

    async def update(self, id: Any, data: Any, params: dict[str, Any]) -> Any:
        return {"id": id, "data": data, "params": self._params(params)}

    async def patch(self, id: Any, data: Any, params: dict[str, Any]) -> Any:
        return {"id": id, "data": data, "params": self._params(params)}

    async def remove(self, id: Any, params: dict[str, Any]) -> Any:
        return {"id": id, "params": self._params(params)}

    async def shout(self, data: Any, params: dict[str, Any]) -> Any:
        return {"shouted": str(data).upper()}


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Start `app` on a free port; yield its URL; always stop it."""
    server = await app.start(0)
    try:
        yield server.url
    finally:
        await server.stop()


@asynccontextmanager
async def raw_client(
    url: str, transports: list[str] | None = None, **connect: Any
) -> AsyncIterator[python_socketio.AsyncClient]:
    """A plain python-socketio client (no Feathers client logic), always disconnected."""
    client = python_socketio.AsyncClient(reconnection=False)
    await client.connect(url, transports=transports or ["websocket"], wait_timeout=5, **connect)
    try:
        yield client
    finally:
        await client.disconnect()


async def call(client: python_socketio.AsyncClient, method: Any, *args: Any) -> Any:
    """Emit `method, *args` with an ack; the ack's arguments (a list, or the error alone)."""
    return await client.call(method, args, timeout=3)


async def wait_until(predicate: Callable[[], bool], seconds: float = 2.0) -> None:
    """Poll `predicate` until it is true (bounded)."""
    for _ in range(int(seconds / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
