"""`feathers migrate`: from any folder of the project, on the database of the environment."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from feathers_cli.errors import CLIError
from feathers_cli.generators.migrate import plan_migration
from feathers_cli.main import app
from feathers_cli.project import Project

from .test_generate_connection import feathers, new_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """`feathers new chat` (SQLite, the default) with `feathers generate service messages`."""
    project = new_project(tmp_path, database="sqlite")
    assert feathers(project, "generate", "service", "messages").exit_code == 0
    return project


def migrate(*args: str, cwd: Path) -> Result:
    """`feathers migrate ARGS...` in `cwd`, for the development environment."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, ["migrate", *args], env={"FEATHERS_ENV": ""})
    finally:
        os.chdir(before)


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_migrate_from_a_subfolder_creates_the_development_tables(project: Project) -> None:
    result = migrate(cwd=project.package_dir / "services")
    assert result.exit_code == 0, result.output
    assert "Migrating the development database of chat to head" in result.stderr
    assert "up to date" in result.stderr
    assert {"messages", "alembic_version"} <= tables(project.root / "data" / "development.sqlite")
    assert not (project.root / "data" / "test.sqlite").exists()
    assert migrate(cwd=project.root).exit_code == 0  # again: nothing to do


def test_env_picks_the_database_and_reset_empties_it(project: Project) -> None:
    assert migrate("--env", "test", cwd=project.root).exit_code == 0
    database = project.root / "data" / "test.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO messages (text) VALUES ('old')")
    assert migrate("--env", "test", "--reset", cwd=project.root).exit_code == 0
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    assert not (project.root / "data" / "development.sqlite").exists()


def test_a_failing_migration_is_an_error(project: Project) -> None:
    result = migrate("no-such-revision", cwd=project.root)
    assert result.exit_code == 1
    assert "the migration failed" in result.stderr


def test_outside_a_project_or_without_a_database_it_says_so(tmp_path: Path) -> None:
    outside = migrate(cwd=tmp_path)
    assert outside.exit_code == 1
    assert outside.stderr.startswith("Error: ")
    assert "project" in outside.stderr
    without = new_project(tmp_path, "other")  # memory
    result = migrate(cwd=without.package_dir)
    assert result.exit_code == 1
    assert "has no database: add one with `feathers generate connection`" in result.stderr


def test_the_plan_uses_the_project_python_and_checks_its_input(project: Project) -> None:
    plan = plan_migration(project, environment="production")
    assert plan.command[0] == sys.executable  # no .venv in the project
    assert plan.environ["FEATHERS_ENV"] == "production"
    assert plan.root == project.root
    with pytest.raises(CLIError, match="alembic downgrade"):
        plan_migration(project, "-1")
