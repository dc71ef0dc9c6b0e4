"""The Python Feathers app the JS clients talk to in the interop tests (Socket.io and REST).

Services: `messages` (memory, multi, custom method `typing` with a custom event),
`echo` (returns what it received), `errors` (`get(name)` raises that error class),
`slow` (`get('timeout')` runs into its own asyncio.timeout),
`/` (the root service) and `users/:user_id/posts` (route placeholders).
A socket joins the channel named by its handshake query `room` (default `lobby`);
`messages` events go to the channel named by the record's `room` (default `lobby`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.rest import rest
from feathers_cli.runtime.socketio import socketio


class Messages(MemoryService):
    async def typing(self, data: Any, params: dict[str, Any]) -> Any:
        self.emit("typing", {"typing": data, "room": (data or {}).get("room", "lobby")})
        return {"typing": data}


class Echo:
    """Answers every call with its arguments and the parts of params a client may affect."""

    @staticmethod
    def _seen(params: dict[str, Any]) -> dict[str, Any]:
        return {
            "query": params["query"],
            "route": params["route"],
            "provider": params.get("provider"),
            "room": params.get("room"),
            "user": params.get("user"),
            "token": params.get("token"),
            "authentication": params.get("authentication"),
            "has_headers": isinstance(params.get("headers"), dict),
            "same_connection": params.get("connection", {}).get("room") == params.get("room"),
        }

    async def find(self, params: dict[str, Any]) -> Any:
        return self._seen(params)

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        return {"id": id, **self._seen(params)}

    async def create(self, data: Any, params: dict[str, Any]) -> Any:
        return {"data": data, **self._seen(params)}

    async def update(self, id: Any, data: Any, params: dict[str, Any]) -> Any:
        return {"id": id, "data": data, **self._seen(params)}

    async def patch(self, id: Any, data: Any, params: dict[str, Any]) -> Any:
        return {"id": id, "data": data, **self._seen(params)}

    async def remove(self, id: Any, params: dict[str, Any]) -> Any:
        return {"id": id, **self._seen(params)}


class Errors:
    async def get(self, name: Any, params: dict[str, Any]) -> Any:
        if name == "Exception":
            raise RuntimeError("A plain Python exception")
        cls = errors.error_classes[name]
        raise cls(f"Boom: {name}", {"detail": name, "errors": {"field": "bad"}})


class Slow:
    """`get` gives up after 0.2 s with asyncio.timeout, as a service calling a slow API would."""

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        if id == "timeout":
            async with asyncio.timeout(0.2):
                await asyncio.sleep(5)
        return {"id": id}


class Root:
    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        return {"root": True, "id": id}

    async def create(self, data: Any, params: dict[str, Any]) -> Any:
        return data


class Posts:
    async def find(self, params: dict[str, Any]) -> Any:
        return {"route": params["route"], "query": params["query"]}


def create_app(options: dict[str, Any] | None = None) -> Any:
    """The interop app (Socket.io and REST), its Socket.io transport configured with
    `options`; REST gets the same `cors`."""

    def setup_io(io: Any) -> None:
        def rooms(socket: Any, next_step: Any) -> None:
            if "refuse" in socket.handshake.query:
                next_step(errors.NotAuthenticated("Go away"))
                return
            socket.feathers["room"] = socket.handshake.query.get("room", "lobby")
            socket.feathers["token"] = (socket.handshake.auth or {}).get("token")
            next_step()

        io.use(rooms)

    app = feathers()
    app.configure(socketio(options or {}, setup_io))
    app.configure(rest({"cors": options["cors"]} if options and "cors" in options else None))
    app.use(
        "messages",
        Messages(multi=True),
        methods=["find", "get", "create", "update", "patch", "remove", "typing"],
        events=["typing"],
    )
    app.use("echo", Echo())
    app.use("errors", Errors())
    app.use("slow", Slow())
    app.use("/", Root())
    app.use("users/:user_id/posts", Posts())
    app.on("connection", lambda connection: app.channel(connection["room"]).join(connection))

    def by_room(data: Any, context: Any) -> Any:
        room = (data.get("room") if isinstance(data, dict) else None) or "lobby"
        return app.channel(room)

    app.publish(by_room)
    return app
