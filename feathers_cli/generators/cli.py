"""`feathers generate` (alias `g`): the commands that grow a project, a thin layer over
`generators.service`, `generators.hook` and `generators.connection`.

Each command finds the project from the current folder, plans every change (which validates
everything), then prints the plan (`--dry-run`) or applies it, all files or none. Errors are
`CLIError`s, turned into exit codes by `feathers_cli.main`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..inject import Changes, apply_changes
from ..project import find_project

__all__ = ["generate_app"]

generate_app = typer.Typer(
    name="generate",
    help="Add services, hooks and a database to the project in (or above) the current folder.",
    epilog=(
        "Examples:\n\n"
        "  feathers generate service messages\n\n"
        "  feathers g service todos --path api/todos --adapter custom\n\n"
        "  feathers g hook log_runtime --type around --service messages\n\n"
        "  feathers g connection --database sqlite"
    ),
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Take the defaults for every flag not given.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the files and edits it would make; write nothing.")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the files and edits as JSON on stdout.")
]


@generate_app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers generate service messages\n\n"
        "  feathers g service todos --path api/todos --methods find,get,create,update\n\n"
        "  feathers g service drafts --adapter memory\n\n"
        "  feathers g service weather --adapter custom --methods find,get --dry-run"
    )
)
def service(
    name: Annotated[
        str,
        typer.Argument(
            help="Service name: `MessageThreads` gives module message_threads, class "
            "MessageThreadsService, path message-threads. A nested name (api/todos) nests."
        ),
    ],
    path: Annotated[
        str | None,
        typer.Option(
            help="Path clients use (default: the name in kebab-case); api/todos nests the "
            "folder as services/api/todos/.",
            show_default=False,
        ),
    ] = None,
    adapter: Annotated[
        str | None,
        typer.Option(
            help="sql (a table of the app's database, and its migration; the default when "
            "the project has a database), memory (Feathers' memory adapter; the default "
            "otherwise) or custom (your own class).",
            show_default=False,
        ),
    ] = None,
    methods: Annotated[
        str | None,
        typer.Option(
            help="Methods clients may call, comma separated "
            "(default: find,get,create,patch,remove; update only when asked).",
            show_default=False,
        ),
    ] = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a service: its folder, a test, and its registration in services/__init__.py.

    Files: <package>/services/<folder>/ (registration with hooks, class) and tests/services/;
    sql services also get a migration in migrations/versions/ (then run `feathers migrate`).

    On a terminal, asks for --path, --adapter and --methods when not given (unless --yes).
    """
    from .names import service_names
    from .service import (
        ADAPTERS,
        DEFAULT_METHODS,
        ServiceAnswers,
        default_adapter,
        parse_methods,
        plan_service,
    )

    project = find_project(Path.cwd())
    default_path = service_names(name).path if path is None else path
    if _interactive(yes):
        path = path or typer.prompt("Path", default=default_path, err=True)
        adapter = adapter or typer.prompt(
            f"Adapter ({', '.join(ADAPTERS)})", default=default_adapter(project), err=True
        )
        methods = methods or typer.prompt(
            "Methods clients may call", default=",".join(DEFAULT_METHODS), err=True
        )
    answers = ServiceAnswers(
        name=name,
        path=path,
        adapter=adapter or default_adapter(project),
        methods=None if methods is None else parse_methods(methods),
    )
    generated = plan_service(project, answers)
    test_file = next(p for p in generated.changes.created if p.name.startswith("test_"))
    next_steps = f"Run its tests: pytest {generated.changes.relative(test_file)}"
    if generated.adapter == "sql":
        next_steps += (
            "\nCreate its table in the development database: feathers migrate"
            "\n(add columns in its service.py, then: alembic revision --autogenerate -m "
            '"..." and feathers migrate)'
        )
    _finish(
        generated.changes,
        generated.to_json(),
        dry_run=dry_run,
        as_json=as_json,
        summary=(
            f"Service {generated.names.class_name} at path '{generated.names.path}' "
            f"({generated.adapter}; methods {','.join(generated.methods)})."
        ),
        next_steps=next_steps,
    )


