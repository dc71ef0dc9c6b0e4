"""Resolvers: the machinery behind `schema.resolve_data`, `resolve_result` and
`resolve_external`.

A resolver map is `{field: resolver}`, a resolver `(value, item, context) -> value`, sync or
async. The fields of one item resolve concurrently, and so do the items of a list. A
resolver returning `OMIT` drops its field; one raising makes the whole call a BadRequest
`Error resolving data <fields>` whose data maps each field to its error, as in Feathers.

What leaves the server (Feathers' "dispatch"): `resolve_external` computes, for each record
of the result, the record as clients may see it, and returns the result with every record
(and page) wrapped in a `Dispatched` dict that carries it. The result is otherwise
unchanged for code calling the service. When another service's resolvers embed such a
record (e.g. `user` in a message), the embedding record's dispatch holds the embedded
record's dispatch: a field one service protects stays protected wherever it is embedded.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .errors import BadRequest, FeathersError

__all__ = [
    "OMIT",
    "Dispatched",
    "Resolver",
    "check_resolvers",
    "dispatch_value",
    "resolve",
    "resolve_dispatch",
]

Resolver = Callable[[Any, Any, Any], Any]
"""A resolver: `(value, item, context) -> new value`, sync or async; `OMIT` drops the field."""


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()
"""What a resolver returns to drop its field from the item (None is kept, as JSON null)."""


class Dispatched(dict):  # type: ignore[type-arg]
    """A record or page of a result, carrying `dispatch`: what of it clients may see."""

    __slots__ = ("dispatch",)


def check_resolvers(resolvers: Mapping[str, Resolver], hook: str) -> dict[str, Resolver]:
    """A copy of the resolver map; TypeError naming the field whose resolver is no function."""
    for name, resolver in resolvers.items():
        if not callable(resolver):
            raise TypeError(f"{hook}: the resolver of '{name}' is not callable")
    return dict(resolvers)


async def _resolve_item(
    resolvers: Mapping[str, Resolver], item: Any, context: Any, only: Any = None, base: Any = None
) -> Any:
    """The item with its resolved fields (resolvers see `item`; the fields start from `base`)."""
    if not isinstance(item, dict):
        return item
    result = dict(item if base is None else base)
    pending: list[tuple[str, Awaitable[Any]]] = []
    failed: dict[str, Any] = {}
    for name, resolver in resolvers.items():
        if only is not None and name not in only:
            continue
        try:
            value = resolver(result.get(name), item, context)
        except Exception as error:
            failed[name] = _error_json(error)
            continue
        if inspect.isawaitable(value):
            pending.append((name, value))
        else:
            _put(result, name, value)
    if pending:
        values = await asyncio.gather(*(value for _, value in pending), return_exceptions=True)
        for (name, _), value in zip(pending, values, strict=True):
            if isinstance(value, Exception):
                failed[name] = _error_json(value)
            elif isinstance(value, BaseException):
                raise value
            else:
                _put(result, name, value)
    if failed:
        raise BadRequest(f"Error resolving data {', '.join(failed)}", failed)
    return result


def _put(item: dict[str, Any], name: str, value: Any) -> None:
    if value is OMIT:
        item.pop(name, None)
    else:
        item[name] = value


def _error_json(error: Exception) -> dict[str, Any]:
    if isinstance(error, FeathersError):
        return error.to_json()
    return {"message": str(error) or type(error).__name__}


def _page_data(context: Any, value: Any) -> list[Any] | None:
    """The records of a page of `find`, or None when `value` is not a page."""
    if context.method == "find" and isinstance(value, dict):
        data = value.get("data")
        if isinstance(data, list):
            return data
    return None


async def resolve(
    resolvers: Mapping[str, Resolver], value: Any, context: Any, only: Any = None
) -> Any:
    """`value` resolved: a record, each record of a list, or each record of a page."""
    page = _page_data(context, value)
    if page is not None:
        return {**value, "data": await resolve(resolvers, page, context, only)}
    if isinstance(value, list):
        items = [_resolve_item(resolvers, item, context, only) for item in value]
        return list(await asyncio.gather(*items))
    return await _resolve_item(resolvers, value, context, only)


def dispatch_value(value: Any) -> Any:
    """What clients may see of a value: its dispatch, item by item for a list."""
    if isinstance(value, Dispatched):
        return value.dispatch
    if isinstance(value, list):
        return [dispatch_value(item) for item in value]
    return value


async def _external_item(resolvers: Mapping[str, Resolver], item: Any, context: Any) -> Any:
    if not isinstance(item, dict):
        return item
    # a record resolved by an earlier resolve_external keeps what that one removed
    base = item.dispatch if isinstance(item, Dispatched) else item
    resolved = await _resolve_item(resolvers, item, context, base=base)
    wrapped = Dispatched(item)
    wrapped.dispatch = {name: dispatch_value(value) for name, value in resolved.items()}
    return wrapped


async def resolve_dispatch(resolvers: Mapping[str, Resolver], context: Any) -> None:
    """Set `context.dispatch` (and wrap the records of `context.result`, see the module)."""
    result = context.result
    page = _page_data(context, result)
    items = page if page is not None else result
    if isinstance(items, list):
        wrapped = await asyncio.gather(*(_external_item(resolvers, i, context) for i in items))
        records: Any = list(wrapped)
    else:
        records = await _external_item(resolvers, items, context)
    if page is not None:
        base = result.dispatch if isinstance(result, Dispatched) else result
        records = Dispatched({**result, "data": records})
        records.dispatch = {**base, "data": dispatch_value(records["data"])}
    context.result = records
    context.dispatch = dispatch_value(records)
