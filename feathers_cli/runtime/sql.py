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
import functools
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

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
from ._sql_sqlite import SQLiteRunner
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

T = TypeVar("T")

SQL_OPERATORS = ["$like", "$notlike", "$ilike"]
"""Operators the SQL adapter adds to Feathers' standard ones (as Feathers' knex adapter)."""

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another writer's transaction before failing."""

POOL_SIZE = 10
"""PostgreSQL connections an engine keeps open (the default `pool_size`; `max_overflow` 0)."""

_WRITE = "feathers_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_sqlite_runners: weakref.WeakKeyDictionary[Any, SQLiteRunner] = weakref.WeakKeyDictionary()
_serial_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


# -- engines --------------------------------------------------------------------------------


def database_url(url: str) -> str:
    """The URL with its async driver: `sqlite:///app.db` -> `sqlite+aiosqlite:///app.db`.

    >>> database_url('postgres://me@localhost/chat')
    'postgresql+asyncpg://me@localhost/chat'
    """
    scheme, separator, rest = url.partition("://")
    return f"{_ASYNC_DRIVERS.get(scheme, scheme)}{separator}{rest}"


def create_engine(url: str, *, wal: bool = True, readers: int = 2, **options: Any) -> AsyncEngine:
    """An async engine for `url` (SQLite or PostgreSQL, with or without the driver name).

    For SQLite it creates the file's folder, and on every connection turns on foreign keys,
    case-sensitive LIKE, a busy timeout and (with `wal`, the default) write-ahead logging, so
    that readers never wait for a writer and concurrent writers wait for each other instead of
    failing; writes start with `BEGIN IMMEDIATE`. For a SQLite file, `SQLService` runs each
    call on dedicated connection threads (`readers` reader connections and one writer, see
    `_sql_sqlite.py`); `readers=0` uses SQLAlchemy's async driver (aiosqlite) instead.
    PostgreSQL engines keep `POOL_SIZE` connections open and open no others (calls beyond
    that wait for one) unless `pool_size`, `max_overflow` or `poolclass` say otherwise.
    `options` go to SQLAlchemy's `create_async_engine`.
    """
    url = database_url(url)
    if url.startswith("postgresql") and "poolclass" not in options:
        # connections stay open: SQLAlchemy's default (5, plus 10 opened and closed again per
        # checkout) reconnected on most calls under load; busy calls wait for a connection
        options = {"pool_size": POOL_SIZE, "max_overflow": 0, **options}
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        memory = not database or database == ":memory:" or "mode=memory" in database
        if not memory and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        configure = functools.partial(_configure_sqlite, wal=wal and not memory)
        configure(engine.sync_engine)
        if not memory and readers > 0 and engine.dialect.driver == "aiosqlite":
            runner = SQLiteRunner(engine.url, readers, configure, _WRITE)
            _sqlite_runners[engine.sync_engine] = runner
            event.listen(engine.sync_engine, "engine_disposed", runner.close_on_dispose)
    return engine


