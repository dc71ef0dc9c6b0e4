"""SQLService beyond the shared suite: injection, error mapping, transactions, concurrency,
agreement with the memory adapter, and the engine helpers. Each test that takes `sql_engine`
runs on SQLite in memory, SQLite in a file and PostgreSQL (see test_adapter_sql.py)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from feathers_cli.runtime import feathers
from feathers_cli.runtime.errors import (
    BadRequest,
    Conflict,
    FeathersError,
    GeneralError,
    NotFound,
    Unavailable,
)
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.sql import SQLService, create_engine, database_url

from .test_adapter_sql import make_tables, person_columns, postgres_url, sql_engine

__all__ = ["make_tables", "sql_engine"]  # fixtures used here, defined with the suite

MakeTables = Callable[..., Any]
EVIL = "x'); DROP TABLE people; --"


@pytest.fixture
async def people(sql_engine: AsyncEngine, make_tables: MakeTables) -> SQLService:
    table = await make_tables(
        "people",
        *person_columns(),
        sa.Column("email", sa.String(100), unique=True),
        sa.Column("born", sa.DateTime),
        sa.CheckConstraint("age >= 0", name="age_not_negative"),
    )
    return SQLService(table, sql_engine, multi=True, paginate={"default": 10, "max": 50})


def assert_nothing_leaks(error: FeathersError, *secrets: str) -> None:
    """Neither the message nor the JSON sent to clients contains SQL, names or values."""
    sent = json.dumps(error.to_json()).lower()
    for secret in ("select", "insert", "update ", "delete", "constraint failed", *secrets):
        assert secret.lower() not in sent, sent


# -- injection ------------------------------------------------------------------------------


async def test_values_never_become_sql(people: SQLService) -> None:
    created = await people.create({"name": EVIL, "age": 1})
    assert (await people.get(created["id"]))["name"] == EVIL
    assert await people.find({"query": {"name": EVIL}, "paginate": False}) == [created]
    assert await people.find({"query": {"name": {"$in": [EVIL, "' OR '1'='1"]}}, "paginate": False})
    assert await people.find({"query": {"name": "' OR '1'='1"}, "paginate": False}) == []
    await people.patch(created["id"], {"name": "1; DELETE FROM people"})
    assert (await people.find())["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"name; DROP TABLE people": 1}, "name; DROP TABLE people"),
        ({"$sort": {"age; DROP TABLE people": 1}}, "age; DROP TABLE people"),
        ({"$select": ["name", "1 = 1 --"]}, "1 = 1 --"),
        ({"$or": [{"name": "a"}, {"password": "x"}]}, "password"),
        ({"born": {"$lt": "now()"}}, "born"),
    ],
)
async def test_field_names_are_checked_against_the_table(
    people: SQLService, query: dict[str, Any], field: str
) -> None:
    with pytest.raises(BadRequest, match=field.replace("(", r"\(").replace(")", r"\)")) as raised:
        await people.find({"query": query})
    assert people.table.name not in raised.value.message


async def test_unknown_fields_and_bad_operators_in_data_and_query(people: SQLService) -> None:
    with pytest.raises(BadRequest, match="Unknown field 'nickname' in data"):
        await people.create({"name": "Ann", "nickname": "A"})
    with pytest.raises(BadRequest, match=r"Invalid query parameter \$where"):
        await people.find({"query": {"name": {"$where": "1=1"}}})
    with pytest.raises(BadRequest, match="Invalid value for 'age' in query"):
        await people.find({"query": {"age": "0 OR 1=1"}})
    assert (await people.find())["total"] == 0


async def test_like_patterns_are_values(people: SQLService) -> None:
    await people.create([{"name": "Alice"}, {"name": "alfred"}, {"name": "Bob"}])
    like = await people.find({"query": {"name": {"$like": "Al%"}}, "paginate": False})
    assert [p["name"] for p in like] == ["Alice"]
    ilike = await people.find({"query": {"name": {"$ilike": "al%"}}, "paginate": False})
    assert sorted(p["name"] for p in ilike) == ["Alice", "alfred"]
    notlike = await people.find({"query": {"name": {"$notlike": "%l%"}}, "paginate": False})
    assert [p["name"] for p in notlike] == ["Bob"]


# -- error mapping ----------------------------------------------------------------------------


async def test_unique_violation_is_a_conflict(people: SQLService) -> None:
    await people.create({"name": "Ann", "email": "ann@example.com"})
    with pytest.raises(Conflict) as raised:
        await people.create({"name": "Ann 2", "email": "ann@example.com"})
    assert "email" in raised.value.message
    assert_nothing_leaks(raised.value, "ann@example.com", people.table.name)
    with pytest.raises(Conflict):
        await people.create({"id": (await people.find())["data"][0]["id"], "name": "same id"})


async def test_not_null_foreign_key_and_check_are_bad_requests(
    sql_engine: AsyncEngine, make_tables: MakeTables, people: SQLService
) -> None:
    messages = await make_tables(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(people.table.c.id)),
    )
    service = SQLService(messages, sql_engine)
    with pytest.raises(BadRequest, match="text is required") as raised:
        await service.create({"user_id": None})
    assert_nothing_leaks(raised.value, messages.name)
    with pytest.raises(BadRequest, match="A referenced record does not exist") as raised:
        await service.create({"text": "secret text", "user_id": 4242})
    assert_nothing_leaks(raised.value, "secret text", "4242", messages.name, people.table.name)
    with pytest.raises(BadRequest, match="check") as raised:
        await people.create({"name": "Minus", "age": -1})
    assert_nothing_leaks(raised.value, "age_not_negative", people.table.name)
    assert await service.find() == []


async def test_values_of_the_wrong_type_are_bad_requests(people: SQLService) -> None:
    with pytest.raises(BadRequest, match="Invalid value for 'age' in data"):
        await people.create({"name": "Ann", "age": "old"})
    with pytest.raises(BadRequest, match="Invalid value for 'born' in data"):
        await people.create({"name": "Ann", "born": "yesterday"})
    with pytest.raises(BadRequest, match="must be an object"):
        await people.create(["not", "an", "object"])  # type: ignore[list-item]


async def test_json_values_are_converted_to_the_column_types(people: SQLService) -> None:
    created = await people.create(
        {"name": 7, "age": "25", "created": "true", "born": "2001-02-03T04:05:06Z"}
    )
    assert (created["name"], created["age"], created["created"]) == ("7", 25, True)
    assert created["born"].year == 2001
    assert await people.get(str(created["id"]), {"query": {"age": "25"}}) == created
    found = await people.find({"query": {"born": {"$gt": "2000-01-01"}}, "paginate": False})
    assert found == [created]
    with pytest.raises(NotFound, match="No record found for id 'abc'"):
        await people.get("abc")


async def test_a_missing_table_is_a_general_error_without_sql(sql_engine: AsyncEngine) -> None:
    table = sa.Table(f"missing_{uuid.uuid4().hex[:8]}", sa.MetaData(), *person_columns())
    with pytest.raises(GeneralError, match=r"^Database error$") as raised:
        await SQLService(table, sql_engine).find()
    assert_nothing_leaks(raised.value, table.name)


async def test_teardown_keeps_in_memory_data_and_closes_pooled_connections(
    sql_engine: AsyncEngine, people: SQLService
) -> None:
    await people.create({"name": "Ann"})
    await people.teardown()
    assert [p["name"] for p in (await people.find())["data"]] == ["Ann"]


async def test_a_refused_connection_is_unavailable(tmp_path: Path) -> None:
    engine = create_engine("postgresql://nobody:secret@127.0.0.1:9/nowhere")
    table = sa.Table("people", sa.MetaData(), *person_columns())
    try:
        with pytest.raises(Unavailable, match="The database is unavailable") as raised:
            await SQLService(table, engine).find()
        assert_nothing_leaks(raised.value, "secret", "nowhere")
    finally:
        await engine.dispose()
    folder = tmp_path / "a-folder.sqlite"
    folder.mkdir()
    engine = create_engine(f"sqlite:///{folder}")
    try:
        with pytest.raises(Unavailable):
            await SQLService(table, engine).find()
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_lost_connection_is_unavailable_then_recovers() -> None:
    engine = create_engine(postgres_url(), pool_size=1, max_overflow=0)
    table = sa.Table(f"lost_{uuid.uuid4().hex[:8]}", sa.MetaData(), *person_columns())
    service = SQLService(table, engine)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(table.create)
        await service.create({"name": "Ann"})
        async with engine.connect() as connection:
            pid = (await connection.execute(sa.select(sa.func.pg_backend_pid()))).scalar()
        admin = create_engine(postgres_url())
        async with admin.connect() as connection:
            await connection.execute(sa.select(sa.func.pg_terminate_backend(pid)))
        await admin.dispose()
        with pytest.raises(Unavailable, match="The database is unavailable"):
            await service.find()
        assert [p["name"] for p in await service.find()] == ["Ann"]
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(table.drop)
        await engine.dispose()


# -- transactions ---------------------------------------------------------------------------


async def test_multi_create_with_one_bad_row_writes_nothing(people: SQLService) -> None:
    rows = [{"name": f"ok {i}", "email": f"{i}@example.com"} for i in range(5)]
    with pytest.raises(Conflict):
        await people.create([*rows, {"name": "bad", "email": "0@example.com"}])
    with pytest.raises(BadRequest):
        await people.create([{"name": "ok", "age": 1}, {"name": "bad", "age": -1}])
    assert (await people.find())["total"] == 0


async def test_multi_patch_and_remove_are_all_or_nothing(
    sql_engine: AsyncEngine, make_tables: MakeTables, people: SQLService
) -> None:
    created = await people.create([{"name": f"n{i}", "age": i} for i in range(4)])
    with pytest.raises(Conflict):  # the second row patched breaks the unique email
        await people.patch(None, {"email": "same@example.com"}, {"query": {"age": {"$gte": 1}}})
    assert all(p["email"] is None for p in await people.find({"paginate": False}))
    posts = await make_tables(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("author", sa.Integer, sa.ForeignKey(people.table.c.id), nullable=False),
    )
    await SQLService(posts, sql_engine).create({"author": created[3]["id"]})
    with pytest.raises(BadRequest, match="referenced"):
        await people.remove(None, {"query": {"age": {"$gte": 2}}})
    assert (await people.find())["total"] == 4


async def test_patch_sets_only_the_given_fields_and_update_replaces(people: SQLService) -> None:
    ann = await people.create({"name": "Ann", "age": 30, "email": "ann@example.com"})
    assert await people.patch(ann["id"], {}) == ann
    patched = await people.patch(ann["id"], {"age": 31})
    assert patched == {**ann, "age": 31}
    updated = await people.update(ann["id"], {"name": "Ann B"})
    assert updated == {**ann, "name": "Ann B", "age": None, "email": None}


async def test_multi_patch_and_remove_follow_sort_and_skip(people: SQLService) -> None:
    await people.create(
        [{"name": name, "age": age} for name, age in [("c", 3), ("a", 1), ("b", 2)]]
    )
    query = {"$sort": {"name": -1}, "$skip": 1}
    patched = await people.patch(None, {"created": True}, {"query": query})
    assert [p["name"] for p in patched] == ["b", "a"]
    removed = await people.remove(None, {"query": {"$sort": {"age": 1}, "$select": ["name"]}})
    assert removed == [{"id": r["id"], "name": r["name"]} for r in removed]
    assert [r["name"] for r in removed] == ["a", "b", "c"]


# -- the same answers as the memory adapter ---------------------------------------------------

QUERIES: list[dict[str, Any]] = [
    {"$sort": {"age": 1, "name": -1}},
    {"$sort": {"age": -1}},
    {"age": None},
    {"age": {"$ne": 25}, "$sort": {"name": 1}},
    {"age": {"$ne": None}, "$sort": {"name": 1}},
    {"age": {"$nin": [25, 32]}, "$sort": {"name": 1}},
    {"age": {"$nin": [None, 25]}, "$sort": {"name": 1}},
    {"age": {"$in": [None, 19]}, "$sort": {"name": 1}},
    {"age": {"$in": []}},
    {"age": {"$lt": None}},
    {"$or": [{"age": {"$gt": 30}}, {"created": True}], "$sort": {"name": 1}},
    {"$and": [{"age": {"$gte": 19}}, {"age": {"$lte": 25}}], "$sort": {"age": -1}},
    {"created": False, "$select": ["age"], "$sort": {"age": 1}},
    {"$sort": {"name": 1}, "$skip": 2, "$limit": 2},
]


@pytest.mark.parametrize("query", QUERIES, ids=json.dumps)
async def test_queries_answer_like_the_memory_adapter(
    people: SQLService, query: dict[str, Any]
) -> None:
    memory = MemoryService(start_id=1)
    rows = [
        {"name": "Bob", "age": 25, "created": False},
        {"name": "Doug", "age": 32, "created": True},
        {"name": "Alice", "age": 19, "created": False},
        {"name": "Eve", "age": None, "created": True},
        {"name": "Zed", "age": 19, "created": None},
    ]
    for data in rows:
        full = {"email": None, "born": None, **data}
        assert await people.create(data) == await memory.create(full)
    params = {"query": query, "paginate": False}
    assert await people.find(params) == await memory.find(params)


# -- concurrency ----------------------------------------------------------------------------


async def test_concurrent_creates_get_unique_ids(people: SQLService) -> None:
    async def client(number: int) -> list[Any]:
        return [(await people.create({"name": f"{number}-{i}"}))["id"] for i in range(20)]

    ids = [id for ids in await asyncio.gather(*(client(n) for n in range(50))) for id in ids]
    assert len(set(ids)) == 1000
    assert (await people.find({"query": {"$limit": 0}}))["total"] == 1000


async def test_concurrent_patches_of_one_record_lose_no_field(
    sql_engine: AsyncEngine, make_tables: MakeTables
) -> None:
    fields = [f"f{i}" for i in range(20)]
    table = await make_tables(
        "wide",
        sa.Column("id", sa.Integer, primary_key=True),
        *(sa.Column(name, sa.Integer) for name in fields),
    )
    service = SQLService(table, sql_engine)
    for round in range(3):
        record = await service.create({})
        await asyncio.gather(*(service.patch(record["id"], {f: round}) for f in fields))
        assert await service.get(record["id"]) == {
            "id": record["id"],
            **dict.fromkeys(fields, round),
        }


async def test_fifty_socket_clients_create_a_thousand_records(
    sql_engine: AsyncEngine, make_tables: MakeTables
) -> None:
    socketio = pytest.importorskip("feathers_cli.runtime.socketio")
    from feathers_cli.runtime.client import connect

    table = await make_tables(
        "messages", sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String(50))
    )
    app = feathers()
    app.configure(socketio.socketio())
    app.use("messages", SQLService(table, sql_engine))
    server = await app.start(0, "127.0.0.1")
    try:
        clients = await asyncio.gather(
            *(
                connect(f"http://127.0.0.1:{server.port}", transports=["websocket"])
                for _ in range(50)
            )
        )

        async def create_twenty(number: int) -> list[Any]:
            messages = clients[number].service("messages")
            return [(await messages.create({"text": f"{number}-{i}"}))["id"] for i in range(20)]

        try:
            results = await asyncio.gather(*(create_twenty(n) for n in range(50)))
        finally:
            await asyncio.gather(*(client.close() for client in clients))
    finally:
        await server.stop()
    ids = [id for ids in results for id in ids]
    assert len(ids) == len(set(ids)) == 1000
    rows = await app.service("messages").find({"query": {"$select": ["text"]}})
    assert sorted(row["text"] for row in rows) == sorted(
        f"{n}-{i}" for n in range(50) for i in range(20)
    )


# -- engines --------------------------------------------------------------------------------


def test_database_url_adds_the_async_driver() -> None:
    assert database_url("sqlite:///data/app.sqlite") == "sqlite+aiosqlite:///data/app.sqlite"
    assert database_url("postgres://u:p@h/db") == "postgresql+asyncpg://u:p@h/db"
    assert database_url("postgresql://h/db") == "postgresql+asyncpg://h/db"
    assert database_url("postgresql+asyncpg://h/db") == "postgresql+asyncpg://h/db"


async def test_sqlite_file_engines_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'new-folder' / 'app.sqlite'}")
    try:
        async with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
            assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
            assert (await pragma("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        await engine.dispose()
    assert (tmp_path / "new-folder" / "app.sqlite").exists()


def test_the_runtime_imports_without_sqlalchemy() -> None:
    script = (
        "import sys; sys.modules['sqlalchemy'] = None\n"
        "import feathers_cli.runtime, feathers_cli.runtime.memory\n"
        "try:\n    import feathers_cli.runtime.sql\n"
        "except ImportError as error:\n    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "needs SQLAlchemy: pip install" in result.stdout


def test_the_id_defaults_to_the_primary_key() -> None:
    table = sa.Table("things", sa.MetaData(), sa.Column("uid", sa.Integer, primary_key=True))
    engine = create_engine("sqlite://")
    assert SQLService(table, engine).id == "uid"
    with pytest.raises(ValueError, match="no id column 'id'"):
        SQLService(table, engine, id="id")
