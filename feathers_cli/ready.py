"""Telling the user where a served project is, once it answers (`feathers dev` / `start`).

The URL, the landing page and the docs link are printed when an HTTP GET of `/` gets an
answer (any status: the app is serving), never before; the wait is bounded. The landing page
is named only when `/` answers with an HTML page (the project's `public/index.html`).

Who waits: `feathers dev` runs uvicorn as a child and keeps running, so a daemon thread of the
CLI polls (`watch_in_background`). `feathers start` may replace itself with the server
process (exec), so the wait runs in the server process: the start script begins with this
module's source (`watcher_script`, standard library only, no import of the CLI) and starts
the same thread before `app.listen()`.
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = [
    "DOCS_URL",
    "READY_TIMEOUT",
    "answer",
    "banner",
    "public_url",
    "wait_until_answering",
    "watch_in_background",
    "watcher_script",
]

DOCS_URL = "https://feathersjs.com/api/"
# Seconds the banner waits for the server's first answer (a slow first import included).
READY_TIMEOUT = 120.0
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def _probe_host(host: str) -> str:
    return _WILDCARDS.get(host, host)


def public_url(host: str, port: int) -> str:
    """The URL to open: `localhost` for a wildcard host, brackets around an IPv6 address."""
    shown = "localhost" if host in _WILDCARDS else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def answer(host: str, port: int, timeout: float = 2.0) -> tuple[int, str] | None:
    """The status and content type of `GET /`, or None when nothing answers."""
    connection = http.client.HTTPConnection(_probe_host(host), port, timeout=timeout)
    try:
        connection.request("GET", "/", headers={"Accept": "text/html"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("content-type") or ""
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def wait_until_answering(
    host: str,
    port: int,
    *,
    timeout: float = READY_TIMEOUT,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.05,
) -> tuple[int, str] | None:
    """Poll `GET /` until it is answered (its status and content type), the server is no
    longer `alive()`, or `timeout` seconds passed (None for both)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        got = answer(host, port)
        if got is not None:
            return got
        time.sleep(interval)
    return None


def banner(package: str, url: str, *, landing: bool) -> str:
    """What the user reads once the app answers."""
    lines = [f"{package} is ready at {url}"]
    if landing:
        lines.append(f"  Landing page: {url}/")
    lines.append(f"  Docs: {DOCS_URL} (Feathers) and README.md (this project)")
    lines.append("  Ctrl-C stops it")
    return "\n".join(lines)


def announce(
    package: str,
    host: str,
    port: int,
    *,
    timeout: float = READY_TIMEOUT,
    alive: Callable[[], bool] = lambda: True,
    stream: IO[str] | None = None,
) -> bool:
    """Wait for the first answer and print the banner (or say that none came)."""
    stream = stream if stream is not None else sys.stderr
    got = wait_until_answering(host, port, timeout=timeout, alive=alive)
    if got is None:
        if alive():
            stream.write(f"{package} did not answer on port {port} within {timeout:.0f} s\n")
        return False
    status, content_type = got
    landing = status == 200 and "text/html" in content_type
    stream.write(banner(package, public_url(host, port), landing=landing) + "\n")
    stream.flush()
    return True


def watch_in_background(
    package: str, host: str, port: int, *, timeout: float = READY_TIMEOUT
) -> threading.Thread | None:
    """Start a daemon thread that prints the banner once the server answers (None for
    port 0, whose real port only the server knows)."""
    if not port:
        return None
    thread = threading.Thread(
        target=announce,
        args=(package, host, port),
        kwargs={"timeout": timeout},
        name="feathers-ready",
        daemon=True,
    )
    thread.start()
    return thread


def watcher_script(package: str, host: str, port: int) -> str:
    """Python source that, run first in the server's own process, starts the same watcher
    (`feathers start`, which may exec into the server)."""
    source = Path(__file__).read_text(encoding="utf-8")
    return f"{source}\nwatch_in_background({package!r}, {host!r}, {port!r})\n"
