"""How long `await server.stop()` takes for an app started with `await app.start(0)`: every
test of a generated project (and of feathers-py) that serves an app pays it once.

Run: `python benchmarks/server_stop.py [--runs 20]`. Prints the median and the range of
`start` and `stop` in milliseconds, for an app with Socket.io and REST, with no client and
with one Socket.io client that has made a call and closed. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feathers_cli.runtime import feathers
from feathers_cli.runtime.client import connect
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.rest import rest
from feathers_cli.runtime.socketio import socketio


async def once(with_client: bool) -> tuple[float, float]:
    """Seconds to start and to stop one app."""
    app = feathers()
    app.configure(socketio())
    app.configure(rest())
    app.use("messages", MemoryService())
    started = time.perf_counter()
    server = await app.start(0, "127.0.0.1")
    start = time.perf_counter() - started
    if with_client:
        client = await connect(server.url, timeout=5)
        await client.service("messages").find()
        await client.close()
    stopping = time.perf_counter()
    await server.stop()
    return start, time.perf_counter() - stopping


def summary(values: list[float]) -> str:
    ms = [value * 1000 for value in values]
    return f"{statistics.median(ms):6.1f} ms ({min(ms):.1f}-{max(ms):.1f})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for with_client in (False, True):
        runs = [await once(with_client) for _ in range(args.runs)]
        label = "one client" if with_client else "no client"
        starts = summary([start for start, _ in runs])
        stops = summary([stop for _, stop in runs])
        print(f"{label:<11} start {starts}   stop {stops}")


if __name__ == "__main__":
    asyncio.run(main())
