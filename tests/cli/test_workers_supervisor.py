"""The supervisor of `feathers start --workers N` (`feathers_cli.workers.run_workers`) with
small stand-in workers: a signal is passed on once to each, the CLI waits for all of them,
a worker that ignores it is killed after the grace period, and a worker that exits on its
own stops the others."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from feathers_cli.dev import ServerPlan
from feathers_cli.workers import WorkersPlan, run_workers
from tests.helpers.projects import free_port

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

# Each stand-in writes "<pid> <signal>" to the file of its folder for every signal it gets.
WORKER = """
import os, signal, sys, time
log = open(os.path.join(sys.argv[1], str(os.getpid())), "a")
def on(signum, frame):
    log.write(f"{signum}\\n"); log.flush()
    if sys.argv[2] != "stubborn":
        sys.exit(0)
signal.signal(signal.SIGTERM, on)
signal.signal(signal.SIGINT, on)
if sys.argv[2] == "one-fails":  # the first worker to get here fails once two others serve
    try:
        os.close(os.open(os.path.join(sys.argv[1], "ready-failed"), os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        pass
    else:
        for _ in range(400):
            names = os.listdir(sys.argv[1])
            if len([n for n in names if n[:6] == "ready-" and n[6:].isdigit()]) >= 2:
                break
            time.sleep(0.05)
        sys.exit(3)
open(os.path.join(sys.argv[1], f"ready-{os.getpid()}"), "w").close()
time.sleep(60)
"""


def plan(tmp_path: Path, behaviour: str, workers: int = 2) -> WorkersPlan:
    command = [sys.executable, "-c", WORKER, str(tmp_path), behaviour]
    server = ServerPlan(command, dict(os.environ), "127.0.0.1", free_port(), [])
    return WorkersPlan(server, workers, command, sync_url="")


def signal_when_ready(tmp_path: Path, count: int, signum: int) -> threading.Thread:
    """Send `signum` to this process (the supervisor) once `count` workers are ready."""

    def wait_then_signal() -> None:
        for _ in range(400):
            if len(list(tmp_path.glob("ready-*"))) >= count:
                break
            threading.Event().wait(0.05)
        os.kill(os.getpid(), signum)

    thread = threading.Thread(target=wait_then_signal)
    thread.start()
    return thread


def signals_received(tmp_path: Path) -> dict[str, list[int]]:
    return {
        path.name: [int(line) for line in path.read_text().split()]
        for path in tmp_path.iterdir()
        if not path.name.startswith("ready-")
    }


@pytest.mark.parametrize(
    ("sent", "passed_on"),
    [
        (signal.SIGTERM, signal.SIGTERM),
        (signal.SIGINT, signal.SIGINT),
        (signal.SIGHUP, signal.SIGTERM),
    ],
    ids=["SIGTERM", "SIGINT", "SIGHUP"],
)
def test_a_signal_reaches_every_worker_once(tmp_path: Path, sent: int, passed_on: int) -> None:
    thread = signal_when_ready(tmp_path, 3, sent)
    reports: list[str] = []
    assert run_workers(plan(tmp_path, "graceful", 3), tmp_path, report=reports.append) == 0
    thread.join()
    received = signals_received(tmp_path)
    assert len(received) == 3
    assert list(received.values()) == [[passed_on]] * 3
    assert reports == []
    for pid in received:
        assert not Path(f"/proc/{pid}").exists()


def test_a_worker_that_ignores_the_signal_is_killed_after_the_grace_period(
    tmp_path: Path,
) -> None:
    thread = signal_when_ready(tmp_path, 2, signal.SIGTERM)
    reports: list[str] = []
    code = run_workers(plan(tmp_path, "stubborn"), tmp_path, report=reports.append, grace=1)
    thread.join()
    assert code == 1
    assert reports == ["the workers did not stop within 1 s: killed"]
    received = signals_received(tmp_path)
    assert list(received.values()) == [[signal.SIGTERM]] * 2  # told once, then killed
    for pid in received:
        assert not Path(f"/proc/{pid}").exists()


def test_a_worker_that_exits_on_its_own_stops_the_others(tmp_path: Path) -> None:
    reports: list[str] = []
    assert run_workers(plan(tmp_path, "one-fails", 3), tmp_path, report=reports.append) == 3
    assert len(reports) == 1
    assert reports[0].endswith("exited with status 3: stopping")
    received = signals_received(tmp_path)
    # the two others were told to stop, once; the failed one got no signal
    assert sorted(received.values()) == [[], [signal.SIGTERM], [signal.SIGTERM]]
    for pid in received:
        assert not Path(f"/proc/{pid}").exists()


def test_a_busy_port_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    import socket

    from feathers_cli.errors import CLIError

    reports: list[str] = []
    with socket.create_server(("127.0.0.1", 0)) as busy:
        busy_plan = plan(tmp_path, "graceful")
        server = ServerPlan(busy_plan.command, {}, "127.0.0.1", busy.getsockname()[1], [])
        with pytest.raises(CLIError, match=r"cannot listen on 127\.0\.0\.1"):
            busy_workers = WorkersPlan(server, 2, busy_plan.command, "")
            run_workers(busy_workers, tmp_path, report=reports.append)
    assert list(tmp_path.iterdir()) == []
    assert reports == []
