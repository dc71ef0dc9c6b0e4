"""The baseline: bare python-socketio doing the benchmark app's work by hand, no Feathers.

    python benchmarks/bare_server.py --port 3031 [--records 5]

Answers the Feathers-shaped emits the load clients send (`get`, `find`, `create` on
`messages`) with the same acks and JSON as `feathers_server.py`: a dict store,
`[null, result]` or a NotFound error, and `create` publishes `messages created` to the room
'anonymous' that every connection joins. python-socketio's defaults (stdlib json, its own
emit to a room), served with the same settings as the Feathers server: uvicorn, uvloop when
installed, websocket per-message deflate off, no access log. Loopback only.
"""

from __future__ import annotations

import argparse

import socketio
import uvicorn

RECORD_TEXT = "A message of about the size a chat sends"


def not_found(id: object) -> dict[str, object]:
    return {
        "name": "NotFound",
        "message": f"No record found for id '{id}'",
        "code": 404,
        "className": "not-found",
    }


def create_asgi(records: int = 5, transports: list[str] | None = None) -> socketio.ASGIApp:
    options = {"transports": transports} if transports else {}
    sio = socketio.AsyncServer(async_mode="asgi", max_http_buffer_size=1_000_000, **options)
    store = {index: {"id": index, "text": RECORD_TEXT, "user": "bench"} for index in range(records)}
    next_id = [records]

    @sio.on("connect")
    async def connect(sid, environ, auth=None):
        await sio.enter_room(sid, "anonymous")

    @sio.on("get")
    async def get(sid, path, id=None, query=None):
        record = store.get(id)
        if path != "messages" or record is None:
            return not_found(id)
        return None, dict(record)

    @sio.on("find")
    async def find(sid, path, query=None):
        limit = query.get("$limit") if isinstance(query, dict) else None
        records = list(store.values())
        if isinstance(limit, int):
            records = records[:limit]
        return None, [dict(record) for record in records]

    @sio.on("create")
    async def create(sid, path, data=None, query=None):
        record = dict(data) if isinstance(data, dict) else {}
        record["id"] = next_id[0]
        next_id[0] += 1
        store[record["id"]] = record
        await sio.emit("messages created", dict(record), room="anonymous")
        return None, dict(record)

    return socketio.ASGIApp(sio, socketio_path="/socket.io/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3031)
    parser.add_argument("--records", type=int, default=5)
    parser.add_argument("--websocket-only", action="store_true")
    parser.add_argument("--deflate", action="store_true", help="websocket per-message deflate on")
    args = parser.parse_args()
    asgi = create_asgi(args.records, ["websocket"] if args.websocket_only else None)
    uvicorn.run(
        asgi,
        host="127.0.0.1",
        port=args.port,
        ws_per_message_deflate=args.deflate,
        ws_max_size=1_000_000 + 65536,
        access_log=False,
        log_level="warning",
        backlog=2048,
    )


if __name__ == "__main__":
    main()
