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
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import CLIError, UsageError
from ..inject import AlreadyExists, Changes, NewFile, Plan, apply_changes
from ..paths import template_text
from ..project import Project, find_project
from ..render import render_fragment
from .names import ServiceNames

__all__ = [
    "DATABASES",
    "SQL_DATABASES",
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

# Where a project's services keep their data: the one list (`feathers new --database`);
# `memory` needs no connection, the others are SQL_DATABASES (`feathers generate connection`).
DATABASES = ("sqlite", "postgresql", "memory")
SQL_DATABASES = ("sqlite", "postgresql")
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

    def summary(self) -> str:
        return f"Database {self.database} at {self.url} (tests: {self.test_url})."

    def next_steps(self) -> str:
        return (
            "Next: pip install -e '.[test]' (new dependencies; `feathers generate connection` "
            "installs them itself into the project's .venv when it has one), then "
            "`feathers generate service NAME` and `feathers migrate`."
        )


def has_database(project: Project) -> bool:
    """Whether the project has a database connection (its `database.py`)."""
    return (project.package_dir / "database.py").is_file()


def database_urls(
    package: str, database: str, url: str | None, *, flag: str = "--url"
) -> tuple[str, str]:
    """The development and test URLs: SQLite files under data/, or the PostgreSQL URL and the
    same server's `<name>_test` database. `flag` names the option in error messages."""
    if database not in SQL_DATABASES:
        choices = ", ".join(SQL_DATABASES)
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
    plan = Plan(project.root)
    _plan_files(plan, project)
    _plan_app_edits(plan, project)
    for name, value in (("default.toml", url), ("test.toml", test_url)):
        plan.set_toml(
            project.root / "config" / name,
            "database.url",
            value,
            comment="Where the services keep their data (FEATHERS_DATABASE__URL overrides it).",
        )
    for requirement in DEPENDENCIES[answers.database]:
        plan.add_dependency(project.pyproject, requirement)
    plan.set_toml(project.pyproject, "tool.feathers.database", answers.database, replace=True)
    if answers.database == "sqlite":
        plan.add_line(project.root / ".gitignore", "data/", comment="SQLite databases")
    return GeneratedConnection(answers.database, url, test_url, plan.finish())


def _plan_files(plan: Plan, project: Project) -> None:
    context = {"package": project.package}
    root = project.root
    plan.create(
        project.package_dir / "database.py",
        render_fragment("connection/database.py.jinja", context),
    )
    plan.create(root / "alembic.ini", render_fragment("connection/alembic.ini.jinja", context))
    migrations = root / "migrations"
    plan.create(
        migrations / "env.py", render_fragment("connection/migrations/env.py.jinja", context)
    )
    plan.create(
        migrations / "script.py.mako", template_text("connection/migrations/script.py.mako")
    )
    plan.create(migrations / "versions" / "__init__.py", "")


def _plan_app_edits(plan: Plan, project: Project) -> None:
    app_file = project.package_dir / "app.py"
    plan.insert(
        app_file,
        CONNECTIONS_MARKER,
        ["configure_database(app)"],
        where="in create_app(), before the services are registered",
    )
    plan.add_import(app_file, "from .database import configure_database")
    fixture = render_fragment("connection/conftest_fixture.py.jinja", {"package": project.package})
    plan.append(project.root / "tests" / "conftest.py", fixture.strip() + "\n", blank_lines=2)


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


def sql_service_files(
    project: Project, names: ServiceNames, *, schema: str = "none"
) -> list[NewFile]:
    """The migration creating the table of a new SQL service (its `service.py` is rendered
    from `sql/service.py.jinja` with `sql_service_context`). With a `pydantic` schema the
    migration creates the table `sql_table` derives from the generated model."""
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
    template = "sql/schema_migration.py.jinja" if schema == "pydantic" else "sql/migration.py.jinja"
    return [NewFile(migration, render_fragment(template, context))]


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
