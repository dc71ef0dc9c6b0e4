"""`feathers generate connection`: the database files and edits, validation, all or nothing,
and a generated project with a SQL service that migrates, passes its tests and keeps data."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from feathers_cli.errors import CLIError, UsageError
from feathers_cli.generators import connection
from feathers_cli.generators.names import service_names
from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.generators.service import ServiceAnswers, plan_service
from feathers_cli.inject import AlreadyExists, MissingMarker, apply_changes
from feathers_cli.main import FeathersGroup
from feathers_cli.project import Project, find_project


def new_project(folder: Path, name: str = "chat") -> Project:
    created = create_project(
        NewAnswers(project_names(name), database="memory"), folder / name, ask=False
    )
    return find_project(created.root)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def command_app() -> typer.Typer:
    app = typer.Typer(cls=FeathersGroup)  # maps CLIErrors to exit codes, as `feathers` does
    app.command("connection")(connection.connection_command)
    app.command("other")(lambda: None)  # two commands: typer keeps the command's name
    return app


def run(project: Project, *args: str) -> object:
    cwd = os.getcwd()
    os.chdir(project.package_dir)  # any folder of the project
    try:
        return CliRunner().invoke(command_app(), ["connection", *args])
    finally:
        os.chdir(cwd)


def test_sqlite_connection_adds_config_engine_migrations_and_dependencies(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    apply_changes(
        connection.plan_connection(project, connection.ConnectionAnswers("sqlite")).changes
    )
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
    assert "migrate(reset=True)" in ast.unparse(ast.parse(conftest))
    assert "data/" in (root / ".gitignore").read_text().splitlines()
    assert find_project(root).config["database"] == "sqlite"


def test_running_it_twice_refuses_and_changes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert run(project, "--database", "sqlite").exit_code == 0
    before = snapshot(project.root)
    result = run(project, "--database", "postgresql")
    assert result.exit_code == 1
    assert "already has a database" in result.output
    assert snapshot(project.root) == before


def test_postgresql_url_gives_the_tests_their_own_database(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    url = "postgresql://me:secret@db.example.com:5432/chat"
    result = run(project, "--database", "postgresql", "--url", url, "--json")
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
    result = run(project, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert snapshot(project.root) == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    before = snapshot(project.root)
    result = run(project, "--dry-run")
    assert result.exit_code == 0
    assert "Would create" in result.output and "configure_database(app)" in result.output
    assert snapshot(project.root) == before


def test_a_missing_marker_writes_nothing_and_says_what_to_add(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    app_file = project.package_dir / "app.py"
    app_file.write_text(app_file.read_text().replace("# feathers:connections", "# gone"))
    before = snapshot(project.root)
    with pytest.raises(MissingMarker, match=r"configure_database\(app\)"):
        connection.plan_connection(project, connection.ConnectionAnswers("sqlite"))
    assert snapshot(project.root) == before


def test_add_database_for_new_projects(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    connection.add_database(project.root)  # memory: nothing to add
    assert not connection.has_database(project)
    with pytest.raises(UsageError, match="--database-url needs"):
        connection.add_database(project.root, "sqlite:///x.sqlite")
    text = project.pyproject.read_text().replace('database = "memory"', 'database = "sqlite"')
    project.pyproject.write_text(text)
    connection.add_database(project.root, "sqlite:///var/app.sqlite")
    default = tomllib.loads((project.root / "config" / "default.toml").read_text())
    assert default["database"]["url"] == "sqlite:///var/app.sqlite"


def test_migrations_of_sql_services_form_one_chain(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    with pytest.raises(UsageError, match="generate connection"):
        connection.sql_service_files(project, service_names("messages"))
    apply_changes(
        connection.plan_connection(project, connection.ConnectionAnswers("sqlite")).changes
    )
    revisions = []
    for name in ("messages", "api/todos"):
        [migration] = connection.sql_service_files(project, service_names(name))
        migration.path.write_text(migration.content)
        values = {
            node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(migration.content).body
            if isinstance(node, ast.Assign)
        }
        revisions.append((values["revision"], values["down_revision"]))
    assert revisions[0][1] is None
    assert revisions[1][1] == revisions[0][0]
    assert "api_todos" in migration.content
    fork = migration.path.with_name("fork.py")
    fork.write_text(f"revision = 'fork'\ndown_revision = {revisions[0][0]!r}\n")
    with pytest.raises(CLIError, match="several heads"):
        connection.sql_service_files(project, service_names("notes"))


def add_sql_service(project: Project, name: str) -> None:
    """`feathers generate service NAME --adapter sql`, or its parts while the service
    generator does not offer the sql adapter yet."""
    from feathers_cli.generators import service

    if "sql" in service.ADAPTERS:
        apply_changes(plan_service(project, ServiceAnswers(name, adapter="sql")).changes)
        return
    generated = plan_service(project, ServiceAnswers(name, adapter="memory"))
    names = service_names(name)
    context = {
        **service._template_context(project, names, "sql", generated.methods),
        **connection.sql_service_context(names),
    }
    changes = generated.changes
    for path, content in list(changes.created.items()):
        if path.name == "service.py":
            changes.created[path] = service.render_fragment("sql/service.py.jinja", context)
        elif path.name == "__init__.py" and "app.use(" in content:
            engine = 'app.get("database_engine"), '
            changes.created[path] = content.replace("Service(paginate", f"Service({engine}paginate")
        elif path.name.startswith("test_"):
            changes.created[path] = content.replace('"done": True', '"text": "patched"').replace(
                '["done"] is True', '["text"] == "patched"'
            )
    for new_file in connection.sql_service_files(project, names):
        changes.created[new_file.path] = new_file.content
    apply_changes(changes)


def test_a_project_with_a_sql_service_migrates_passes_its_tests_and_keeps_data(
    tmp_path: Path,
) -> None:
    project = new_project(tmp_path)
    apply_changes(
        connection.plan_connection(project, connection.ConnectionAnswers("sqlite")).changes
    )
    add_sql_service(project, "messages")
    root = project.root
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "FEATHERS_ENV": "test"},
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert (root / "data" / "test.sqlite").is_file()
    assert not (root / "data" / "development.sqlite").exists()  # tests never touch dev data
    script = (
        "import asyncio\n"
        "from chat.app import create_app\n"
        "from chat.database import migrate\n"
        "async def main():\n"
        "    app = create_app()\n"
        "    service = app.service('messages')\n"
        "    if not (await service.find())['total']:\n"
        "        await service.create({'text': 'kept'})\n"
        "    print([m['text'] for m in (await service.find())['data']])\n"
        "    await app.teardown()\n"
        "migrate()\n"
        "asyncio.run(main())\n"
    )
    environ = {k: v for k, v in os.environ.items() if k != "FEATHERS_ENV"}
    for _ in range(2):  # the second process (a restart) finds the record of the first
        output = subprocess.run(
            [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, env=environ
        )
        assert output.stdout.strip() == "['kept']", output.stderr
    generated = [
        "chat/database.py",
        "migrations/env.py",
        "chat/services/messages/service.py",
        *(
            p.relative_to(root).as_posix()
            for p in (root / "migrations" / "versions").glob("*_*.py")
        ),
    ]
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *generated],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout


def test_already_exists_is_a_cli_error() -> None:
    assert issubclass(AlreadyExists, CLIError)
