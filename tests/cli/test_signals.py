"""SIGTERM and SIGINT stop a real `feathers start` / `feathers dev` of a generated project
gracefully (issue 14 item 3): the call in flight is answered, the client is told, the app is
torn down, the exit status is 0, the port is free and no process of the group is left."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from feathers_cli.runtime.client import connect
from tests.helpers.projects import accepts_connections, free_port, generate_project, wait_until

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

SLOW_SERVICE = '''

import asyncio as _asyncio
import os as _os


class _Slow:
    """A call that takes `id` seconds; teardown leaves a mark (tests/cli/test_signals.py)."""

    async def get(self, id, params):
        await _asyncio.sleep(float(id))
        return {"id": id, "slept": True}

    async def teardown(self, app, path):
        with open(_os.environ["TEARDOWN_MARK"], "w") as mark:
            mark.write("torn down")


_create_app = create_app


def create_app(config):  # the factory `start` and `dev` call: the app plus the slow service
    app = _create_app(config)
    app.use("slow", _Slow())
    return app
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generate_project(tmp_path_factory.mktemp("signals"), "chat")
    with (root / "chat" / "app.py").open("a") as app_file:
        app_file.write(SLOW_SERVICE)
    return root


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on `port` (as servers do, with SO_REUSEADDR: the
    closed connections' TIME_WAIT does not count, a process still listening does)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


def group_is_empty(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


async def stop_with(project: Path, command: str, signum: int, tmp_path: Path) -> None:
    port = free_port()
    mark = tmp_path / f"teardown-{command}-{signum}"
    log = tmp_path / f"{command}-{signum}.log"
    cli = [sys.executable, "-m", "feathers_cli.main", command]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*cli, "--host", "127.0.0.1", "--port", str(port)],
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "TEARDOWN_MARK": str(mark)},
            start_new_session=True,  # its own group: the test checks that nothing is left
        )
    try:
        await asyncio.to_thread(wait_until, lambda: accepts_connections(port), 30, "the port")
        client = await connect(f"http://127.0.0.1:{port}", transports=["websocket"], timeout=10)
        disconnected = asyncio.Event()
        client.on("disconnect", lambda *_: disconnected.set())
        # A call in flight is answered by `start`; under `dev`, uvicorn's reloader worker
        # closes websockets before the app's own shutdown (docs/deployment.md).
        in_flight = None
        if command == "start":
            in_flight = asyncio.ensure_future(client.service("slow").get(1.5))
            await asyncio.sleep(0.5)  # the call is running in the server
        process.send_signal(signum)  # to the CLI's process only, as systemd or docker do
        if in_flight is not None:
            assert await asyncio.wait_for(in_flight, 10) == {"id": 1.5, "slept": True}
        await asyncio.wait_for(disconnected.wait(), 10)
        code = await asyncio.to_thread(process.wait, 30)
        output = log.read_text(errors="replace")
        assert code == 0, output
        assert mark.read_text() == "torn down", output
        assert port_is_free(port)
        assert group_is_empty(process.pid), output
        await client.close()
    finally:
        if process.poll() is None or not group_is_empty(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_start_stops_gracefully_on(project: Path, tmp_path: Path, signum: int) -> None:
    await stop_with(project, "start", signum, tmp_path)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_dev_forwards_to_the_reloader(project: Path, tmp_path: Path, signum: int) -> None:
    await stop_with(project, "dev", signum, tmp_path)