@generate_app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers generate hook log_runtime --type around\n\n"
        "  feathers g hook log_runtime --type around --service messages\n\n"
        "  feathers g hook stamp --type regular --service messages --method create "
        "--position before"
    )
)
def hook(
    name: Annotated[
        str, typer.Argument(help="Hook name: `LogRuntime` gives hooks/log_runtime.py.")
    ],
    hook_type: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="around (wraps the call with `await next()`) or regular "
            "(before/after/error). Default: around.",
            show_default=False,
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(help="Register it in this generated service (its path).", show_default=False),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(help="The method to hook, or all (default: all).", show_default=False),
    ] = None,
    position: Annotated[
        str | None,
        typer.Option(
            help="before, after, around or error (default: around for around hooks, else before).",
            show_default=False,
        ),
    ] = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a hook with a working example and its test; --service also registers it.

    Files: <package>/hooks/<name>.py and tests/hooks/; --service edits that hook map.

    On a terminal, asks for --type when not given (unless --yes).
    """
    from .hook import HOOK_TYPES, HookAnswers, plan_hook

    project = find_project(Path.cwd())
    if hook_type is None and _interactive(yes):
        hook_type = typer.prompt(f"Type ({', '.join(HOOK_TYPES)})", default="around", err=True)
    answers = HookAnswers(
        name=name,
        type=hook_type or HOOK_TYPES[0],
        service=service,
        method=method,
        position=position,
    )
    generated = plan_hook(project, answers)
    registration = generated.registration
    if registration is None:
        summary = f"Hook {generated.function} ({generated.type}) in {generated.module_path}."
        next_steps = generated.how_to_register()
    else:
        summary = (
            f"Hook {generated.function} ({generated.type}) registered on "
            f"'{registration.service}' {registration.position} {registration.method}."
        )
        next_steps = "Run the tests: pytest"
    _finish(
        generated.changes,
        generated.to_json(),
        dry_run=dry_run,
        as_json=as_json,
        summary=summary,
        next_steps=next_steps,
    )


@generate_app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers generate connection --database sqlite\n\n"
        "  feathers g connection --database postgresql "
        "--url postgresql://me:secret@localhost:5432/chat"
    ),
)
def connection(
    database: Annotated[
        str | None,
        typer.Option(help="sqlite (a file under data/) or postgresql.", show_default=False),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            help="The database URL (default: data/development.sqlite, or "
            "postgresql://postgres@localhost:5432/PACKAGE). Tests use their own database.",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a database to the project: config, the engine in app.py, Alembic migrations.

    For a project without one (`feathers new --database memory`); the tests get their own.

    Then `feathers g service NAME` makes SQL services; `feathers migrate` creates their tables.
    """
    from .connection import ConnectionAnswers, plan_connection

    project = find_project(Path.cwd())
    generated = plan_connection(project, ConnectionAnswers(database or "sqlite", url))
    _finish(
        generated.changes,
        generated.to_json(),
        dry_run=dry_run,
        as_json=as_json,
        summary=(
            f"Database {generated.database} at {generated.url} (tests: {generated.test_url})."
        ),
        next_steps=(
            "Next: pip install -e '.[test]' (new dependencies), then "
            "`feathers generate service NAME` and `feathers migrate`."
        ),
    )


def _interactive(yes: bool) -> bool:
    return not yes and sys.stdin.isatty() and sys.stdout.isatty()


def _finish(
    changes: Changes,
    result: dict[str, Any],
    *,
    dry_run: bool,
    as_json: bool,
    summary: str,
    next_steps: str,
) -> None:
    if not dry_run:
        apply_changes(changes)
    if as_json:
        typer.echo(json.dumps({"dry_run": dry_run, "project": str(changes.root), **result}))
        return
    heading = "Dry run, nothing written. " if dry_run else ""
    typer.echo(f"{heading}{summary}\n\n{changes.describe(dry_run=dry_run)}", err=True)
    if not dry_run:
        typer.echo(f"\n{next_steps}", err=True)
