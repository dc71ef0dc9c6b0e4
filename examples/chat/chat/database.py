"""The database: its engine, the tables of the app, and migrations.

- `metadata` holds every table; each SQL service defines its table on it (see
  `services/*/service.py`).
- `configure_database(app)` creates the engine for the `database.url` setting of the current
  environment and stores it as `app.get("database_engine")`; SQL services use it.
- `migrate()` brings that database up to date with the Alembic migrations in `migrations/`
  (`feathers migrate` runs it; the tests run it on the test database first).

A relative SQLite path in the URL is relative to the project folder, so the app finds its
data wherever it is started from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from feathers.sql import create_engine, database_url

from .config import ROOT

metadata = sa.MetaData()


def resolve_url(settings: dict[str, Any]) -> str:
    """The URL of the `database` settings, with its async driver and absolute SQLite path."""
    url = sa.engine.make_url(database_url(str(settings["url"])))
    path = url.database
    in_memory = not path or path == ":memory:" or path.startswith("file:")
    if url.get_backend_name() == "sqlite" and not in_memory and not Path(path).is_absolute():
        url = url.set(database=str(ROOT / path))
    return url.render_as_string(hide_password=False)


def configure_database(app: Any) -> None:
    """Create the app's engine from its `database` settings (no connection is made yet)."""
    app.set("database_engine", create_engine(resolve_url(app.get("database"))))


def migrate(
    revision: str = "head",
    *,
    reset: bool = False,
    verbose: bool = False,
    settings: dict[str, Any] | None = None,
) -> None:
    """Upgrade the database of `settings` (default: the `database` settings of the current
    FEATHERS_ENV) to `revision` (default: the latest).

    With `reset`, first downgrade to an empty database (the tests start from one).
    """
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["verbose"] = verbose
    if settings is not None:
        config.attributes["url"] = resolve_url(settings)
    if reset:
        command.downgrade(config, "base")
    command.upgrade(config, revision)
