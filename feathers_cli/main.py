"""The `feathers` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes: 0 ok, 1 a user error (`CLIError`, one line on stderr), 2 a usage error.
Every command's work lives in a module (generators.new, generators.migrate, dev, vendor);
this file only wires.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

from . import __version__
from .errors import CLIError
from .generators.cli import generate_app
from .project import find_project

if TYPE_CHECKING:
    from .generators.new import CreatedProject


class FeathersGroup(TyperGroup):
    """The one place where typed errors of every command (sub-apps too) become exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CLIError as error:
            typer.echo(f"Error: {error.message}", err=True)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    name="feathers",
    cls=FeathersGroup,
    help="Feathers for Python: create real-time apps and grow them.",
    epilog=(
        "Examples:\n\n"
        "  feathers new chat --yes\n\n"
        "  cd chat && feathers migrate && feathers dev --port 3030\n\n"
        "  feathers upgrade"
    ),
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# `feathers generate` and its alias `feathers g`: the sub-app of generators/cli.py.
app.add_typer(generate_app, name="generate")
app.add_typer(generate_app, name="g", hidden=True)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"feathers-py {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Feathers for Python: create real-time apps and grow them."""


@app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers new chat --yes\n\n"
        "  feathers new my-app --description 'Team chat' --transport socketio --database memory\n\n"
        "  feathers new api --database postgresql "
        "--database-url postgresql://me:secret@localhost:5432/api --yes\n\n"
        "  feathers new api --directory services/api --yes"
    )
)
def new(
    name: Annotated[
        str, typer.Argument(help="Project name: `my-app` makes folder my-app, package my_app.")
    ],
    directory: Annotated[
        Path | None,
        typer.Option("--directory", "-d", help="Folder to create (default: ./NAME)."),
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line describing the app.", show_default=False)
    ] = None,
    transport: Annotated[
        str | None,
        typer.Option(help="Transports, comma separated: socketio.", show_default=False),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            help="Where services keep data: sqlite (the default: a file under data/), "
            "postgresql, or memory (no database).",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="The development database's URL (default: sqlite:///data/development.sqlite, "
            "or postgresql://postgres@localhost:5432/PACKAGE). Tests use their own database.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Take the defaults for every flag not given.")
    ] = False,
) -> None:
    """Create a project: app package, config, tests and the vendored runtime.

    On a terminal, asks for the answers not given as flags (unless --yes).

    Without a terminal, every answer must come from a flag or from --yes.
    """
    from .generators import format_tree
    from .generators.new import (
        NewAnswers,
        create_project,
        parse_database,
        parse_transports,
        project_names,
    )

    answers = NewAnswers(
        names=project_names(name),
        description=description,
        transports=None if transport is None else parse_transports(transport),
        database=parse_database(database, database_url),
        database_url=database_url,
    )
    missing = answers.missing_flags()
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if missing and not yes and not interactive:
        raise CLIError(
            "no terminal to ask for the missing answers; pass "
            + ", ".join(missing)
            + ", or --yes to take their defaults"
        )
    target = directory if directory is not None else Path(answers.names.folder)
    created = create_project(answers, target, ask=bool(missing) and not yes)

    runtime = [path for path in created.files if path.startswith("feathers/")]
    shown = [path for path in created.files if not path.startswith("feathers/")]
    shown.append(f"feathers  (the vendored runtime: {len(runtime)} files)")
    where = _relative(created.root)
    typer.echo(
        f"Created {answers.names.folder} (package {answers.names.package}) in {where}\n\n"
        + format_tree(shown, f"{created.root.name}/")
        + "\n\n"
        + _database_summary(created, database_url is None)
        + "\n\nNext steps:\n"
        + f"  cd {where}\n"
        + "  python -m venv .venv && . .venv/bin/activate\n"
        + '  pip install -e ".[test]"\n'
        + "  pytest\n"
        + ("" if created.database == "memory" else "  feathers migrate\n")
        + "  feathers dev",
        err=True,
    )


def _database_summary(created: CreatedProject, default_url: bool) -> str:
    if created.database == "memory":
        return "Database: none (services keep their data in memory)."
    summary = (
        f"Database: {created.database} at {created.database_url}"
        f"{' (the default)' if default_url else ''}; "
        f"the tests use {created.test_database_url}."
    )
    if created.database == "postgresql" and default_url:
        summary += (
            "\nBoth databases must exist on that server: pass --database-url, or edit "
            "[database] url in config/default.toml (FEATHERS_DATABASE__URL overrides it)."
        )
    return summary


