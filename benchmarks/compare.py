"""Node Feathers, feathers-py and bare python-socketio under the same load (issues 7, 15).

    .venv/bin/python benchmarks/compare.py [--runs 3] [--duration 5] [--markdown out.md]
        [--server node --server feathers ...] [--only "calls 50x1" ...]

Starts the three servers one at a time on a free loopback port, pinned to CPU 0 with
`taskset` when the machine has two or more CPUs: `node/feathers_server.js` (Feathers 5 with
@feathersjs/socketio and @feathersjs/memory, versions from `node/package-lock.json`),
`feathers_server.py` (the same app on feathers-py) and `bare_server.py` (the same work by
hand on python-socketio). The load comes from the Node clients of `benchmarks/node/` pinned
to CPU 1 (`npm ci` there first if `node_modules` is missing):

- calls 50x1: `raw.js` (raw Engine.IO/Socket.io frames over `ws`, so the client does less
  per call than any server), 50 sockets with one get/find call in flight each;
- calls 10x10: `raw.js`, 10 sockets with ten get/find calls in flight each;
- mix 50x1: `raw.js`, 50 sockets, one call in flight each, create/get/find in turn (find with
  `$limit: 5`); every create is published to all 50 sockets, which read it;
- fan-out 1000: `fanout.js` (socket.io-client), time until 1,000 sockets all have a
  published event.

For the call scenarios it also reports the server's CPU time per call (from /proc, warm-up
included), which is steadier than calls/s on a machine shared with other work.

Each pairing runs --runs times, rotating which server goes first, with a fresh server
process per measurement. Prints medians, the spread (min-max) and the ratios of feathers-py
to Node Feathers and to bare python-socketio; --markdown writes the same table as markdown.
Every client run is bounded in time (--duration, rounds, and a subprocess timeout), and
servers are always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
SERVERS = {
    "node": ["node", str(NODE_DIR / "feathers_server.js")],
    "feathers": [sys.executable, str(HERE / "feathers_server.py")],
    "bare": [sys.executable, str(HERE / "bare_server.py")],
}
TITLES = {"node": "Node Feathers", "feathers": "feathers-py", "bare": "bare python-socketio"}
GOALS = {"calls 50x1": ">= 0.5x Node", "calls 10x10": "", "mix 50x1": ">= 0.9x Node"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pinning() -> tuple[list[str], list[str]]:
    """taskset prefixes for (server, client): CPU 0 and CPU 1 when there are two CPUs."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", "0"], ["taskset", "-c", "1"]
    return [], []


def wait_accepting(port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"the server did not accept connections within {timeout} s")


class Served:
    """A benchmark server process on a free port (a context manager that always stops it)."""

    def __init__(self, command: list[str]) -> None:
        self.port = free_port()
        self.command = [*command, "--port", str(self.port)]

    def __enter__(self) -> Served:
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_accepting(self.port, self.process)
        except BaseException:
            self.__exit__()
            raise
        time.sleep(0.3)  # let the lifespan start-up finish
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_client(command: list[str], timeout: float) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def scenarios(args: argparse.Namespace) -> dict[str, tuple[list[str], float]]:
    """name -> (client arguments after the URL, timeout in seconds)."""
    load = ["--duration", str(args.duration), "--warmup", "1"]
    calls_timeout = args.duration + 60
    mix = ["--methods", "create,get,find", "--find-query", '{"$limit":5}']
    result = {
        "calls 50x1": (["raw.js", *load, "--sockets", "50", "--inflight", "1"], calls_timeout),
        "calls 10x10": (["raw.js", *load, "--sockets", "10", "--inflight", "10"], calls_timeout),
        "mix 50x1": (["raw.js", *load, "--sockets", "50", "--inflight", "1", *mix], calls_timeout),
        "fan-out 1000": (
            ["fanout.js", "--sockets", str(args.fanout_sockets), "--rounds", str(args.rounds)],
            180,
        ),
    }
    return {name: spec for name, spec in result.items() if name in args.only or not args.only}


