"""`feathers new`: a project folder from the copier template `templates/app`, runtime vendored.

    names = project_names("my-app")          # folder "my-app", package "my_app"
    answers = NewAnswers(names, description=None, transports=["socketio"], database=None)
    created = create_project(answers, Path("my-app"), ask=False)

A project with a database (`sqlite`, the default, or `postgresql`) gets its connection from
`generators.connection.add_database` once the template is rendered and the runtime vendored:
config, engine, Alembic migrations, the tests' own database.

Everything is checked before anything is written. The project is rendered into a hidden
temporary folder next to the target and renamed into place at the end, so a failure or a
Ctrl-C leaves no folder behind.
"""

from __future__ import annotations

import keyword
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..app_template import render_app
from ..errors import CLIError, UsageError
from ..inject import Plan, apply_changes
from ..project import find_project
from ..vendor import file_hashes, vendor_runtime
from .authentication import (
    DEFAULT_STRATEGIES,
    AuthenticationAnswers,
    parse_strategies,
    plan_authentication,
)
from .connection import (
    DATABASES,
    GeneratedConnection,
    add_database,
    database_urls,
    url_database,
)
from .landing import plan_bundles
from .sync import DEFAULT_SYNC_URL, add_sync

__all__ = [
    "DATABASES",
    "DEFAULT_DESCRIPTION",
    "TRANSPORTS",
    "CreatedProject",
    "NewAnswers",
    "create_project",
    "parse_auth",
    "parse_choice",
    "parse_database",
    "parse_transports",
    "project_names",
]

# The choices of copier.yml; tests/cli check both lists agree.
TRANSPORTS = ("socketio", "rest")
DEFAULT_TRANSPORTS = ("socketio", "rest")
DEFAULT_DATABASE = "sqlite"
DEFAULT_DESCRIPTION = "A Feathers real-time app"

# Import names a generated project cannot take without shadowing something it imports: the
# runtime, its dependencies and test tools, and the project's own top-level folders.
RESERVED_NAMES = frozenset(
    {
        "feathers",
        "feathers_cli",
        "socketio",
        "engineio",
        "uvicorn",
        "watchfiles",
        "websockets",
        "httptools",
        "uvloop",
        "dotenv",
        "yaml",
        "starlette",
        "qs_codec",
        "httpx",
        "httpcore",
        "h11",
        "click",
        "anyio",
        "sniffio",
        "idna",
        "bidict",
        "simple_websocket",
        "wsproto",
        "pytest",
        "pytest_asyncio",
        "aiohttp",
        "aiosignal",
        "multidict",
        "yarl",
        "frozenlist",
        "attr",
        "attrs",
        "pluggy",
        "iniconfig",
        "packaging",
        "config",
        "tests",
        "test",  # CPython's own tests; not in sys.stdlib_module_names
    }
)
_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class ProjectNames:
    """The names derived from what the user typed: `My-App` -> folder `My-App`, package `my_app`."""

    folder: str
    package: str


def project_names(name: str) -> ProjectNames:
    """Check a project name and derive its folder and package names; `CLIError` if unusable."""
    if not _NAME_PATTERN.fullmatch(name):
        if name[:1].isdigit():
            reason = "it starts with a digit"
        else:
            reason = "use letters, digits, '-' and '_', starting with a letter"
        raise CLIError(f"invalid project name {name!r}: {reason}")
    package = name.lower().replace("-", "_")
    if keyword.iskeyword(package):
        raise CLIError(f"invalid project name {name!r}: {package!r} is a Python keyword")
    if package in RESERVED_NAMES:
        raise CLIError(
            f"invalid project name {name!r}: the package {package!r} would shadow "
            "a module the project needs; pick another name"
        )
    if package in sys.stdlib_module_names:
        raise CLIError(
            f"invalid project name {name!r}: the package {package!r} would shadow "
            "Python's standard library module of that name; pick another name"
        )
    return ProjectNames(folder=name, package=package)


def parse_transports(value: str) -> list[str]:
    """`"socketio"` or a comma list -> the transports, each one of `TRANSPORTS`, in order."""
    transports: list[str] = []
    for item in value.split(","):
        transport = parse_choice("--transport", item.strip(), TRANSPORTS)
        if transport not in transports:
            transports.append(transport)
    return transports


def parse_choice(flag: str, value: str, choices: tuple[str, ...]) -> str:
    """`value` if it is one of `choices`, else a `UsageError` naming the flag and choices."""
    if value not in choices:
        raise UsageError(f"{flag} {value!r} is not supported; choose from: {', '.join(choices)}")
    return value


def parse_auth(value: str) -> tuple[str, ...]:
    """`--auth`: `"local,jwt"` -> the strategies, `"none"` -> `()` (no authentication)."""
    if value.strip() == "none":
        return ()
    try:
        return parse_strategies(value, flag="--auth")
    except UsageError:
        raise UsageError(
            f"--auth {value!r} is not supported; choose local,jwt (users log in with an e-mail "
            "and a password, then tokens; the default) or none"
        ) from None


def parse_database(database: str | None, url: str | None) -> str | None:
    """`--database` checked against `--database-url`: the URL's database when only the URL
    is given, None when neither is (asked, or the default); `UsageError` when they disagree."""
    if database is not None:
        parse_choice("--database", database, DATABASES)
    if url is None:
        return database
    if database is None:
        database = url_database(url)
        if database is None:
            raise UsageError(
                f"--database-url {url!r} is not a sqlite or postgresql URL "
                "(e.g. sqlite:///data/app.sqlite, postgresql://user:password@localhost/app)"
            )
    if database == "memory":
        raise UsageError("--database-url needs --database sqlite or postgresql")
    return database


