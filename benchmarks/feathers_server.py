"""The feathers-py side of the benchmarks: a `messages` memory service over Socket.io.

    python benchmarks/feathers_server.py --port 3030 [--records 5]

Every connection joins the 'anonymous' channel and every service event is published to it,
as in a generated app. Served the way `app.listen()` serves (uvicorn, websocket per-message
deflate off), on uvloop when it is installed; logs only warnings. Loopback only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio
from feathers_cli.runtime.sync import sync

RECORD_TEXT = "A message of about the size a chat sends"


def create_app(records: int = 5, transports: list[str] | None = None, sync_url: str = ""):
    """The benchmark app; `transports=['websocket']` for a websocket-only server, `sync_url`
    to share its events through Redis (benchmarks/sync.py)."""
    app = feathers()
    options = {"transports": transports} if transports else {}
    app.configure(socketio(options))
    if sync_url:
        app.configure(sync({"url": sync_url, "key": "feathers-benchmark"}))
    # The same ids and JSON as the bare server's store.
    store = {index: {"id": index, "text": RECORD_TEXT, "user": "bench"} for index in range(records)}
    service = MemoryService(store=store)
    app.use("messages", service)
    app.on("connection", lambda connection: app.channel("anonymous").join(connection))
    app.publish(lambda data, context: app.channel("anonymous"))
    return app


def websocket_only_asgi():
    """ASGI factory for `uvicorn benchmarks.feathers_server:websocket_only_asgi --factory`."""
    return create_app(transports=["websocket"]).asgi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3030)
    parser.add_argument("--records", type=int, default=5)
    parser.add_argument("--websocket-only", action="store_true")
    parser.add_argument("--deflate", action="store_true", help="websocket per-message deflate on")
    parser.add_argument("--sync", default="", help="a Redis URL: share events through it")
    args = parser.parse_args()
    app = create_app(args.records, ["websocket"] if args.websocket_only else None, args.sync)
    app.listen(
        args.port,
        "127.0.0.1",
        log_level="warning",
        ws_per_message_deflate=args.deflate,
    )


if __name__ == "__main__":
    main()
