"""Feathers queries and data as SQLAlchemy expressions on one table, for the SQL adapter.

    sql = TableTranslator(table, "id")
    query = service.parse_query(params)        # adapter.py: the parsed Feathers query
    statement = sa.select(*sql.selected(query)).where(*sql.filters(query))
    statement = statement.order_by(*sql.order(query))

Every value becomes a bound parameter, never SQL text. Field names are looked up among the
table's columns (an unknown one is a BadRequest naming it), and values are brought to the
column's Python type, so query strings work (`"25"` for an integer, `"true"` for a boolean,
ISO strings for dates; naive datetimes are UTC).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from .adapter import And, Clause, Condition, ParsedQuery, Record
from .errors import BadRequest

__all__ = ["TableTranslator", "batches"]


class TableTranslator:
    """Builds the parts of statements on `table`, whose id field is `id`."""

    def __init__(self, table: sa.Table, id: str) -> None:
        self.table = table
        self.id = id
        self._converters = {column.key: _converter(column) for column in table.c}

    def column(self, name: str, place: str) -> sa.Column[Any]:
        """The column of a field; BadRequest naming it (and `place`) when there is none."""
        column = self.table.c.get(name)
        if column is None:
            raise BadRequest(f"Unknown field '{str(name)[:100]}' in {place}")
        return column

    def value(self, name: str, value: Any, place: str) -> Any:
        """`value` as the Python type of the column `name`; BadRequest when it cannot be."""
        convert = self._converters.get(name)
        if value is None or convert is None:
            return value
        try:
            return convert(value)
        except (ValueError, TypeError, ArithmeticError):
            raise BadRequest(f"Invalid value for '{name}' in {place}") from None

    def filters(self, query: ParsedQuery) -> list[sa.ColumnElement[bool]]:
        """The WHERE conditions of the query (all must hold)."""
        return [self._expression(clause) for clause in query.where.clauses]

    def order(self, query: ParsedQuery) -> list[Any]:
        """`$sort` as ORDER BY (nulls first, as the memory adapter), then the id."""
        order: list[Any] = []
        for name, direction in query.sort:
            column = self.column(name, "$sort")
            order.append(
                column.asc().nulls_first() if direction > 0 else column.desc().nulls_last()
            )
        if self.id not in (name for name, _ in query.sort):
            order.append(self.table.c[self.id].asc())
        return order

    def selected(self, query: ParsedQuery) -> list[sa.Column[Any]]:
        """The columns of `$select`, or every column."""
        if query.select is None:
            return list(self.table.c)
        return [self.column(name, "$select") for name in query.select]

    def values(self, data: Any, keep_id: bool = True) -> Record:
        """`data` as column values; BadRequest for anything but an object of known fields."""
        if not isinstance(data, dict):
            raise BadRequest("The data must be an object")
        values = {}
        for name, value in data.items():
            key = self.column(name, "data").key
            if keep_id or key != self.id:
                values[key] = self.value(key, value, "data")
        return values

    @staticmethod
    def records(rows: Iterable[Any], columns: Sequence[sa.Column[Any]]) -> list[Record]:
        """Result rows as records (dicts keyed by the columns' keys)."""
        keys = [column.key for column in columns]
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def _expression(self, clause: Clause) -> sa.ColumnElement[bool]:
        if isinstance(clause, Condition):
            return self._condition(clause)
        parts = [self._expression(part) for part in clause.clauses]
        if isinstance(clause, And):
            return sa.and_(*parts) if parts else sa.true()
        return sa.or_(*parts) if parts else sa.false()

    def _condition(self, condition: Condition) -> sa.ColumnElement[bool]:
        column = self.column(condition.field, "query")
        operator, value = condition.operator, condition.value
        if operator in ("$in", "$nin"):
            values = [self.value(column.key, item, "query") for item in value]
            known = [item for item in values if item is not None]
            if operator == "$in":
                inside = column.in_(known)
                return sa.or_(inside, column.is_(None)) if None in values else inside
            if None in values:
                return sa.and_(column.not_in(known), column.is_not(None))
            return sa.or_(column.not_in(known), column.is_(None))
        value = self.value(column.key, value, "query")
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


_COMPARISONS: dict[str, Callable[[Any, Any], sa.ColumnElement[bool]]] = {
    "$lt": lambda column, value: column < value,
    "$lte": lambda column, value: column <= value,
    "$gt": lambda column, value: column > value,
    "$gte": lambda column, value: column >= value,
    "$like": lambda column, value: column.like(value),
    "$notlike": lambda column, value: column.not_like(value),
    "$ilike": lambda column, value: column.ilike(value),
}


def batches(rows: list[Record]) -> Iterable[list[Record]]:
    """Consecutive rows with the same fields: one INSERT ... VALUES statement each."""
    batch: list[Record] = []
    for row in rows:
        if batch and row.keys() != batch[0].keys():
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


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
