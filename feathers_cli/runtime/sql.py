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

SQLAlchemy is only needed by projects that import this module.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

try:
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "feathers' SQL adapter needs SQLAlchemy: pip install 'sqlalchemy[asyncio]' aiosqlite"
        " (and asyncpg for PostgreSQL)"
    ) from error

from .adapter import (
    AdapterService,
    And,
    Clause,
    Condition,
    Id,
    Page,
    PaginationOptions,
    Params,
    ParsedQuery,
    Record,
    select_fields,
)
from .errors import BadRequest, Conflict, FeathersError, GeneralError, Unavailable

__all__ = ["SQLService", "create_engine", "database_url"]

logger = logging.getLogger("feathers.sql")

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


# -- errors ---------------------------------------------------------------------------------

_SQLITE_FIELDS = re.compile(r"constraint failed: ([\w., ]+)")
_POSTGRES_KEY = re.compile(r"Key \(([^)]*)\)")


def _driver_error(error: sa_exc.DBAPIError) -> Any:
    """The driver's own exception (asyncpg's is wrapped once more by SQLAlchemy)."""
    orig = error.orig
    return getattr(orig, "__cause__", None) or orig


def _constraint_fields(error: sa_exc.DBAPIError) -> str | None:
    """The column names of a violated constraint, when the driver tells them."""
    driver = _driver_error(error)
    column = getattr(driver, "column_name", None)
    if column:
        return str(column)
    match = _POSTGRES_KEY.search(str(getattr(driver, "detail", "") or ""))
    if match:
        return match.group(1)
    match = _SQLITE_FIELDS.search(str(error.orig))
    if match:
        return ", ".join(part.strip().rpartition(".")[2] for part in match.group(1).split(","))
    return None


def _integrity_error(error: sa_exc.IntegrityError) -> FeathersError:
    driver = _driver_error(error)
    code = str(getattr(driver, "sqlstate", "") or "")
    name = str(getattr(error.orig, "sqlite_errorname", "") or "")
    fields = _constraint_fields(error)
    if code == "23505" or name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        if fields:
            return Conflict(f"A record with the same {fields} already exists")
        return Conflict("A record with the same unique value already exists")
    if code == "23502" or name == "SQLITE_CONSTRAINT_NOTNULL":
        return BadRequest(f"{fields} is required" if fields else "A required value is missing")
    if code == "23503" or name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return BadRequest("A referenced record does not exist")
    if code == "23514" or name == "SQLITE_CONSTRAINT_CHECK":
        return BadRequest("A value is not allowed by a check of the database")
    return BadRequest("The data breaks a constraint of the database")


def _is_disconnect(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError):
        sqlite_error = getattr(error.orig, "sqlite_errorname", None)
        if sqlite_error is not None:  # SQLITE_ERROR: a bad statement (no such table, ...)
            return sqlite_error != "SQLITE_ERROR"
        return error.connection_invalidated or isinstance(
            error, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    return isinstance(
        error, OSError | TimeoutError | sa_exc.TimeoutError | sa_exc.DisconnectionError
    )


@asynccontextmanager
async def database_errors() -> AsyncIterator[None]:
    """Turns database exceptions raised in the block into Feathers errors without SQL text."""
    try:
        yield
    except FeathersError:
        raise
    except sa_exc.IntegrityError as error:
        logger.debug("Constraint violation", exc_info=error)
        raise _integrity_error(error) from error
    except sa_exc.DataError as error:
        logger.debug("Invalid data", exc_info=error)
        raise BadRequest("A value does not fit its field in the database") from error
    except (sa_exc.SQLAlchemyError, OSError, TimeoutError) as error:
        if _is_disconnect(error):
            logger.warning("Database unavailable", exc_info=error)
            raise Unavailable("The database is unavailable") from error
        logger.error("Database error", exc_info=error)
        raise GeneralError("Database error") from error


# -- values ---------------------------------------------------------------------------------

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise ValueError(value)


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError(value)


def _to_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, str):
        return float(value)
    raise ValueError(value)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise ValueError(value)


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    raise ValueError(value)


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(value)


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    bool: _to_bool,
    int: _to_int,
    float: _to_number,
    Decimal: _to_number,
    str: _to_str,
    date: _to_date,
}


