"""Typed Feathers queries: the validator behind `schema.validate_query`.

A query model is a pydantic model whose fields are the queryable properties. Each field
accepts a value (equality) or an object of Feathers' operators, every operand validated
with the field's type in pydantic's lax mode, so the strings of a REST query string
(`?age=30`, `?age[$gt]=5`, `?done=true`) become the field's type. `$in`/`$nin` take a list,
the dict `{"0": "a", "1": "b"}` qs makes of long indexed lists, or one value. `$or`/`$and`
take lists of such queries. `$limit`/`$skip` are non-negative ints, `$sort` maps known
fields to 1 or -1, `$select` lists known fields. Anything else is a BadRequest whose `data`
lists `{loc, msg, type}` like pydantic's errors, and whose message names the field.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, NoReturn, get_args

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from .adapter import MAX_COUNT
from .errors import BadRequest

__all__ = ["QueryValidator", "error_list", "raise_bad_request"]

MAX_DEPTH = 20
"""How deep `$or`/`$and` may nest (counted in path parts: two per level)."""
_COMPARISONS = ("$gt", "$gte", "$lt", "$lte", "$ne")
_LISTS = ("$in", "$nin")
Validate = Callable[[Any], Any]


def _validator(annotation: Any) -> Validate:
    # the compiled validator itself: TypeAdapter.validate_python adds ~0.4 us of Python
    return TypeAdapter(annotation).validator.validate_python


_COUNT = _validator(Annotated[int, Field(ge=0, le=MAX_COUNT)])


def error_list(error: ValidationError, prefix: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """pydantic's errors as JSON-safe `{loc, msg, type}` dicts (no inputs, no reprs)."""
    return [
        {"loc": [*prefix, *item["loc"]], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]


def raise_bad_request(what: str, errors: list[dict[str, Any]]) -> NoReturn:
    """Raise `BadRequest('Invalid <what>: <loc>: <msg>', errors)` naming the first field."""
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or what
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise BadRequest(f"Invalid {what}: {where}: {first['msg']}{more}", errors)


def _plain(value: Any) -> Any:
    # adapters compare and store plain values: an enum member becomes its value
    return value.value if isinstance(value, Enum) else value


def _as_list(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, dict) and all(str(key).isdecimal() for key in value):
        # qs turns `a[$in][25]=x` (an index past its arrayLimit) into {"25": "x"}
        return [value[key] for key in sorted(value, key=int)]
    if isinstance(value, dict):
        return value  # refused by the list validator
    return [value]


_EXACT = (int, float, str, bool)


class _Field:
    """The validators of one queryable field: its type, and a list of it."""

    __slots__ = ("exact", "many", "one")

    def __init__(self, info: FieldInfo) -> None:
        annotation = info.annotation
        if info.metadata:  # constraints (max_length=...) apply to query values too
            annotation = Annotated[(annotation, *info.metadata)]  # type: ignore[assignment]
        self.one = _validator(annotation)
        self.many = _validator(list[annotation])  # type: ignore[valid-type]
        plain = [arg for arg in get_args(info.annotation) if arg is not type(None)]
        exact = plain[0] if len(plain) == 1 else info.annotation
        # a value already of the field's plain type needs no validator (the JSON fast path)
        self.exact = exact if exact in _EXACT and not info.metadata else None

    def value(self, value: Any, loc: tuple[Any, ...], errors: list[Any]) -> Any:
        """One operand (or an equality value) of the field's type; None after an error."""
        if type(value) is self.exact:
            return value
        return _validate(self.one, value, loc, errors)


class QueryValidator:
    """Validates and coerces queries against the fields of a model; built once per hook."""

    def __init__(self, model: type[BaseModel], operators: tuple[str, ...] = ()) -> None:
        self.comparisons = frozenset((*_COMPARISONS, *operators))
        self.fields = {
            (info.alias or name): _Field(info) for name, info in model.model_fields.items()
        }

    def __call__(self, query: Any) -> dict[str, Any]:
        """The coerced query; BadRequest listing every problem otherwise."""
        if query is None:
            return {}
        errors: list[dict[str, Any]] = []
        result = self._query(query, (), errors, top=True)
        if errors:
            raise_bad_request("query", errors)
        return result

    def _query(self, query: Any, loc: tuple[Any, ...], errors: list[Any], top: bool) -> Any:
        if not isinstance(query, dict):
            errors.append(_error(loc, "A query must be an object", "dict_type"))
            return {}
        result: dict[str, Any] = {}
        fields = self.fields
        for key, value in query.items():
            where = (*loc, key)
            field = fields.get(key)
            if field is not None:
                if type(value) is field.exact:  # the JSON fast path, as in _Field.value
                    result[key] = value
                else:
                    result[key] = self._property(field, value, where, errors)
            elif key in ("$or", "$and"):
                result[key] = self._group(value, where, errors)
            elif top and key in ("$limit", "$skip"):
                result[key] = self._count(value, where, errors)
            elif top and key == "$sort":
                result[key] = self._sort(value, where, errors)
            elif top and key == "$select":
                result[key] = self._select(value, where, errors)
            elif str(key).startswith("$"):
                errors.append(_error(where, f"Unknown query filter {key}", "filter_unknown"))
            else:
                errors.append(_unknown(where, key))
        return result

    def _property(self, field: _Field, value: Any, loc: tuple[Any, ...], errors: list[Any]) -> Any:
        if not (isinstance(value, dict) and any(str(key)[:1] == "$" for key in value)):
            return field.value(value, loc, errors)
        result = {}
        for operator, operand in value.items():
            where = (*loc, operator)
            if operator in self.comparisons:
                result[operator] = field.value(operand, where, errors)
            elif operator in _LISTS:
                items = _validate(field.many, _as_list(operand), where, errors)
                result[operator] = [_plain(item) for item in items or ()]
            else:
                errors.append(_error(where, f"Unknown query operator {operator}", "operator"))
        return result

    def _group(self, value: Any, loc: tuple[Any, ...], errors: list[Any]) -> list[Any]:
        value = _as_list(value) if isinstance(value, dict | list | tuple) else None
        if len(loc) > MAX_DEPTH:
            # loc grows by two per level: a client cannot make the walk recurse without end
            errors.append(_error(loc, "Query nested too deeply", "too_deep"))
            return []
        if not isinstance(value, list):
            errors.append(_error(loc, "Input should be a list of queries", "list_type"))
            return []
        return [self._query(q, (*loc, i), errors, top=False) for i, q in enumerate(value)]

    def _count(self, value: Any, loc: tuple[Any, ...], errors: list[Any]) -> Any:
        if type(value) is int and 0 <= value <= MAX_COUNT:
            return value
        return _validate(_COUNT, value, loc, errors)

    def _sort(self, value: Any, loc: tuple[Any, ...], errors: list[Any]) -> dict[str, int]:
        if not isinstance(value, dict):
            errors.append(_error(loc, "Input should be an object of fields to 1 or -1", "dict"))
            return {}
        result = {}
        for name, direction in value.items():
            if name not in self.fields:
                errors.append(_unknown((*loc, name), name))
            elif type(direction) is int and (direction == 1 or direction == -1):
                result[name] = direction
            else:
                text = direction.strip() if isinstance(direction, str) else None
                if text in ("1", "-1"):
                    result[name] = int(text)
                else:
                    errors.append(_error((*loc, name), "Input should be 1 or -1", "sort_direction"))
        return result

    def _select(self, value: Any, loc: tuple[Any, ...], errors: list[Any]) -> list[str]:
        names = _as_list(value)
        if not isinstance(names, list):
            errors.append(_error(loc, "Input should be a list of field names", "list_type"))
            return []
        for index, name in enumerate(names):
            if not isinstance(name, str) or name not in self.fields:
                errors.append(_unknown((*loc, index), name))
        return names


def _validate(validate: Validate, value: Any, loc: tuple[Any, ...], errors: list[Any]) -> Any:
    try:
        return _plain(validate(value))
    except ValidationError as error:
        errors.extend(error_list(error, loc))
        return None


def _unknown(loc: tuple[Any, ...], name: Any) -> dict[str, Any]:
    return _error(loc, f"Unknown query field {name}", "extra_forbidden")


def _error(loc: tuple[Any, ...], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}
