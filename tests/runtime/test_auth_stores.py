"""The authentication stores (failed logins, revoked tokens): memory, SQL and Redis, with
the same tests; and a whole app using each of them for logout revocation and the limit."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from feathers_cli.runtime import _auth_stores, errors
from feathers_cli.runtime.authentication import (
    AuthStore,
    MemoryAuthStore,
    RedisAuthStore,
    SQLAuthStore,
)
from feathers_cli.runtime.client import connect
from feathers_cli.runtime.sql import create_engine

from .auth_app import add_user, make_app
from .test_adapter_sql import postgres_url

LOGIN = {"strategy": "local", "email": "alice@example.com", "password": "s3cret!"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """FEATHERS_TEST_REDIS_URL, else a redis-server of our own on a free loopback port."""
    url = os.environ.get("FEATHERS_TEST_REDIS_URL")
    if url:
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        reason = "no Redis: set FEATHERS_TEST_REDIS_URL or install redis-server (scripts/redis.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    folder: Path = tmp_path_factory.mktemp("redis")
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    process = subprocess.Popen(
        [*command, "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _forget_auth_keys(redis: Any) -> None:
    """Delete this store's keys only (FEATHERS_TEST_REDIS_URL may be shared)."""
    keys = [key async for key in redis.scan_iter(match=f"{RedisAuthStore.prefix}*")]
    if keys:
        await redis.delete(*keys)


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture(
    params=["memory", "sql", pytest.param("postgresql", marks=pytest.mark.postgres), "redis"]
)
async def store(request: Any, tmp_path: Path) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield MemoryAuthStore()
    elif request.param == "sql":
        engine = create_engine(f"sqlite:///{tmp_path / 'auth.sqlite'}")
        yield SQLAuthStore(engine)
        await engine.dispose()
    elif request.param == "postgresql":
        engine = create_engine(postgres_url())
        sql_store = SQLAuthStore(engine)
        async with engine.begin() as conn:  # a database shared by test runs: start empty
            await conn.run_sync(sql_store.metadata.drop_all)
        yield sql_store
        await engine.dispose()
    else:
        redis_store = RedisAuthStore(request.getfixturevalue("redis_url"))
        await _forget_auth_keys(redis_store.redis)
        yield redis_store
        await redis_store.close()


async def test_store_counts_failures_in_a_window(store: Any) -> None:
    assert isinstance(store, AuthStore)
    assert await store.failures("alice|1.2.3.4") == 0
    assert [await store.add_failure("alice|1.2.3.4", 60) for _ in range(3)] == [1, 2, 3]
    assert await store.failures("alice|1.2.3.4") == 3
    assert await store.failures("bob|1.2.3.4") == 0
    await store.clear_failures("alice|1.2.3.4")
    assert await store.failures("alice|1.2.3.4") == 0


async def test_store_revokes_until_expiry(store: Any) -> None:
    assert not await store.is_revoked("jti-1")
    await store.revoke("jti-1", time.time() + 60)
    await store.revoke("jti-2", time.time() - 1)  # already expired: nothing to keep
    assert await store.is_revoked("jti-1")
    assert not await store.is_revoked("jti-2")


async def test_window_and_revocation_end(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    if isinstance(store, RedisAuthStore):
        # Redis expires keys by its own clock: a short real window
        await store.add_failure("k", 1)
        await store.revoke("jti", time.time() + 0.5)
        assert await store.failures("k") == 1 and await store.is_revoked("jti")
        deadline = time.time() + 5
        while (
            await store.failures("k") or await store.is_revoked("jti")
        ) and time.time() < deadline:
            await asyncio.sleep(0.1)
        assert await store.failures("k") == 0 and not await store.is_revoked("jti")
        return
    clock = FakeClock()
    monkeypatch.setattr(_auth_stores, "time", clock)
    await store.add_failure("k", 900)
    await store.revoke("jti", clock.now + 3600)
    clock.now += 901
    assert await store.failures("k") == 0
    assert await store.add_failure("k", 900) == 1  # a new window
    assert await store.is_revoked("jti")
    clock.now += 3600
    assert not await store.is_revoked("jti")


async def test_sql_store_tables(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'auth.sqlite'}")
    try:
        await SQLAuthStore(engine).setup()
        import sqlalchemy as sa

        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        assert {"feathers_auth_failures", "feathers_auth_revoked"} <= set(names)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["sql", "redis"])
async def test_app_uses_its_database_or_redis(backend: str, tmp_path: Path, request: Any) -> None:
    app = make_app()
    engine = None
    if backend == "sql":
        engine = create_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
        app.set("database_engine", engine)
    else:
        import redis.asyncio as redis_asyncio

        client = redis_asyncio.from_url(request.getfixturevalue("redis_url"))
        await _forget_auth_keys(client)
        app.set("redis", client)
    server = await app.start(0, "127.0.0.1")
    try:
        auth = app.service("authentication")
        assert isinstance(auth.store, SQLAuthStore if backend == "sql" else RedisAuthStore)
        await add_user(app)
        async with await connect(server.url, timeout=5) as client_:
            token = (await client_.authenticate(LOGIN))["accessToken"]
            await client_.logout()
            with pytest.raises(errors.NotAuthenticated, match="Token revoked"):
                await client_.authenticate({"strategy": "jwt", "accessToken": token})
        # a second app on the same database/Redis (another process) sees the revocation
        other = make_app()
        other.set(*(("database_engine", engine) if engine else ("redis", app.get("redis"))))
        with pytest.raises(errors.NotAuthenticated, match="Token revoked"):
            await other.service("authentication").verify_access_token(token)
    finally:
        await server.stop()
        if engine is not None:
            await engine.dispose()
        else:
            await app.get("redis").aclose()


async def test_store_from_config() -> None:
    assert isinstance(make_app(store="memory").service("authentication").store, MemoryAuthStore)
    custom = MemoryAuthStore()
    assert make_app(store=custom).service("authentication").store is custom
    with pytest.raises(ValueError, match="needs the app's sql connection"):
        _ = make_app(store="sql").service("authentication").store


async def test_huge_usernames_fit_every_store(tmp_path: Path) -> None:
    """Any username can be sent: the limit's key stays short enough for SQL and Redis."""
    engine = create_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    app = make_app()
    app.set("database_engine", engine)
    try:
        await app.setup()
        auth = app.service("authentication")
        login = {"strategy": "local", "email": "x" * 100_000, "password": "pw"}
        for _ in range(10):
            with pytest.raises(errors.NotAuthenticated, match="Invalid login"):
                await auth.create(login, {"provider": "rest", "address": "10.0.0.1"})
        with pytest.raises(errors.TooManyRequests):
            await auth.create(login, {"provider": "rest", "address": "10.0.0.1"})
        import sqlalchemy as sa

        async with engine.connect() as conn:
            keys = (await conn.execute(sa.text("SELECT key FROM feathers_auth_failures"))).all()
        # (SQLite would keep a longer key; PostgreSQL's VARCHAR(512) would refuse it)
        assert [len(key) for (key,) in keys] == [len("sha256:") + 64]
    finally:
        await engine.dispose()
