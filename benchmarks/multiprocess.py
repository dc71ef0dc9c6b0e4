"""Calls/s of one uvicorn process against two behind the same port (websocket-only).

    .venv/bin/python benchmarks/multiprocess.py [--runs 3] [--duration 5]

Runs `uvicorn benchmarks.feathers_server:websocket_only_asgi --factory --workers N` for N = 1
and 2 (uvicorn's workers share one listening socket; the kernel spreads the connections),
with uvloop, websocket per-message deflate off and the Socket.io transport limited to
websockets, so that every message of a connection reaches the process that accepted it and
no sticky sessions are needed. The load is `node/load.js` (50 sockets x 1 call in flight, and
10 x 10), unpinned: on a 2-CPU machine two server processes and the client share the CPUs,
so this shows what a second process buys when the client is on the same machine. Alternates
1 and 2 processes, --runs times each, and prints medians (min-max).
"""

from __future__ import annotations

import argparse
import statistics
import sys

from compare import HERE, NODE_DIR, Served, run_client


def uvicorn_command(workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.feathers_server:websocket_only_asgi",
        "--factory",
        "--workers",
        str(workers),
        "--host",
        "127.0.0.1",
        "--loop",
        "uvloop",
        "--ws-per-message-deflate",
        "false",
        "--no-access-log",
        "--log-level",
        "warning",
        "--app-dir",
        str(HERE.parent),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5)
    args = parser.parse_args()
    loads = {"50x1": ("50", "1"), "10x10": ("10", "10")}
    results: dict[tuple[str, int], list[float]] = {}
    for name, (sockets, inflight) in loads.items():
        for run in range(args.runs):
            for workers in (1, 2) if run % 2 == 0 else (2, 1):
                with Served(uvicorn_command(workers)) as served:
                    outcome = run_client(
                        [
                            "node",
                            str(NODE_DIR / "load.js"),
                            "--url",
                            f"http://127.0.0.1:{served.port}",
                            "--sockets",
                            sockets,
                            "--inflight",
                            inflight,
                            "--duration",
                            str(args.duration),
                        ],
                        args.duration + 60,
                    )
                results.setdefault((name, workers), []).append(outcome["calls_per_s"])
                print(
                    f"  {name} run {run + 1} {workers} process(es): "
                    f"{outcome['calls_per_s']:,.0f} calls/s"
                )
    print("\nload    1 process               2 processes             ratio")
    for name in loads:
        one, two = results[(name, 1)], results[(name, 2)]
        ratio = statistics.median(two) / statistics.median(one)
        cells = [f"{statistics.median(v):,.0f} ({min(v):,.0f}-{max(v):,.0f})" for v in (one, two)]
        print(f"{name:7} {cells[0]:23} {cells[1]:23} {ratio:.2f}x")


if __name__ == "__main__":
    main()
