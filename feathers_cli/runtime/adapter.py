"""The database adapter foundation: options, query parsing, pagination and the public methods.

A database adapter subclasses `AdapterService` and implements the six hook-less internal
methods `_find _get _create _update _patch _remove`. The public methods (`find`, `get`, ...)
live here: they normalize `params`, enforce the `multi` option and call the internal ones,
never another public method (the application wraps the public methods with hooks).

Queries arrive in Feathers' shape (`{'age': {'$gt': 18}, '$sort': {'name': 1}}`).
`parse_query` validates one and returns a `ParsedQuery` that adapters translate instead of
walking the raw dict themselves::

    ParsedQuery(
        where=And((Condition('age', '$gt', 18),)),  # a tree of And / Or / Condition
        sort=(('name', 1),),                         # (field, 1 | -1), most significant first
        limit=None, skip=0,                          # ints; limit None means "no limit"
        select=None,                                 # tuple of fields (id included) or None
        paginate=False,                              # whether find returns a page
        filters={},                                  # values of the custom `filters` option
    )

Equality is `Condition(field, '$eq', value)`; the other operators keep their Feathers names
(`$ne $in $nin $lt $lte $gt $gte` and any custom `operators`). `$in`/`$nin` values are lists.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypedDict

from .errors import BadRequest, MethodNotAllowed, NotFound

__all__ = [
    "FILTERS",
    "MAX_COUNT",
    "OPERATORS",
    "AdapterOptions",
    "AdapterService",
    "And",
    "Clause",
    "Condition",
    "Or",
    "Page",
    "PaginationOptions",
    "ParsedQuery",
    "get_limit",
    "parse_query",
    "select_fields",
]

Id: TypeAlias = int | str
Record: TypeAlias = dict[str, Any]
Params: TypeAlias = dict[str, Any]
Query: TypeAlias = Mapping[str, Any]
FilterFunction: TypeAlias = Callable[[Any, "AdapterOptions"], Any]

FILTERS = ("$limit", "$skip", "$sort", "$select", "$or", "$and")
"""The top-level `$` keys every adapter understands."""

OPERATORS = ("$in", "$nin", "$lt", "$lte", "$gt", "$gte", "$ne")
"""The property operators every adapter understands (plus implicit equality, `$eq`)."""

_LIST_OPERATORS = frozenset({"$in", "$nin"})
_UNSET: Any = object()


class PaginationOptions(TypedDict, total=False):
    """`paginate={'default': 10, 'max': 50}`: the page size without `$limit`, and its cap."""

    default: int
    max: int


class Page(TypedDict):
    """What a paginated `find` returns."""

    total: int
    limit: int
    skip: int
    data: list[Record]


@dataclass
class AdapterOptions:
    """The options of an adapter, as `service.options`; mutable, like Feathers'."""

    id: str = "id"
    paginate: PaginationOptions | bool | None = None
    multi: bool | list[str] = False
    events: list[str] = field(default_factory=list)
    filters: dict[str, FilterFunction | bool] = field(default_factory=dict)
    operators: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Condition:
    """One comparison: `Condition('age', '$gt', 18)` is `age > 18`."""

    field: str
    operator: str
    value: Any


@dataclass(frozen=True, slots=True)
class And:
    """All clauses must hold; `And(())` holds for every record."""

    clauses: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one clause must hold."""

    clauses: tuple[Clause, ...]


Clause: TypeAlias = Condition | And | Or


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A validated query: the conditions in `where`, and the converted filters."""

    where: And
    sort: tuple[tuple[str, int], ...] = ()
    limit: int | None = None
    skip: int = 0
    select: tuple[str, ...] | None = None
    paginate: bool = False
    filters: dict[str, Any] = field(default_factory=dict)


def _paginates(paginate: Any) -> bool:
    if not paginate:
        return False  # None, False, {}: the common case, without an ABC isinstance check
    return isinstance(paginate, Mapping) and bool(paginate.get("default") or paginate.get("max"))


MAX_COUNT = 2**63 - 1
"""The largest `$limit`/`$skip`: a larger one (more records than any store holds) counts as
this, which SQL's LIMIT/OFFSET (a BIGINT) and Python's slicing both take."""


