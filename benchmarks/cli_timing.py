"""How long the CLI takes: `feathers new`, the generated tests, `feathers start` to accepting;
with --first-run, the quick start: `feathers new --yes` (installing) to `feathers dev` answering.

Run by hand from the repository root (about 20 s; every step has a timeout):

    .venv/bin/python benchmarks/cli_timing.py [--runs 5]
    .venv/bin/python benchmarks/cli_timing.py --first-run [--runs 3] [--cold-runs 1]

--first-run (issue 17, goal <= 10 s with a warm package cache): from starting `feathers new
--yes NAME` (which makes .venv with uv, installs the project with its test extras and migrates
its SQLite database) to the first answered request of `feathers dev` started right after,
as `feathers new --yes chat && cd chat && feathers dev` does. Warm: uv's own cache, warmed by
one uncounted run first. Cold: UV_CACHE_DIR pointing at a new empty folder, so every package
is downloaded from PyPI (the network's speed is part of that figure).

Goals (issue 4): new < 1 s, generated tests < 5 s, start to accepting connections < 1 s
("accepting" = a Socket.io client's first request, an Engine.IO handshake, is answered).
Everything runs as a subprocess, as a user would run it, so interpreter start-up and imports
are included. Servers listen on 127.0.0.1 only and are always stopped.
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
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


def start_until_accepting(root: Path) -> float:
    """Seconds from `feathers start` until a client is answered (stopping it is not counted)."""
    return serve_until_answered(root, "start", dict(os.environ))


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


def installing_environment(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no FEATHERS_NO_INSTALL, no active venv."""
    skipped = ("FEATHERS_NO_INSTALL", "VIRTUAL_ENV", "FEATHERS_ENV")
    return {**{k: v for k, v in os.environ.items() if k not in skipped}, **extra}


def first_run(base: Path, name: str, environ: dict[str, str], timeout: float = 600) -> dict:
    """Seconds of `feathers new --yes NAME` (installing), then of `feathers dev` until its
    first answered request, and their sum."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    subprocess.run(
        [*FEATHERS, "new", "--yes", name],
        cwd=base,
        env=environ,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )
    created = time.perf_counter()
    dev = serve_until_answered(base / name, "dev", environ)
    return {
        "new (install + migrate)": created - started,
        "dev -> answered": dev,
        "new -> dev answered": created - started + dev,
        # every process of both commands, the server's included (stopped and reaped)
        "CPU s (user+sys), all": cpu_seconds() - cpu,
    }


def cpu_seconds() -> float:
    """User + system CPU of this process's finished (waited for) descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def serve_until_answered(root: Path, command: str, environ: dict[str, str]) -> float:
    """Seconds from `feathers COMMAND` until a Socket.io client's first request is answered."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*FEATHERS, command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if engineio_handshake(port):
                return time.perf_counter() - started
            if process.poll() is not None:
                raise RuntimeError(f"feathers {command} exited")
            time.sleep(0.005)
        raise TimeoutError(f"feathers {command} did not answer in 60 s")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def first_run_main(runs: int, cold_runs: int) -> None:
    results: dict[str, list[dict]] = {"warm": [], "cold": []}
    with tempfile.TemporaryDirectory(prefix="feathers-first-run-") as folder:
        base = Path(folder)
        first_run(base, "warmup", installing_environment())  # fills uv's cache, not counted
        for index in range(runs):
            results["warm"].append(first_run(base, f"warm{index}", installing_environment()))
        for index in range(cold_runs):
            cache = base / f"empty-uv-cache-{index}"
            cache.mkdir()
            environ = installing_environment(UV_CACHE_DIR=str(cache))
            results["cold"].append(first_run(base, f"cold{index}", environ))
    print(f"first run, seconds (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    print(f"{'cache':6} {'runs':>4} {'measurement':26} {'median':>8} {'max':>8}")
    for cache, measured in results.items():
        for name in measured[0] if measured else ():
            times = [run[name] for run in measured]
            goal = "  (goal <= 10 s)" if cache == "warm" and name.startswith("new ->") else ""
            print(
                f"{cache:6} {len(times):4} {name:26} {statistics.median(times):8.2f} "
                f"{max(times):8.2f}{goal}"
            )


def import_cost(module: str) -> float:
    return timed(run, [sys.executable, "-c", f"import {module}"], Path.cwd())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median kept)")
    parser.add_argument("--first-run", action="store_true", help="time the quick start instead")
    parser.add_argument("--cold-runs", type=int, default=1, help="--first-run with empty caches")
    args = parser.parse_args()
    runs = max(1, args.runs)
    if args.first_run:
        first_run_main(runs, max(0, args.cold_runs))
        return
    results: dict[str, list[float]] = {name: [] for name in GOALS}
    extras: dict[str, list[float]] = {"python -c pass": [], "import copier": []}
    extras["import feathers_cli.main (typer)"] = []
    with tempfile.TemporaryDirectory(prefix="feathers-bench-") as folder:
        base = Path(folder)
        tests = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        for index in range(runs):
            name = f"bench{index}"
            new = [*FEATHERS, "new", name, "--yes", "--no-install"]
            results["feathers new"].append(timed(run, new, base))
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
