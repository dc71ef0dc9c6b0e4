"""Issue 16, done when: `feathers new --sync redis` gives a project whose own tests pass, in
its own virtual environment (and, with FEATHERS_TEST_REDIS_URL, its two-app test syncs
through a real redis-server); served by `feathers start --workers 2` with a SQL service,
every client, whichever worker it reached, gets each created record once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest

from feathers_cli.runtime.client import connect

from ..helpers.projects import (
    accepts_connections,
    feathers_command,
    free_port,
    run_feathers,
    run_project_tests,
    wait_until,
)
from ..redis_server import redis_url, unique_key
from .test_generated_project import make_project_venv

pytestmark = pytest.mark.slow


def test_a_new_sync_project_passes_its_own_tests_in_its_venv(tmp_path: Path) -> None:
    run_feathers(tmp_path, "new", "chat", "--yes", "--sync", "redis", "--auth", "none")
    root = tmp_path / "chat"
    python = make_project_venv(root)
    run_feathers(root, "generate", "service", "messages")
    result = run_project_tests(root, python)
    if os.environ.get("FEATHERS_TEST_REDIS_URL"):
        assert " skipped" not in result.stdout, result.stdout  # the two apps really synced
    else:
        assert "1 skipped" in result.stdout, result.stdout


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


async def listeners_hear_once(url: str, count: int) -> None:
    """`count` websocket clients (spread over the workers by the kernel) each get the
    created record once, whichever worker the create went through."""
    clients = [await connect(url, transports=["websocket"], timeout=10) for _ in range(count)]
    writer = await connect(url, transports=["websocket"], timeout=10)
    try:
        heard: list[list[dict]] = [[] for _ in clients]
        for client, texts in zip(clients, heard, strict=True):
            client.service("messages").on("created", lambda m, *_, t=texts: t.append(m))
        record = await writer.service("messages").create({"text": "to every worker"})
        for _ in range(200):
            if all(heard):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert heard == [[record]] * count, heard
    finally:
        for client in [*clients, writer]:
            await client.close()


async def test_workers_of_a_sql_project_share_events(tmp_path: Path) -> None:
    url = redis_url()
    run_feathers(tmp_path, "new", "chat", "--yes", "--sync", "redis", "--auth", "none")
    root = tmp_path / "chat"
    run_feathers(root, "generate", "service", "messages")
    run_feathers(root, "migrate")
    port = free_port()
    environ = {**os.environ, "FEATHERS_SYNC__URL": url, "FEATHERS_SYNC__KEY": unique_key("e2e")}
    environ.pop("FEATHERS_ENV", None)
    log = tmp_path / "workers.log"
    with log.open("wb") as sink:
        cli = subprocess.Popen(
            feathers_command("start", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)),
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environ,
            start_new_session=True,
        )
    try:
        await asyncio.to_thread(wait_until, lambda: accepts_connections(port), 60, "the port")
        two = lambda: len(children_of(cli.pid)) == 2  # noqa: E731
        await asyncio.to_thread(wait_until, two, 30, "two workers")
        await listeners_hear_once(f"http://127.0.0.1:{port}", 10)
        cli.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(cli.wait, 30) == 0, log.read_text()
    except AssertionError as error:
        raise AssertionError(f"{error}\n{log.read_text(errors='replace')}") from None
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
