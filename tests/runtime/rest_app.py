"""The app the REST tests talk to over real HTTP (httpx), and a helper serving it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.application import Application
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.rest import rest
from feathers_cli.runtime.socketio import socketio


class Messages(MemoryService):
    async def typing(self, data: Any, params: dict[str, Any]) -> Any:
        return {"typing": data, "provider": params.get("provider")}

    async def hidden(self, data: Any, params: dict[str, Any]) -> Any:
        return {"hidden": True}


class Echo:
    """Answers every call with what it received."""

    @staticmethod
    def _seen(params: dict[str, Any]) -> dict[str, Any]:
        return {
            "query": params["query"],
            "route": params["route"],
            "provider": params.get("provider"),
            "headers": params.get("headers"),
            "authentication": params.get("authentication"),
            "has_connection": "connection" in params,
            "address": params.get("address"),
        }

    async def find(self, params: dict[str, Any]) -> Any:
        return {"method": "find", **self._seen(params)}

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        return {"method": "get", "id": id, **self._seen(params)}

    async def create(self, data: Any, params: dict[str, Any]) -> Any:
        return {"method": "create", "data": data, **self._seen(params)}

    async def update(self, id: Any, data: Any, params: dict[str, Any]) -> Any:
        return {"method": "update", "id": id, "data": data, **self._seen(params)}

    async def patch(self, id: Any, data: Any, params: dict[str, Any]) -> Any:
        return {"method": "patch", "id": id, "data": data, **self._seen(params)}

    async def remove(self, id: Any, params: dict[str, Any]) -> Any:
        return {"method": "remove", "id": id, **self._seen(params)}

    async def shout(self, data: Any, params: dict[str, Any]) -> Any:
        return {"method": "shout", "data": data, **self._seen(params)}


class Errors:
    async def get(self, name: Any, params: dict[str, Any]) -> Any:
        if name == "Exception":
            raise RuntimeError("A plain Python exception")
        raise errors.error_classes[name](f"Boom: {name}", {"detail": name, "errors": ["bad"]})


class Nothing:
    """Every method returns None (204)."""

    async def find(self, params: dict[str, Any]) -> Any:
        return None

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        return None

    async def create(self, data: Any, params: dict[str, Any]) -> Any:
        return None

    async def remove(self, id: Any, params: dict[str, Any]) -> Any:
        return 0


class Posts:
    async def find(self, params: dict[str, Any]) -> Any:
        return {"route": params["route"], "query": params["query"]}

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        return {"id": id, "route": params["route"]}


class Root:
    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        return {"root": True, "id": id}


def create_app(options: dict[str, Any] | None = None) -> Application:
    """An app with Socket.io and REST (`options` for `rest()`) and the test services."""
    app = feathers()
    app.configure(socketio())
    app.configure(rest(options))
    app.use(
        "messages",
        Messages(),
        methods=["find", "get", "create", "update", "patch", "remove", "typing"],
    )
    app.use("many", MemoryService(multi=True))
    app.use("echo", Echo(), methods=["find", "get", "create", "update", "patch", "remove", "shout"])
    app.use("errors", Errors())
    app.use("nothing", Nothing())
    app.use("users/:user_id/posts", Posts())
    app.use("readonly", Posts(), methods=["find"])
    return app


@contextlib.asynccontextmanager
async def serve(app: Application) -> AsyncIterator[httpx.AsyncClient]:
    """Start `app` on a free port of 127.0.0.1; an httpx client for it; stop it after."""
    server = await app.start(0)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            yield client
    finally:
        await server.stop()
