"""The adapter conformance suite against SQLService: SQLite in memory, SQLite in a file and
PostgreSQL (at `FEATHERS_TEST_POSTGRES_URL`; skipped with the reason when no server answers
there, and failing instead when `CI=true`).

The fixtures here (`sql_engine`, `people_tables`) are shared with `test_sql.py`.
"""

from __future__ import annotations

import functools
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from feathers_cli.runtime.sql import SQLService, create_engine

from .adapter_suite import AdapterSuite

BACKENDS = [
    pytest.param("sqlite-memory"),
    pytest.param("sqlite-file"),
    pytest.param("postgresql", marks=pytest.mark.postgres),
]


@functools.cache
def _postgres_problem() -> str | None:
    """Why the PostgreSQL tests cannot run, or None when a server answers."""
    url = os.environ.get("FEATHERS_TEST_POSTGRES_URL")
    if not url:
        return "FEATHERS_TEST_POSTGRES_URL is not set (start a server: scripts/postgres.sh)"
    parsed = sa.engine.make_url(url)
    address = (parsed.host or "127.0.0.1", parsed.port or 5432)
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError as error:
        return f"no PostgreSQL server answers at {address[0]}:{address[1]} ({error.strerror})"
    return None


def postgres_url() -> str:
    """The test server's URL; skips the test when there is none (fails in CI)."""
    problem = _postgres_problem()
    if problem is not None:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(problem)
    return os.environ["FEATHERS_TEST_POSTGRES_URL"]


@pytest.fixture(params=BACKENDS)
async def sql_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database of each backend (PostgreSQL: one shared database)."""
    if request.param == "sqlite-memory":
        engine = create_engine("sqlite://")
    elif request.param == "sqlite-file":
        engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'test.sqlite'}")
    else:
        engine = create_engine(postgres_url())
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def make_tables(sql_engine: AsyncEngine) -> AsyncIterator[Callable[..., Any]]:
    """Creates tables with a unique suffix (PostgreSQL runs share a database) and drops them."""
    metadata = sa.MetaData()
    suffix = uuid.uuid4().hex[:8]

    async def make(name: str, *columns: sa.Column[Any], **options: Any) -> sa.Table:
        table = sa.Table(f"{name}_{suffix}", metadata, *columns, **options)
        async with sql_engine.begin() as connection:
            await connection.run_sync(table.create)
        return table

    yield make
    async with sql_engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)


def person_columns(id: str = "id") -> list[sa.Column[Any]]:
    """The columns of the suite's people: an autoincrement id, name, age, created."""
    return [
        sa.Column(id, sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100)),
        sa.Column("age", sa.Integer),
        sa.Column("created", sa.Boolean),
    ]


@pytest.fixture
async def people_tables(make_tables: Callable[..., Any]) -> dict[str, sa.Table]:
    return {
        "people": await make_tables("people", *person_columns()),
        "people-paginate": await make_tables("people_paginate", *person_columns()),
        "people-customid": await make_tables("people_customid", *person_columns("customid")),
    }


class TestSQLAdapter(AdapterSuite):
    """The shared suite, as it is: a row has every column of the table, NULL where no value
    was given, which the cases comparing whole records expect through `NULL_FIELDS`."""

    NULL_FIELDS = ("name", "age", "created")

    @pytest.fixture
    async def services(
        self, sql_engine: AsyncEngine, people_tables: dict[str, sa.Table]
    ) -> dict[str, SQLService]:
        events = ["testing"]
        tables = people_tables
        return {
            "people": SQLService(tables["people"], sql_engine, events=events),
            "people-paginate": SQLService(
                tables["people-paginate"],
                sql_engine,
                events=events,
                multi=True,
                paginate={"default": 10, "max": 100},
            ),
            "people-customid": SQLService(tables["people-customid"], sql_engine, events=events),
        }
