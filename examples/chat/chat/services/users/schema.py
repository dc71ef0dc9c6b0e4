"""What clients may send to the `users` service (pydantic models, feathers.schema).

`validate_data` checks sign-ups and changes before the password is hashed: an
`email` that looks like an e-mail address, a password of 8 characters or more,
and no other fields (a client cannot choose its `id`). A failure is a BadRequest naming the
field; the value itself is never echoed back.
"""

from __future__ import annotations

from feathers.schema import partial_model
from pydantic import BaseModel, ConfigDict, Field


class UserData(BaseModel):
    """A sign-up (`create`) or a whole new record (`update`)."""

    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=1024)


UserPatch = partial_model(UserData)
"""A `patch`: any of the fields, each checked as in UserData."""