def measure(args: argparse.Namespace) -> dict[str, dict[str, list[dict]]]:
    server_pin, client_pin = pinning()
    results: dict[str, dict[str, list[dict]]] = {}
    for name, (client_args, timeout) in scenarios(args).items():
        results[name] = {server: [] for server in args.server}
        for run in range(args.runs):
            shift = run % len(args.server)
            order = args.server[shift:] + args.server[:shift]
            for server in order:
                command = [*server_pin, *SERVERS[server]]
                with Served(command) as served:
                    script, *rest = client_args
                    url = f"http://127.0.0.1:{served.port}"
                    client = [*client_pin, "node", str(NODE_DIR / script), "--url", url, *rest]
                    before = cpu_seconds(served.process.pid)
                    outcome = run_client(client, timeout)
                    after = cpu_seconds(served.process.pid)
                if before is not None and after is not None and outcome.get("all_calls"):
                    outcome["cpu_us_per_call"] = (after - before) / outcome["all_calls"] * 1e6
                results[name][server].append(outcome)
                print(f"  {name:13} run {run + 1} {server:8} {json.dumps(outcome)}", flush=True)
    return results


def spread(values: list[float], digits: int = 0) -> str:
    median = statistics.median(values)
    return f"{median:,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"


def table(results: dict[str, dict[str, list[dict]]], servers: list[str]) -> list[list[str]]:
    """Medians (min-max) per server, and feathers-py's ratio to each other server."""
    others = [s for s in servers if s != "feathers"] if "feathers" in servers else []
    header = ["measurement", *(f"{TITLES[s]} median (min-max)" for s in servers)]
    rows = [[*header, *(f"feathers-py / {TITLES[other]}" for other in others), "goal"]]
    for name, scenario in results.items():
        if name.startswith(("calls", "mix")):
            metrics = [
                ("calls/s", "calls_per_s", 0, "more", GOALS.get(name, "")),
                ("server CPU us/call", "cpu_us_per_call", 1, "less", ""),
                ("p50 ms", "p50_ms", 1, "faster", ""),
                ("p99 ms", "p99_ms", 1, "faster", ""),
            ]
        else:
            metrics = [("p50 ms", "p50_ms", 1, "faster", ""), ("p99 ms", "p99_ms", 1, "faster", "")]
        for label, metric, digits, better, goal in metrics:
            values = {s: [r[metric] for r in scenario[s] if r.get(metric)] for s in servers}
            if not all(values.values()):
                continue
            medians = {s: statistics.median(v) for s, v in values.items()}
            ratios = [_ratio(medians["feathers"], medians[other], better) for other in others]
            cells = [spread(values[s], digits) for s in servers]
            rows.append([f"{name} {label}", *cells, *ratios, goal])
        lost = [str(sum(r.get("lost", 0) for r in scenario[s])) for s in servers]
        if any(value != "0" for value in lost):
            rows.append([f"{name} rounds lost", *lost, *([""] * len(others)), "0"])
    return rows


def _ratio(ours: float, theirs: float, better: str) -> str:
    """feathers-py against another server: throughput ratio, or how much less/faster."""
    if better == "more":
        return f"{ours / theirs:.2f}x"
    return f"{theirs / ours:.2f}x {better}"


def render(rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each pairing (default 3)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=30, help="fan-out rounds per run")
    parser.add_argument("--fanout-sockets", type=int, default=1000)
    parser.add_argument(
        "--server", action="append", choices=list(SERVERS), help="repeatable; default: all"
    )
    parser.add_argument("--only", action="append", default=[], help="a scenario name (repeatable)")
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown here")
    args = parser.parse_args()
    args.server = args.server or list(SERVERS)
    if not (NODE_DIR / "node_modules").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=300
        )
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    server_pin, client_pin = pinning()
    print(
        f"servers pinned: {' '.join(server_pin) or 'no'}; clients: {' '.join(client_pin) or 'no'}"
    )
    results = measure(args)
    rows = table(results, args.server)
    note = (
        f"{args.runs} runs per pairing, alternating; {os.cpu_count()} CPUs; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"{time.monotonic() - started:.0f} s in all"
    )
    print()
    print(render(rows, markdown=False))
    print(note)
    if args.markdown:
        args.markdown.write_text(render(rows, markdown=True) + "\n\n" + note + "\n")


if __name__ == "__main__":
    main()
