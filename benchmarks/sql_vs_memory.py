"""Socket calls per second: the SQL adapter on SQLite against the memory adapter.

    python benchmarks/sql_vs_memory.py [--clients 10] [--seconds 3]

For each backend a server process serves a `messages` service (100 seeded records) over
Socket.io on 127.0.0.1 (websocket only); this process connects `--clients` Python clients
and, for `--seconds` per method, each client calls `find` ($limit 10), `get` (a random
seeded id) or `create` in a loop, one call at a time. Prints a Markdown table of calls per
second. Bounded: about 2 x 3 x seconds plus start-up. Loopback only; no events published.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feathers_cli.runtime.client import connect

RECORDS = 100
TEXT = "A message of about the size a chat sends"
BACKENDS = ("memory", "sqlite")
METHODS = ("find", "get", "create")


def serve(backend: str, port: int, folder: str) -> None:
    """The server process: one `messages` service on `backend`."""
    import sqlalchemy as sa

    from feathers_cli.runtime import feathers
    from feathers_cli.runtime.memory import MemoryService
    from feathers_cli.runtime.socketio import socketio
    from feathers_cli.runtime.sql import SQLService, create_engine

    app = feathers()
    app.configure(socketio({"transports": ["websocket"]}))
    seed = [{"text": TEXT, "user": "bench"} for _ in range(RECORDS)]
    if backend == "memory":
        store = {id: {"id": id, **record} for id, record in enumerate(seed, start=1)}
        app.use("messages", MemoryService(store=store))
    else:
        table = sa.Table(
            "messages",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("text", sa.Text),
            sa.Column("user", sa.String(50)),
        )
        engine = create_engine(f"sqlite:///{folder}/bench.sqlite")

        async def prepare() -> None:
            async with engine.begin() as connection:
                await connection.run_sync(table.metadata.create_all)
                await connection.execute(sa.insert(table), seed)
            await engine.dispose()

        asyncio.run(prepare())
        app.use("messages", SQLService(table, engine))
    app.listen(port, "127.0.0.1", log_level="warning")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise TimeoutError(f"the server on port {port} did not start")


async def measure(port: int, clients: int, seconds: float) -> dict[str, float]:
    """Calls per second of each method with `clients` concurrent clients."""
    connected = await asyncio.gather(
        *(connect(f"http://127.0.0.1:{port}", transports=["websocket"]) for _ in range(clients))
    )
    calls = {
        "find": lambda service: service.find({"query": {"$limit": 10}}),
        "get": lambda service: service.get(random.randint(1, RECORDS)),
        "create": lambda service: service.create({"text": TEXT, "user": "bench"}),
    }
    rates = {}
    try:
        for method in METHODS:
            call = calls[method]
            deadline = time.monotonic() + seconds

            async def loop(client, call=call, deadline=deadline) -> int:
                service, done = client.service("messages"), 0
                while time.monotonic() < deadline:
                    await call(service)
                    done += 1
                return done

            started = time.monotonic()
            done = sum(await asyncio.gather(*(loop(client) for client in connected)))
            rates[method] = done / (time.monotonic() - started)
    finally:
        await asyncio.gather(*(client.close() for client in connected))
    return rates


async def run(clients: int, seconds: float) -> dict[str, dict[str, float]]:
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in BACKENDS:
            port = free_port()
            command = [sys.executable, __file__, "--serve", backend, "--port", str(port)]
            server = subprocess.Popen([*command, "--folder", folder])
            try:
                await wait_for(port)
                results[backend] = await measure(port, clients, seconds)
            finally:
                server.terminate()
                server.wait(timeout=10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--serve", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.folder)
        return
    results = asyncio.run(run(args.clients, args.seconds))
    print(f"{args.clients} clients, {args.seconds:g} s per method")
    print("| method | memory (calls/s) | SQLite (calls/s) | SQLite / memory |")
    print("| --- | --- | --- | --- |")
    for method in METHODS:
        memory, sqlite = results["memory"][method], results["sqlite"][method]
        print(f"| {method} | {memory:,.0f} | {sqlite:,.0f} | {sqlite / memory:.0%} |")


if __name__ == "__main__":
    main()
