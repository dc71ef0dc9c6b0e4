"""`feathers new`: parses the answers, creates the project (`generators.new`), prints it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..bundles import HOW_TO_GET_THEM
from ..errors import CLIError
from ..tree import format_tree
from .output import DryRunOption, JsonOption, NoInstallOption, YesOption, is_terminal

if TYPE_CHECKING:
    from ..generators.new import CreatedProject, NewAnswers

__all__ = ["new"]

EPILOG = (
    "Examples:\n\n"
    "  feathers new chat --yes\n\n"
    "  feathers new my-app --description 'Team chat' --transport socketio --database memory\n\n"
    "  feathers new api --transport rest --yes\n\n"
    "  feathers new api --database postgresql "
    "--database-url postgresql://me:secret@localhost:5432/api --yes\n\n"
    "  feathers new api --directory services/api --yes\n\n"
    "  feathers new notes --auth none --database memory --yes"
)

NameArgument = Annotated[
    str, typer.Argument(help="Project name: `my-app` makes folder my-app, package my_app.")
]
DirectoryOption = Annotated[
    Path | None, typer.Option("--directory", "-d", help="Folder to create (default: ./NAME).")
]
DescriptionOption = Annotated[
    str | None, typer.Option(help="One line describing the app.", show_default=False)
]
TransportOption = Annotated[
    str | None,
    typer.Option(
        help="Transports, comma separated: socketio, rest (the default: both, on one port).",
        show_default=False,
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        help="Where services keep data: sqlite (the default: a file under data/), "
        "postgresql, or memory (no database).",
        show_default=False,
    ),
]
AuthOption = Annotated[
    str,
    typer.Option(
        help="Users who sign up and log in: local,jwt (the default: e-mail and password, "
        "then tokens; a random secret goes into .env) or none.",
    ),
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        help="The development database's URL (default: sqlite:///data/development.sqlite, "
        "or postgresql://postgres@localhost:5432/PACKAGE). Tests use their own database.",
        show_default=False,
    ),
]
SyncOption = Annotated[
    str | None,
    typer.Option(
        help="redis: service events shared by the app's processes through Redis "
        "(feathers generate sync; default: none).",
        show_default=False,
    ),
]


def new(
    name: NameArgument,
    directory: DirectoryOption = None,
    description: DescriptionOption = None,
    transport: TransportOption = None,
    database: DatabaseOption = None,
    database_url: DatabaseUrlOption = None,
    sync: SyncOption = None,
    auth: AuthOption = "local,jwt",
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    no_install: NoInstallOption = False,
) -> None:
    """Create a project: app package, config, tests and the vendored runtime.

    --dry-run lists the files it would create (and writes nothing); --json prints them as JSON.

    On a terminal, asks for the answers not given as flags (unless --yes).

    Without a terminal, every answer must come from a flag or from --yes.
    """
    from ..generators.new import create_project

    answers = _answers(name, description, transport, database, database_url, sync, auth)
    missing = answers.missing_flags()
    if missing and not yes and not is_terminal():
        raise CLIError(
            "no terminal to ask for the missing answers; pass "
            + ", ".join(missing)
            + ", or --yes to take their defaults"
        )
    target = directory if directory is not None else Path(answers.names.folder)
    created = create_project(answers, target, ask=bool(missing) and not yes, dry_run=dry_run)
    _print(created, answers.names.folder, database_url is None, dry_run=dry_run, as_json=as_json)
    if not dry_run:
        _first_run(created, install=not no_install)


def _answers(
    name: str,
    description: str | None,
    transport: str | None,
    database: str | None,
    database_url: str | None,
    sync: str | None,
    auth: str,
) -> NewAnswers:
    """The flags, parsed and checked (usage errors before anything is written)."""
    from ..generators.new import (
        NewAnswers,
        parse_auth,
        parse_database,
        parse_transports,
        project_names,
    )

    return NewAnswers(
        names=project_names(name),
        description=description,
        transports=None if transport is None else parse_transports(transport),
        database=parse_database(database, database_url),
        database_url=database_url,
        sync=None if sync is None else _parse_sync(sync),
        auth=parse_auth(auth),
    )


def _first_run(created: CreatedProject, *, install: bool) -> None:
    """Install the project into its .venv and migrate it (`first_run`), then the next steps."""
    from ..first_run import finish_new

    database = created.database != "memory"
    steps = finish_new(created.root, _relative(created.root), database=database, install=install)
    typer.echo(steps, err=True)


def _parse_sync(value: str) -> str:
    from ..generators.sync import parse_sync

    return parse_sync(value)


def _print(
    created: CreatedProject, folder: str, default_url: bool, *, dry_run: bool, as_json: bool
) -> None:
    if as_json:
        output = {"dry_run": dry_run, "project": str(created.root), **created.to_json()}
        typer.echo(json.dumps(output))
    elif dry_run:
        tree = format_tree(created.files, f"{created.root.name}/")
        typer.echo(f"Dry run, nothing written. Would create:\n{tree}", err=True)
    else:
        typer.echo(_report(created, folder, default_url), err=True)


def _report(created: CreatedProject, folder: str, default_url: bool) -> str:
    runtime = [path for path in created.files if path.startswith("feathers/")]
    shown = [path for path in created.files if not path.startswith("feathers/")]
    shown.append(f"feathers  (the vendored runtime: {len(runtime)} files)")
    where = _relative(created.root)
    return (
        f"Created {folder} (package {created.package}) in {where}\n\n"
        + format_tree(shown, f"{created.root.name}/")
        + "\n\n"
        + _database_summary(created, default_url)
        + _auth_summary(created)
        + _bundles_note(created)
        + _sync_summary(created)
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


def _bundles_note(created: CreatedProject) -> str:
    if created.bundles is not None:
        return ""
    return (
        f"\nNote: no live demo on the landing page (public/index.html): {HOW_TO_GET_THEM}; "
        "then `feathers upgrade` in the project copies them."
    )


def _sync_summary(created: CreatedProject) -> str:
    if created.sync_url is None:
        return ""
    return (
        f"\nSync: service events shared through Redis at {created.sync_url} "
        "(FEATHERS_SYNC__URL overrides it; the tests need no Redis): feathers start --workers N"
    )


def _auth_summary(created: CreatedProject) -> str:
    if not created.auth:
        return "\nAuthentication: none (`feathers generate authentication` adds it)."
    return (
        f"\nAuthentication: {','.join(created.auth)} with the users service; the signing "
        "secret is in .env (FEATHERS_AUTH_SECRET, git-ignored): set it in production's "
        "environment."
    )


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)
