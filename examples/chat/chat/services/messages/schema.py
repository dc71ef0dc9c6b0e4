"""The schema of the `messages` service: the one description of its fields.

- `Data`: what clients send to `create` (and, whole, to `update`); other fields are refused.
- `Model`: a stored record, as `get` and `find` return it (`Data` plus the id).
- `Patch`: what `patch` takes: any of `Data`'s fields; the ones not sent are left alone.
- `Query`: the fields clients may query (with `$gt`, `$in`, ...), sort and select.
- `messages_table`: the database table, derived from `Model`.

To add a field: add it to `Data` (with a default, or `| None`, if the table has rows), add
it to `Query` if clients may query it, then from the project folder run
`alembic revision --autogenerate -m "add a field to messages"` and `feathers migrate`.
See the schemas page of the feathers-py docs for the types and hooks.
"""

from __future__ import annotations

from feathers.schema import partial_model, query_model
from feathers.sql import sql_table
from pydantic import BaseModel, ConfigDict, Field

from chat.database import metadata


class Data(BaseModel):
    """What clients send to create a record."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1000)


class Model(Data):
    """A stored record."""

    id: int


Patch = partial_model(Data)
Query = query_model(Model, fields=["id", "text"])

messages_table = sql_table(Model, metadata, "messages")
