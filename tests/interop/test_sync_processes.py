"""Two and three real server processes sharing events through a real redis-server: the
real Feathers JS client on process A gets the records created on B and C once each, as
A's channels decide (js/sync_processes.js). Needs Node (tests/interop) and
FEATHERS_TEST_REDIS_URL (scripts/redis.sh); skipped with the reason without them, failed
under CI=true.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.redis_server import redis_url, unique_key

from .test_js_client import JS_DIR, run_node

pytestmark = [pytest.mark.interop, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]


async def start_server(url: str, key: str) -> tuple[Any, dict[str, Any]]:
    """A `sync_app` process and the line it printed once listening."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.interop.sync_app",
        url,
        key,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    line = b""
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        return process, json.loads(line)
    except (TimeoutError, ValueError):
        await stop_server(process)
        pytest.fail(f"the sync_app server did not start (printed {line!r})")


async def stop_server(process: Any) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


@pytest.mark.parametrize("processes", [2, 3])
async def test_a_js_client_hears_other_processes_once_through_its_channels(
    node: str, processes: int
) -> None:
    url, key = redis_url(), unique_key(f"processes{processes}")
    servers: list[Any] = []
    try:
        infos = []
        for _ in range(processes):
            process, info = await start_server(url, key)
            servers.append(process)
            infos.append(info)
        urls = [f"http://127.0.0.1:{info['port']}" for info in infos]
        env = {"FEATHERS_URL": urls[0], "SYNC_REST": "1" if infos[1]["rest"] else "0"}
        env.update(zip(("SYNC_A", "SYNC_B", "SYNC_C"), urls, strict=False))
        report = await run_node(node, JS_DIR / "sync_processes.js", env)
        assert re.search(r"pass 1\b", report), report
    finally:
        for process in servers:
            await stop_server(process)
