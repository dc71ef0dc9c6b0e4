"""The REST request path without sockets: each server's ASGI app called in-process.

Run by hand: `python benchmarks/rest_inprocess.py [--requests 20000] [--rounds 5]`, or with
`--instructions [--requests 1000]` to count machine instructions per request under valgrind's
callgrind (see `callgrind.py`), a figure the load of a shared machine does not change.

The apps are those of `rest.py` (`rest_servers.py`): `feathers` (Socket.io and REST, a
`messages` memory service), `feathers-dict` (the same app with a dict service) and
`starlette` (two bare routes). Each request is a `GET` ASGI scope with wrk's headers, the
answer goes to a `send` that keeps nothing: `get` is `GET /messages/<id>` (ids 0-4 in turn),
`find` is `GET /messages` (5 records). This is the Python work of a request, what `rest.py`
measures minus uvicorn, the event loop and the kernel. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callgrind import measure
from rest_servers import feathers_app, starlette_app

from feathers_cli.runtime.server import asgi_app

RECORDS = 5
HEADERS = [(b"host", b"127.0.0.1:3030"), (b"user-agent", b"wrk"), (b"accept", b"*/*")]


def scope(path: str) -> dict:
    """The scope uvicorn gives a keep-alive `GET` (a fresh dict per request, as it does)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 3030),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": HEADERS,
        "state": {},
    }


async def receive() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


async def discard(message: dict) -> None:
    return None


def requester(app, kind: str):
    """A no-argument coroutine function making the next request of `kind`."""
    counter = iter(range(1 << 62))
    if kind == "find":
        return lambda: app(scope("/messages"), receive, discard)
    return lambda: app(scope(f"/messages/{next(counter) % RECORDS}"), receive, discard)


async def check(app, kind: str) -> None:
    """One request whose answer is read: a benchmark of failing requests measures nothing."""
    sent: list[dict] = []

    async def keep(message: dict) -> None:
        sent.append(message)

    await app(scope("/messages" if kind == "find" else "/messages/3"), receive, keep)
    body = json.loads(sent[1]["body"])
    expected = list(range(RECORDS)) if kind == "find" else 3
    got = [record["id"] for record in body] if kind == "find" else body["id"]
    if sent[0]["status"] != 200 or got != expected:
        raise SystemExit(f"{kind}: unexpected answer {sent[0]['status']} {body!r}")


async def applications() -> dict:
    feathers, plain = feathers_app(RECORDS), feathers_app(RECORDS, adapter=False)
    apps = {"feathers": asgi_app(feathers), "feathers-dict": asgi_app(plain)}
    for app in apps.values():
        await app.startup()
    apps["starlette"] = starlette_app(RECORDS)
    return apps


async def operations() -> dict:
    found = {}
    for name, app in (await applications()).items():
        for kind in ("get", "find"):
            await check(app, kind)
            found[f"{kind} {name}"] = requester(app, kind)
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count under callgrind")
    parser.add_argument("--marked", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    measured = await operations()
    mode = "marked" if args.marked else "instructions" if args.instructions else "time"
    await measure(
        __file__,
        measured,
        count=args.requests,
        count_option="--requests",
        rounds=args.rounds,
        mode=mode,
        label="request",
    )


if __name__ == "__main__":
    asyncio.run(main())
