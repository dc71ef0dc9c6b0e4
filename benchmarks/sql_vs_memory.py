"""Socket calls per second: the memory adapter, SQLite and PostgreSQL under the same load.

    python benchmarks/sql_vs_memory.py [--runs 3] [--seconds 3] [--sockets 10]
        [--backend memory --backend sqlite --backend postgresql] [--markdown out.md]

For each backend a fresh server process (pinned to CPU 0 with `taskset` on a machine with two
or more CPUs) serves a `messages` service (100 seeded records, ids 1-100, no pagination) and
a `pages` service on the same records paginated by 10, over Socket.io on 127.0.0.1; the load
is `node/raw.js` (raw Engine.IO/Socket.io frames, pinned to CPU 1; `npm ci` in
`benchmarks/node` first): `--sockets` websockets with one call in flight each, `--seconds` per
method, after a one-second warm-up:

- find: `messages.find({$limit: 10})` (a plain list, no count);
- find paged: `pages.find({})` (the first page of 10 and the total);
- get: `messages.get(id)`, ids 1-100 in turn;
- create: `messages.create({text, user})`.

SQLite is a file (`create_engine` defaults: write-ahead logging, dedicated connection
threads). PostgreSQL is the server at `--postgres-url` or FEATHERS_TEST_POSTGRES_URL (a table
`bench_messages_<pid>`, dropped afterwards); without one that backend is left out. Each run
rotates which backend goes first. Prints calls/s and the server's CPU time per call (from
/proc) as medians with the spread (min-max). Bounded: runs x backends x methods x seconds plus
start-up; loopback only; no events published; servers are always stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from compare import NODE_DIR, Served, cpu_seconds, pinning, run_client  # noqa: E402

RECORDS = 100
TEXT = "A message of about the size a chat sends"
TABLE = f"bench_messages_{os.getpid()}"  # PostgreSQL: a table of this run's own
BACKENDS = ("memory", "sqlite", "postgresql")
METHODS = {
    "find": ["--methods", "find", "--find-query", '{"$limit":10}'],
    "find paged": ["--methods", "find", "--service", "pages"],
    "get": ["--methods", "get", "--first-id", "1", "--records", str(RECORDS)],
    "create": ["--methods", "create"],
}


def serve(backend: str, port: int, folder: str, url: str | None, name: str) -> None:
    """The server process: `messages` and `pages` on `backend`."""
    import sqlalchemy as sa

    from feathers_cli.runtime import feathers
    from feathers_cli.runtime.memory import MemoryService
    from feathers_cli.runtime.socketio import socketio

    app = feathers()
    app.configure(socketio({"transports": ["websocket"]}))
    seed = [{"text": TEXT, "user": "bench"} for _ in range(RECORDS)]
    pages = {"default": 10, "max": 50}
    if backend == "memory":
        store = {id: {"id": id, **record} for id, record in enumerate(seed, start=1)}
        app.use("messages", MemoryService(store=store, start_id=RECORDS + 1))
        app.use("pages", MemoryService(store=store, paginate=pages))
        app.listen(port, "127.0.0.1", log_level="warning")
        return
    from feathers_cli.runtime.sql import SQLService, create_engine

    table = sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text),
        sa.Column("user", sa.String(50)),
    )
    engine = create_engine(url if backend == "postgresql" else f"sqlite:///{folder}/bench.sqlite")

    async def prepare() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(table.metadata.drop_all)
            await connection.run_sync(table.metadata.create_all)
            await connection.execute(sa.insert(table), seed)
        await engine.dispose()

    asyncio.run(prepare())
    app.use("messages", SQLService(table, engine))
    app.use("pages", SQLService(table, engine, paginate=pages))
    app.listen(port, "127.0.0.1", log_level="warning")


def drop_postgres_table(url: str) -> None:
    import sqlalchemy as sa

    from feathers_cli.runtime.sql import create_engine

    async def drop() -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE}"))
        await engine.dispose()

    asyncio.run(drop())


def measure(args: argparse.Namespace) -> dict[str, dict[str, list[dict]]]:
    """backend -> method -> one outcome per run."""
    server_pin, client_pin = pinning()
    results = {backend: {method: [] for method in METHODS} for backend in args.backend}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            shift = run % len(args.backend)
            for backend in args.backend[shift:] + args.backend[:shift]:
                command = [*server_pin, sys.executable, __file__, "--serve", backend]
                command += ["--folder", folder, "--postgres-url", args.postgres_url or ""]
                command += ["--table", TABLE]
                with Served(command) as served:
                    for method, options in METHODS.items():
                        client = [*client_pin, "node", str(NODE_DIR / "raw.js")]
                        client += ["--url", f"http://127.0.0.1:{served.port}"]
                        client += ["--sockets", str(args.sockets), "--inflight", "1"]
                        client += ["--duration", str(args.seconds), "--warmup", "1", *options]
                        before = cpu_seconds(served.process.pid)
                        outcome = run_client(client, args.seconds + 60)
                        after = cpu_seconds(served.process.pid)
                        if before is not None and after is not None and outcome["all_calls"]:
                            outcome["cpu_us_per_call"] = (
                                (after - before) / outcome["all_calls"] * 1e6
                            )
                        results[backend][method].append(outcome)
                        rate = outcome["calls_per_s"]
                        print(
                            f"  run {run + 1} {backend:10} {method:10} {rate:8,.0f} calls/s "
                            f"errors {outcome['errors']}",
                            flush=True,
                        )
    return results


def spread(values: list[float], digits: int = 0) -> str:
    median = statistics.median(values)
    return f"{median:,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"


def render(results: dict[str, dict[str, list[dict]]], backends: list[str]) -> str:
    titles = {"memory": "memory", "sqlite": "SQLite", "postgresql": "PostgreSQL"}
    header = ["method", *(f"{titles[b]} calls/s" for b in backends)]
    header += [f"{titles[b]} CPU us/call" for b in backends]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for method in METHODS:
        rates = [spread([r["calls_per_s"] for r in results[b][method]]) for b in backends]
        cpu = [
            spread([r.get("cpu_us_per_call", 0.0) for r in results[b][method]], 0) for b in backends
        ]
        lines.append("| " + " | ".join([method, *rates, *cpu]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--sockets", type=int, default=10)
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--postgres-url", default=os.environ.get("FEATHERS_TEST_POSTGRES_URL"))
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--serve", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--table", default=TABLE, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.folder, args.postgres_url, args.table)
        return
    args.backend = args.backend or [b for b in BACKENDS if b != "postgresql" or args.postgres_url]
    if not (NODE_DIR / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    try:
        results = measure(args)
    finally:
        if "postgresql" in args.backend:
            drop_postgres_table(args.postgres_url)
    note = (
        f"{args.runs} runs, {args.sockets} sockets x 1 call in flight, {args.seconds:g} s per "
        f"method; {os.cpu_count()} CPUs; load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after; {time.monotonic() - started:.0f} s in all"
    )
    table = render(results, args.backend)
    print()
    print(table)
    print(note)
    if args.markdown:
        args.markdown.write_text(table + "\n\n" + note + "\n")


if __name__ == "__main__":
    main()