def _to_int(name: str, value: Any) -> int:
    """A non-negative int from an int or a decimal string (query strings send "2"), at most
    MAX_COUNT; anything else is BadRequest."""
    kind = type(value)
    if kind is str:
        text = value.strip().removeprefix("+")
        # ASCII digits only: int() would also take '1_000' and other scripts' digits
        if not (text.isascii() and text.isdigit()):
            raise BadRequest(f"Invalid value for {name}: {value!r}")
        digits = text.lstrip("0")  # at most 19 digits left: no slow int() of a huge one
        return min(int(digits or "0"), MAX_COUNT) if len(digits) <= 19 else MAX_COUNT
    if kind is float and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRequest(f"Invalid value for {name}: {value!r}")
    return min(value, MAX_COUNT)


def get_limit(limit: Any, paginate: Any) -> int | None:
    """The effective `$limit`: `min($limit or default, max)` when paginating.

    >>> get_limit('40', {'default': 10, 'max': 25})
    25
    """
    value = None if limit is None else _to_int("$limit", limit)
    if not _paginates(paginate):
        return value
    if value is None:
        value = paginate.get("default") or paginate.get("max")
    maximum = paginate.get("max")
    return min(value, maximum) if isinstance(maximum, int) else value


def _parse_sort(sort: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(sort, Mapping):
        raise BadRequest("$sort must be an object of field names to 1 or -1")
    result = []
    for name, direction in sort.items():
        try:
            value = int(direction)
        except (TypeError, ValueError):
            value = 0
        if value not in (1, -1) or isinstance(direction, bool):
            raise BadRequest(f"Invalid $sort direction {direction!r} for {name}")
        result.append((str(name), value))
    return tuple(result)


def _parse_select(select: Any, id_field: str) -> tuple[str, ...]:
    if isinstance(select, str):
        select = [select]
    if not isinstance(select, list | tuple):
        raise BadRequest("$select must be a list of field names")
    fields = [str(name) for name in select]
    if id_field not in fields:
        fields.append(id_field)
    return tuple(fields)


def _parse_property(name: str, value: Any, operators: Iterable[str]) -> list[Clause]:
    """The conditions of `{name: value}`: equality, or an object of operators."""
    if not (isinstance(value, Mapping) and any(str(key).startswith("$") for key in value)):
        return [Condition(name, "$eq", value)]
    conditions: list[Clause] = []
    for operator, operand in value.items():
        if operator not in operators:
            raise BadRequest(f"Invalid query parameter {operator}", dict(value))
        if operator in _LIST_OPERATORS and not isinstance(operand, list | tuple):
            raise BadRequest(f"The value of {operator} must be a list")
        conditions.append(
            Condition(name, operator, list(operand) if operator in _LIST_OPERATORS else operand)
        )
    return conditions


def _parse_where(query: Query, operators: Iterable[str], nested: bool = False) -> list[Clause]:
    """The clauses of a query; the top level skips its filters, nested levels have none."""
    clauses: list[Clause] = []
    for key, value in query.items():
        if key == "$or" or key == "$and":
            if not isinstance(value, list | tuple) or not all(
                isinstance(q, Mapping) for q in value
            ):
                raise BadRequest(f"{key} must be a list of queries")
            parts = [_group(_parse_where(q, operators, nested=True)) for q in value]
            if key == "$or":
                clauses.append(Or(tuple(parts)))
            else:
                clauses.extend(parts)
        elif not str(key).startswith("$"):
            clauses.extend(_parse_property(str(key), value, operators))
        elif nested:
            raise BadRequest(f"Invalid query parameter {key}")
    return clauses


def _group(clauses: list[Clause]) -> Clause:
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))


