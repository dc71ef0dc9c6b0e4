"""What feathers.sync costs and what two processes do: calls/s and fan-out p99 (issue 16).

    scripts/redis.sh                       # or FEATHERS_REDIS_PORT=63791 scripts/redis.sh
    .venv/bin/python benchmarks/sync.py --redis redis://127.0.0.1:63790/0 [--runs 3]
    .venv/bin/python benchmarks/sync.py --receive-only

Three set-ups of `feathers_server.py` (a memory `messages` service, every event published
to every connection), each a fresh set of server processes per measurement:

- `1 process`: no sync, the baseline;
- `1 process + sync`: the same with `sync()` to Redis (every event goes through Redis and
  comes back before it is sent): the cost sync adds to one process;
- `2 processes + sync`: two servers sharing events through Redis, the clients split
  between them; a created record reaches the sockets of both.

Load (Node clients of `node/`, websocket-only): `create 50x1`, 50 sockets each with one
`create` in flight (every create is an event to all 50 sockets; with 2 processes, 25
sockets on each, two clients whose calls/s add up), with the `messages created` events the
sockets received per second: with sync a create is answered before its event goes out, so
under overload calls/s can run ahead of the events (they wait in Redis, `app.sync.lag`), and
the events delivered are the measure of capacity; `fan-out 1000`, the time until 1,000
sockets (split over the processes) all have the event of one create.

Pinning on a 2-CPU machine: every server process on CPU 0, the clients on CPU 1 (Redis runs
where it was started, normally unpinned). So `2 processes` shows what sharing events costs,
not a speed-up: both processes share one core. Every run is bounded in time; servers are
always stopped. Alternates the set-ups, --runs times each, and prints medians (min-max).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import redis
from compare import HERE, NODE_DIR, Served, cpu_seconds, pinning, render, run_client, spread

SETUPS = {"1 process": (1, False), "1 process + sync": (1, True), "2 processes + sync": (2, True)}


def server_command(pin: list[str], redis: str, with_sync: bool) -> list[str]:
    command = [*pin, sys.executable, str(HERE / "feathers_server.py"), "--websocket-only"]
    return [*command, "--sync", redis] if with_sync else command


def redis_cpu(url: str) -> float:
    """CPU seconds the Redis server has used so far (its INFO)."""
    with redis.Redis.from_url(url) as client:
        info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def measure_calls(servers: list[Served], client_pin: list[str], args: argparse.Namespace) -> dict:
    urls = [f"http://127.0.0.1:{s.port}" for s in servers]
    sockets = str(50 // len(urls))
    load = ["--inflight", "1", "--duration", str(args.duration), "--method", "create"]
    script = [*client_pin, "node", str(NODE_DIR / "load.js")]
    commands = [[*script, "--url", url, "--sockets", sockets, *load] for url in urls]
    before = [cpu_seconds(s.process.pid) or 0.0 for s in servers]
    redis_before = redis_cpu(args.redis)
    with ThreadPoolExecutor(len(commands)) as pool:
        outcomes = list(pool.map(lambda c: run_client(c, args.duration + 60), commands))
    after = [cpu_seconds(s.process.pid) or 0.0 for s in servers]
    redis_used = redis_cpu(args.redis) - redis_before
    all_calls = sum(o["all_calls"] for o in outcomes)
    return {
        "calls_per_s": sum(o["calls_per_s"] for o in outcomes),
        "events_per_s": sum(o["events_per_s"] for o in outcomes),
        "cpu_us_per_call": (sum(after) - sum(before)) / max(all_calls, 1) * 1e6,
        "redis_us_per_call": redis_used / max(all_calls, 1) * 1e6,
        "p99_ms": max(o["p99_ms"] for o in outcomes),
        "errors": sum(o["errors"] for o in outcomes),
    }


def measure_fanout(servers: list[Served], client_pin: list[str], args: argparse.Namespace) -> dict:
    urls = [f"http://127.0.0.1:{s.port}" for s in servers]
    command = [*client_pin, "node", str(NODE_DIR / "fanout.js"), "--url", ",".join(urls)]
    command += ["--sockets", str(args.fanout_sockets), "--rounds", str(args.rounds)]
    return run_client(command, 240)


def run(args: argparse.Namespace) -> dict[str, dict[str, list[dict]]]:
    server_pin, client_pin = pinning()
    results: dict[str, dict[str, list[dict]]] = {n: {"calls": [], "fanout": []} for n in SETUPS}
    for index in range(args.runs):
        order = list(SETUPS) if index % 2 == 0 else list(reversed(SETUPS))
        for name in order:
            processes, with_sync = SETUPS[name]
            for kind, measure in (("calls", measure_calls), ("fanout", measure_fanout)):
                with ExitStack() as stack:
                    command = server_command(server_pin, args.redis, with_sync)
                    served = [stack.enter_context(Served(command)) for _ in range(processes)]
                    outcome = measure(served, client_pin, args)
                results[name][kind].append(outcome)
                print(f"  {name:20} {kind:6} run {index + 1} {json.dumps(outcome)}", flush=True)
    return results


def table(results: dict[str, dict[str, list[dict]]]) -> list[list[str]]:
    rows = [
        [
            "set-up",
            "create 50x1 calls/s",
            "events received/s",
            "creates/s delivered (events / 50)",
            "Redis CPU us/create",
            "fan-out 1000 p50 ms",
            "fan-out p99 ms",
        ]
    ]
    for name, by_kind in results.items():
        calls, fanout = by_kind["calls"], by_kind["fanout"]
        rows.append(
            [
                name,
                spread([r["calls_per_s"] for r in calls]),
                spread([r["events_per_s"] for r in calls]),
                spread([r["events_per_s"] / 50 for r in calls]),
                spread([r["redis_us_per_call"] for r in calls], 1),
                spread([r["p50_ms"] for r in fanout], 1),
                spread([r["p99_ms"] for r in fanout], 1),
            ]
        )
    base = statistics.median(r["events_per_s"] for r in results["1 process"]["calls"])
    synced = statistics.median(r["events_per_s"] for r in results["1 process + sync"]["calls"])
    cost = f"{synced / base - 1:+.0%} events/s"
    rows.append(["sync's cost (1 process)", "", cost, "", "", "", ""])
    return rows


def receive_cost(messages: int = 20_000) -> float:
    """Microseconds one process spends on an event it reads back but sends to nobody (read,
    decoded, its publisher run): the floor every process pays for every event of the app."""
    sys.path.insert(0, str(HERE.parent))
    from feathers_cli.runtime import feathers
    from feathers_cli.runtime._sync_message import Outgoing, encode_message
    from feathers_cli.runtime.hooks import HookContext
    from feathers_cli.runtime.memory import MemoryService
    from feathers_cli.runtime.sync import SyncBackend, sync

    app = feathers()
    app.configure(sync({"backend": SyncBackend()}))
    app.use("messages", MemoryService())
    app.publish(lambda data, context: app.channel("anonymous"))  # a channel nobody joined
    record = {"id": 1, "text": "A message of about the size a chat sends", "user": "bench"}
    context = HookContext(app, app.service("messages"), "messages", "create", {}, None, None)
    context.result = record
    message = Outgoing("messages", "created", record, context)
    encode_message(message)
    frames = []
    for sequence in range(1, messages + 1):
        message.sequence = sequence
        frames.append(message.frame("origin"))
    started = time.perf_counter()
    for frame in frames:
        app.sync.receive(frame)
    return (time.perf_counter() - started) / messages * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", help="a Redis URL (scripts/redis.sh)")
    parser.add_argument(
        "--receive-only", action="store_true", help="only the in-process cost of reading back"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5, help="seconds per calls run")
    parser.add_argument("--rounds", type=int, default=30, help="fan-out rounds per run")
    parser.add_argument("--fanout-sockets", type=int, default=1000)
    args = parser.parse_args()
    if args.receive_only:
        costs = sorted(receive_cost() for _ in range(5))
        print(f"an event read back and sent to nobody: {costs[2]:.1f} us (median of 5)")
        return
    if not args.redis:
        parser.error("--redis is required (scripts/redis.sh prints a URL)")
    if not (NODE_DIR / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    results = run(args)
    print()
    print(render(table(results), markdown=True))
    print(f"an event read back and sent to nobody: {receive_cost():.1f} us (in-process)")
    print(
        f"{args.runs} runs per set-up, alternating; {os.cpu_count()} CPUs; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"{time.monotonic() - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
