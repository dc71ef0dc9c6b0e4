"""A SQLAlchemy table derived from a pydantic model: `sql_table`, re-exported by `sql`.

One source of truth for a service's fields: the model validates data (`schema.validate_data`)
and the same model makes the table, so Alembic's autogenerate sees a field added to the
model as a column to add.

Python type -> column: `int` Integer, `float` Float, `bool` Boolean, `str` Text (String(n)
with `max_length=n`), `datetime` DateTime(timezone=True), `date` Date, `time` Time,
`Decimal` Numeric, `UUID` Uuid, an Enum or Literal of strings String (its longest value),
of ints Integer, and `dict`/`list`/a nested model JSON. `X | None` is nullable, anything
else NOT NULL. A scalar default becomes the column's server default too (so adding a NOT
NULL field with a default to a table that has rows works).
"""

from __future__ import annotations

import datetime
import decimal
import enum
import types
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

import sqlalchemy as sa

if TYPE_CHECKING:
    from pydantic import BaseModel

# pydantic is read through the model only (model_fields, FieldInfo): importing it here would
# add ~0.1 s to the start of every app using the SQL adapter, schemas or not.

__all__ = ["sql_table"]

_SIMPLE: dict[type, Any] = {
    bool: sa.Boolean,
    int: sa.Integer,
    float: sa.Float,
    datetime.datetime: lambda: sa.DateTime(timezone=True),
    datetime.date: sa.Date,
    datetime.time: sa.Time,
    decimal.Decimal: sa.Numeric,
    uuid.UUID: sa.Uuid,
}


def _split_optional(annotation: Any) -> tuple[Any, bool]:
    """(the type without None, whether None is allowed)."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        nullable = len(args) < len(get_args(annotation))
        if len(args) == 1:
            return args[0], nullable
        raise TypeError(f"a union of {args} has no single column type")
    return annotation, annotation is None


def _choices_type(values: list[Any]) -> Any:
    if all(isinstance(value, bool) for value in values):
        return sa.Boolean()
    if all(isinstance(value, int) for value in values):
        return sa.Integer()
    if all(isinstance(value, str) for value in values):
        return sa.String(max(len(value) for value in values))
    raise TypeError(f"choices {values!r} mix types")


def _column_type(annotation: Any, metadata: list[Any]) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choices_type([member.value for member in annotation])
    if get_origin(annotation) is Literal:
        return _choices_type(list(get_args(annotation)))
    if annotation is str:
        lengths = [item.max_length for item in metadata if hasattr(item, "max_length")]
        return sa.String(lengths[0]) if lengths else sa.Text()
    for python_type, column_type in _SIMPLE.items():
        if annotation is python_type:
            return column_type()
    origin = get_origin(annotation) or annotation
    if origin in (dict, list) or hasattr(origin, "model_fields"):  # a nested pydantic model
        return sa.JSON()
    raise TypeError(f"no column type for {annotation!r}")


def _server_default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return sa.text("true" if value else "false")
    if isinstance(value, int | float):
        return sa.text(repr(value))
    if isinstance(value, str):
        return value
    return None


def _column(name: str, info: Any, primary_key: bool) -> sa.Column[Any]:
    try:
        annotation, nullable = _split_optional(info.annotation)
        column_type = _column_type(annotation, info.metadata)
    except TypeError as error:
        raise TypeError(f"field '{name}': {error}") from None
    has_default = not info.is_required() and info.default_factory is None
    default = info.default if has_default else None
    options: dict[str, Any] = {}
    if default is not None and not primary_key:
        plain = default.value if isinstance(default, enum.Enum) else default
        options["default"] = plain
        server_default = _server_default(plain)
        if server_default is not None:
            options["server_default"] = server_default
    if primary_key:
        return sa.Column(name, column_type, primary_key=True, **options)
    return sa.Column(name, column_type, nullable=nullable, **options)


def sql_table(
    model: type[BaseModel],
    metadata: sa.MetaData,
    name: str,
    *,
    id: str = "id",
    unique: Iterable[str | Iterable[str]] = (),
) -> sa.Table:
    """The table `name` on `metadata` with a column for each field of `model`.

    `id` is the primary key (an Integer, auto-incremented, when the model has no such
    field); each entry of `unique` is a column or a tuple of columns that must be unique::

        users_table = sql_table(User, metadata, "users", unique=["email"])
    """
    columns: list[Any] = []
    names = []
    for field_name, info in model.model_fields.items():
        column = info.alias or field_name
        names.append(column)
        columns.append(_column(column, info, column == id))
    if id not in names:
        columns.insert(0, sa.Column(id, sa.Integer, primary_key=True))
        names.append(id)
    for entry in unique:
        group = (entry,) if isinstance(entry, str) else tuple(entry)
        missing = [column for column in group if column not in names]
        if missing:
            raise ValueError(f"unique: {model.__name__} has no field {', '.join(missing)}")
        columns.append(sa.UniqueConstraint(*group, name=f"uq_{name}_{'_'.join(group)}"))
    (key,) = [column for column in columns if isinstance(column, sa.Column) and column.primary_key]
    # integer ids are never reused on SQLite either (as the generated migrations declare)
    autoincrement = isinstance(key.type, sa.Integer)
    return sa.Table(name, metadata, *columns, sqlite_autoincrement=autoincrement)