def parse_query(query: Query | None, options: AdapterOptions) -> ParsedQuery:
    """Validate a Feathers query and split it into conditions and filters.

    Raises BadRequest for an unknown top-level `$` key (`Invalid filter value $x`), an
    operator not allowed on a property (`Invalid query parameter $x`), and ill-typed values.

    >>> parse_query({'name': 'Alice', '$limit': '2'}, AdapterOptions()).limit
    2
    """
    paginate = _paginates(options.paginate)
    if not query:
        # The most common query of all: one shared (frozen) result per page size.
        limit = get_limit(None, options.paginate) if paginate else None
        parsed = _EMPTY_QUERIES.get((limit, paginate))
        if parsed is None:
            parsed = ParsedQuery(_EVERY_RECORD, limit=limit, paginate=paginate)
            if len(_EMPTY_QUERIES) < 64:
                _EMPTY_QUERIES[(limit, paginate)] = parsed
        return parsed
    where: And | None = _EVERY_RECORD  # unless a property, `$or` or `$and` is queried
    for key in query:
        if not str(key).startswith("$") or key == "$or" or key == "$and":
            where = None
        elif key not in FILTERS and key not in options.filters:
            raise BadRequest(f"Invalid filter value {key}")
    custom = _custom_filters(query, options) if options.filters else {}
    if where is None:
        where = And(tuple(_parse_where(query, (*OPERATORS, *options.operators))))
    skip = query.get("$skip")
    select = query.get("$select")
    sort = query.get("$sort")
    return ParsedQuery(
        where=where,
        sort=() if sort is None else _parse_sort(sort),
        limit=get_limit(query.get("$limit"), options.paginate),
        skip=0 if skip is None else _to_int("$skip", skip),
        select=None if select is None else _parse_select(select, options.id),
        paginate=paginate,
        filters=custom,
    )


def _custom_filters(query: Query, options: AdapterOptions) -> dict[str, Any]:
    """The values of the custom `filters` option in a query, converted by their functions."""
    custom = {}
    for name, convert in options.filters.items():
        if name in query and name not in FILTERS:
            custom[name] = convert(query[name], options) if callable(convert) else query[name]
    return custom


_EVERY_RECORD = And(())
_NO_QUERY = ParsedQuery(_EVERY_RECORD)
_EMPTY_QUERIES: dict[tuple[int | None, bool], ParsedQuery] = {}


def select_fields(record: Record, select: tuple[str, ...] | None) -> Record:
    """The record restricted to the `$select` fields (a parsed select includes the id)."""
    if select is None:
        return record
    return {name: record[name] for name in select if name in record}


def _params(params: Params | None) -> Params:
    return {} if params is None else params


def _check_data(data: Any, many: bool = False) -> None:
    # a client may send anything: refuse what no adapter can store, before it fails deeper
    items = data if many and isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise BadRequest("Data must be an object" + (" or a list of objects" if many else ""))


def _without_limit(params: Params) -> Params:
    # patch and remove act on every match: a $limit would make them act on some
    query = params.get("query")
    if not query or "$limit" not in query:
        return params
    return {**params, "query": {k: v for k, v in query.items() if k != "$limit"}}


