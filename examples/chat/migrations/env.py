"""Alembic's environment: migrations run on the database of the current FEATHERS_ENV.

`target_metadata` is the app's `metadata`, which knows every table once the services are
imported, so `alembic revision --autogenerate` compares the tables with the database.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from feathers.sql import create_engine
from sqlalchemy.engine import Connection

import chat.services  # noqa: F401  (defines every table on the metadata)
from chat.config import load_config
from chat.database import metadata, resolve_url

config = context.config
if config.config_file_name and config.attributes.get("verbose", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata
# migrate(settings=...) passes the URL (the tests' database); else the current FEATHERS_ENV's.
url = config.attributes.get("url") or resolve_url(load_config()["database"])


def run_migrations(connection: Connection) -> None:
    # batch mode lets SQLite alter tables (it copies them)
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
