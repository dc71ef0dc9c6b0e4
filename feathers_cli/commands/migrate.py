"""`feathers migrate`: parses the revision and environment, runs the project's migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..errors import CLIError
from ..project import find_project

__all__ = ["migrate"]

EPILOG = (
    "Examples:\n\n"
    "  feathers migrate\n\n"
    "  feathers migrate --env test --reset\n\n"
    "  FEATHERS_ENV=production feathers migrate"
)

RevisionArgument = Annotated[
    str, typer.Argument(help="The revision to upgrade to (default: the latest).")
]
EnvOption = Annotated[
    str | None,
    typer.Option(
        "--env", help="The environment whose database to migrate (default: FEATHERS_ENV)."
    ),
]
ResetOption = Annotated[
    bool, typer.Option("--reset", help="Downgrade to an empty database first (drops the data).")
]


def migrate(
    revision: RevisionArgument = "head", env: EnvOption = None, reset: ResetOption = False
) -> None:
    """Bring the database up to date with the migrations in migrations/versions/.

    Works from any folder of the project.

    The database is the one config/ names (database.url) for FEATHERS_ENV, or for --env.

    To go back a revision: `alembic downgrade -1`, from the project folder.
    """
    from ..generators.migrate import plan_migration, run_migration

    project = find_project(Path.cwd())
    plan = plan_migration(project, revision, environment=env, reset=reset)
    where = env or os.environ.get("FEATHERS_ENV") or "development"
    typer.echo(f"Migrating the {where} database of {project.package} to {revision}", err=True)
    code = run_migration(plan)
    if code != 0:
        raise CLIError(f"the migration failed (exit code {code}); see the messages above")
    typer.echo("The database is up to date.", err=True)
