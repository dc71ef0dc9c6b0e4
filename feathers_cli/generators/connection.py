"""`feathers generate connection` (and `feathers new --database`): a database for a project.

    answers = ConnectionAnswers(database="sqlite", url=None)
    generated = plan_connection(project, answers)      # validates everything, writes nothing
    apply_changes(generated.changes)

It plans::

    <package>/database.py         metadata, configure_database(app), migrate()
    alembic.ini  migrations/env.py  migrations/script.py.mako  migrations/versions/
    <package>/app.py              + configure_database(app) at the connections marker, + import
    config/default.toml           + [database] url      (development data)
    config/test.toml              + [database] url      (the tests' own database)
    tests/conftest.py             + a session fixture that migrates the test database
    pyproject.toml                + SQLAlchemy, the driver and Alembic; [tool.feathers] database
    .gitignore                    + data/               (SQLite files)

SQL services (`feathers generate service NAME --adapter sql`) get their table module and a
migration from `sql_service_files`.
"""

from __future__ import annotations

import ast
import json
import re
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import CLIError, UsageError
from ..inject import AlreadyExists, Changes, Insertion, NewFile, apply_changes, plan_changes
from ..project import Project, find_project
from .names import ServiceNames

__all__ = [
    "DATABASES",
    "ConnectionAnswers",
    "GeneratedConnection",
    "add_database",
    "database_urls",
    "default_url",
    "has_database",
    "plan_connection",
    "sql_service_context",
    "sql_service_files",
    "url_database",
]

DATABASES = ("sqlite", "postgresql")
CONNECTIONS_MARKER = "# feathers:connections"
ENGINE_SETTING = "database_engine"
DEPENDENCIES = {
    "sqlite": ["sqlalchemy[asyncio]>=2.0.30,<3", "aiosqlite>=0.20", "alembic>=1.13,<2"],
    "postgresql": ["sqlalchemy[asyncio]>=2.0.30,<3", "asyncpg>=0.29", "alembic>=1.13,<2"],
}
SQLITE_URLS = ("sqlite:///data/development.sqlite", "sqlite:///data/test.sqlite")
_URL_SCHEMES = {"sqlite": ("sqlite",), "postgresql": ("postgresql", "postgres")}


@dataclass(frozen=True)
class ConnectionAnswers:
    database: str
    url: str | None = None


@dataclass(frozen=True)
class GeneratedConnection:
    database: str
    url: str
    test_url: str
    changes: Changes

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "connection",
            "connection": {"database": self.database, "url": self.url, "test_url": self.test_url},
            **self.changes.to_json(),
        }


def has_database(project: Project) -> bool:
    """Whether the project has a database connection (its `database.py`)."""
    return (project.package_dir / "database.py").is_file()


def database_urls(
    package: str, database: str, url: str | None, *, flag: str = "--url"
) -> tuple[str, str]:
    """The development and test URLs: SQLite files under data/, or the PostgreSQL URL and the
    same server's `<name>_test` database. `flag` names the option in error messages."""
    if database not in DATABASES:
        choices = ", ".join(DATABASES)
        raise UsageError(f"--database {database!r} is not supported; choose from: {choices}")
    if url is None:
        if database == "sqlite":
            return SQLITE_URLS
        url = default_url(package, database)
    if url_database(url) != database or any(c in url for c in "\n\r\"'"):
        raise UsageError(f"{flag} {url!r} is not a {database} URL (e.g. {_example(database)})")
    if database == "sqlite":
        return url, SQLITE_URLS[1]
    parts = urlsplit(url)
    name = parts.path.strip("/")
    if not name:
        raise UsageError(f"{flag} {url!r} names no database (e.g. {_example(database)})")
    return url, urlunsplit(parts._replace(path=f"/{name}_test"))


def default_url(package: str, database: str) -> str:
    """The development URL when none is given: a SQLite file under data/, or a local
    PostgreSQL server's database named after the package (its `postgres` role)."""
    if database == "sqlite":
        return SQLITE_URLS[0]
    return f"postgresql://postgres@localhost:5432/{package}"


def url_database(url: str) -> str | None:
    """The database a URL is for (`postgres+asyncpg://...` -> postgresql), or None."""
    scheme = urlsplit(url).scheme.partition("+")[0]
    return next((name for name, schemes in _URL_SCHEMES.items() if scheme in schemes), None)


def _example(database: str) -> str:
    if database == "sqlite":
        return "sqlite:///data/app.sqlite"
    return "postgresql://user:password@localhost:5432/app"


