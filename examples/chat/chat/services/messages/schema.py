"""The schema of the `messages` service: the one description of its fields.

- `Data`: what clients send to `create`: the text only (1 to 400 characters); any other
  field, `user_id` and `created_at` included, is refused.
- `Model`: a stored message: `Data` plus the id, the sender's `user_id` and `created_at`
  (milliseconds since the epoch, as JavaScript's `Date.now()`), which the `set_sender` and
  `set_created_at` hooks set on the server.
- `Patch`: what `patch` takes: the text, as in `Data`.
- `Query`: the fields clients may query (with `$gt`, `$lt`, `$in`, ...) and sort by: the
  chat page asks for the newest messages with `$sort: {created_at: -1}`.
- `messages_table`: the database table, derived from `Model`.
- `sender`: the resolver embedding the sender's public fields (`id`, `email`) as `user`.

See the schemas page of the feathers-py docs for the types and hooks.
"""

from __future__ import annotations

from feathers.errors import NotFound
from feathers.schema import partial_model, query_model
from feathers.sql import sql_table
from pydantic import BaseModel, ConfigDict, Field

from chat.database import metadata

MAX_TEXT_LENGTH = 400


class Data(BaseModel):
    """What clients send to create a message."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)


class Model(Data):
    """A stored message."""

    id: int
    user_id: int
    created_at: int


Patch = partial_model(Data)
Query = query_model(Model, fields=["id", "text", "user_id", "created_at"])

messages_table = sql_table(Model, metadata, "messages")


async def sender(value, message, context):
    """The sender's public fields, `{"id", "email"}` (None when the user is gone)."""
    try:
        user = await context.app.service("users").get(message["user_id"])
    except NotFound:
        return None
    return {"id": user["id"], "email": user["email"]}
