"""The `users` service class: the app's users, in the `users` table of its database.

`email` is unique (the database refuses a second user with the same one) and
`password` holds the argon2 hash that `hash_password("password")` made; `protect("password")`
keeps it on the server. To add a field, add a column below, then a migration for it (from
the project folder: `alembic revision --autogenerate -m "add a field to users"`) and
run `feathers migrate`.
"""

import sqlalchemy as sa
from feathers.sql import SQLService

from chat.database import metadata

users_table = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
    sa.Column("password", sa.String(255), nullable=False),
    sqlite_autoincrement=True,
)

# The tables of feathers.authentication's SQL store: failed logins per username and address
# (the login limit) and the ids of logged-out tokens. The runtime reads and writes them;
# they are defined here too so that `alembic revision --autogenerate` keeps them.
auth_failures_table = sa.Table(
    "feathers_auth_failures",
    metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("window_end", sa.Float, nullable=False),
)
auth_revoked_table = sa.Table(
    "feathers_auth_revoked",
    metadata,
    sa.Column("jti", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)


class UsersService(SQLService):
    """Users, one row each. To change what a method does, override it and call the adapter
    for the storage part::

        async def create(self, data, params=None):
            data = {**data, "email": data.get("email", "").strip().lower()}
            return await super().create(data, params)
    """

    def __init__(self, engine, **options):
        super().__init__(users_table, engine, **options)
