"""The SQL adapter: a service over one table, through SQLAlchemy 2 async (SQLite, PostgreSQL).

>>> import sqlalchemy as sa
>>> metadata = sa.MetaData()
>>> messages = sa.Table('messages', metadata,
...     sa.Column('id', sa.Integer, primary_key=True), sa.Column('text', sa.String))
>>> engine = create_engine('sqlite:///data/app.sqlite')
>>> service = SQLService(messages, engine, paginate={'default': 10, 'max': 50})

It has the contract, query syntax, pagination, multi rules and error messages of the memory
adapter (see `adapter.py`), plus the operators `$like $notlike $ilike`. Queries are built
from SQLAlchemy expressions with bound parameters only, so no query value ever becomes SQL;
field names are looked up in the table and an unknown one is a BadRequest naming it.

Every write is one transaction: a multi create, patch or remove writes all records or none,
and records come back through `RETURNING` in the same statement. `patch` sets only the given
columns, so concurrent patches of different fields of one record all land. `update` replaces
the record: columns missing from the data become NULL, as in Feathers' SQL adapter.

Database errors become Feathers errors that never carry SQL, table names or values:
a unique violation is a Conflict, a missing required value / unknown reference / failed check
a BadRequest, a lost or refused connection Unavailable; anything else a GeneralError (the
original is logged on the `feathers.sql` logger).

SQLAlchemy is only needed by projects that import this module. Its private helpers:
`_sql_query.py` (queries and data as SQLAlchemy expressions, values to column types) and
`_sql_errors.py` (database errors to Feathers errors); `_sql_schema.py` (`sql_table`, a table
derived from a pydantic model).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

try:
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "feathers' SQL adapter needs SQLAlchemy: pip install 'sqlalchemy[asyncio]' aiosqlite"
        " (and asyncpg for PostgreSQL)"
    ) from error

from ._sql_errors import database_errors
from ._sql_query import TableTranslator, batches
from ._sql_schema import sql_table
from .adapter import (
    AdapterService,
    Id,
    Page,
    PaginationOptions,
    Params,
    ParsedQuery,
    Record,
    select_fields,
)
from .errors import BadRequest

__all__ = ["SQLService", "create_engine", "database_url", "sql_table"]

SQL_OPERATORS = ["$like", "$notlike", "$ilike"]
"""Operators the SQL adapter adds to Feathers' standard ones (as Feathers' knex adapter)."""

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another writer's transaction before failing."""

_WRITE = "feathers_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_serial_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


# -- engines --------------------------------------------------------------------------------


