"""One server process of the multi-process sync tests (tests/interop/test_sync_processes.py).

    python -m tests.interop.sync_app REDIS_URL KEY

Serves on a free loopback port, prints `{"port": ..., "rest": ...}` on one line, and runs
until SIGTERM. A socket whose handshake auth has a `user` joins `authenticated`, any other
`anonymous`; public messages go to both channels, private ones to the authenticated
connections of the creating user's team (so `params['user']` must travel with the event).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import Any

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.rest import rest
from feathers_cli.runtime.socketio import socketio
from feathers_cli.runtime.sync import sync


def identify(io: Any) -> None:
    def user_from_handshake(socket: Any, next_step: Any) -> None:
        user = (socket.handshake.auth or {}).get("user")
        if user is not None:
            socket.feathers["user"] = user
        next_step()

    io.use(user_from_handshake)


def create_app(url: str, key: str) -> Any:
    app = feathers()
    app.configure(socketio(identify))
    # REST on the same port: the JS test also creates records over HTTP on process B.
    app.configure(rest())
    app.configure(sync({"url": url, "key": key}))
    app.use("messages", MemoryService())

    def join(connection: dict[str, Any]) -> None:
        name = "authenticated" if connection.get("user") else "anonymous"
        app.channel(name).join(connection)

    def publish(data: Any, context: Any) -> Any:
        if data.get("private"):
            team = (context.params.get("user") or {}).get("team")
            return app.channel("authenticated").filter(lambda c: c["user"].get("team") == team)
        return [app.channel("anonymous"), app.channel("authenticated")]

    app.on("connection", join)
    app.publish(publish)
    return app


async def main(url: str, key: str) -> None:
    app = create_app(url, key)
    server = await app.start(0)
    rest = any("rest" in type(t).__name__.lower() for t in app.transports)
    print(json.dumps({"port": server.port, "rest": rest}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await server.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