HostOption = Annotated[
    str | None, typer.Option(help="Host to listen on (default: the config's host).")
]
PortOption = Annotated[
    int | None,
    typer.Option(min=0, max=65535, help="Port to listen on (default: the config's port)."),
]


@app.command(epilog="Examples:\n\n  feathers dev\n\n  feathers dev --host 127.0.0.1 --port 4000")
def dev(host: HostOption = None, port: PortOption = None) -> None:
    """Run the project with uvicorn, reloading when its code or config changes.

    Works from the project root or any subfolder; --host and --port override the config.
    """
    _serve(host, port, reload=True)


@app.command(epilog="Examples:\n\n  feathers start\n\n  FEATHERS_ENV=production feathers start")
def start(host: HostOption = None, port: PortOption = None) -> None:
    """Run the project with uvicorn without reloading, as in production."""
    _serve(host, port, reload=False)


def _serve(host: str | None, port: int | None, *, reload: bool) -> None:
    from .dev import plan_server, run_server
    from .process import exec_server

    project = find_project(Path.cwd())
    plan = plan_server(project, host=host, port=port, reload=reload)
    mode = "reloading on changes" if reload else "no reload"
    python = "" if plan.command[0] == sys.executable else f", Python: {plan.command[0]}"
    typer.echo(f"Serving {project.package} on {plan.url} ({mode}{python}); Ctrl-C stops", err=True)
    if reload:  # uvicorn's reloader gets SIGINT/SIGTERM forwarded (feathers_cli/process.py)
        code = run_server(plan, cwd=project.root)
    else:  # the server takes this process over: signals reach app.listen() directly
        code = exec_server(plan.command, project.root, plan.environ)
    raise typer.Exit(code)


@app.command(epilog="Examples:\n\n  feathers upgrade\n\n  feathers upgrade --force")
def upgrade(
    force: Annotated[
        bool, typer.Option("--force", help="Replace vendored files even if edited by hand.")
    ] = False,
) -> None:
    """Refresh the project's vendored runtime (`feathers/`) from this feathers-py."""
    from .vendor import RUNTIME_PACKAGE, upgrade_runtime

    project = find_project(Path.cwd())
    result = upgrade_runtime(project.root, force=force)
    if result.up_to_date:
        typer.echo(f"The runtime is up to date (feathers-py {result.to_version}).", err=True)
        return
    typer.echo(
        f"Upgraded the runtime from feathers-py {result.from_version} to {result.to_version}:",
        err=True,
    )
    for name in result.added:
        typer.echo(f"  added {RUNTIME_PACKAGE}/{name}", err=True)
    for name in result.changed:
        label = "replaced the hand-edited" if name in result.hand_edited else "updated"
        typer.echo(f"  {label} {RUNTIME_PACKAGE}/{name}", err=True)
    for name in result.removed:
        typer.echo(f"  removed {RUNTIME_PACKAGE}/{name}", err=True)
    for name in result.untracked:
        typer.echo(f"  left alone {RUNTIME_PACKAGE}/{name} (not part of the runtime)", err=True)


@app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers migrate\n\n"
        "  feathers migrate --env test --reset\n\n"
        "  FEATHERS_ENV=production feathers migrate"
    ),
)
def migrate(
    revision: Annotated[
        str, typer.Argument(help="The revision to upgrade to (default: the latest).")
    ] = "head",
    env: Annotated[
        str | None,
        typer.Option(
            "--env", help="The environment whose database to migrate (default: FEATHERS_ENV)."
        ),
    ] = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Downgrade to an empty database first (drops the data)."),
    ] = False,
) -> None:
    """Bring the database up to date with the migrations in migrations/versions/.

    Works from any folder of the project.

    The database is the one config/ names (database.url) for FEATHERS_ENV, or for --env.

    To go back a revision: `alembic downgrade -1`, from the project folder.
    """
    from .generators.migrate import plan_migration, run_migration

    project = find_project(Path.cwd())
    plan = plan_migration(project, revision, environment=env, reset=reset)
    where = env or os.environ.get("FEATHERS_ENV") or "development"
    typer.echo(f"Migrating the {where} database of {project.package} to {revision}", err=True)
    code = run_migration(plan)
    if code != 0:
        raise CLIError(f"the migration failed (exit code {code}); see the messages above")
    typer.echo("The database is up to date.", err=True)


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)


if __name__ == "__main__":
    app()
