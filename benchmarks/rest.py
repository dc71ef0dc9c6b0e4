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

The load comes from Debian's `wrk` (`--client wrk`, the default; `benchmarks/wrk.sh`
installs it with apt-get when missing; script `wrk_rest.lua`) or from `node/http_load.js`
(`--client node`), pinned to CPU 1: 50 keep-alive HTTP connections with one request in
flight each, `GET /messages/<id>` (get, ids 0-4 in turn) or `GET /messages` (find, 5
records), for --duration seconds after a 1 s warm-up on the same server process. Each
scenario runs --runs times, the order of the servers rotating between runs. Reports medians
with the spread (min-max), the ratios, each server's CPU time per request (from /proc, the
measured run only), which is steadier than requests/s on a shared machine, and the load
client's CPU time per request, which shows that the client is not the bottleneck.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
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


def client_command(args: argparse.Namespace, kind: str, url: str, seconds: float) -> list[str]:
    """The load client's command line for one run of `seconds`."""
    if args.client == "wrk":
        return [
            args.wrk,
            "-t1",
            f"-c{args.connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "wrk_rest.lua"),
            url,
            "--",
            kind,
            "5",
        ]
    return [
        "node",
        str(NODE_DIR / "http_load.js"),
        "--url",
        url,
        "--kind",
        kind,
        "--connections",
        str(args.connections),
        "--duration",
        f"{seconds:g}",
        "--warmup",
        "0",
    ]


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_one(args: argparse.Namespace, server: str, kind: str) -> dict:
    """One fresh server, a 1 s warm-up, then the measured run (CPU times of both sides)."""
    server_pin, client_pin = pinning()
    with Served([*server_pin, *SERVERS[server]]) as served:
        url = f"http://127.0.0.1:{served.port}"
        run_client([*client_pin, *client_command(args, kind, url, 1)], 60)
        before = cpu_seconds(served.process.pid)
        client_before = children_cpu_seconds()
        outcome = run_client(
            [*client_pin, *client_command(args, kind, url, args.duration)], args.duration + 60
        )
        client_after = children_cpu_seconds()
        after = cpu_seconds(served.process.pid)
    if before is not None and after is not None and outcome.get("calls"):
        outcome["cpu_us_per_call"] = (after - before) / outcome["calls"] * 1e6
        outcome["client_cpu_us_per_call"] = (client_after - client_before) / outcome["calls"] * 1e6
    return outcome


def measure(args: argparse.Namespace) -> dict[str, dict[str, list[dict]]]:
    results: dict[str, dict[str, list[dict]]] = {}
    names = list(SERVERS)
    for kind in args.kinds:
        results[kind] = {server: [] for server in SERVERS}
        for run in range(args.runs):
            shift = run % len(names)
            for server in names[shift:] + names[:shift]:
                outcome = measure_one(args, server, kind)
                results[kind][server].append(outcome)
                print(f"  {kind:4} run {run + 1} {server:13} {json.dumps(outcome)}", flush=True)
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
            ("client_cpu_us_per_call", "load client CPU us/request", 1),
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
    parser.add_argument(
        "--client",
        choices=["wrk", "node"],
        default="wrk",
        help="load client: Debian's wrk (default; benchmarks/wrk.sh installs it) or "
        "node/http_load.js",
    )
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown here")
    args = parser.parse_args()
    args.wrk = shutil.which("wrk")
    if args.client == "wrk" and args.wrk is None:
        installed = subprocess.run(
            [str(HERE / "wrk.sh")], capture_output=True, text=True, check=True, timeout=600
        )
        args.wrk = installed.stdout.strip().splitlines()[-1]
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
        f"load client {args.client}; {args.runs} runs per scenario, server order rotating; "
        f"{os.cpu_count()} CPUs; "
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
