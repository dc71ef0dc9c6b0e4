"""Create the users table (the `users` service) and the authentication store's tables.

`feathers_auth_failures` counts failed logins per username and address (the login limit),
`feathers_auth_revoked` holds the ids of logged-out tokens until they expire; the runtime's
SQL store (feathers.authentication) uses them.

Revision ID: 8b8778a2a5d6
Revises: nothing (the first migration)
Created: 2026-12-06 19:42:43 UTC
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8b8778a2a5d6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("password", sa.String(255), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "feathers_auth_failures",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("window_end", sa.Float, nullable=False),
    )
    op.create_table(
        "feathers_auth_revoked",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("feathers_auth_revoked")
    op.drop_table("feathers_auth_failures")
    op.drop_table("users")
