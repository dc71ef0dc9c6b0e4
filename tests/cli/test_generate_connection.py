"""`feathers generate connection`: the database files and edits, validation, all or nothing;
then SQL services on it, and generated projects (SQLite, and PostgreSQL when a server is
available) that migrate, pass their own tests and keep their data."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from feathers_cli.errors import CLIError, UsageError
from feathers_cli.generators import connection
from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.inject import AlreadyExists
from feathers_cli.main import app
from feathers_cli.project import Project, find_project

from ..helpers.generate import snapshot
from ..helpers.projects import run_project_tests


def new_project(folder: Path, name: str = "chat", **answers: Any) -> Project:
    """`feathers new NAME` with `answers`; by default without a database (and without
    authentication), as `generate connection` finds a project."""
    answers.setdefault("database", "memory")
    answers.setdefault("auth", ())
    created = create_project(NewAnswers(project_names(name), **answers), folder / name, ask=False)
    return find_project(created.root)


def feathers(project: Project, *args: str) -> Result:
    """`feathers ARGS...` from a folder inside the project (any folder works), no terminal."""
    cwd = os.getcwd()
    os.chdir(project.package_dir)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(cwd)


def migration_revisions(project: Project) -> dict[str, tuple[str, str | None]]:
    """file name -> (revision, down_revision) of every migration."""
    found = {}
    for path in (project.root / "migrations" / "versions").glob("*_create_*.py"):
        values = {
            node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        }
        found[path.name] = (values["revision"], values["down_revision"])
    return found


def test_sqlite_connection_adds_config_engine_migrations_and_dependencies(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = feathers(project, "generate", "connection", "--database", "sqlite")
    assert result.exit_code == 0, result.output
    assert "Next: pip install -e '.[test]'" in result.stderr
    root = project.root
    app_source = (project.package_dir / "app.py").read_text()
    ast.parse(app_source)
    assert "from .database import configure_database\nfrom .hooks.log_error" in app_source
    assert "    configure_database(app)\n    # feathers:connections" in app_source
    default = tomllib.loads((root / "config" / "default.toml").read_text())
    test = tomllib.loads((root / "config" / "test.toml").read_text())
    assert default["database"]["url"] == "sqlite:///data/development.sqlite"
    assert test["database"]["url"] == "sqlite:///data/test.sqlite"
    pyproject = tomllib.loads(project.pyproject.read_text())
    assert pyproject["tool"]["feathers"]["database"] == "sqlite"
    names = [dep.split(">")[0] for dep in pyproject["project"]["dependencies"]]
    assert {"sqlalchemy[asyncio]", "aiosqlite", "alembic"} <= set(names)
    for file in ("alembic.ini", "migrations/env.py", "migrations/script.py.mako"):
        assert (root / file).is_file()
    conftest = (root / "tests" / "conftest.py").read_text()
    assert "migrate(reset=True, settings=" in ast.unparse(ast.parse(conftest))
    assert "data/" in (root / ".gitignore").read_text().splitlines()
    assert find_project(root).config["database"] == "sqlite"


def test_a_project_with_a_database_refuses_another_and_changes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path, database="sqlite")  # `feathers new` added it already
    before = snapshot(project.root)
    result = feathers(project, "g", "connection", "--database", "postgresql")
    assert result.exit_code == 1
    assert "already has a database (chat/database.py)" in result.stderr
    assert snapshot(project.root) == before


def test_postgresql_url_gives_the_tests_their_own_database(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    url = "postgresql://me:secret@db.example.com:5432/chat"
    result = feathers(
        project, "g", "connection", "--database", "postgresql", "--url", url, "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (
        report["connection"]["test_url"] == "postgresql://me:secret@db.example.com:5432/chat_test"
    )
    assert "chat/database.py" in report["created"]
    test = tomllib.loads((project.root / "config" / "test.toml").read_text())
    assert test["database"]["url"].endswith("/chat_test")
    dependencies = tomllib.loads(project.pyproject.read_text())["project"]["dependencies"]
    assert any(dep.startswith("asyncpg") for dep in dependencies)
    assert not any(dep.startswith("aiosqlite") for dep in dependencies)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database", "mysql"], "not supported"),
        (["--database", "postgresql", "--url", "sqlite:///x.db"], "is not a postgresql URL"),
        (["--database", "sqlite", "--url", "postgresql://h/db"], "is not a sqlite URL"),
        (["--database", "postgresql", "--url", "postgresql://host:5432/"], "names no database"),
    ],
)
def test_bad_answers_are_usage_errors_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    project = new_project(tmp_path)
    before = snapshot(project.root)
    result = feathers(project, "g", "connection", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(project.root) == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    before = snapshot(project.root)
    result = feathers(project, "g", "connection", "--dry-run")
    assert result.exit_code == 0
    assert "Would create" in result.stderr and "configure_database(app)" in result.stderr
    assert snapshot(project.root) == before


def test_a_missing_marker_writes_nothing_and_says_what_to_add(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    app_file = project.package_dir / "app.py"
    app_file.write_text(app_file.read_text().replace("# feathers:connections", "# gone"))
    before = snapshot(project.root)
    result = feathers(project, "g", "connection")
    assert result.exit_code == 1
    assert "configure_database(app)" in result.stderr
    assert snapshot(project.root) == before


def test_add_database_for_new_projects(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert connection.add_database(project.root) is None  # memory: nothing to add
    assert not connection.has_database(project)
    with pytest.raises(UsageError, match="--database-url needs"):
        connection.add_database(project.root, "sqlite:///x.sqlite")
    text = project.pyproject.read_text().replace('database = "memory"', 'database = "sqlite"')
    project.pyproject.write_text(text)
    with pytest.raises(UsageError, match="--database-url 'postgresql://h/x' is not a sqlite"):
        connection.add_database(project.root, "postgresql://h/x")
    added = connection.add_database(project.root, "sqlite:///var/app.sqlite")
    assert added is not None and added.test_url == "sqlite:///data/test.sqlite"
    default = tomllib.loads((project.root / "config" / "default.toml").read_text())
    assert default["database"]["url"] == "sqlite:///var/app.sqlite"


def test_sql_services_need_a_database(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    before = snapshot(project.root)
    result = feathers(project, "g", "service", "messages", "--adapter", "sql")
    assert result.exit_code == 1
    assert "needs a database: run `feathers generate connection` first" in result.stderr
    assert snapshot(project.root) == before
    result = feathers(project, "g", "service", "messages", "--json")  # memory without one
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["service"]["adapter"] == "memory"


def test_migrations_of_sql_services_form_one_chain(tmp_path: Path) -> None:
    project = new_project(tmp_path, database="sqlite")
    assert feathers(project, "g", "service", "messages").exit_code == 0  # sql by default
    [(first, down)] = migration_revisions(project).values()
    assert down is None
    assert feathers(project, "g", "service", "api/todos").exit_code == 0
    revisions = migration_revisions(project)
    [todos] = [name for name in revisions if name.endswith("_create_api_todos.py")]
    assert revisions[todos][1] == first
    fork = project.root / "migrations" / "versions" / "fork_by_hand.py"
    fork.write_text(f"revision = 'fork'\ndown_revision = {first!r}\n")
    before = snapshot(project.root)
    result = feathers(project, "g", "service", "notes")
    assert result.exit_code == 1
    assert "several heads" in result.stderr
    assert snapshot(project.root) == before


def postgres_project_url() -> str:
    """A URL whose `<name>_test` database is the test server's: the generated tests use it.
    (The server's role may not create databases, so the development one need not exist.)"""
    from tests.runtime.test_adapter_sql import postgres_url

    url = sa.engine.make_url(postgres_url())
    if not (url.database or "").endswith("_test"):
        pytest.skip(f"the test database {url.database!r} is not named <name>_test")
    development = url.set(database=url.database.removesuffix("_test"))
    return development.render_as_string(hide_password=False)


def drop_generated_tables(test_url: str) -> None:
    """Leave the shared test database as it was: no generated tables, no Alembic version."""

    async def drop() -> None:
        from feathers_cli.runtime.sql import create_engine

        engine = create_engine(test_url)
        try:
            async with engine.begin() as conn:
                await conn.exec_driver_sql("DROP TABLE IF EXISTS messages, alembic_version")
        finally:
            await engine.dispose()

    asyncio.run(drop())


KEEPS_DATA = """
import asyncio
from chat.app import create_app
from chat.config import load_config
from chat.database import migrate

async def main():
    app = create_app(load_config())
    service = app.service("messages")
    if not (await service.find({"query": {"text": "kept"}}))["total"]:
        await service.create({"text": "kept"})
    print([m["text"] for m in (await service.find({"query": {"text": "kept"}}))["data"]])
    await app.teardown()

migrate()
asyncio.run(main())
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_generated_project_with_a_sql_service_passes_its_tests_and_keeps_data(
    tmp_path: Path, database: str
) -> None:
    answers = {"database": database}
    if database == "postgresql":
        answers["database_url"] = postgres_project_url()
    project = new_project(tmp_path, **answers)
    test_url = tomllib.loads((project.root / "config" / "test.toml").read_text())["database"]
    if database == "postgresql":
        drop_generated_tables(test_url["url"])
    try:
        result = feathers(project, "g", "service", "messages", "--yes")
        assert result.exit_code == 0, result.output
        root = project.root
        tests = run_project_tests(root)
        environ = {k: v for k, v in os.environ.items() if k != "FEATHERS_ENV"}
        assert "15 passed" in tests.stdout  # test_app.py (7) and the service (8)
        if database == "sqlite":
            assert (root / "data" / "test.sqlite").is_file()
            assert not (root / "data" / "development.sqlite").exists()  # tests never touch it
        for _ in range(2):  # the second process (a restart) finds the record of the first
            output = subprocess.run(
                [sys.executable, "-c", KEEPS_DATA],
                cwd=root,
                capture_output=True,
                text=True,
                env={**environ, "FEATHERS_ENV": "test"},
                timeout=60,
            )
            assert output.stdout.strip() == "['kept']", output.stderr
    finally:
        if database == "postgresql":
            drop_generated_tables(test_url["url"])


def test_generated_database_code_is_ruff_clean(tmp_path: Path) -> None:
    project = new_project(tmp_path, database="sqlite")
    for name in ("messages", "api/todos"):
        assert feathers(project, "g", "service", name).exit_code == 0
    root = project.root
    for command in (["check", "."], ["format", "--check", "."]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *command],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr


def test_already_exists_is_a_cli_error() -> None:
    assert issubclass(AlreadyExists, CLIError)
