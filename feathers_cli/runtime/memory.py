"""The in-memory adapter: records in a dict, the whole Feathers query syntax, no database.

>>> people = MemoryService(paginate={'default': 10, 'max': 50})
>>> # await people.create({'name': 'Alice'})  ->  {'name': 'Alice', 'id': 0}

Records live in `service.store` (id -> record). Every result is a copy, so changing a result
never changes the store; data passed in is copied too. The methods never await between
reading and writing the store, so concurrent calls cannot interleave (ids stay unique).

Comparisons and sorting follow Feathers' memory adapter across types: a missing field, then
None, numbers, strings, booleans, dates, lists, dicts. Values of different kinds never match
`$lt $lte $gt $gte`. An ISO string in a query is compared as a date with a date field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from typing import Any
from uuid import UUID

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
from .errors import BadRequest

__all__ = ["MemoryService", "sort_key"]

_MISSING: Any = object()
_ATOMIC = frozenset({str, int, float, bool, type(None), datetime, date, time, Decimal, UUID, bytes})
Matcher = Callable[[Record], bool]


_only_atomic = _ATOMIC.issuperset
_SHORT = 10  # up to this many values a Python loop checks their types faster than a set


def _copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, atoms, dates), several times faster
    than `copy.deepcopy`; other objects fall back to it."""
    kind = type(value)
    if kind is dict:
        # A flat record (the common case) is one type scan and a shallow copy.
        if len(value) > _SHORT:
            if _only_atomic(map(type, value.values())):
                return value.copy()
        else:
            for item in value.values():  # a plain loop: this is the copy of every get
                if type(item) not in _ATOMIC:
                    break
            else:
                return value.copy()
        return {k: v if type(v) in _ATOMIC else _copy(v) for k, v in value.items()}
    if kind in _ATOMIC:
        return value
    if kind is list:
        if _only_atomic(map(type, value)):
            return value.copy()
        return [v if type(v) in _ATOMIC else _copy(v) for v in value]
    return copy.deepcopy(value)


def _copies(records: list[Record]) -> list[Record]:
    """`[_copy(record) for record in records]`: shallow copies when all are flat dicts."""
    for record in records:  # one loop over the values of all the records a find returns
        if type(record) is not dict:
            return list(map(_copy, records))
        for value in record.values():
            if type(value) not in _ATOMIC:
                return list(map(_copy, records))
    return list(map(dict.copy, records))


def _integer(text: str) -> int | None:
    """The int a string spells the canonical way (`'3'`, `'-3'`), else None (`'03'`, `'+3'`,
    `' 3'`, `'-0'`, other scripts' digits)."""
    if text.isdigit() and text.isascii():
        if text[0] == "0" and len(text) > 1:
            return None
    elif not (text[:1] == "-" and text[1:].isdigit() and text.isascii() and text[1] != "0"):
        return None
    return int(text) if len(text) <= 4000 else None  # int() refuses over 4300 digits


def _timestamp(value: date) -> float:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        # naive datetimes are taken as UTC so they order with aware ones
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def sort_key(value: Any) -> tuple[Any, ...]:
    """A key that orders any values as Feathers' memory adapter does.

    >>> sorted([True, 'b', 2, None], key=sort_key)
    [None, 2, 'b', True]
    """
    kind = type(value)
    if value is _MISSING:
        return (-1,)
    if value is None:
        return (0,)
    if kind is bool:
        return (3, value)
    if kind is int or kind is float or kind is Decimal:
        return (1, value)
    if kind is str:
        return (2, value)
    if isinstance(value, date):
        return (4, _timestamp(value))
    if isinstance(value, list | tuple):
        return (5, tuple(map(sort_key, value)))
    if isinstance(value, dict):
        return (6, tuple(sort_key(value[k]) for k in sorted(value)))
    return (7, str(value))


@lru_cache(maxsize=256)
def _parse_date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _coerce(stored: Any, wanted: Any) -> Any:
    """The query value as a date when it is an ISO string compared with a stored date."""
    if type(wanted) is str and isinstance(stored, date):
        parsed = _parse_date(wanted)
        return wanted if parsed is None else parsed
    return wanted


