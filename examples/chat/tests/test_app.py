"""The app sets up, answers its clients and shows its landing page at `/`.
REST allows the configured origins only. Channels deliver events to other connections.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from feathers.client import connect
from feathers.errors import NotFound
from feathers.memory import MemoryService
from feathers.schema import ConfigError

from chat.config import ROOT, load_config
from chat.settings import check_settings

# The path of a throw-away service some tests mount on the app: one no generator would make,
# so it never clashes with the project's own services (`feathers generate service notes`).
SCRATCH = "app-test-scratch"


async def test_the_app_is_configured_and_sets_up(app):
    assert app.get("port") == 8998
    assert app.get("paginate") == {"default": 10, "max": 50}
    await app.setup()
    await app.teardown()


async def test_an_unknown_service_is_not_found(client):
    with pytest.raises(NotFound):
        await client.service("no-such-service").find()


async def test_the_landing_page_is_served_at_the_root(url):
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        page = await http.get("/")
        missing = await http.get("/no-such-file.js")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>chat</title>" in page.text
    assert missing.status_code == 404
    assert missing.json()["name"] == "NotFound"


async def test_rest_allows_the_configured_origins_only(app, config):
    app.use(SCRATCH, MemoryService())
    server = await app.start(port=0, host="127.0.0.1")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
            allowed = await http.get(f"/{SCRATCH}", headers={"Origin": config["origins"][0]})
            other = await http.get(f"/{SCRATCH}", headers={"Origin": "http://elsewhere.example"})
    finally:
        await server.stop()
    assert allowed.status_code == other.status_code == 200
    assert allowed.json() == other.json() == []
    assert allowed.headers["access-control-allow-origin"] == config["origins"][0]
    assert "access-control-allow-origin" not in other.headers


async def test_a_channel_delivers_events_to_other_connections(app):
    app.use(SCRATCH, MemoryService())
    # channels.py sends events to logged-in connections; these two are anonymous
    app.service(SCRATCH).publish(lambda data, context: app.channel("anonymous"))
    server = await app.start(port=0, host="127.0.0.1")
    url = f"http://127.0.0.1:{server.port}"
    sender = receiver = None
    try:
        receiver = await connect(url)
        sender = await connect(url)
        received = asyncio.get_running_loop().create_future()

        def on_created(data, *rest):
            if not received.done():
                received.set_result(data)

        receiver.service(SCRATCH).on("created", on_created)
        note = await sender.service(SCRATCH).create({"text": "hello"})
        assert await asyncio.wait_for(received, timeout=5) == note
        assert note["text"] == "hello"
    finally:
        for connection in (sender, receiver):
            if connection is not None:
                await connection.close()
        await server.stop()


def test_environment_variables_override_the_config_files():
    config = load_config(
        environ={"FEATHERS_ENV": "production", "PORT": "4000", "FEATHERS_PAGINATE__MAX": "100"}
    )
    assert config["host"] == "0.0.0.0"
    assert config["port"] == 4000
    assert config["paginate"] == {"default": 10, "max": 100}


def test_a_bad_setting_is_refused_naming_the_key_and_where_it_was_set(tmp_path):
    # what create_app(config) checks first (settings.py)
    assert check_settings(load_config(environ={"FEATHERS_ENV": "test"})).port == 8998
    (tmp_path / "config").mkdir()
    default = (ROOT / "config" / "default.toml").read_text()
    bad = re.sub(r"(?m)^port = .*$", 'port = "x"', default)
    (tmp_path / "config" / "default.toml").write_text(bad)
    with pytest.raises(ConfigError, match=r"^config/default\.toml: port: Input should be"):
        check_settings(load_config(root=tmp_path, environ={}))
    config = load_config(environ={"FEATHERS_ENV": "test", "FEATHERS_PAGINATE__MAX": "0"})
    where = "environment variable FEATHERS_PAGINATE__MAX: paginate.max: "
    with pytest.raises(ConfigError, match=f"^{re.escape(where)}"):
        check_settings(config)
