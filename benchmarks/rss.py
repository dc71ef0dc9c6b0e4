"""Resident memory per idle websocket connection, with per-message deflate off and on.

    .venv/bin/python benchmarks/rss.py [--sockets 1000] [--runs 3]

For each server (`feathers_server.py`, `bare_server.py`) and each deflate setting, starts the
server, reads its RSS (VmRSS from /proc, Linux only), opens --sockets idle websocket-only
connections with `node/hold.js` (which offers deflate only when it is on), waits for the
memory to settle, reads RSS again, and reports (after - before) / sockets. Loopback only;
every step has a timeout and the processes are always stopped.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from compare import NODE_DIR, SERVERS, Served, pinning


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def per_connection(server: str, deflate: bool, sockets: int) -> float:
    server_pin, client_pin = pinning()
    command = [
        *server_pin,
        sys.executable,
        str(SERVERS[server]),
        *(["--deflate"] if deflate else []),
    ]
    with Served(command) as served:
        before = rss_kib(served.process.pid)
        url = f"http://127.0.0.1:{served.port}"
        hold = subprocess.Popen(
            [
                *client_pin,
                "node",
                str(NODE_DIR / "hold.js"),
                "--url",
                url,
                "--sockets",
                str(sockets),
                "--deflate",
                "1" if deflate else "0",
                "--seconds",
                "120",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            line = hold.stdout.readline() if hold.stdout else ""
            if not line.startswith("ready"):
                raise RuntimeError(f"hold.js did not connect: {line!r}")
            time.sleep(2)  # ping/pong and lazy allocations settle
            after = rss_kib(served.process.pid)
        finally:
            if hold.stdin:
                hold.stdin.close()
            try:
                hold.wait(timeout=20)
            except subprocess.TimeoutExpired:
                hold.kill()
                hold.wait()
    return (after - before) / sockets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"RSS per idle websocket connection, {args.sockets} connections, KiB: median (min-max)")
    for deflate in (False, True):
        for server in SERVERS:
            values = [per_connection(server, deflate, args.sockets) for _ in range(args.runs)]
            print(
                f"  {server:8} deflate {'on ' if deflate else 'off'}  "
                f"{statistics.median(values):7.1f} "
                f"({min(values):.1f}-{max(values):.1f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
