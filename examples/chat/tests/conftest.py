"""Fixtures: an app built from config/test.toml, served on a free port of 127.0.0.1, and a
client of it (over Socket.io)."""

from __future__ import annotations

import pytest
from feathers import Application
from feathers.client import connect

from chat.app import create_app
from chat.config import Config, load_config

# The environment the tests configure the app for; the process environment is not read, so
# a FEATHERS_* or PORT variable of your shell never changes what the tests see.
TEST_ENVIRONMENT = {"FEATHERS_ENV": "test"}


@pytest.fixture
def config() -> Config:
    return load_config(environ=TEST_ENVIRONMENT)


@pytest.fixture
def app(config: Config) -> Application:
    return create_app(config)


@pytest.fixture
async def server(app):
    server = await app.start(port=0, host="127.0.0.1")
    yield server
    await server.stop()


@pytest.fixture
def url(server):
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def client(url):
    client = await connect(url)
    yield client
    await client.close()


@pytest.fixture(scope="session", autouse=True)
def database():
    """The test database (config/test.toml), emptied and migrated once before the tests."""
    from chat.config import load_config
    from chat.database import migrate

    migrate(reset=True, settings=load_config(environ={"FEATHERS_ENV": "test"})["database"])


@pytest.fixture(scope="session", autouse=True)
def environment_file():
    """The variables of .env (FEATHERS_AUTH_SECRET, which `feathers new` wrote there) for the
    tests, the real environment winning; without a secret anywhere, a random one for this
    run. The environment is put back afterwards."""
    import os
    import secrets
    from pathlib import Path

    from dotenv import dotenv_values

    added = {
        name: value
        for name, value in dotenv_values(Path(__file__).parent.parent / ".env").items()
        if value is not None and name not in os.environ
    }
    if not added.get("FEATHERS_AUTH_SECRET") and not os.environ.get("FEATHERS_AUTH_SECRET"):
        added["FEATHERS_AUTH_SECRET"] = secrets.token_urlsafe(48)
    os.environ.update(added)
    yield
    for name in added:
        os.environ.pop(name, None)
