"""The Python servers of the REST benchmark (`benchmarks/rest.py`).

    python benchmarks/rest_servers.py feathers --port 3030 [--records 5]
    python benchmarks/rest_servers.py feathers-dict --port 3030 [--records 5]
    python benchmarks/rest_servers.py starlette --port 3030 [--records 5]

`feathers`: a `messages` memory service on an app with Socket.io and REST, as a generated
app is configured, served by `app.listen()`. `feathers-dict`: the same app with a service
that answers from a dict like the Starlette endpoints (no adapter: what the transport and
the hook machinery cost). `starlette`: a bare Starlette app answering
`GET /messages` and `GET /messages/{id}` with the same JSON from a dict, served by uvicorn
with the same settings (its loop and HTTP parser choice, no access log). Loopback only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RECORD_TEXT = "A message of about the size a chat sends"


def records(count: int) -> dict[int, dict]:
    """The same ids and JSON on every server."""
    return {index: {"id": index, "text": RECORD_TEXT, "user": "bench"} for index in range(count)}


class DictService:
    """get/find straight from a dict, as the Starlette endpoints answer."""

    def __init__(self, count: int) -> None:
        self.store = records(count)
        self.every = list(self.store.values())

    async def find(self, params: dict) -> list[dict]:
        return self.every

    async def get(self, id: str, params: dict) -> dict:
        return self.store[int(id)]


def feathers_app(count: int, adapter: bool = True):
    """The feathers app: Socket.io and REST, a `messages` memory (or dict) service."""
    from feathers_cli.runtime import feathers
    from feathers_cli.runtime.memory import MemoryService
    from feathers_cli.runtime.rest import rest
    from feathers_cli.runtime.socketio import socketio

    app = feathers()
    app.configure(socketio())
    app.configure(rest())
    app.use("messages", MemoryService(store=records(count)) if adapter else DictService(count))
    return app


def starlette_app(count: int):
    """The bare Starlette app: `GET /messages` and `GET /messages/{id}` from a dict."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    store = records(count)
    every = list(store.values())

    async def find(request):
        return JSONResponse(every)

    async def get(request):
        record = store.get(int(request.path_params["id"]))
        return JSONResponse(record) if record else JSONResponse({"name": "NotFound"}, 404)

    return Starlette(routes=[Route("/messages", find), Route("/messages/{id}", get)])


def serve_feathers(port: int, count: int, adapter: bool = True) -> None:
    feathers_app(count, adapter).listen(port, log_level="warning")


def serve_starlette(port: int, count: int) -> None:
    import uvicorn

    app = starlette_app(count)
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["feathers", "feathers-dict", "starlette"])
    parser.add_argument("--port", type=int, default=3030)
    parser.add_argument("--records", type=int, default=5)
    args = parser.parse_args()
    if args.kind.startswith("feathers"):
        serve_feathers(args.port, args.records, adapter=args.kind == "feathers")
    else:
        serve_starlette(args.port, args.records)


if __name__ == "__main__":
    main()