class AdapterService(ABC):
    """Base class of the database adapters: subclasses implement the underscored methods.

    The internal methods receive the caller's `params` untouched and use `parse_query`
    (through `self.parse_query(params)`) to read `params['query']`.
    """

    def __init__(
        self,
        id: str = "id",
        paginate: PaginationOptions | None = None,
        multi: bool | list[str] = False,
        events: list[str] | None = None,
        filters: dict[str, FilterFunction | bool] | None = None,
        operators: list[str] | None = None,
    ) -> None:
        self.options = AdapterOptions(
            id=id,
            paginate=paginate,
            multi=multi,
            events=list(events or []),
            filters=dict(filters or {}),
            operators=list(operators or []),
        )

    @property
    def id(self) -> str:
        """The name of the id field."""
        return self.options.id

    @property
    def events(self) -> list[str]:
        """The custom events of this service (read by `app.use` when it is given none)."""
        return self.options.events

    def get_options(self, params: Params) -> AdapterOptions:
        """The options for one call: `params['paginate']` and `params['adapter']` override."""
        paginate = params.get("paginate", _UNSET)
        adapter = params.get("adapter")
        if paginate is _UNSET and not adapter:
            return self.options
        overrides = {} if paginate is _UNSET else {"paginate": paginate}
        if adapter:
            names = {f.name for f in dataclasses.fields(AdapterOptions)}
            overrides.update({k: v for k, v in adapter.items() if k in names})
        return dataclasses.replace(self.options, **overrides)

    def allows_multi(self, method: str, params: Params | None = None) -> bool:
        """Whether `method` may act on many records (`find` always, `get`/`update` never)."""
        if method == "find":
            return True
        if method in ("get", "update"):
            return False
        multi = self.get_options(_params(params)).multi
        return method in multi if isinstance(multi, list) else bool(multi)

    def parse_query(self, params: Params, *, paginate: bool = True) -> ParsedQuery:
        """`params['query']` parsed with the options of this call.

        `paginate=False` ignores pagination, for methods acting on every match (multi patch
        and remove): the page size then never limits them.
        """
        if (
            not params.get("query")
            and (not paginate or not self.options.paginate)
            and "paginate" not in params
            and not params.get("adapter")
        ):
            return _NO_QUERY  # the most common call of all: no query, no pagination
        options = self.get_options(params)
        if not paginate and options.paginate:
            options = dataclasses.replace(options, paginate=None)
        return parse_query(params.get("query"), options)

    @staticmethod
    def not_found(id: Any) -> NotFound:
        """The error for a missing record: `No record found for id '<id>'`."""
        return NotFound(f"No record found for id '{id}'")

    @abstractmethod
    async def _find(self, params: Params | None = None) -> list[Record] | Page:
        """Records matching `params['query']`; a `Page` when pagination is on."""

    @abstractmethod
    async def _get(self, id: Id, params: Params | None = None) -> Record:
        """The record `id` if it also matches the query, else `self.not_found(id)`."""

    @abstractmethod
    async def _create(
        self, data: Record | list[Record], params: Params | None = None
    ) -> Record | list[Record]:
        """Store one record or a list (no multi check) and return what was stored."""

    @abstractmethod
    async def _update(self, id: Id, data: Record, params: Params | None = None) -> Record:
        """Replace the record `id` (keeping its id) if it matches the query."""

    @abstractmethod
    async def _patch(
        self, id: Id | None, data: Record, params: Params | None = None
    ) -> Record | list[Record]:
        """Merge `data` into the record `id`, or into every match when `id` is None."""

    @abstractmethod
    async def _remove(self, id: Id | None, params: Params | None = None) -> Record | list[Record]:
        """Delete the record `id`, or every match when `id` is None; return the removed."""

    async def find(self, params: Params | None = None) -> list[Record] | Page:
        """Records matching `params['query']` (a page when paginated)."""
        return await self._find(_params(params))

    async def get(self, id: Id, params: Params | None = None) -> Record:
        """One record by id; NotFound when missing or not matching the query."""
        return await self._get(id, _params(params))

    async def create(
        self, data: Record | list[Record], params: Params | None = None
    ) -> Record | list[Record]:
        """Create a record, or several from a list when `multi` allows `create`."""
        params = _params(params)
        if isinstance(data, list) and not self.allows_multi("create", params):
            raise MethodNotAllowed("Can not create multiple entries")
        _check_data(data, many=True)
        return await self._create(data, params)

    async def update(self, id: Id, data: Record, params: Params | None = None) -> Record:
        """Replace one record completely (its id stays)."""
        if id is None or isinstance(data, list):
            raise BadRequest("You can not replace multiple instances. Did you mean 'patch'?")
        _check_data(data)
        return await self._update(id, data, _params(params))

    async def patch(
        self, id: Id | None, data: Record, params: Params | None = None
    ) -> Record | list[Record]:
        """Merge data into one record, or into every match with id None (needs `multi`)."""
        params = _params(params)
        if id is None and not self.allows_multi("patch", params):
            raise MethodNotAllowed("Can not patch multiple entries")
        _check_data(data)
        return await self._patch(id, data, _without_limit(params))

    async def remove(self, id: Id | None, params: Params | None = None) -> Record | list[Record]:
        """Remove one record, or every match with id None (needs `multi`)."""
        params = _params(params)
        if id is None and not self.allows_multi("remove", params):
            raise MethodNotAllowed("Can not remove multiple entries")
        return await self._remove(id, _without_limit(params))
