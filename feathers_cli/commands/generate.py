"""`feathers generate` (alias `g`): the commands that grow a project, a thin layer over
`generators.service`, `generators.hook`, `generators.connection` and `generators.sync`.

Each command finds the project from the current folder, plans every change (which validates
everything), then prints the plan (`--dry-run`, `--json`) or applies it, all files or none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..project import Project, find_project
from .output import DryRunOption, JsonOption, NoInstallOption, YesOption, finish, interactive

__all__ = ["generate_app"]

generate_app = typer.Typer(
    name="generate",
    help="Add services, hooks, a database or sync to the project in (or above) this folder.",
    epilog=(
        "Examples:\n\n"
        "  feathers generate service messages\n\n"
        "  feathers g service todos --path api/todos --adapter custom\n\n"
        "  feathers g hook log_runtime --type around --service messages\n\n"
        "  feathers g connection --database sqlite\n\n"
        "  feathers g sync"
    ),
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _option(help: str, *names: str) -> typer.models.OptionInfo:
    return typer.Option(*names, help=help, show_default=False)


ServiceName = Annotated[
    str,
    typer.Argument(
        help="Service name: `MessageThreads` gives module message_threads, class "
        "MessageThreadsService, path message-threads. A nested name (api/todos) nests."
    ),
]
PathOption = Annotated[
    str | None,
    _option(
        "Path clients use (default: the name in kebab-case); api/todos nests the folder as "
        "services/api/todos/."
    ),
]
AdapterOption = Annotated[
    str | None,
    _option(
        "sql (a table of the app's database, and its migration; the default when the project "
        "has a database), memory (Feathers' memory adapter; the default otherwise) or custom "
        "(your own class)."
    ),
]
MethodsOption = Annotated[
    str | None,
    _option(
        "Methods clients may call, comma separated (default: find,get,create,patch,remove; "
        "update only when asked)."
    ),
]
SchemaOption = Annotated[
    str | None,
    _option(
        "pydantic (default: a schema.py with the models validating data and queries; for sql "
        "the table is derived from it) or none (the service takes any data).",
        "--schema",
    ),
]
AuthOption = Annotated[
    bool | None,
    _option(
        'Whether clients must log in: --auth puts authenticate("jwt") first in its hooks '
        "(an anonymous call is NotAuthenticated, 401). Default: --auth when the project has "
        "authentication (`feathers generate authentication`, or `feathers new`), else --no-auth.",
        "--auth/--no-auth",
    ),
]


@generate_app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers generate service messages\n\n"
        "  feathers g service todos --path api/todos --methods find,get,create,update\n\n"
        "  feathers g service drafts --adapter memory --schema none\n\n"
        "  feathers g service notices --no-auth\n\n"
        "  feathers g service weather --adapter custom --methods find,get --dry-run"
    )
)
def service(
    name: ServiceName,
    path: PathOption = None,
    adapter: AdapterOption = None,
    methods: MethodsOption = None,
    schema: SchemaOption = None,
    auth: AuthOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a service: its folder, a test, and its registration in services/__init__.py.

    Files: <package>/services/<folder>/ (registration with hooks, class, schema.py unless
    --schema none) and tests/services/; sql services also get a migration in
    migrations/versions/ (then run `feathers migrate`). In a project with authentication
    clients must log in to call it (unless --no-auth).

    On a terminal, asks for --path, --adapter, --methods, --schema and, in a project with
    authentication, --auth when not given (unless --yes).
    """
    from ..generators.service import (
        ServiceAnswers,
        has_authentication,
        parse_methods,
        plan_service,
    )

    project = find_project(Path.cwd())
    if interactive(yes):
        path, adapter, methods = _ask_service(project, name, path, adapter, methods)
        schema = schema or _ask_schema()
    if auth is None:
        auth = has_authentication(project) and (not interactive(yes) or _ask_auth())
    answers = ServiceAnswers(
        name=name,
        path=path,
        adapter=adapter or _default_adapter(project),
        methods=None if methods is None else parse_methods(methods),
        schema=schema or "pydantic",
        auth=auth,
    )
    generated = plan_service(project, answers)
    finish(generated, dry_run=dry_run, as_json=as_json)


def _default_adapter(project: Project) -> str:
    from ..generators.service import default_adapter

    return default_adapter(project)


def _ask_service(
    project: Project, name: str, path: str | None, adapter: str | None, methods: str | None
) -> tuple[str, str, str]:
    from ..generators.names import service_names
    from ..generators.service import ADAPTERS, GENERATED_METHODS

    default_path = service_names(name).path if path is None else path
    path = path or typer.prompt("Path", default=default_path, err=True)
    adapter = adapter or typer.prompt(
        f"Adapter ({', '.join(ADAPTERS)})", default=_default_adapter(project), err=True
    )
    methods = methods or typer.prompt(
        "Methods clients may call", default=",".join(GENERATED_METHODS), err=True
    )
    return path, adapter, methods


def _ask_schema() -> str:
    from ..generators.schema import SCHEMAS

    return typer.prompt(f"Schema ({', '.join(SCHEMAS)})", default=SCHEMAS[0], err=True)


def _ask_auth() -> bool:
    return typer.confirm("Does this service require authentication?", default=True, err=True)


