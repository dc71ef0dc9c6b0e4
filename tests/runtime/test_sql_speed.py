"""The SQL adapter's fast paths (issue 15): SQLite files on dedicated connection threads,
statements reused per query shape, PostgreSQL reads in one statement. Behaviour only; the
speed itself is measured by benchmarks/sql_vs_memory.py, never asserted here."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from feathers_cli.runtime import _sql_sqlite
from feathers_cli.runtime.errors import BadRequest, Conflict, NotFound
from feathers_cli.runtime.sql import SQLService, create_engine

from .test_adapter_sql import make_tables, person_columns, sql_engine

__all__ = ["make_tables", "sql_engine"]  # fixtures used here, defined with the suite

MakeTables = Callable[..., Any]


def sqlite_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("feathers-sqlite-")]


async def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def file_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    try:
        yield engine
    finally:
        await engine.dispose()


async def people_on(engine: AsyncEngine, name: str = "people") -> SQLService:
    table = sa.Table(
        name,
        sa.MetaData(),
        *person_columns(),
        sa.Column("email", sa.String(100), unique=True),
    )
    async with engine.begin() as connection:
        await connection.run_sync(table.create)
    return SQLService(table, engine, multi=True, paginate={"default": 10, "max": 50})


# -- SQLite connection threads --------------------------------------------------------------


async def test_sqlite_file_calls_run_on_threads_that_stop_with_the_engine(
    file_engine: AsyncEngine,
) -> None:
    before = set(sqlite_threads())
    people = await people_on(file_engine)
    ann = await people.create({"name": "Ann"})
    assert await people.get(ann["id"]) == {**ann}
    started = set(sqlite_threads()) - before
    assert {t.name for t in started} >= {"feathers-sqlite-writer", "feathers-sqlite-reader-0"}
    await file_engine.dispose()  # as SQLService.teardown does when the app stops
    await eventually(lambda: not any(t.is_alive() for t in started))
    assert (await people.get(ann["id"]))["name"] == "Ann"  # reconnects on use


async def test_idle_connection_threads_end_and_restart(
    file_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sql_sqlite, "IDLE_SECONDS", 0.1)
    people = await people_on(file_engine)
    before = set(sqlite_threads())
    await people.create({"name": "Ann"})
    started = set(sqlite_threads()) - before
    assert started
    await eventually(lambda: not any(t.is_alive() for t in started))
    assert [p["name"] for p in (await people.find())["data"]] == ["Ann"]


async def test_a_write_waiting_for_another_process_blocks_neither_loop_nor_readers(
    file_engine: AsyncEngine, tmp_path: Path
) -> None:
    people = await people_on(file_engine)
    ann = await people.create({"name": "Ann"})
    other = sqlite3.connect(tmp_path / "app.sqlite", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds SQLite's write lock
        other.execute("INSERT INTO people (name) VALUES ('Bob')")
        waiting = asyncio.create_task(people.create({"name": "Cid"}))
        queued = asyncio.create_task(people.create({"name": "Dan"}))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        started = time.monotonic()
        assert (await people.get(ann["id"]))["name"] == "Ann"  # readers go on (WAL)
        assert [p["name"] for p in (await people.find())["data"]] == ["Ann"]
        assert time.monotonic() - started < 1.0
        queued.cancel()  # cancelled while queued behind the waiting write: never runs
        with pytest.raises(asyncio.CancelledError):
            await queued
        other.execute("COMMIT")
        assert (await asyncio.wait_for(waiting, 10))["name"] == "Cid"
    finally:
        other.close()
    names = [p["name"] for p in await people.find({"paginate": False})]
    assert names == ["Ann", "Bob", "Cid"]


async def test_readers_zero_and_wal_off_use_the_async_driver(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}", readers=0, wal=False)
    before = set(sqlite_threads())
    try:
        async with engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        assert mode == "delete"
        people = await people_on(engine)
        ann = await people.create({"name": "Ann", "email": "ann@example.com"})
        with pytest.raises(Conflict):
            await people.create({"name": "Ann 2", "email": "ann@example.com"})
        assert (await people.patch(ann["id"], {"age": 30}))["age"] == 30
        with pytest.raises(NotFound):
            await people.get(999)
        assert (await people.find())["total"] == 1
    finally:
        await engine.dispose()
    assert not set(sqlite_threads()) - before  # no connection threads started


async def test_errors_from_connection_threads_are_feathers_errors(
    file_engine: AsyncEngine,
) -> None:
    people = await people_on(file_engine)
    await people.create({"name": "Ann", "email": "ann@example.com"})
    with pytest.raises(Conflict, match="email"):
        await people.create({"name": "Bob", "email": "ann@example.com"})
    with pytest.raises(BadRequest):
        await people.create({"nope": 1})
    # the failed write rolled back and the writer connection is usable
    assert (await people.create({"name": "Cid"}))["name"] == "Cid"
    assert (await people.find())["total"] == 2


# -- every backend --------------------------------------------------------------------------


async def test_many_tasks_creating_patching_and_reading_lose_nothing(
    sql_engine: AsyncEngine, make_tables: MakeTables
) -> None:
    table = await make_tables("people", *person_columns())
    people = SQLService(table, sql_engine, paginate={"default": 10, "max": 100})

    async def client(number: int) -> dict[str, Any]:
        record = await people.create({"name": f"p{number}", "age": 0})
        for age in range(1, 4):
            await people.patch(record["id"], {"age": age})
            assert (await people.get(record["id"]))["age"] >= age
            await people.find({"query": {"$limit": 2, "$skip": number % 5}})
        return record

    records = await asyncio.gather(*(client(n) for n in range(60)))
    assert len({record["id"] for record in records}) == 60
    page = await people.find({"query": {"$limit": 100, "age": 3}})
    assert page["total"] == 60
    assert sorted(r["name"] for r in page["data"]) == sorted(f"p{n}" for n in range(60))


async def test_page_totals_for_every_shape_of_page(
    sql_engine: AsyncEngine, make_tables: MakeTables
) -> None:
    table = await make_tables("people", *person_columns())
    people = SQLService(table, sql_engine, paginate={"default": 3, "max": 50}, multi=True)
    await people.create([{"name": f"p{n}", "age": n % 2} for n in range(7)])
    for query, total, names in [
        ({}, 7, ["p0", "p1", "p2"]),
        ({"$skip": 6}, 7, ["p6"]),
        ({"$skip": 20}, 7, []),  # past the end: the total still comes
        ({"$limit": 0}, 7, []),
        ({"age": 1, "$sort": {"name": -1}}, 3, ["p5", "p3", "p1"]),
        ({"age": 5}, 0, []),
        ({"age": 1, "$skip": 5}, 3, []),
        ({"$select": ["name"], "$limit": 1}, 7, ["p0"]),
    ]:
        for _ in range(2):  # the second time from the statements built the first time
            page = await people.find({"query": dict(query)})
            assert (page["total"], [r["name"] for r in page["data"]]) == (total, names), query
    page = await people.find({"query": {"$select": ["name"], "$limit": 1}})
    assert page["data"] == [{"id": page["data"][0]["id"], "name": "p0"}]


async def test_postgresql_engines_keep_their_connections_open() -> None:
    engine = create_engine("postgresql://me@127.0.0.1:9/nowhere")
    assert (engine.sync_engine.pool.size(), engine.sync_engine.pool._max_overflow) == (10, 0)
    engine = create_engine("postgresql://me@127.0.0.1:9/nowhere", pool_size=3, max_overflow=2)
    assert (engine.sync_engine.pool.size(), engine.sync_engine.pool._max_overflow) == (3, 2)
    engine = create_engine("postgresql://me@127.0.0.1:9/nowhere", poolclass=sa.pool.NullPool)
    assert isinstance(engine.sync_engine.pool, sa.pool.NullPool)
