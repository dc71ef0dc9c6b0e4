"""The server the docs' client examples talk to: `python tests/docs/docs_server.py PORT_FILE`.

The examples connect to `http://127.0.0.1:3030`; the test runs them against this app on a free
port instead. It has what they use: `messages` (memory, paginated, with the custom method
`typing` and its event) and `users` with local + JWT logins, one user `a@b.c` / `pw`, on
Socket.io and REST, every event published to every connection.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from feathers_cli.runtime import feathers
from feathers_cli.runtime.authentication import (
    AuthenticationService,
    JWTStrategy,
    LocalStrategy,
    hash_password,
    protect,
)
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.rest import rest
from feathers_cli.runtime.socketio import socketio


class Messages(MemoryService):
    """Memory messages with the custom method of the examples."""

    async def typing(self, data: Any, params: Any) -> Any:
        return data


def make_app() -> Any:
    app = feathers()
    app.configure(socketio())
    app.configure(rest())
    app.set(
        "authentication",
        {
            "secret": os.environ["FEATHERS_AUTH_SECRET"],
            "entity": "user",
            "service": "users",
            "auth_strategies": ["jwt", "local"],
            "local": {"username_field": "email", "password_field": "password"},
        },
    )
    app.use("users", MemoryService())
    app.service("users").hooks(
        {"before": {"create": [hash_password("password")]}, "after": {"all": [protect("password")]}}
    )
    auth = AuthenticationService(app)
    auth.register("jwt", JWTStrategy())
    auth.register("local", LocalStrategy())
    app.use("authentication", auth)
    paginate = {"default": 10, "max": 50}
    app.use(
        "messages",
        Messages(paginate=paginate),
        methods=["find", "get", "create", "update", "patch", "remove", "typing"],
        events=["typing"],
    )
    app.on("connection", lambda connection: app.channel("everyone").join(connection))
    app.publish(lambda data, context: app.channel("everyone"))
    return app


async def main(port_file: Path) -> None:
    app = make_app()
    await app.service("users").create({"email": "a@b.c", "password": "pw"})
    server = await app.start(0, "127.0.0.1")
    port_file.write_text(str(server.port))
    try:
        await asyncio.Event().wait()  # until the test terminates the process
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
