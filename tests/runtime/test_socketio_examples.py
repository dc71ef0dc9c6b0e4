"""Every example of examples/socketio (the seed page's examples in Python) runs and works."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest

from feathers_cli.runtime import errors
from feathers_cli.runtime.client import connect

from ..helpers.socketio import raw_client

EXAMPLES = Path(__file__).parents[2] / "examples" / "socketio"


def load(name: str) -> ModuleType:
    """Import an example script as a fresh module (each test gets its own app)."""
    spec = importlib.util.spec_from_file_location(
        f"socketio_example_{name}", EXAMPLES / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_is_tested() -> None:
    tested = {
        "basic",
        "callback",
        "options",
        "separate_port",
        "params",
        "provider",
        "cors",
        "client",
    }
    assert {path.stem for path in EXAMPLES.glob("*.py")} == tested


async def test_basic() -> None:
    app = load("basic").app
    async with await app.start(0) as server, await connect(server.url) as client:
        assert client.connected


async def test_callback(capsys: pytest.CaptureFixture[str]) -> None:
    app = load("callback").app
    async with (
        await app.start(0) as server,
        await connect(server.url, headers={"Referer": "http://example.com/"}),
    ):
        (socket,) = app.io.feathers_sockets.values()
        assert socket.feathers["referrer"] == "http://example.com/"
        assert f"connected: {socket.id}" in capsys.readouterr().out


async def test_options_path() -> None:
    app = load("options").app
    async with await app.start(0) as server:
        async with await connect(server.url, path="/ws/") as client:
            assert client.connected
        with pytest.raises(ConnectionError):
            await connect(server.url, timeout=1, transports=["websocket"])


async def test_separate_port() -> None:
    app = load("separate_port").app
    transport = app.transports[0]
    assert transport.port == 3031
    transport.port = 0  # a free port in tests
    server = await app.start(0)
    try:
        async with await connect(f"http://127.0.0.1:{server.ports[transport]}") as client:
            assert client.connected
    finally:
        await server.stop()


async def test_params(capsys: pytest.CaptureFixture[str]) -> None:
    app = load("params").app
    async with await app.start(0) as server, await connect(server.url) as client:
        assert await client.service("messages").create({"text": "hi"}) == {"text": "hi"}
    assert capsys.readouterr().out.splitlines() == ["socketio", "{'name': 'David'}"]


async def test_provider() -> None:
    app = load("provider").app
    async with await app.start(0) as server, await connect(server.url) as client:
        user = await client.service("users").create({"name": "Ann"})
        with pytest.raises(errors.MethodNotAllowed, match="You can not delete a user"):
            await client.service("users").remove(user["id"])
        assert await app.service("users").remove(user["id"]) == user


async def test_cors() -> None:
    app = load("cors").app
    async with await app.start(0) as server, aiohttp.ClientSession() as session:
        url = f"{server.url}/socket.io/?EIO=4&transport=polling"
        async with session.get(url, headers={"Origin": "http://anywhere.example"}) as response:
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] == "http://anywhere.example"
        async with raw_client(server.url, headers={"Origin": "http://other.example"}) as client:
            assert client.connected


async def test_client(capsys: pytest.CaptureFixture[str]) -> None:
    server_app: Any = load("params").app
    async with await server_app.start(0) as server:
        await load("client").main(server.url)
    output = capsys.readouterr().out
    assert "{'text': 'Hello from Python'}" in output
    assert "typed error: NotFound Service 'nowhere' not found" in output
