"""Static files (`serve_static`), through real HTTP: httpx, and raw requests for the paths
httpx would normalise before sending."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio
from feathers_cli.runtime.static import StaticTransport, serve_static

from ..helpers.socketio import call, raw_client

INDEX = "<!doctype html><title>Home</title><h1>Home</h1>"


def make_public(root: Path) -> Path:
    """A public folder, and a secret next to it that must never be served."""
    public = root / "public"
    (public / "sub").mkdir(parents=True)
    (public / "index.html").write_text(INDEX)
    (public / "app.js").write_text("console.log('app')")
    (public / "style.css").write_text("body { margin: 0 }")
    (public / "sub" / "index.html").write_text("<h1>Sub</h1>")
    (public / "sub" / "page.txt").write_text("sub page")
    (public / "empty").mkdir()
    (public / ".env").write_text("SECRET=1")
    (public / "messages").write_text("a file named like a service")
    (root / "secret.txt").write_text("TOP SECRET")
    (public / "link.txt").symlink_to(root / "secret.txt")
    return public


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[str]:
    public = make_public(tmp_path)
    app = feathers()
    app.configure(serve_static(public))  # before socketio: the order does not matter
    app.configure(socketio())
    app.use("messages", MemoryService())
    app.use("users/:user_id/notes", MemoryService())
    server = await app.start(0)
    try:
        yield server.url
    finally:
        await server.stop()


async def get(url: str, path: str, method: str = "GET", **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as client:
        return await client.request(method, path, **kwargs)


async def raw_request(url: str, target: str, headers: str = "") -> tuple[int, str, bytes]:
    """Send `GET target` exactly as written; the status, the head and the body."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        request = f"GET {target} HTTP/1.1\r\nHost: x\r\n{headers or 'Connection: close'}\r\n\r\n"
        writer.write(request.encode())
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1").lower(), body


async def raw_status(url: str, target: str, headers: str = "") -> tuple[int, bytes]:
    status, _, body = await raw_request(url, target, headers)
    return status, body


async def test_slash_is_the_index_and_files_are_served_with_their_type(served):
    url = served
    response = await get(url, "/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    js = await get(url, "/app.js")
    assert (js.status_code, js.text) == (200, "console.log('app')")
    assert "javascript" in js.headers["content-type"]
    assert (await get(url, "/style.css")).headers["content-type"].startswith("text/css")
    assert (await get(url, "/index.html")).text == INDEX
    assert (await get(url, "/sub/page.txt")).text == "sub page"
    assert (await get(url, "/sub/")).text == "<h1>Sub</h1>"


async def test_head_is_get_without_a_body(served):
    url = served
    response = await get(url, "/", method="HEAD")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(INDEX))
    assert response.headers["content-type"].startswith("text/html")
    assert (await get(url, "/missing.js", method="HEAD")).status_code == 404


async def test_a_folder_without_its_slash_is_redirected(served):
    url = served
    response = await get(url, "/sub")
    assert response.status_code == 301
    assert response.headers["location"] == "/sub/"
    assert (await get(url, "/sub?x=1")).headers["location"] == "/sub/?x=1"
    # never a redirect to another host (`//sub/` would be one)
    for target in ("//sub", "///sub?x=1", "/%2Fsub"):
        status, head, _ = await raw_request(url, target)
        assert status == 301, target
        assert "\r\nlocation: /sub/" in head, (target, head)
    assert (await get(url, "/empty/")).status_code == 404  # a folder without an index


async def test_what_it_does_not_have_falls_through_to_the_404(served):
    url = served
    for path in ("/missing.html", "/sub/missing", "/app.js/x", "/" + "a" * 5000):
        response = await get(url, path)
        assert response.status_code == 404, path
        # the server's own answer (Feathers' NotFound), not one of the static transport
        assert response.json()["name"] == "NotFound", path
        assert response.json()["message"].startswith("Path /"), path


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_only_get_and_head_are_served(served, method):
    url = served
    response = await get(url, "/index.html", method=method)
    assert response.status_code == 404
    assert INDEX not in response.text


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "//" + "/".join(("..",) * 12) + "/etc/passwd",
        "/" + "/".join(("%2e%2e",) * 12) + "/etc/passwd",
        "/link.txt",
        "/.env",
        "/sub/../.env",
        "/%00",
        "/index.html%00.txt",
    ],
)
async def test_nothing_outside_the_folder_or_hidden_is_served(served, target):
    url = served
    status, body = await raw_status(url, target)
    assert status in (400, 404), (target, status)
    assert b"TOP SECRET" not in body and b"SECRET=1" not in body and b"root:" not in body


async def test_paths_a_service_owns_are_not_served(served):
    url = served
    async with raw_client(url) as client:  # the service is there, over Socket.io
        assert await call(client, "create", "messages", {"text": "hi"}, {}) == (
            None,
            {"text": "hi", "id": 0},
        )
    for path in ("/messages", "/messages/", "/messages/0", "/users/1/notes", "/users/1/notes/2"):
        response = await get(url, path)
        assert response.status_code == 404, path
        assert "a file named like a service" not in response.text


async def test_conditional_requests_get_304(served):
    url = served
    first = await get(url, "/app.js")
    etag = first.headers["etag"]
    again = await get(url, "/app.js", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""


async def test_byte_ranges(served):
    url = served
    response = await get(url, "/app.js", headers={"range": "bytes=0-6"})
    assert (response.status_code, response.text) == (206, "console")
    assert response.headers["content-range"] == "bytes 0-6/18"


async def test_files_are_read_per_request_and_the_folder_may_come_later(tmp_path):
    public = tmp_path / "later"
    app = feathers()
    app.configure(serve_static(public, index="home.html"))
    async with await app.start(0) as server:
        assert (await get(server.url, "/")).status_code == 404
        public.mkdir()
        (public / "home.html").write_text("home")
        (public / "index.html").write_text("not the index")
        assert (await get(server.url, "/")).text == "home"
        (public / "home.html").write_text("changed")
        assert (await get(server.url, "/")).text == "changed"


async def test_a_websocket_is_not_for_static_files(served):
    url = served
    transport = StaticTransport(Path("."))
    assert not transport.matches({"type": "websocket", "path": "/index.html"})
    # a real websocket handshake at a file's path is refused by the server's fallback
    upgrade = (
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
    )
    status, body = await raw_status(url, "/index.html", upgrade)
    assert status == 403
    assert INDEX.encode() not in body


def test_bad_index_names_are_refused():
    for index in ("", "a/b.html", "../index.html", ".hidden", None):
        with pytest.raises(ValueError):
            serve_static("public", index=index)  # type: ignore[arg-type]


async def test_called_directly_it_looks_the_file_up_itself(tmp_path):
    public = make_public(tmp_path)
    transport = StaticTransport(public)
    sent: list[dict] = []

    async def receive():  # the request has no body; the client stays connected
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/nothing", "headers": []}
    await transport(scope, receive, send)
    assert sent[0]["status"] == 404
    sent.clear()
    scope = {"type": "http", "method": "GET", "path": "/app.js", "headers": [], "query_string": b""}
    await transport(scope, receive, send)
    assert sent[0]["status"] == 200
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"console.log('app')"