def plan_connection(project: Project, answers: ConnectionAnswers) -> GeneratedConnection:
    """Validate the answers against the project and compute every change, writing nothing."""
    url, test_url = database_urls(project.package, answers.database, answers.url)
    if has_database(project):
        where = (project.package_dir / "database.py").relative_to(project.root).as_posix()
        raise AlreadyExists(f"the project already has a database ({where}); nothing was written")
    context = {"package": project.package}
    root = project.root
    files = [
        NewFile(
            project.package_dir / "database.py", _render("connection/database.py.jinja", context)
        ),
        NewFile(root / "alembic.ini", _render("connection/alembic.ini.jinja", context)),
        NewFile(
            root / "migrations" / "env.py", _render("connection/migrations/env.py.jinja", context)
        ),
        NewFile(
            root / "migrations" / "script.py.mako",
            _template_text("connection/migrations/script.py.mako"),
        ),
        NewFile(root / "migrations" / "versions" / "__init__.py", ""),
    ]
    app_file = project.package_dir / "app.py"
    insertion = Insertion(
        app_file,
        CONNECTIONS_MARKER,
        ("configure_database(app)",),
        where="in create_app(), before the services are registered",
    )
    changes = plan_changes(root, files, [insertion])
    _edit(changes, app_file, "imports", ["from .database import configure_database"], _add_import)
    _append_toml(changes, root / "config" / "default.toml", url)
    _append_toml(changes, root / "config" / "test.toml", test_url)
    fixture = _render("connection/conftest_fixture.py.jinja", context)
    _edit(
        changes,
        root / "tests" / "conftest.py",
        "end",
        fixture.strip().splitlines(),
        _append(fixture, 2),
    )
    dependencies = DEPENDENCIES[answers.database]
    _edit(
        changes,
        project.pyproject,
        "[project] dependencies, [tool.feathers] database",
        [*dependencies, f'database = "{answers.database}"'],
        lambda text: _set_database(_add_dependencies(text, dependencies), answers.database),
    )
    if answers.database == "sqlite":
        gitignore = root / ".gitignore"
        if "data/" not in (gitignore.read_text(encoding="utf-8") if gitignore.is_file() else ""):
            _edit(changes, gitignore, "end", ["data/"], _append("# SQLite databases\ndata/\n"))
    return GeneratedConnection(answers.database, url, test_url, changes)


def add_database(root: Path, url: str | None = None) -> GeneratedConnection | None:
    """Add the connection that `[tool.feathers] database` of a new project names, with `url`
    (`--database-url`) or the default one; None for `memory`. `feathers new` calls this on
    the rendered project."""
    project = find_project(root)
    database = str(project.config.get("database", "memory"))
    if database == "memory":
        if url is not None:
            raise UsageError("--database-url needs --database sqlite or postgresql")
        return None
    database_urls(project.package, database, url, flag="--database-url")
    generated = plan_connection(project, ConnectionAnswers(database, url))
    apply_changes(generated.changes)
    return generated


