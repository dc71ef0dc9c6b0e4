"""Running the server process of `feathers start` / `feathers dev` so that signals work.

An operator (systemd, Docker, Kubernetes, a terminal) stops a server with SIGTERM or SIGINT
and expects the same graceful shutdown from both: calls in flight answered, clients told,
the app torn down, exit status 0, and nothing left running or holding the port.

- `exec_server` (`feathers start` on POSIX): the CLI *becomes* the server (`os.execve`), so
  the signal goes straight to `app.listen()`, which shuts down gracefully on either.
- `run_forwarding` (`feathers dev`, and `start` where exec is unavailable): the server runs
  as a child in its own process group; SIGINT, SIGTERM and SIGHUP sent to the CLI are
  passed on to it once (a terminal's Ctrl-C reaches the CLI only, so the child never gets
  it twice, which uvicorn would take as "force quit"). uvicorn's reloader stops its worker
  gracefully and exits. A child that outlives the grace period is killed with its group; on
  Linux the child also gets SIGTERM if the CLI itself dies (`PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = [
    "FORWARDED_SIGNALS",
    "GRACE_PERIOD",
    "die_with_parent",
    "exec_server",
    "install_handlers",
    "restore_handlers",
    "run_forwarding",
]

FORWARDED_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""Signals the CLI passes on to the server it runs."""

GRACE_PERIOD = 20.0
"""Seconds a server may take to stop after a signal before its process group is killed
(uvicorn's own graceful shutdown is bounded at 10 s, the transport's wait for calls in
flight at 5 s)."""


def exec_server(command: Sequence[str], cwd: Path, environ: dict[str, str]) -> int:
    """Replace this process with the server (POSIX); elsewhere run it with `run_forwarding`.

    Returns only when exec is not available; then with the server's exit status.
    """
    if os.name != "posix":
        return run_forwarding(command, cwd, environ)
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(cwd)
    os.execve(command[0], list(command), environ)
    raise AssertionError("unreachable")  # pragma: no cover


def run_forwarding(
    command: Sequence[str],
    cwd: Path,
    environ: dict[str, str],
    grace: float = GRACE_PERIOD,
) -> int:
    """Run the server as a child until it exits, passing on SIGINT/SIGTERM/SIGHUP once.

    Returns its exit status: 0 after a graceful shutdown, whichever signal asked for it.
    """
    options: dict[str, Any] = {"cwd": cwd, "env": environ}
    if os.name == "posix":
        options["process_group"] = 0
        options["preexec_fn"] = die_with_parent
    process = subprocess.Popen(list(command), **options)
    received: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        if not received and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT if signum == _SIGHUP else signum)
        received.append(signum)

    previous = install_handlers(forward)
    try:
        return _wait(process, received, grace)
    finally:
        restore_handlers(previous)
        _kill_group(process)


def _wait(process: subprocess.Popen[Any], received: list[int], grace: float) -> int:
    deadline: float | None = None
    while True:
        try:
            code = process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            if received and deadline is None:
                deadline = _now() + grace
            if deadline is not None and _now() > deadline:
                sys.stderr.write(f"The server did not stop within {grace:.0f} s: killed\n")
                _kill_group(process)
                return process.wait()
            continue
        # A server that stopped because it was asked to exits by the signal at worst
        # (uvicorn re-raises SIGTERM): that is a graceful stop, status 0.
        if received and code in (-signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGTERM):
            return 0
        return code


_SIGHUP = getattr(signal, "SIGHUP", None)


def _now() -> float:
    return time.monotonic()


def install_handlers(handler: Callable[[int, FrameType | None], None]) -> dict[int, Any]:
    """Set `handler` for every forwarded signal; returns the previous handlers."""
    return {signum: signal.signal(signum, handler) for signum in FORWARDED_SIGNALS}


def restore_handlers(previous: dict[int, Any]) -> None:
    """Put back the handlers `install_handlers` returned."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _kill_group(process: subprocess.Popen[Any]) -> None:
    """Kill whatever is left of the child's process group (a reloader's worker included)."""
    if os.name != "posix":
        if process.poll() is None:
            process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """A `preexec_fn`: the child is sent SIGTERM when the CLI process dies."""
    # Linux: the server gets SIGTERM (a graceful stop) if the CLI is killed outright.
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
