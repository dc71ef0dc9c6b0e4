"""Redis for the sync tests: the shared server at FEATHERS_TEST_REDIS_URL, or a private one.

Without FEATHERS_TEST_REDIS_URL the tests skip with the reason (start a server with
`scripts/redis.sh`); with CI=true they fail instead, so that CI cannot skip them silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest


def redis_url() -> str:
    """FEATHERS_TEST_REDIS_URL; skips the test (fails it under CI=true) when unset."""
    url = os.environ.get("FEATHERS_TEST_REDIS_URL")
    if url:
        return url
    reason = "FEATHERS_TEST_REDIS_URL is not set (start a server: scripts/redis.sh)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Redis tests cannot run in CI: {reason}")
    pytest.skip(reason)


def unique_key(name: str) -> str:
    """A stream key of its own for one test (tests may share one server)."""
    return f"test-{name}-{uuid.uuid4().hex[:8]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of a test's own (on a free loopback port), to kill and restart."""

    def __init__(self, directory: Path) -> None:
        redis_url()  # the same skip rule as the tests on the shared server
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("FEATHERS_TEST_REDIS_URL is set but redis-server is not on PATH")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        self.kill()
        pytest.fail(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        """Kill the server at once (SIGKILL: nothing is saved, connections drop)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
