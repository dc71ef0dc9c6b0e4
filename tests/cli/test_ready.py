"""ready.py: the URL banner of `feathers dev` / `start`, printed once `GET /` is answered."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from feathers_cli.ready import (
    DOCS_URL,
    announce,
    answer,
    banner,
    public_url,
    wait_until_answering,
    watch_in_background,
    watcher_script,
)
from tests.helpers.projects import free_port


def handler(status: int, content_type: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>chat</title>"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def http_server(status: int = 200, content_type: str = "text/html") -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(status, content_type))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_an_answer_of_any_status_counts():
    with http_server(404, "application/json") as port:
        assert answer("127.0.0.1", port) == (404, "application/json")


def test_nothing_listening_is_no_answer_and_the_wait_is_bounded():
    port = free_port()
    assert answer("127.0.0.1", port) is None
    assert wait_until_answering("127.0.0.1", port, timeout=0.3) is None


def test_the_wait_ends_when_the_server_is_gone():
    port = free_port()
    assert wait_until_answering("127.0.0.1", port, timeout=60, alive=lambda: False) is None


def test_the_banner_waits_for_the_server_then_names_url_landing_page_and_docs():
    port = free_port()
    stream = io.StringIO()
    thread = threading.Thread(
        target=announce, args=("chat", "127.0.0.1", port), kwargs={"stream": stream}
    )
    thread.start()
    try:
        # Nothing is printed while nothing answers.
        thread.join(0.3)
        assert stream.getvalue() == ""
        server = ThreadingHTTPServer(("127.0.0.1", port), handler(200, "text/html; charset=utf-8"))
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        thread.join(20)
    finally:
        if "server" in locals():
            server.shutdown()
            server.server_close()
    assert not thread.is_alive()
    url = f"http://127.0.0.1:{port}"
    assert stream.getvalue() == banner("chat", url, landing=True) + "\n"
    assert (
        f"chat is ready at {url}\n  Landing page: {url}/\n  Docs: {DOCS_URL}" in stream.getvalue()
    )


def test_no_landing_page_when_the_root_is_not_a_page():
    with http_server(404, "application/json") as port:
        stream = io.StringIO()
        assert announce("chat", "127.0.0.1", port, timeout=10, stream=stream)
    assert "Landing page" not in stream.getvalue()
    assert f"chat is ready at http://127.0.0.1:{port}" in stream.getvalue()


def test_a_server_that_never_answers_is_reported():
    stream = io.StringIO()
    assert not announce("chat", "127.0.0.1", free_port(), timeout=0.2, stream=stream)
    assert "chat did not answer on port" in stream.getvalue()


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://localhost:3030"),
        ("127.0.0.1", "http://127.0.0.1:3030"),
        ("localhost", "http://localhost:3030"),
        ("::1", "http://[::1]:3030"),
    ],
)
def test_the_url_shown(host, url):
    assert public_url(host, 3030) == url


def test_port_zero_has_no_watcher():
    assert watch_in_background("chat", "127.0.0.1", 0) is None


def test_the_watcher_script_runs_alone_in_another_interpreter():
    """What `feathers start` runs first in the server's process: no import of the CLI."""
    with http_server() as port:
        script = watcher_script("chat", "127.0.0.1", port)
        script += "import threading\n[t.join() for t in threading.enumerate() if t.daemon]\n"
        done = subprocess.run(
            [sys.executable, "-I", "-c", script], capture_output=True, text=True, timeout=30
        )
    assert done.returncode == 0, done.stderr
    assert "import feathers_cli" not in script and "from ." not in script
    assert done.stderr.startswith(f"chat is ready at http://127.0.0.1:{port}\n")
