"""`feathers migrate`: from any folder of the project, on the database of the environment."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from feathers_cli.errors import CLIError
from feathers_cli.generators import connection
from feathers_cli.generators.migrate import migrate_command, plan_migration
from feathers_cli.inject import apply_changes
from feathers_cli.main import FeathersGroup
from feathers_cli.project import Project

from .test_generate_connection import add_sql_service, new_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = new_project(tmp_path)
    apply_changes(
        connection.plan_connection(project, connection.ConnectionAnswers("sqlite")).changes
    )
    add_sql_service(project, "messages")
    return project


def migrate(project: Project, *args: str, cwd: Path | None = None) -> object:
    app = typer.Typer(cls=FeathersGroup)
    app.command("migrate")(migrate_command)
    app.command("other")(lambda: None)  # two commands: typer keeps the command's name
    before = os.getcwd()
    os.chdir(cwd or project.root)
    try:
        return CliRunner().invoke(app, ["migrate", *args], env={"FEATHERS_ENV": ""})
    finally:
        os.chdir(before)


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_migrate_from_a_subfolder_creates_the_development_tables(project: Project) -> None:
    result = migrate(project, cwd=project.package_dir / "services")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert {"messages", "alembic_version"} <= tables(project.root / "data" / "development.sqlite")
    assert not (project.root / "data" / "test.sqlite").exists()
    assert migrate(project).exit_code == 0  # again: nothing to do


def test_env_picks_the_database_and_reset_empties_it(project: Project) -> None:
    assert migrate(project, "--env", "test").exit_code == 0
    database = project.root / "data" / "test.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO messages (text) VALUES ('old')")
    assert migrate(project, "--env", "test", "--reset").exit_code == 0
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    assert not (project.root / "data" / "development.sqlite").exists()


def test_a_failing_migration_is_an_error(project: Project) -> None:
    result = migrate(project, "no-such-revision")
    assert result.exit_code == 1
    assert "the migration failed" in result.output


def test_the_plan_uses_the_project_python_and_checks_its_input(
    project: Project, tmp_path: Path
) -> None:
    plan = plan_migration(project, environment="production")
    assert plan.command[0] == sys.executable  # no .venv in the project
    assert plan.environ["FEATHERS_ENV"] == "production"
    assert plan.root == project.root
    with pytest.raises(CLIError, match="alembic downgrade"):
        plan_migration(project, "-1")
    without = new_project(tmp_path, "other")
    with pytest.raises(CLIError, match="generate connection"):
        plan_migration(without)
