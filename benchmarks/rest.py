"""REST: feathers-py against a bare Starlette endpoint and Node Feathers (Koa), in one command.

    .venv/bin/python benchmarks/rest.py [--runs 5] [--duration 5] [--markdown out.md]

Servers, each a fresh process on a free loopback port, pinned to CPU 0 with `taskset` when
the machine has two or more CPUs:

- feathers: `rest_servers.py feathers`, a `messages` memory service on an app with Socket.io
  and REST, served by `app.listen()`;
- feathers-dict: the same app with a service answering from a dict as the Starlette routes
  do (no adapter), which isolates the cost of the transport and the hooks;
- starlette: `rest_servers.py starlette`, two Starlette routes returning the same JSON from a
  dict, on uvicorn with the same settings;
- node: `node/rest_server.js`, @feathersjs/koa's `rest()` and @feathersjs/memory 5.0.50
  (from `benchmarks/node/package-lock.json`), set up as a generated Feathers app.

The load comes from `node/http_load.js` pinned to CPU 1: 50 keep-alive HTTP connections
with one request in flight each, `GET /messages/<id>` (get) or `GET /messages` (find, 5
records), for --duration seconds after a 1 s warm-up. It costs the client a fraction of
what it costs any of the servers (see benchmarks/README.md). Each scenario runs --runs
times, the order of the servers rotating between runs. Reports medians with the spread
(min-max), the ratios to feathers-py, and each server's CPU time per request (from /proc,
warm-up included), which is steadier than requests/s on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from compare import NODE_DIR, Served, cpu_seconds, pinning, render, run_client, spread

HERE = Path(__file__).resolve().parent
SERVERS = {
    "feathers": [sys.executable, str(HERE / "rest_servers.py"), "feathers"],
    "feathers-dict": [sys.executable, str(HERE / "rest_servers.py"), "feathers-dict"],
    "starlette": [sys.executable, str(HERE / "rest_servers.py"), "starlette"],
    "node": ["node", str(NODE_DIR / "rest_server.js")],
}


def measure(args: argparse.Namespace) -> dict[str, dict[str, list[dict]]]:
    server_pin, client_pin = pinning()
    results: dict[str, dict[str, list[dict]]] = {}
    names = list(SERVERS)
    for kind in args.kinds:
        results[kind] = {server: [] for server in SERVERS}
        for run in range(args.runs):
            shift = run % len(names)
            for server in names[shift:] + names[:shift]:
                with Served([*server_pin, *SERVERS[server]]) as served:
                    client = [
                        *client_pin,
                        "node",
                        str(NODE_DIR / "http_load.js"),
                        "--url",
                        f"http://127.0.0.1:{served.port}",
                        "--kind",
                        kind,
                        "--connections",
                        str(args.connections),
                        "--duration",
                        str(args.duration),
                    ]
                    before = cpu_seconds(served.process.pid)
                    outcome = run_client(client, args.duration + 60)
                    after = cpu_seconds(served.process.pid)
                if before is not None and after is not None and outcome.get("all_calls"):
                    outcome["cpu_us_per_call"] = (after - before) / outcome["all_calls"] * 1e6
                results[kind][server].append(outcome)
                print(f"  {kind:4} run {run + 1} {server:9} {json.dumps(outcome)}", flush=True)
    return results


def table(results: dict[str, dict[str, list[dict]]]) -> list[list[str]]:
    columns = ("feathers", "feathers-dict", "starlette", "node")
    rows = [
        [
            "measurement",
            "feathers-py (memory)",
            "feathers-py (dict service)",
            "bare Starlette",
            "Node Feathers (Koa)",
            "ratios",
        ]
    ]
    for kind, by_server in results.items():
        for metric, label, digits in (
            ("calls_per_s", "requests/s", 0),
            ("cpu_us_per_call", "server CPU us/request", 1),
            ("p50_ms", "p50 ms", 1),
            ("p99_ms", "p99 ms", 1),
        ):
            if not all(metric in r for runs in by_server.values() for r in runs):
                continue
            values = {server: [r[metric] for r in runs] for server, runs in by_server.items()}
            medians = {server: statistics.median(v) for server, v in values.items()}
            ratios = ""
            if metric == "calls_per_s":
                ratios = (
                    f"memory {medians['feathers'] / medians['starlette']:.2f}x Starlette, "
                    f"dict {medians['feathers-dict'] / medians['starlette']:.2f}x Starlette, "
                    f"memory {medians['feathers'] / medians['node']:.2f}x Node"
                )
            elif metric == "cpu_us_per_call":
                ratios = (
                    f"memory {medians['feathers'] - medians['starlette']:+.1f} us, "
                    f"dict {medians['feathers-dict'] - medians['starlette']:+.1f} us "
                    "over Starlette"
                )
            rows.append([f"{kind} {label}", *(spread(values[s], digits) for s in columns), ratios])
        errors = {s: sum(r["errors"] for r in runs) for s, runs in by_server.items()}
        if any(errors.values()):
            rows.append([f"{kind} errors", *(str(errors[s]) for s in columns), "0"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (default 5)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per load run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--kinds", nargs="+", default=["get", "find"], choices=["get", "find"])
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown here")
    args = parser.parse_args()
    if not (NODE_DIR / "node_modules" / "@feathersjs" / "koa").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=300
        )
    started = time.monotonic()
    load_before = os.getloadavg()
    server_pin, client_pin = pinning()
    print(
        f"servers pinned: {' '.join(server_pin) or 'no'}; clients: {' '.join(client_pin) or 'no'}"
    )
    rows = table(measure(args))
    load_after = os.getloadavg()
    note = (
        f"{args.runs} runs per scenario, server order rotating; {os.cpu_count()} CPUs; "
        f"load average (1/5/15 min) {'/'.join(f'{v:.2f}' for v in load_before)} before, "
        f"{'/'.join(f'{v:.2f}' for v in load_after)} after; "
        f"{time.monotonic() - started:.0f} s in all"
    )
    print()
    print(render(rows, markdown=False))
    print(note)
    if args.markdown:
        args.markdown.write_text(render(rows, markdown=True) + "\n\n" + note + "\n")


if __name__ == "__main__":
    main()