def _converter(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    """How to bring JSON values (and query strings) to the column's Python type."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return None
    if python_type is datetime:
        aware = bool(getattr(column.type, "timezone", False))
        return lambda value: _in_zone(_to_datetime(value), aware)
    return _CONVERTERS.get(python_type)


def _in_zone(value: datetime, aware: bool) -> datetime:
    """Naive datetimes are UTC: aware for a column with time zone, naive UTC for one without."""
    if aware:
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


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
        self._converters = {column.key: _converter(column) for column in table.c}

    async def teardown(self, app: Any = None, path: str | None = None) -> None:
        """Close the engine's pooled connections when the app stops (it reconnects on use).

        A single-connection engine (SQLite in memory) stays open: closing it loses the data.
        """
        if self._lock is None:
            await self.engine.dispose()

    # -- building statements ----------------------------------------------------------------

    def _column(self, name: str, place: str) -> sa.Column[Any]:
        column = self.table.c.get(name)
        if column is None:
            raise BadRequest(f"Unknown field '{str(name)[:100]}' in {place}")
        return column

    def _value(self, name: str, value: Any, place: str) -> Any:
        convert = self._converters.get(name)
        if value is None or convert is None:
            return value
        try:
            return convert(value)
        except (ValueError, TypeError, ArithmeticError):
            raise BadRequest(f"Invalid value for '{name}' in {place}") from None

    def _id_value(self, id: Any) -> Any:
        """The id as the id column's type; NotFound when it cannot be one."""
        try:
            return self._value(self.id, id, "id")
        except BadRequest:
            raise self.not_found(id) from None

    def _condition(self, condition: Condition) -> sa.ColumnElement[bool]:
        column = self._column(condition.field, "query")
        operator, value = condition.operator, condition.value
        if operator in ("$in", "$nin"):
            values = [self._value(column.key, item, "query") for item in value]
            known = [item for item in values if item is not None]
            if operator == "$in":
                inside = column.in_(known)
                return sa.or_(inside, column.is_(None)) if None in values else inside
            if None in values:
                return sa.and_(column.not_in(known), column.is_not(None))
            return sa.or_(column.not_in(known), column.is_(None))
        value = self._value(column.key, value, "query")
        if operator == "$eq":
            return column.is_(None) if value is None else column == value
        if operator == "$ne":
            return column.is_not(None) if value is None else column.is_distinct_from(value)
        if value is None:
            return sa.false()  # nothing orders against null
        compare = _COMPARISONS.get(operator)
        if compare is None:
            raise BadRequest(f"The SQL adapter does not support {operator}")
        return compare(column, value)

    def _expression(self, clause: Clause) -> sa.ColumnElement[bool]:
        if isinstance(clause, Condition):
            return self._condition(clause)
        parts = [self._expression(part) for part in clause.clauses]
        if isinstance(clause, And):
            return sa.and_(*parts) if parts else sa.true()
        return sa.or_(*parts) if parts else sa.false()

    def _filters(self, query: ParsedQuery) -> list[sa.ColumnElement[bool]]:
        return [self._expression(clause) for clause in query.where.clauses]

    def _order(self, query: ParsedQuery) -> list[Any]:
        """`$sort` as ORDER BY (nulls first, as the memory adapter), then the id."""
        order: list[Any] = []
        for name, direction in query.sort:
            column = self._column(name, "$sort")
            order.append(
                column.asc().nulls_first() if direction > 0 else column.desc().nulls_last()
            )
        if self.id not in (name for name, _ in query.sort):
            order.append(self.table.c[self.id].asc())
        return order

    def _selected(self, query: ParsedQuery) -> list[sa.Column[Any]]:
        if query.select is None:
            return list(self.table.c)
        return [self._column(name, "$select") for name in query.select]

    def _values(self, data: Any, keep_id: bool = True) -> Record:
        """`data` as column values; BadRequest for anything but an object of known fields."""
        if not isinstance(data, dict):
            raise BadRequest("The data must be an object")
        values = {}
        for name, value in data.items():
            key = self._column(name, "data").key
            if keep_id or key != self.id:
                values[key] = self._value(key, value, "data")
        return values

    @staticmethod
    def _records(rows: Iterable[Any], columns: Sequence[sa.Column[Any]]) -> list[Record]:
        keys = [column.key for column in columns]
        return [dict(zip(keys, row, strict=True)) for row in rows]

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
        filters, columns, order = self._filters(query), self._selected(query), self._order(query)
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
        data = self._records(rows, columns)
        if query.paginate:
            return {"total": total, "limit": query.limit, "skip": query.skip, "data": data}
        return data

    async def _get(self, id: Id, params: Params | None = None) -> Record:
        query = self.parse_query(params or {})
        filters, columns = self._filters(query), self._selected(query)
        key = self._id_value(id)
        statement = sa.select(*columns).where(self.table.c[self.id] == key, *filters)
        async with self._transaction() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            raise self.not_found(id)
        return self._records([row], columns)[0]

    # -- writing ----------------------------------------------------------------------------

    async def _create(
        self, data: Record | list[Record], params: Params | None = None
    ) -> Record | list[Record]:
        query = self.parse_query(params or {})
        items = data if isinstance(data, list) else [data]
        rows = [self._values(item) for item in items]
        columns = list(self.table.c)
        created: list[Any] = []
        insert = sa.insert(self.table).returning(*columns, sort_by_parameter_order=True)
        async with self._transaction(write=True) as connection:
            for batch in _batches(rows):
                if len(batch) == 1:
                    result = await connection.execute(insert.values(batch[0]))
                else:
                    result = await connection.execute(insert, batch)
                created.extend(result.all())
        records = [select_fields(r, query.select) for r in self._records(created, columns)]
        return records if isinstance(data, list) else records[0]

    async def _update(self, id: Id, data: Record, params: Params | None = None) -> Record:
        query = self.parse_query(params or {})
        given = self._values(data, keep_id=False)
        values = {column.key: given.get(column.key) for column in self.table.c}
        del values[self.id]
        return await self._change_one(id, values, query)

    async def _patch(
        self, id: Id | None, data: Record, params: Params | None = None
    ) -> Record | list[Record]:
        query = self.parse_query(params or {})
        values = self._values(data, keep_id=False)
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
        filters = [self.table.c[self.id] == self._id_value(id), *self._filters(query)]
        columns = list(self.table.c)
        if values == {}:  # nothing to set: the record as it is
            statement: Any = sa.select(*columns).where(*filters)
        else:
            statement = self._statement(values).where(*filters).returning(*columns)
        async with self._transaction(write=True) as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            raise self.not_found(id)
        return select_fields(self._records([row], columns)[0], query.select)

    async def _change_many(self, values: Record | None, query: ParsedQuery) -> list[Record]:
        """Update (or delete) every record matching the query, in the order of `$sort`."""
        filters, order = self._filters(query), self._order(query)
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
        records = sorted(self._records(rows, columns), key=lambda r: position[r[self.id]])
        return [select_fields(record, query.select) for record in records]


_COMPARISONS: dict[str, Callable[[Any, Any], sa.ColumnElement[bool]]] = {
    "$lt": lambda column, value: column < value,
    "$lte": lambda column, value: column <= value,
    "$gt": lambda column, value: column > value,
    "$gte": lambda column, value: column >= value,
    "$like": lambda column, value: column.like(value),
    "$notlike": lambda column, value: column.not_like(value),
    "$ilike": lambda column, value: column.ilike(value),
}


def _batches(rows: list[Record]) -> Iterable[list[Record]]:
    """Consecutive rows with the same fields: one INSERT ... VALUES statement each."""
    batch: list[Record] = []
    for row in rows:
        if batch and row.keys() != batch[0].keys():
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch
