"""Soak: many short-lived connections in waves; nothing may be left behind (issue 14 item 5).

    .venv/bin/python benchmarks/soak.py [--connections 10000] [--wave 500] [--concurrency 50]
                                        [--max-seconds 300]

A server process (this file with --serve, `app.listen()` as in production, loopback only)
has a memory `messages` service, a `rooms` service whose `create` joins the caller to a
channel, and a `stats` service. Waves of websocket clients connect, each creates and
removes a message (events are published to every connection), joins a room channel and
disconnects. After each wave the script waits for the server to settle and reads its
counters: channel members, Engine.IO sessions, Feathers sockets, calls in flight, asyncio
tasks (over the count before the first wave) and RSS. It exits 1 unless after the last wave
members, sessions (but the stats client's own), calls and extra tasks are zero and RSS is
within 10% of the first wave's. Bounded: stops starting waves after --max-seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def create_app() -> Any:
    """The soak server's app."""
    from feathers_cli.runtime import feathers
    from feathers_cli.runtime.memory import MemoryService
    from feathers_cli.runtime.socketio import socketio

    app = feathers()
    app.configure(socketio({"transports": ["websocket"]}))
    app.use("messages", MemoryService())

    class Rooms:
        async def create(self, data: Any, params: dict[str, Any]) -> Any:
            app.channel(f"room-{data['room']}").join(params["connection"])
            return {"joined": data["room"]}

    class Stats:
        async def find(self, params: dict[str, Any]) -> Any:
            gc.collect()
            return {
                "members": sum(len(app.channel(name)) for name in app.channels),
                "sessions": len(app.io.eio.sockets),
                "sockets": len(app.io.feathers_sockets),
                "calls": len(app.io.feathers_calls),
                "tasks": len(asyncio.all_tasks()),
                "messages": len(await app.service("messages").find({"paginate": False})),
                "rss_mib": round(_rss_mib(), 1),
                "task_kinds": collections.Counter(
                    getattr(task.get_coro(), "__qualname__", "?") for task in asyncio.all_tasks()
                ).most_common(3),
            }

    app.use("rooms", Rooms())
    app.use("stats", Stats(), methods=["find"])
    app.on("connection", lambda connection: app.channel("anonymous").join(connection))
    app.publish(lambda data, context: app.channel("anonymous"))
    return app


async def _one_connection(url: str, index: int) -> None:
    import socketio as python_socketio

    client = python_socketio.AsyncClient(reconnection=False)
    await client.connect(url, transports=["websocket"], wait_timeout=10)
    try:
        error, created = await client.call("create", ("messages", {"n": index}, {}), timeout=10)
        assert error is None, error
        error, _ = await client.call("remove", ("messages", created["id"], {}), timeout=10)
        assert error is None, error
        error, _ = await client.call("create", ("rooms", {"room": index % 10}, {}), timeout=10)
        assert error is None, error
    finally:
        await client.disconnect()


async def _stats(url: str) -> dict[str, Any]:
    import socketio as python_socketio

    client = python_socketio.AsyncClient(reconnection=False)
    await client.connect(url, transports=["websocket"], wait_timeout=10)
    try:
        error, result = await client.call("find", ("stats", {}), timeout=10)
        assert error is None, error
        return result
    finally:
        await client.disconnect()


async def _settled(url: str, baseline_tasks: int) -> dict[str, Any]:
    """The server's counters once the wave's disconnects have run (bounded wait)."""
    stats: dict[str, Any] = {}
    for _ in range(50):
        stats = await _stats(url)
        # the stats client itself: one session, one socket, one member, its call's task
        if stats["sessions"] <= 1 and stats["members"] <= 1 and stats["tasks"] <= baseline_tasks:
            break
        await asyncio.sleep(0.1)
    return stats


async def soak(url: str, connections: int, wave: int, concurrency: int, max_seconds: float) -> int:
    started = time.monotonic()
    baseline = await _stats(url)
    baseline_tasks = baseline["tasks"]
    limit = asyncio.Semaphore(concurrency)
    failures = 0

    async def bounded(index: int) -> None:
        nonlocal failures
        async with limit:
            try:
                await _one_connection(url, index)
            except Exception as exc:
                failures += 1
                print(f"connection {index} failed: {exc!r}", file=sys.stderr)

    rows = []
    done = 0
    print(f"before: {baseline}")
    print("wave  connections  seconds  members  sessions  sockets  calls  +tasks  rss MiB")
    while done < connections and time.monotonic() - started < max_seconds:
        count = min(wave, connections - done)
        wave_start = time.monotonic()
        await asyncio.gather(*(bounded(done + i) for i in range(count)))
        done += count
        stats = await _settled(url, baseline_tasks)
        row = (
            len(rows) + 1,
            done,
            time.monotonic() - wave_start,
            stats["members"] - 1,
            stats["sessions"] - 1,
            stats["sockets"] - 1,
            stats["calls"] - 1,
            stats["tasks"] - baseline_tasks,
            stats["rss_mib"],
        )
        rows.append(row)
        if row[7]:
            print(f"      tasks over the baseline, by kind: {stats['task_kinds']}")
        print("{:>4}  {:>11}  {:>7.1f}  {:>7}  {:>8}  {:>7}  {:>5}  {:>6}  {:>7}".format(*row))
    first_rss, last = rows[0][8], rows[-1]
    ok = (
        done == connections
        and failures == 0
        and last[3:8] == (0, 0, 0, 0, 0)
        and last[8] <= first_rss * 1.10
    )
    print(
        f"{done} connections in {time.monotonic() - started:.1f} s, {failures} failed; "
        f"after the last wave: members {last[3]}, sessions {last[4]}, sockets {last[5]}, "
        f"calls {last[6]}, extra tasks {last[7]}; RSS {last[8]} MiB against {first_rss} MiB "
        f"after the first wave ({(last[8] / first_rss - 1) * 100:+.1f}%): {'OK' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


def serve(port: int) -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    create_app().listen(port, "127.0.0.1", log_level="error")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--wave", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return 0
    from tests.helpers.projects import accepts_connections, free_port, wait_until

    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], cwd=ROOT)
    try:
        wait_until(lambda: accepts_connections(port), 30, "the soak server")
        url = f"http://127.0.0.1:{port}"
        return asyncio.run(
            soak(url, args.connections, args.wave, args.concurrency, args.max_seconds)
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