def sql_service_files(project: Project, names: ServiceNames) -> list[NewFile]:
    """The migration creating the table of a new SQL service (its `service.py` is rendered
    from `sql/service.py.jinja` with `sql_service_context`)."""
    if not has_database(project):
        raise CLIError("--adapter sql needs a database: run `feathers generate connection` first")
    versions = project.root / "migrations" / "versions"
    revision = secrets.token_hex(6)
    context = {
        **sql_service_context(names),
        "revision": revision,
        "down_revision": _head_revision(versions),
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    migration = versions / f"{revision}_create_{names.qualified}.py"
    return [NewFile(migration, _render("sql/migration.py.jinja", context))]


def sql_service_context(names: ServiceNames) -> dict[str, Any]:
    """What `sql/*.jinja` templates need besides the service generator's context."""
    return {"table": names.qualified, "path": names.path, "engine_setting": ENGINE_SETTING}


def _head_revision(versions: Path) -> str | None:
    """The latest migration: the revision no other one revises (CLIError if there are two)."""
    revisions: dict[str, Any] = {}
    for file in sorted(versions.glob("*.py")):
        values = {}
        for node in ast.parse(file.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
        if isinstance(values.get("revision"), str):
            revisions[values["revision"]] = values.get("down_revision")
    revised = set()
    for down in revisions.values():
        revised.update(down if isinstance(down, list | tuple) else [down])
    heads = sorted(set(revisions) - revised)
    if len(heads) > 1:
        raise CLIError(
            f"the migrations have several heads ({', '.join(heads)}); merge them first "
            "(alembic merge heads)"
        )
    return heads[0] if heads else None


# -- editing files that have no marker --------------------------------------------------------


def _edit(
    changes: Changes, path: Path, where: str, shown: list[str], transform: Callable[[str], str]
) -> None:
    """Plan `transform` on the (planned) text of `path`, shown as an edit at `where`."""
    if path in changes.edited:
        original, before = changes.edited[path]
    elif path.is_file():
        original = before = path.read_bytes().decode("utf-8")
    else:
        raise CLIError(f"{changes.relative(path)} is missing; nothing was written")
    after = transform(before)
    if path.suffix == ".py":
        try:
            ast.parse(after)
        except SyntaxError as error:
            raise CLIError(
                f"the edit would leave {changes.relative(path)} unparsable "
                f"(line {error.lineno}: {error.msg}); nothing was written"
            ) from None
    changes.edited[path] = (original, after)
    changes.insertions.append(Insertion(path, where, tuple(shown)))


def _append(block: str, blank_lines: int = 1) -> Callable[[str], str]:
    gap = "\n" * (blank_lines + 1)
    return lambda text: f"{text.rstrip()}{gap}{block.strip()}\n"


def _append_toml(changes: Changes, path: Path, url: str) -> None:
    block = (
        "[database]\n"
        "# Where the services keep their data (FEATHERS_DATABASE__URL overrides it).\n"
        f"url = {json.dumps(url)}\n"
    )

    def add_table(text: str) -> str:
        if "database" in tomllib.loads(text):
            raise AlreadyExists(f"{changes.relative(path)} already has [database]; nothing written")
        after = _append(block)(text)
        tomllib.loads(after)
        return after

    _edit(changes, path, "end", block.strip().splitlines(), add_table)


def _add_import(text: str) -> str:
    """`from .database import configure_database` among the app's relative imports, sorted."""
    statement = "from .database import configure_database"
    lines = text.splitlines(keepends=True)
    relative = [i for i, line in enumerate(lines) if line.startswith("from .")]
    if not relative:
        tops = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
        relative = tops[-1:] or [0]
    at = relative[0]
    while at <= relative[-1] and lines[at].startswith("from .") and lines[at] < statement:
        at += 1
    return "".join([*lines[:at], statement + "\n", *lines[at:]])


def _section(text: str, header: str) -> tuple[int, int]:
    """The line range of a TOML table's body (after `header` up to the next table)."""
    lines = text.splitlines()
    start = lines.index(header) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
    return start, end


def _add_dependencies(text: str, dependencies: list[str]) -> str:
    current = tomllib.loads(text)["project"].get("dependencies", [])
    present = {re.split(r"[\[<>=!~ ]", item, maxsplit=1)[0].lower() for item in current}
    wanted = [d for d in dependencies if re.split(r"[\[<>=]", d, maxsplit=1)[0] not in present]
    lines = text.splitlines(keepends=True)
    start, end = _section(text, "[project]")
    opening = next(i for i in range(start, end) if lines[i].startswith("dependencies = ["))
    closing = next(i for i in range(opening, len(lines)) if lines[i].strip().endswith("]"))
    if closing == opening:
        raise CLIError("pyproject.toml: write [project] dependencies one per line, then retry")
    added = [f"  {json.dumps(item)},\n" for item in wanted]
    after = "".join([*lines[:closing], *added, *lines[closing:]])
    if tomllib.loads(after)["project"]["dependencies"] != [*current, *wanted]:
        raise CLIError("pyproject.toml: cannot add the dependencies; add them by hand")
    return after


def _set_database(text: str, database: str) -> str:
    lines = text.splitlines(keepends=True)
    start, end = _section(text, "[tool.feathers]")
    setting = f'database = "{database}"\n'
    found = [i for i in range(start, end) if lines[i].startswith("database =")]
    if found:
        lines[found[0]] = setting
    else:
        lines.insert(start, setting)
    after = "".join(lines)
    assert tomllib.loads(after)["tool"]["feathers"]["database"] == database
    return after


def _render(name: str, context: dict[str, Any]) -> str:
    from .service import render_fragment

    return render_fragment(name, context)


def _template_text(name: str) -> str:
    from . import templates_root

    return (templates_root() / name).read_text(encoding="utf-8")