def database_url(url: str) -> str:
    """The URL with its async driver: `sqlite:///app.db` -> `sqlite+aiosqlite:///app.db`.

    >>> database_url('postgres://me@localhost/chat')
    'postgresql+asyncpg://me@localhost/chat'
    """
    scheme, separator, rest = url.partition("://")
    return f"{_ASYNC_DRIVERS.get(scheme, scheme)}{separator}{rest}"


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine for `url` (SQLite or PostgreSQL, with or without the driver name).

    For SQLite it creates the file's folder, and on every connection turns on foreign keys,
    case-sensitive LIKE, a busy timeout and write-ahead logging, so that concurrent writers
    wait for each other instead of failing; writes start with `BEGIN IMMEDIATE`. `options` go to
    SQLAlchemy's `create_async_engine`.
    """
    engine = create_async_engine(database_url(url), **options)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        memory = not database or database == ":memory:" or "mode=memory" in database
        if not memory and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        _configure_sqlite(engine, wal=not memory)
    return engine


def _configure_sqlite(engine: AsyncEngine, wal: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def configure_connection(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below), so that reads are in the transaction too
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA case_sensitive_like = ON")  # $like as in PostgreSQL
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def begin(connection: Any) -> None:
        # a writer takes the write lock up front: waiting for it honours the busy timeout,
        # upgrading a read transaction later could fail at once
        writes = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _serial_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """A lock for engines with one shared connection (SQLite in memory), else None."""
    if not isinstance(engine.sync_engine.pool, sa.pool.StaticPool | sa.pool.SingletonThreadPool):
        return None
    return _serial_locks.setdefault(engine.sync_engine, asyncio.Lock())


# -- the service ----------------------------------------------------------------------------


class SQLService(AdapterService):
    """An adapter storing records as rows of `table` (a SQLAlchemy `Table`) via `engine`.

    `id` defaults to the name of the table's primary key column. The table must exist
    (migrations, or `metadata.create_all`); every field of a record is one of its columns.
    """

    def __init__(
        self,
        table: sa.Table,
        engine: AsyncEngine,
        id: str | None = None,
        paginate: PaginationOptions | None = None,
        multi: bool | list[str] = False,
        events: list[str] | None = None,
        filters: dict[str, Any] | None = None,
        operators: list[str] | None = None,
    ) -> None:
        if id is None:
            keys = list(table.primary_key.columns)
            id = keys[0].key if len(keys) == 1 else "id"
        if id not in table.c:
            raise ValueError(f"The table {table.name} has no id column {id!r}")
        operators = [*SQL_OPERATORS, *(op for op in operators or [] if op not in SQL_OPERATORS)]
        super().__init__(id, paginate, multi, events, filters, operators)
        self.table = table
        self.engine = engine
        self._lock = _serial_lock(engine)
        self._sql = TableTranslator(table, id)

    async def teardown(self, app: Any = None, path: str | None = None) -> None:
        """Close the engine's pooled connections when the app stops (it reconnects on use).

        A single-connection engine (SQLite in memory) stays open: closing it loses the data.
        """
        if self._lock is None:
            await self.engine.dispose()

    def _id_value(self, id: Any) -> Any:
        """The id as the id column's type; NotFound when it cannot be one."""
        try:
            return self._sql.value(self.id, id, "id")
        except BadRequest:
            raise self.not_found(id) from None

    # -- connections ------------------------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self, write: bool = False) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction, committed when the block ends without an error."""
        serial: AbstractAsyncContextManager[Any] = self._lock or nullcontext()
        async with database_errors(), serial, self.engine.connect() as connection:
            if write:
                await connection.execution_options(**{_WRITE: True})
            async with connection.begin():
                yield connection

    # -- reading ----------------------------------------------------------------------------

    async def _find(self, params: Params | None = None) -> list[Record] | Page:
        query = self.parse_query(params or {})
        filters, columns, order = (
            self._sql.filters(query),
            self._sql.selected(query),
            self._sql.order(query),
        )
        total, rows = 0, []
        async with self._transaction() as connection:
            if query.paginate:
                count = sa.select(sa.func.count()).select_from(self.table).where(*filters)
                total = (await connection.execute(count)).scalar_one()
            if query.limit != 0:
                statement = sa.select(*columns).where(*filters).order_by(*order)
                if query.limit is not None:
                    statement = statement.limit(query.limit)
                if query.skip:
                    statement = statement.offset(query.skip)
                rows = (await connection.execute(statement)).all()
        data = self._sql.records(rows, columns)
        if query.paginate:
            return {"total": total, "limit": query.limit, "skip": query.skip, "data": data}
        return data

    async def _get(self, id: Id, params: Params | None = None) -> Record:
        query = self.parse_query(params or {})
        filters, columns = self._sql.filters(query), self._sql.selected(query)
        key = self._id_value(id)
        statement = sa.select(*columns).where(self.table.c[self.id] == key, *filters)
        async with self._transaction() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            raise self.not_found(id)
        return self._sql.records([row], columns)[0]

    # -- writing ----------------------------------------------------------------------------

    async def _create(
        self, data: Record | list[Record], params: Params | None = None
    ) -> Record | list[Record]:
        query = self.parse_query(params or {})
        items = data if isinstance(data, list) else [data]
        rows = [self._sql.values(item) for item in items]
        columns = list(self.table.c)
        created: list[Any] = []
        insert = sa.insert(self.table).returning(*columns, sort_by_parameter_order=True)
        async with self._transaction(write=True) as connection:
            for batch in batches(rows):
                if len(batch) == 1:
                    result = await connection.execute(insert.values(batch[0]))
                else:
                    result = await connection.execute(insert, batch)
                created.extend(result.all())
        records = [select_fields(r, query.select) for r in self._sql.records(created, columns)]
        return records if isinstance(data, list) else records[0]

    async def _update(self, id: Id, data: Record, params: Params | None = None) -> Record:
        query = self.parse_query(params or {})
        given = self._sql.values(data, keep_id=False)
        values = {column.key: given.get(column.key) for column in self.table.c}
        del values[self.id]
        return await self._change_one(id, values, query)

    async def _patch(
        self, id: Id | None, data: Record, params: Params | None = None
    ) -> Record | list[Record]:
        query = self.parse_query(params or {})
        values = self._sql.values(data, keep_id=False)
        if id is not None:
            return await self._change_one(id, values, query)
        return await self._change_many(values, query)

    async def _remove(self, id: Id | None, params: Params | None = None) -> Record | list[Record]:
        query = self.parse_query(params or {})
        if id is not None:
            return await self._change_one(id, None, query)
        return await self._change_many(None, query)

    def _statement(self, values: Record | None) -> Any:
        """UPDATE of `values`, or DELETE when `values` is None."""
        if values is None:
            return sa.delete(self.table)
        return sa.update(self.table).values(values)

    async def _change_one(self, id: Id, values: Record | None, query: ParsedQuery) -> Record:
        """Update (or, with values None, delete) the record `id` if it matches the query."""
        filters = [self.table.c[self.id] == self._id_value(id), *self._sql.filters(query)]
        columns = list(self.table.c)
        if values == {}:  # nothing to set: the record as it is
            statement: Any = sa.select(*columns).where(*filters)
        else:
            statement = self._statement(values).where(*filters).returning(*columns)
        async with self._transaction(write=True) as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            raise self.not_found(id)
        return select_fields(self._sql.records([row], columns)[0], query.select)

    async def _change_many(self, values: Record | None, query: ParsedQuery) -> list[Record]:
        """Update (or delete) every record matching the query, in the order of `$sort`."""
        filters, order = self._sql.filters(query), self._sql.order(query)
        columns, id_column = list(self.table.c), self.table.c[self.id]
        async with self._transaction(write=True) as connection:
            targets = sa.select(id_column).where(*filters).order_by(*order)
            if query.skip:
                targets = targets.offset(query.skip)
            ids = list((await connection.execute(targets)).scalars())
            rows: list[Any] = []
            # the query is checked again: the ids were read before the write lock (PostgreSQL)
            for start in range(0, len(ids), 500):
                chunk = id_column.in_(ids[start : start + 500])
                if values == {}:
                    statement: Any = sa.select(*columns).where(chunk, *filters)
                else:
                    statement = self._statement(values).where(chunk, *filters).returning(*columns)
                rows.extend((await connection.execute(statement)).all())
        position = {id: index for index, id in enumerate(ids)}
        records = sorted(self._sql.records(rows, columns), key=lambda r: position[r[self.id]])
        return [select_fields(record, query.select) for record in records]
