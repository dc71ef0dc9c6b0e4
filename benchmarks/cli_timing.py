"""How long the CLI takes: `feathers new`, the generated tests, `feathers start` to accepting.

Run by hand from the repository root (about 20 s; every step has a timeout):

    .venv/bin/python benchmarks/cli_timing.py [--runs 5]

Goals (issue 4): new < 1 s, generated tests < 5 s, start to accepting connections < 1 s
("accepting" = a Socket.io client's first request, an Engine.IO handshake, is answered).
Everything runs as a subprocess, as a user would run it, so interpreter start-up and imports
are included. Servers listen on 127.0.0.1 only and are always stopped.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# The console script, as users run it (`python -m` would compile main.py on every run).
FEATHERS = [str(Path(sys.executable).with_name("feathers"))]
GOALS = {"feathers new": 1.0, "generated tests (pytest)": 5.0, "feathers start -> accepting": 1.0}


def timed(action: Callable[..., None], *args: object) -> float:
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def run(command: list[str], cwd: Path, timeout: float = 120) -> None:
    subprocess.run(
        command, cwd=cwd, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_until_accepting(root: Path, timeout: float = 20) -> float:
    """Seconds from `feathers start` until a client is answered (stopping it is not counted)."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*FEATHERS, "start", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if engineio_handshake(port):
                return time.perf_counter() - started
            if process.poll() is not None:
                raise RuntimeError("feathers start exited")
            time.sleep(0.005)
        raise TimeoutError(f"feathers start did not accept connections in {timeout} s")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def engineio_handshake(port: int) -> bool:
    """Whether the server answers a Socket.io client's first request (an Engine.IO polling
    handshake): the app is set up and serving, not only bound to its port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/socket.io/?EIO=4&transport=polling")
        response = connection.getresponse()
        return response.status == 200 and b'"sid"' in response.read()
    except OSError:
        return False
    finally:
        connection.close()


def import_cost(module: str) -> float:
    return timed(run, [sys.executable, "-c", f"import {module}"], Path.cwd())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median kept)")
    runs = max(1, parser.parse_args().runs)
    results: dict[str, list[float]] = {name: [] for name in GOALS}
    extras: dict[str, list[float]] = {"python -c pass": [], "import copier": []}
    extras["import feathers_cli.main (typer)"] = []
    with tempfile.TemporaryDirectory(prefix="feathers-bench-") as folder:
        base = Path(folder)
        tests = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        for index in range(runs):
            name = f"bench{index}"
            results["feathers new"].append(timed(run, [*FEATHERS, "new", name, "--yes"], base))
            root = base / name
            results["generated tests (pytest)"].append(timed(run, tests, root))
            results["feathers start -> accepting"].append(start_until_accepting(root))
            extras["python -c pass"].append(import_cost("sys"))
            extras["import copier"].append(import_cost("copier"))
            extras["import feathers_cli.main (typer)"].append(import_cost("feathers_cli.main"))
    print(
        f"median of {runs} runs, seconds (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)"
    )
    print(f"{'measurement':36} {'median':>8} {'max':>8} {'goal':>6}")
    for name, times in results.items():
        verdict = "ok" if statistics.median(times) < GOALS[name] else "SLOW"
        print(
            f"{name:36} {statistics.median(times):8.3f} {max(times):8.3f} "
            f"{GOALS[name]:6.1f} {verdict}"
        )
    for name, times in extras.items():
        print(f"{name:36} {statistics.median(times):8.3f} {max(times):8.3f}")


if __name__ == "__main__":
    main()