def _configure_sqlite(engine: sa.Engine, wal: bool) -> None:
    @event.listens_for(engine, "connect")
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

    @event.listens_for(engine, "begin")
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
        self._runner = _sqlite_runners.get(engine.sync_engine)
        # PostgreSQL: a read is one statement outside a transaction (no BEGIN/COMMIT round
        # trips), and a page's total comes with its rows (count(*) OVER ())
        self._one_statement_reads = engine.dialect.name == "postgresql"
        self._sql = TableTranslator(table, id)
        self._shapes: dict[tuple[Any, ...], Any] = {}
        columns = list(table.c)
        self._get_by_id = sa.select(*columns).where(table.c[self.id] == sa.bindparam("id"))
        self._insert = sa.insert(table).returning(*columns, sort_by_parameter_order=True)

    async def teardown(self, app: Any = None, path: str | None = None) -> None:
        """Close the engine's connections when the app stops (it reconnects on use).

        A single-connection engine (SQLite in memory) stays open: closing it loses the data.
        """
        if self._lock is None:  # (also stops the SQLite connection threads)
            await self.engine.dispose()

    def _id_value(self, id: Any) -> Any:
        """The id as the id column's type; NotFound when it cannot be one."""
        try:
            return self._sql.value(self.id, id, "id")
        except BadRequest:
            raise self.not_found(id) from None

    # -- connections ------------------------------------------------------------------------

    async def _run(self, work: Callable[[sa.Connection], T], write: bool = False) -> T:
        """`work(connection)` in one transaction (one statement outside one, for reads on
        PostgreSQL); database errors become Feathers errors."""
        if self._runner is not None:
            async with database_errors():
                return await self._runner.run(work, write)
        async with self._transaction(write) as connection:
            return await connection.run_sync(work)

    @asynccontextmanager
    async def _transaction(self, write: bool = False) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction, committed when the block ends without an error."""
        serial: AbstractAsyncContextManager[Any] = self._lock or nullcontext()
        async with database_errors(), serial, self.engine.connect() as connection:
            if write:
                await connection.execution_options(**{_WRITE: True})
            elif self._one_statement_reads:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            async with connection.begin():
                yield connection

    # -- reading ----------------------------------------------------------------------------

    async def _find(self, params: Params | None = None) -> list[Record] | Page:
        query = self.parse_query(params or {})
        columns = self._sql.selected(query)
        windowed = query.paginate and self._one_statement_reads
        if query.where.clauses:
            statement, count = self._find_statements(query, columns, windowed)
        else:  # no conditions: the statements depend only on the query's shape, built once
            shape = (query.select, query.sort, query.limit is not None, bool(query.skip), windowed)
            cached = self._shapes.get(shape)
            if cached is None:
                cached = self._shapes[shape] = self._find_statements(query, columns, windowed)
                if len(self._shapes) > 256:
                    self._shapes.pop(next(iter(self._shapes)))
            statement, count = cached
        parameters = {"limit": query.limit, "offset": query.skip}

        def read(connection: sa.Connection) -> tuple[int, list[Any]]:
            rows = connection.execute(statement, parameters).all() if query.limit != 0 else []
            if windowed and rows:
                return rows[0][-1], [row[:-1] for row in rows]
            if not query.paginate:
                return 0, rows
            if windowed and not query.skip and query.limit != 0:
                return 0, rows  # no rows on the first page: nothing to count
            return connection.execute(count).scalar_one(), rows

        total, rows = await self._run(read)
        data = self._sql.records(rows, columns)
        if query.paginate:
            return {"total": total, "limit": query.limit, "skip": query.skip, "data": data}
        return data

    def _find_statements(self, query: ParsedQuery, columns: list[Any], windowed: bool) -> Any:
        """The SELECT of a find (limit and offset as the parameters `limit`, `offset`), and
        its COUNT (None without pagination)."""
        filters = self._sql.filters(query)
        statement = sa.select(*columns).where(*filters).order_by(*self._sql.order(query))
        if query.limit is not None:
            statement = statement.limit(sa.bindparam("limit", type_=sa.Integer))
        if query.skip:
            statement = statement.offset(sa.bindparam("offset", type_=sa.Integer))
        if windowed:
            statement = statement.add_columns(sa.func.count().over().label("_feathers_total"))
        count = None
        if query.paginate:
            count = sa.select(sa.func.count()).select_from(self.table).where(*filters)
        return statement, count

    async def _get(self, id: Id, params: Params | None = None) -> Record:
        query = self.parse_query(params or {})
        filters, columns = self._sql.filters(query), self._sql.selected(query)
        key = self._id_value(id)
        if filters or query.select is not None:
            statement = sa.select(*columns).where(self.table.c[self.id] == key, *filters)
            parameters = {}
        else:  # the common case: one statement built (and compiled) once
            statement, parameters = self._get_by_id, {"id": key}
        row = await self._run(lambda c: c.execute(statement, parameters).first())
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

        def insert(connection: sa.Connection) -> list[Any]:
            created: list[Any] = []
            for batch in batches(rows):
                parameters = batch[0] if len(batch) == 1 else batch
                created.extend(connection.execute(self._insert, parameters).all())
            return created

        created = await self._run(insert, write=True)
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
        row = await self._run(lambda c: c.execute(statement).first(), write=True)
        if row is None:
            raise self.not_found(id)
        return select_fields(self._sql.records([row], columns)[0], query.select)

    async def _change_many(self, values: Record | None, query: ParsedQuery) -> list[Record]:
        """Update (or delete) every record matching the query, in the order of `$sort`."""
        filters, order = self._sql.filters(query), self._sql.order(query)
        columns, id_column = list(self.table.c), self.table.c[self.id]
        targets = sa.select(id_column).where(*filters).order_by(*order)
        if query.skip:
            targets = targets.offset(query.skip)

        def change(connection: sa.Connection) -> tuple[list[Any], list[Any]]:
            ids = list(connection.execute(targets).scalars())
            rows: list[Any] = []
            # the query is checked again: the ids were read before the write lock (PostgreSQL)
            for start in range(0, len(ids), 500):
                chunk = id_column.in_(ids[start : start + 500])
                if values == {}:
                    statement: Any = sa.select(*columns).where(chunk, *filters)
                else:
                    statement = self._statement(values).where(chunk, *filters).returning(*columns)
                rows.extend(connection.execute(statement).all())
            return ids, rows

        ids, rows = await self._run(change, write=True)
        position = {id: index for index, id in enumerate(ids)}
        records = sorted(self._sql.records(rows, columns), key=lambda r: position[r[self.id]])
        return [select_fields(record, query.select) for record in records]