HookName = Annotated[
    str, typer.Argument(help="Hook name: `LogRuntime` gives hooks/log_runtime.py.")
]
StyleOption = Annotated[
    str | None,
    _option(
        "around (wraps the call with `await next()`) or regular (before/after/error). "
        "Default: around.",
        "--type",
    ),
]
ServiceOption = Annotated[str | None, _option("Register it in this generated service (its path).")]
MethodOption = Annotated[str | None, _option("The method to hook, or all (default: all).")]
PositionOption = Annotated[
    str | None,
    _option("before, after, around or error (default: around for around hooks, else before)."),
]


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
    name: HookName,
    hook_type: StyleOption = None,
    service: ServiceOption = None,
    method: MethodOption = None,
    position: PositionOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a hook with a working example and its test; --service also registers it.

    Files: <package>/hooks/<name>.py and tests/hooks/; --service edits that hook map.

    On a terminal, asks for --type when not given (unless --yes).
    """
    from ..generators.hook import HOOK_STYLES, HookAnswers, plan_hook

    project = find_project(Path.cwd())
    if hook_type is None and interactive(yes):
        hook_type = typer.prompt(f"Type ({', '.join(HOOK_STYLES)})", default="around", err=True)
    answers = HookAnswers(name, hook_type or HOOK_STYLES[0], service, method, position)
    generated = plan_hook(project, answers)
    finish(generated, dry_run=dry_run, as_json=as_json)


DatabaseOption = Annotated[
    str | None, _option("sqlite (a file under data/) or postgresql. Default: sqlite.")
]
UrlOption = Annotated[
    str | None,
    _option(
        "The database URL (default: data/development.sqlite, or "
        "postgresql://postgres@localhost:5432/PACKAGE). Tests use their own database."
    ),
]


@generate_app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers generate connection --database sqlite\n\n"
        "  feathers g connection --database postgresql "
        "--url postgresql://me:secret@localhost:5432/chat"
    ),
)
def connection(
    database: DatabaseOption = None,
    url: UrlOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    no_install: NoInstallOption = False,
) -> None:
    """Add a database to the project: config, the engine in app.py, Alembic migrations.

    For a project without one (`feathers new --database memory`); the tests get their own.

    On a terminal, asks for --database when not given (unless --yes).

    Then `feathers g service NAME` makes SQL services; `feathers migrate` creates their tables.
    """
    from ..generators.connection import SQL_DATABASES, ConnectionAnswers, plan_connection

    project = find_project(Path.cwd())
    if database is None and interactive(yes):
        choices = ", ".join(SQL_DATABASES)
        database = typer.prompt(f"Database ({choices})", default=SQL_DATABASES[0], err=True)
    generated = plan_connection(project, ConnectionAnswers(database or SQL_DATABASES[0], url))
    finish(generated, dry_run=dry_run, as_json=as_json)
    if not dry_run and not no_install:
        from ..generators.connection import DEPENDENCIES

        database = generated.database
        _install_into_venv(project, DEPENDENCIES[database], f"the {database} driver")


def _install_into_venv(project: Project, packages: list[str], what: str) -> None:
    """Install a generator's new dependencies into the project's .venv, when it has one."""
    from ..first_run import install_packages

    if install_packages(project.root, packages):
        typer.echo(f"Installed {what} into .venv.", err=True)


SyncUrlOption = Annotated[
    str | None,
    _option(
        "The Redis server of the app's processes (default: redis://127.0.0.1:6379/0); "
        "FEATHERS_SYNC__URL overrides it when serving."
    ),
]


@generate_app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers generate sync\n\n"
        "  feathers g sync --url rediss://:secret@redis.internal:6380/0\n\n"
        "  feathers g sync --dry-run --json"
    ),
)
def sync(
    url: SyncUrlOption = None,
    no_install: NoInstallOption = False,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Share service events between the app's processes through Redis (feathers.sync).

    Edits: app.py (sync configured in create_app() when [sync] url is set), config/default.toml
    ([sync] url), config/test.toml (empty: the tests need no Redis), pyproject.toml (redis>=5);
    creates tests/test_sync.py. Installs redis-py into the project's .venv when it has one.

    On a terminal, asks for --url when not given (unless --yes).

    Then `feathers start --workers N` serves N processes on one port.
    """
    from ..generators.sync import DEFAULT_SYNC_URL, SYNC_DEPENDENCY, SyncAnswers, plan_sync

    project = find_project(Path.cwd())
    if url is None and interactive(yes):
        url = typer.prompt("Redis URL", default=DEFAULT_SYNC_URL, err=True)
    generated = plan_sync(project, SyncAnswers(url=url))
    finish(generated, dry_run=dry_run, as_json=as_json)
    if not dry_run and not no_install:
        _install_into_venv(project, [SYNC_DEPENDENCY], "redis-py")


EntityOption = Annotated[
    str, _option("The entity's name in params and login results (default: user).")
]
UsersPathOption = Annotated[
    str, typer.Option("--path", help="Path of the users service (default: users).")
]
StrategiesOption = Annotated[
    str,
    typer.Option(
        help="Login strategies: local (e-mail and password), then jwt (the token on every "
        "call). Default: local,jwt."
    ),
]


@generate_app.command(
    epilog=(
        "Examples:\n\n"
        "  feathers generate authentication\n\n"
        "  feathers g authentication --entity user --path users --strategies local,jwt\n\n"
        "  feathers g authentication --dry-run"
    )
)
def authentication(
    entity: EntityOption = "user",
    path: UsersPathOption = "users",
    strategies: StrategiesOption = "local,jwt",
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add users who sign up and log in: the users service, the authentication service,
    channels for logged-in connections, config, a secret in .env and tests.

    The users service is sql when the project has a database (then run `feathers migrate`),
    else memory. The signing secret goes into .env (git-ignored), never into config/.
    """
    from ..generators.authentication import (
        AuthenticationAnswers,
        parse_strategies,
        plan_authentication,
    )

    project = find_project(Path.cwd())
    answers = AuthenticationAnswers(entity, path, parse_strategies(strategies))
    generated = plan_authentication(project, answers)
    finish(generated, dry_run=dry_run, as_json=as_json)
