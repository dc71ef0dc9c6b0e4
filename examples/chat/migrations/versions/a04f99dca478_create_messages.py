"""Create the messages table (the `messages` service).

Revision ID: a04f99dca478
Revises: 8b8778a2a5d6
Created: 2026-12-06 19:42:44 UTC
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a04f99dca478"
down_revision = "8b8778a2a5d6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the table `sql_table(Model, ...)` derives from services/.../schema.py, with the chat's
    # fields: the text (400 characters at most), its sender and when it was sent (ms)
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=400), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("messages")