def _equal(stored: Any, wanted: Any) -> bool:
    wanted = _coerce(stored, wanted)
    if type(stored) is bool or type(wanted) is bool:
        # True == 1 in Python, not in a query
        return stored is wanted
    if isinstance(stored, date) and isinstance(wanted, date):
        return _timestamp(stored) == _timestamp(wanted)
    return stored == wanted


def _compare(stored: Any, wanted: Any) -> int | None:
    """-1, 0 or 1; None when the two values are of different kinds."""
    a, b = sort_key(stored), sort_key(_coerce(stored, wanted))
    if a[0] != b[0]:
        return None
    return (a > b) - (a < b)


def _ordered(test: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    def compare(stored: Any, wanted: Any) -> bool:
        result = _compare(stored, wanted)
        return result is not None and test(result)

    return compare


def _getter(name: str) -> Callable[[Record], Any]:
    """Reads a field, following dots into nested dicts; _MISSING when absent."""
    if "." not in name:
        return lambda record: record.get(name, _MISSING)
    path = name.split(".")

    def get(record: Record) -> Any:
        value: Any = record
        for part in path:
            if not isinstance(value, dict):
                return _MISSING
            value = value.get(part, _MISSING)
        return value

    return get


class MemoryService(AdapterService):
    """An adapter keeping records in `self.store`, a dict from id to record.

    Ids are integers counted from `start_id` unless the data brings its own. Over Socket.io
    ids arrive as JSON numbers; as in Feathers JS (where object keys are strings) an id given
    as a decimal string also finds an integer id, and the record keeps its integer id.
    """

    comparators: dict[str, Callable[[Any, Any], bool]] = {
        "$eq": _equal,
        "$ne": lambda stored, wanted: not _equal(stored, wanted),
        "$in": lambda stored, wanted: any(_equal(stored, w) for w in wanted),
        "$nin": lambda stored, wanted: not any(_equal(stored, w) for w in wanted),
        "$lt": _ordered(lambda result: result < 0),
        "$lte": _ordered(lambda result: result <= 0),
        "$gt": _ordered(lambda result: result > 0),
        "$gte": _ordered(lambda result: result >= 0),
    }
    """Operator -> `test(stored_value, query_value)`; extend it in a subclass for custom
    `operators` (a missing field reaches the test as None)."""

    def __init__(
        self,
        id: str = "id",
        paginate: PaginationOptions | None = None,
        multi: bool | list[str] = False,
        start_id: int = 0,
        store: dict[Id, Record] | None = None,
        events: list[str] | None = None,
        filters: dict[str, Any] | None = None,
        operators: list[str] | None = None,
    ) -> None:
        super().__init__(id, paginate, multi, events, filters, operators)
        self.store: dict[Id, Record] = dict(store or {})
        self.start_id = start_id
        taken = [key + 1 for key in self.store if type(key) is int]
        # never hand out an id that a given store already holds
        self._next_id = max([start_id, *taken])

    # -- reading --------------------------------------------------------------------------

    def _compile(self, clause: Clause) -> Matcher:
        if isinstance(clause, Condition):
            test = self.comparators.get(clause.operator)
            if test is None:
                raise BadRequest(f"The memory adapter does not support {clause.operator}")
            get, wanted = _getter(clause.field), clause.value

            def condition(record: Record) -> bool:
                value = get(record)
                return test(None if value is _MISSING else value, wanted)

            return condition
        tests = [self._compile(part) for part in clause.clauses]
        if len(tests) == 1:
            return tests[0]
        if isinstance(clause, And):
            return lambda record: all(test(record) for test in tests)
        return lambda record: any(test(record) for test in tests)

    def _matcher(self, query: ParsedQuery) -> Matcher | None:
        return self._compile(query.where) if query.where.clauses else None

    def _key(self, id: Any) -> Id | None:
        """The store key for `id`, or None: `'3'` finds 3 and `3` finds `'3'`, as in JS."""
        if type(id) is bool:
            return None
        store = self.store
        try:
            if id in store:
                return id
        except TypeError:  # an unhashable id (a list or dict) names no record
            return None
        if type(id) is str:
            number = _integer(id)
            return number if number is not None and number in store else None
        if type(id) is int and str(id) in store:
            return str(id)
        return None

    def _existing(self, id: Any, query: ParsedQuery) -> Id:
        """The key of record `id` if it matches the query; NotFound otherwise."""
        key = self._key(id)
        matcher = self._matcher(query)
        if key is None or (matcher is not None and not matcher(self.store[key])):
            raise self.not_found(id)
        return key

    def _matching(self, query: ParsedQuery) -> tuple[list[Record], int]:
        """The stored records (not copies) for a query, and the total before skip/limit."""
        matcher = self._matcher(query)
        records: Iterable[Record] = self.store.values()
        if matcher is not None:
            records = filter(matcher, records)
        if not query.sort and not query.paginate:
            # no total needed: stop as soon as enough records matched
            skip, limit, size = query.skip, query.limit, len(self.store)
            if not skip and (limit is None or limit >= size):
                found = list(records)
            elif skip >= size:
                return [], 0
            else:  # islice takes at most sys.maxsize: the store's size bounds the stop
                found = list(
                    islice(records, skip, size if limit is None else min(skip + limit, size))
                )
            return found, len(found)
        found = list(records)
        for name, direction in reversed(query.sort):
            get = _getter(name)
            found.sort(key=lambda record, get=get: sort_key(get(record)), reverse=direction < 0)
        total = len(found)
        end = None if query.limit is None else query.skip + query.limit
        return found[query.skip : end], total

    def _output(self, record: Record, query: ParsedQuery) -> Record:
        select = query.select
        return _copy(record if select is None else select_fields(record, select))

    async def _find(self, params: Params | None = None) -> list[Record] | Page:
        query = self.parse_query(params or {})
        records, total = self._matching(query)
        if query.select is None:
            data = _copies(records)
        else:
            data = [self._output(record, query) for record in records]
        if query.paginate:
            return {"total": total, "limit": query.limit, "skip": query.skip, "data": data}
        return data

    async def _get(self, id: Id, params: Params | None = None) -> Record:
        query = self.parse_query(params or {})
        return self._output(self.store[self._existing(id, query)], query)

    # -- writing --------------------------------------------------------------------------

    async def _create(
        self, data: Record | list[Record], params: Params | None = None
    ) -> Record | list[Record]:
        query = self.parse_query(params or {})
        if isinstance(data, list):
            return [self._insert(item, query) for item in data]
        return self._insert(data, query)

    def _insert(self, data: Record, query: ParsedQuery) -> Record:
        record = _copy(data)
        id = record.get(self.id)
        if id is None:
            id = record[self.id] = self._next_id
        if type(id) is int:
            self._next_id = max(self._next_id, id + 1)
        self.store[id] = record
        return self._output(record, query)

    async def _update(self, id: Id, data: Record, params: Params | None = None) -> Record:
        query = self.parse_query(params or {})
        key = self._existing(id, query)
        record = _copy(data)
        record[self.id] = self.store[key][self.id]
        self.store[key] = record
        return self._output(record, query)

    async def _patch(
        self, id: Id | None, data: Record, params: Params | None = None
    ) -> Record | list[Record]:
        query = self.parse_query(params or {}, paginate=False)
        changes = {k: v for k, v in data.items() if k != self.id}
        if id is not None:
            return self._merge(self.store[self._existing(id, query)], changes, query)
        records, _ = self._matching(query)
        return [self._merge(record, changes, query) for record in records]

    def _merge(self, record: Record, changes: Record, query: ParsedQuery) -> Record:
        record.update(_copy(changes))
        return self._output(record, query)

    async def _remove(self, id: Id | None, params: Params | None = None) -> Record | list[Record]:
        query = self.parse_query(params or {}, paginate=False)
        if id is not None:
            key = self._existing(id, query)
            return self._output(self.store.pop(key), query)
        records, _ = self._matching(query)
        for record in records:
            del self.store[record[self.id]]
        return [self._output(record, query) for record in records]
