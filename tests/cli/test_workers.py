"""`feathers start --workers N` of a generated project with sync (issue 16 item 4): two
worker processes serve one port, websocket only; a client on one gets the events of a create
made through the other (through a real redis-server); SIGTERM or SIGINT to the CLI stops
them all gracefully (a call in flight answered), the port is free and nothing is left."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from feathers_cli.runtime.client import connect
from tests.helpers.projects import accepts_connections, free_port, wait_until
from tests.redis_server import redis_url, unique_key

from .test_signals import group_is_empty, port_is_free

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="SO_REUSEPORT")

SERVICES = '''

import asyncio as _asyncio
import os as _os

from feathers.memory import MemoryService as _MemoryService


class _Worker:
    """Which process answers, and a call that takes `id` seconds (tests/cli/test_workers.py)."""

    async def get(self, id, params):
        await _asyncio.sleep(float(id))
        return {"pid": _os.getpid()}


_create_app = create_app


def create_app(config):
    app = _create_app(config)
    app.use("worker", _Worker())
    app.use("messages", _MemoryService())
    return app
'''


def feathers(*args: str, cwd: Path, **options: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "feathers_cli.main", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, **options)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("workers")
    # anonymous clients get every event only in an app without users (channels.py)
    done = feathers(
        "new",
        "chat",
        "--yes",
        "--database",
        "memory",
        "--sync",
        "redis",
        "--auth",
        "none",
        cwd=parent,
    )
    assert done.returncode == 0, done.stderr
    with (parent / "chat" / "chat" / "app.py").open("a") as app_file:
        app_file.write(SERVICES)
    return parent / "chat"


START = [sys.executable, "-m", "feathers_cli.main", "start", "--workers", "2"]


def start_workers(
    project: Path, port: int, log: Path, environ: dict[str, str]
) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [*START, "--host", "127.0.0.1", "--port", str(port)],
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **environ},
            start_new_session=True,
        )


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


async def clients_on_two_workers(url: str) -> dict[int, Any]:
    """Connect websocket clients until two of them reach different workers (bounded: 200
    connections, 30 s; on a loaded machine the second worker may start accepting late)."""
    by_pid: dict[int, Any] = {}
    deadline = time.monotonic() + 30
    for _ in range(200):
        client = await connect(url, transports=["websocket"], timeout=10)
        pid = (await client.service("worker").get(0))["pid"]
        if pid in by_pid:
            await client.close()
        else:
            by_pid[pid] = client
        if len(by_pid) == 2 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    return by_pid


async def events_cross_workers(clients: dict[int, Any]) -> None:
    """A create through each worker reaches the client of the other, once."""
    (pid_a, a), (pid_b, b) = clients.items()
    heard: dict[int, list[str]] = {pid_a: [], pid_b: []}
    for pid, client in clients.items():
        client.service("messages").on(
            "created", lambda m, *_, pid=pid: heard[pid].append(m["text"])
        )
    await b.service("messages").create({"text": "made on B"})
    await a.service("messages").create({"text": "made on A"})
    for _ in range(200):
        if all(len(texts) == 2 for texts in heard.values()):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a second copy would arrive by now
    # each worker's memory service has its own records; the events reach every client
    assert sorted(heard[pid_a]) == ["made on A", "made on B"]
    assert sorted(heard[pid_b]) == ["made on A", "made on B"]


async def polling_status(url: str) -> int:
    async with httpx.AsyncClient() as http:
        return (await http.get(f"{url}/socket.io/?EIO=4&transport=polling")).status_code


@pytest.mark.redis
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_two_workers_share_the_port_and_events_and_stop_together(
    project: Path, tmp_path: Path, signum: int
) -> None:
    environ = {"FEATHERS_SYNC__URL": redis_url(), "FEATHERS_SYNC__KEY": unique_key("workers")}
    port = free_port()
    log = tmp_path / "workers.log"
    cli = start_workers(project, port, log, environ)
    clients: dict[int, Any] = {}
    try:
        await asyncio.to_thread(wait_until, lambda: accepts_connections(port), 30, "the port")
        url = f"http://127.0.0.1:{port}"
        clients = await clients_on_two_workers(url)
        assert len(clients) == 2, log.read_text()
        assert {parent_of(pid) for pid in clients} == {cli.pid}
        assert await polling_status(url) == 400  # websocket only
        await events_cross_workers(clients)
        client = next(iter(clients.values()))
        disconnected = asyncio.Event()
        client.on("disconnect", lambda *_: disconnected.set())
        in_flight = asyncio.ensure_future(client.service("worker").get(1.5))
        await asyncio.sleep(0.5)
        cli.send_signal(signum)  # to the CLI only, as systemd or docker do
        assert "pid" in await asyncio.wait_for(in_flight, 10)
        await asyncio.wait_for(disconnected.wait(), 10)
        code = await asyncio.to_thread(cli.wait, 30)
        output = log.read_text(errors="replace")
        assert code == 0, output
        assert "websocket only" in output
        assert "Warning: sync is not configured" not in output
        assert output.count("Application shutdown complete") == 2, output
        assert port_is_free(port)
        assert group_is_empty(cli.pid)
        assert not [pid for pid in clients if Path(f"/proc/{pid}").exists()], output
    finally:
        for client in clients.values():
            await client.close()
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
        for pid in clients:
            if Path(f"/proc/{pid}").exists():
                os.killpg(pid, signal.SIGKILL)


def test_a_worker_that_cannot_start_stops_the_others(project: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "failing.log"
    # sync() refuses the URL: each worker's create_app raises before it listens
    cli = start_workers(project, port, log, {"FEATHERS_SYNC__URL": "http://not-redis"})
    try:
        code = cli.wait(60)
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
    output = log.read_text(errors="replace")
    assert code == 1, output
    assert "exited with status 1: stopping" in output
    assert "Unsupported sync URL scheme 'http'" in output
    assert port_is_free(port)
    assert group_is_empty(cli.pid)


def test_without_sync_it_warns_and_a_busy_port_is_refused(project: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        done = feathers(
            "start", "--workers", "2", "--host", "127.0.0.1", "--port", str(port),
            cwd=project,
            env={**os.environ, "FEATHERS_SYNC__URL": ""},
        )  # fmt: skip
    assert done.returncode == 1
    assert "Warning: sync is not configured" in done.stderr
    assert f"Error: cannot listen on 127.0.0.1:{port}" in done.stderr


def test_bad_worker_counts_and_port_zero_are_usage_errors(project: Path) -> None:
    zero = feathers("start", "--workers", "0", cwd=project)
    assert zero.returncode == 2
    any_port = feathers("start", "--workers", "2", "--port", "0", cwd=project)
    assert any_port.returncode == 2
    assert "--workers needs a fixed port" in any_port.stderr
