"""`feathers start --workers N`: N server processes on one port, under one supervising CLI.

Each worker runs the app's own `listen()` (so every guarantee of `feathers start` holds in
each: a bounded graceful shutdown, calls in flight answered, clients told, teardown) on the
same host and port, bound with SO_REUSEPORT: the kernel spreads new connections among them.

- Socket.io is websocket-only in the workers: the requests of one long-polling client would
  reach several processes, which do not share sessions (docs/scaling.md: sticky sessions).
- The CLI stays as the supervisor. SIGINT, SIGTERM and SIGHUP sent to it are passed on once
  to every worker (SIGHUP as SIGTERM); it exits when all have stopped: 0 after a graceful
  stop. A worker that exits on its own (a crash, a failed start-up) stops the others and
  the CLI exits with its status, for systemd or Docker to restart the whole. A worker that
  outlives the grace period is killed with its process group; on Linux each worker gets
  SIGTERM if the CLI itself dies (`PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dev import ServerPlan, plan_server
from .errors import CLIError, UsageError
from .interpreter import read_config
from .process import GRACE_PERIOD, die_with_parent, install_handlers, restore_handlers
from .project import Project

__all__ = ["WORKER_TRANSPORTS", "WorkersPlan", "plan_workers", "run_workers"]

WORKER_TRANSPORTS = ("websocket",)
"""The Socket.io transports served when there are several workers."""

# What each worker runs, with the project's Python (the CLI never imports project code).
_WORKER_CODE = """\
from {package}.app import create_app
from {package}.config import load_config

app = create_app(load_config())
# Several processes share no Socket.io session: a polling client would lose its session
# when a request reaches another worker, so only websocket connections are accepted.
if getattr(app, "io", None) is not None:
    app.io.eio.transports = {transports!r}
app.listen({port}, {host!r}, reuse_port=True)
"""
# Exit statuses of a worker stopped by a signal it was sent: a graceful stop.
_STOPPED = (0, -signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGTERM)
_POLL = 0.1


@dataclass(frozen=True)
class WorkersPlan:
    """N workers of one project: the command each runs, the address and the sync URL."""

    server: ServerPlan
    workers: int
    command: list[str]
    sync_url: str

    @property
    def url(self) -> str:
        return self.server.url


def plan_workers(
    project: Project, *, host: str | None, port: int | None, workers: int
) -> WorkersPlan:
    """How to serve the project with `workers` processes; `CLIError` when it cannot be."""
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if not hasattr(socket, "SO_REUSEPORT"):
        raise CLIError("--workers needs SO_REUSEPORT (Linux); run one process per port instead")
    server = plan_server(project, host=host, port=port, reload=False)
    if server.port == 0:
        raise UsageError("--workers needs a fixed port (every worker listens on the same one)")
    _check_runtime(project)
    config = read_config(project, server.environ)
    sync = config.get("sync")
    sync_url = str(sync.get("url") or "") if isinstance(sync, dict) else ""
    code = _WORKER_CODE.format(
        package=project.package,
        transports=list(WORKER_TRANSPORTS),
        port=server.port,
        host=server.host,
    )
    return WorkersPlan(server, workers, [server.command[0], "-c", code], sync_url)


def _check_runtime(project: Project) -> None:
    """The vendored runtime must know `listen(..., reuse_port=True)` (feathers-py 0.2+)."""
    server = project.runtime_dir / "server.py"
    try:
        source = server.read_text(encoding="utf-8")
    except OSError:
        raise CLIError(f"{server} is missing; run `feathers upgrade`") from None
    if "reuse_port" not in source:
        raise CLIError(
            "the project's runtime (feathers/) is too old for --workers: "
            "run `feathers upgrade` first"
        )


def run_workers(
    plan: WorkersPlan,
    cwd: Path,
    *,
    report: Callable[[str], None],
    grace: float = GRACE_PERIOD,
) -> int:
    """Run the workers until they stop; returns 0 after a graceful stop by a signal, else
    the status of the worker that stopped first. `report` gets one-line messages."""
    _check_port_free(plan.server.host, plan.server.port)
    received: list[int] = []
    previous = install_handlers(lambda signum, frame: received.append(signum))
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(plan.workers):
            if received:
                break
            workers.append(_spawn(plan.command, cwd, plan.server.environ))
        return _supervise(workers, received, grace, report)
    finally:
        restore_handlers(previous)
        for worker in workers:
            _kill_group(worker)


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port something listens on: with SO_REUSEPORT the workers could otherwise
    join another server's sockets (one of the same user that set SO_REUSEPORT too)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_server((host, port), family=family):
            pass
    except OSError as error:
        raise CLIError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def _spawn(command: list[str], cwd: Path, environ: dict[str, str]) -> subprocess.Popen[bytes]:
    options: dict[str, Any] = {"cwd": cwd, "env": environ}
    if os.name == "posix":
        # Its own process group: a terminal's Ctrl-C reaches the CLI only, which passes it
        # on once (uvicorn takes a second SIGINT as "force quit").
        options["process_group"] = 0
        options["preexec_fn"] = die_with_parent
    return subprocess.Popen(command, **options)


def _supervise(
    workers: list[subprocess.Popen[bytes]],
    received: list[int],
    grace: float,
    report: Callable[[str], None],
) -> int:
    """Wait for every worker; stop all of them on a signal or when one exits on its own."""
    signalled: set[int] = set()
    deadline: float | None = None
    status: int | None = None
    while True:
        if not received:
            failed = next((w for w in workers if w.poll() is not None), None)
            if failed is not None:
                status = _exit_status(failed.returncode)
                report(f"worker {failed.pid} exited with status {failed.returncode}: stopping")
                received.append(signal.SIGTERM)
        if all(worker.poll() is not None for worker in workers):
            break
        if received:
            _forward(workers, received[0], signalled)
            deadline = deadline or time.monotonic() + grace
            if time.monotonic() > deadline:
                report(f"the workers did not stop within {grace:.0f} s: killed")
                for worker in workers:
                    _kill_group(worker)
                return 1
        time.sleep(_POLL)
    if status is None:
        codes = [w.returncode for w in workers if w.returncode not in _STOPPED]
        status = _exit_status(codes[0]) if codes else 0
    return status


def _exit_status(code: int) -> int:
    """A worker's status as the CLI's exit status: killed by a signal N is 128 + N, and a
    worker that stopped unasked with status 0 is still a failure (1)."""
    if code < 0:
        return 128 - code
    return code or 1


def _forward(workers: list[subprocess.Popen[bytes]], signum: int, signalled: set[int]) -> None:
    """Pass the signal on to every running worker not told yet (SIGHUP as SIGTERM)."""
    if signum not in (signal.SIGINT, signal.SIGTERM):
        signum = signal.SIGTERM
    for worker in workers:
        if worker.pid not in signalled and worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                worker.send_signal(signum)
            signalled.add(worker.pid)


def _kill_group(worker: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of a worker's process group, then reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.pid, signal.SIGKILL)
    elif worker.poll() is None:
        worker.kill()
    worker.wait()
