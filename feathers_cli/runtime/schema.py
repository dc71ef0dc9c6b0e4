"""Schemas: hooks that validate data and queries with pydantic 2 models, and resolvers.

Like Feathers' @feathersjs/schema, for Python models::

    from pydantic import BaseModel
    from feathers.schema import (partial_model, query_model, validate_data, validate_query,
                                 resolve_external, OMIT)

    class UserData(BaseModel):
        email: str
        password: str

    class User(UserData):
        id: int

    app.service('users').hooks({
        'around': {'all': [resolve_external({'password': lambda value, user, context: OMIT})]},
        'before': {
            'all': [validate_query(query_model(User, fields=['id', 'email']))],
            'create': [validate_data(UserData)],
            'patch': [validate_data(partial_model(UserData))],
        },
    })

Every validator is built once, when the hook is made. Validation errors are BadRequest
with `data` a list of `{loc, msg, type}` and a message naming the first bad field.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping
from enum import Enum
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, Field, ValidationError, create_model

from ._schema_query import QueryValidator, error_list, raise_bad_request
from ._schema_resolve import OMIT, Resolver, check_resolvers, resolve, resolve_dispatch

__all__ = [
    "OMIT",
    "ConfigError",
    "Resolver",
    "partial_model",
    "query_model",
    "resolve_data",
    "resolve_external",
    "resolve_result",
    "validate_config",
    "validate_data",
    "validate_query",
]

ModelT = TypeVar("ModelT", bound=BaseModel)
Hook = Callable[..., Awaitable[Any]]


def partial_model(model: type[ModelT], name: str | None = None) -> type[ModelT]:
    """A subclass of `model` whose fields are all optional: the model of `patch` data.

    Types, aliases, constraints, validators and config are the model's; only the defaults
    go. `validate_data` keeps only the fields a patch sends (`exclude_unset`), so a missing
    field is left alone, never reset: `validate_data(partial_model(UserData))`.
    """
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (info.annotation, optional)
    partial = create_model(name or f"{model.__name__}Patch", __base__=model, **fields)
    return partial  # type: ignore[return-value]


def query_model(
    model: type[BaseModel], fields: list[str] | tuple[str, ...] | None = None
) -> type[BaseModel]:
    """A model of the queryable fields of `model` (all of them, or those named in `fields`).

    `validate_query` gives each field Feathers' operators typed by the field's type. The
    types and aliases are copied, not the constraints (`age[$gt]=-1` is a fine query).
    """
    known = model.model_fields
    names = list(known) if fields is None else list(fields)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
    picked = {
        name: (known[name].annotation | None, Field(None, alias=known[name].alias))
        for name in names
    }
    return create_model(f"{model.__name__}Query", **picked)  # type: ignore[call-overload]


def _enum_fields(model: type[BaseModel]) -> tuple[str, ...]:
    def has_enum(annotation: Any) -> bool:
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return True
        return any(has_enum(arg) for arg in get_args(annotation))

    return tuple(
        info.alias or name for name, info in model.model_fields.items() if has_enum(info.annotation)
    )


def validate_data(model: type[BaseModel]) -> Hook:
    """A before (or around) hook: `context.data` becomes the model's validated dict.

    Defaults are filled, aliases used, enum members stored as their values; unknown fields
    are dropped or refused as the model's config says (`extra='forbid'`). For `patch` only
    the fields sent are kept. A list (multi `create`) is validated item by item.
    """
    model.model_rebuild()  # a model with unresolved names fails here, not on the first call
    # the model's compiled validator and serializer: model_validate and model_dump call the
    # same two, through ~1 us of Python each call
    validate = model.__pydantic_validator__.validate_python
    dump = model.__pydantic_serializer__.to_python
    enums = _enum_fields(model)

    def one(data: Any, partial: bool, prefix: tuple[Any, ...]) -> dict[str, Any]:
        try:
            item = dump(validate(data), by_alias=True, exclude_unset=partial)
        except ValidationError as error:
            raise_bad_request("data", error_list(error, prefix))
        for name in enums:
            value = item.get(name)
            if isinstance(value, Enum):
                item[name] = value.value
        return item

    async def validate_data_hook(context: Any, next: Callable[[], Awaitable[Any]] | None = None):
        data = context.data
        if data is not None:
            partial = context.method == "patch"
            if isinstance(data, list):
                context.data = [one(item, partial, (i,)) for i, item in enumerate(data)]
            else:
                context.data = one(data, partial, ())
        if next is not None:
            await next()

    return validate_data_hook


def validate_query(model: type[BaseModel], operators: list[str] | tuple[str, ...] = ()) -> Hook:
    """A before (or around) hook: `params['query']` validated and coerced by `model`.

    `model` lists the queryable fields (see `query_model`); each takes a value or
    Feathers' operators (`$in $nin $gt $gte $lt $lte $ne`, `$or`/`$and`), plus `$limit`,
    `$skip`, `$sort` and `$select` on known fields. REST's strings become the field types.
    `operators` allows an adapter's own ones, typed like the field: `operators=['$like']`.
    """
    validator = QueryValidator(model, tuple(operators))

    async def validate_query_hook(context: Any, next: Callable[[], Awaitable[Any]] | None = None):
        # a new params dict (as Feathers): the caller's own dict keeps its query
        params = context.params
        context.params = {**params, "query": validator(params.get("query"))}
        if next is not None:
            await next()

    return validate_query_hook


def resolve_data(resolvers: Mapping[str, Resolver]) -> Hook:
    """A before (or around) hook resolving the fields of `context.data` (each list item).

    `resolve_data({'created_at': lambda value, data, context: datetime.now(UTC)})`.
    """
    fields = check_resolvers(resolvers, "resolve_data")

    async def resolve_data_hook(context: Any, next: Callable[[], Awaitable[Any]] | None = None):
        if context.data is not None:
            context.data = await resolve(fields, context.data, context)
        if next is not None:
            await next()

    return resolve_data_hook


def resolve_result(resolvers: Mapping[str, Resolver]) -> Hook:
    """An around (or after) hook resolving the fields of the result (each item of a page).

    With `$select` in the query, only the selected fields are resolved.
    """
    fields = check_resolvers(resolvers, "resolve_result")

    async def resolve_result_hook(context: Any, next: Callable[[], Awaitable[Any]] | None = None):
        if next is not None:
            await next()
        elif context.type != "after":
            raise RuntimeError("resolve_result must be an around or an after hook")
        select = (context.params.get("query") or {}).get("$select")
        only = set(select) if isinstance(select, list) else None
        context.result = await resolve(fields, context.result, context, only)

    return resolve_result_hook


def resolve_external(resolvers: Mapping[str, Resolver]) -> Hook:
    """An around (or after) hook resolving what leaves the server: `context.dispatch`.

    Code calling the service gets the result with every field; transports send the
    dispatch, to the caller and in events: `resolve_external({'password': lambda *_: OMIT})`.
    Register it first (outermost), so that it sees the result every other hook made. It runs
    for internal calls too: their events and the records other services embed leave as well.
    """
    fields = check_resolvers(resolvers, "resolve_external")

    async def resolve_external_hook(
        context: Any, next: Callable[[], Awaitable[Any]] | None = None
    ) -> None:
        if next is not None:
            await next()
        elif context.type != "after":
            raise RuntimeError("resolve_external must be an around or an after hook")
        await resolve_dispatch(fields, context)

    return resolve_external_hook


class ConfigError(ValueError):
    """An invalid configuration; `str()` is one line naming the file and the bad key."""


def validate_config(
    model: type[ModelT], data: Mapping[str, Any], source: str | Mapping[str, str]
) -> ModelT:
    """The config `data` validated by `model`; `source` says where it came from.

    `source` is a file name, or a mapping from dotted keys to where each was set (a merged
    config: `{"port": "environment variable PORT", "": "config/default.toml"}`; the longest
    matching prefix names the origin, `""` is the fallback). Raises ConfigError, one line:
    `config/default.toml: port: Input should be a valid integer`.
    """
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = error_list(error)
        loc = [str(part) for part in problems[0]["loc"]]
        key = ".".join(loc) or "(top level)"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        origin = source if isinstance(source, str) else _origin(source, loc)
        raise ConfigError(f"{origin}: {key}: {problems[0]['msg']}{more}") from None


def _origin(sources: Mapping[str, str], loc: list[str]) -> str:
    for end in range(len(loc), -1, -1):
        found = sources.get(".".join(loc[:end]))
        if found is not None:
            return found
    return "configuration"