@dataclass(frozen=True)
class NewAnswers:
    """The answers of `feathers new`; None means "not given" (asked, or the default).

    `database_url` is the development database's URL (`--database-url`); None takes the
    default of the database (see `generators.connection.default_url`).
    """

    names: ProjectNames
    description: str | None = None
    transports: list[str] | None = None
    database: str | None = None
    database_url: str | None = None
    sync: str | None = None
    """`--sync redis`: events shared between processes (`generators.sync`); None: none."""
    auth: tuple[str, ...] = DEFAULT_STRATEGIES
    """The login strategies of `feathers generate authentication`; `()` for none."""

    def missing_flags(self) -> list[str]:
        """The flags of the answers not given, in the order copier would ask for them."""
        given = {
            "--description": self.description,
            "--transport": self.transports,
            "--database": self.database,
        }
        return [flag for flag, value in given.items() if value is None]

    def copier_data(self) -> dict[str, Any]:
        """The given answers as copier data; copier asks for (or defaults) the rest."""
        data: dict[str, Any] = {
            "project_name": self.names.folder,
            "package": self.names.package,
            "runtime_version": __version__,
        }
        if self.description is not None:
            data["description"] = self.description
        if self.transports is not None:
            data["transports"] = self.transports
        if self.database is not None:
            data["database"] = self.database
        return data


@dataclass(frozen=True)
class CreatedProject:
    root: Path
    package: str
    files: list[str]
    database: str = "memory"
    database_url: str | None = None
    """The development database's URL (None for `memory`); the tests use `test_database_url`."""
    test_database_url: str | None = None
    auth: tuple[str, ...] = ()
    bundles: list[str] | None = None
    """The browser bundle files copied into public/; None when this feathers-py has none."""
    sync_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "new",
            "package": self.package,
            "auth": list(self.auth),
            "bundles": self.bundles,
            "sync": None if self.sync_url is None else {"url": self.sync_url},
            "database": {
                "name": self.database,
                "url": self.database_url,
                "test_url": self.test_database_url,
            },
            "created": self.files,
            "edited": [],
            "removed": [],
        }


def check_target(target: Path) -> None:
    """Refuse a target that is a file, a non-empty folder, or has no parent folder."""
    if target.exists() and not target.is_dir():
        raise CLIError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise CLIError(f"{target} exists and is not empty; pick another name or --directory")
    if not target.parent.is_dir():
        raise CLIError(f"the folder {target.parent} does not exist")


def create_project(
    answers: NewAnswers, target: Path, *, ask: bool, dry_run: bool = False
) -> CreatedProject:
    """Render the template and vendor the runtime into `target` (absent or empty).

    `ask` lets copier prompt for the answers that are None (needs a terminal); otherwise
    they take the template's defaults. With `dry_run`, the project is built in a hidden
    folder next to `target`, listed, and removed: nothing is left behind.
    """
    answers = _checked(answers)
    target = target.absolute()
    check_target(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o777 & ~_current_umask())  # mkdtemp makes it private (0o700)
        connection, bundles = _build(staging, answers, ask=ask)
        files = sorted(
            path.relative_to(staging).as_posix() for path in staging.rglob("*") if path.is_file()
        )
        check_target(target)
        if dry_run:
            shutil.rmtree(staging)
        else:
            if target.is_dir():
                target.rmdir()
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    created = CreatedProject(
        root=target,
        package=answers.names.package,
        files=files,
        bundles=bundles,
        auth=answers.auth,
    )
    if answers.sync is not None:
        created = replace(created, sync_url=DEFAULT_SYNC_URL)
    if connection is None:
        return created
    return replace(
        created,
        database=connection.database,
        database_url=connection.url,
        test_database_url=connection.test_url,
    )


def _checked(answers: NewAnswers) -> NewAnswers:
    if answers.description is not None and "\n" in answers.description:
        raise UsageError("--description must be a single line")
    database = parse_database(answers.database, answers.database_url)
    if database not in (None, "memory"):
        database_urls(answers.names.package, database, answers.database_url, flag="--database-url")
    return replace(answers, database=database)


def _build(
    staging: Path, answers: NewAnswers, *, ask: bool
) -> tuple[GeneratedConnection | None, list[str] | None]:
    """The template, the runtime (its manifest records the template's files, for
    `feathers upgrade`), the browser bundles in public/ (not template files: build output),
    then the database the answers name. Returns the connection and the bundles copied."""
    render_app(staging, answers.copier_data(), ask=ask)
    vendor_runtime(staging, template=file_hashes(staging))
    plan = Plan(staging)
    bundles = plan_bundles(plan, staging)
    apply_changes(plan.finish())
    # the database may come from copier's question: read back from [tool.feathers]
    connection = add_database(staging, answers.database_url)
    if answers.sync is not None:
        add_sync(staging, answers.sync)
    if answers.auth:
        # after the database, so that the users service is a SQL one when there is one
        generated = plan_authentication(
            find_project(staging), AuthenticationAnswers(strategies=answers.auth)
        )
        apply_changes(generated.changes)
    return connection, bundles


def _current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
