"""Fixtures for the CLI tests: a runner without a terminal and freshly generated projects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.project import Project, find_project


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """Generate a project under tmp_path (all defaults: SQLite, unless `database`), without
    authentication unless `auth` names the strategies (`("local", "jwt")`)."""

    def make(name: str = "chat", database: str | None = None, auth: tuple = ()) -> Project:
        answers = NewAnswers(project_names(name), database=database, auth=auth)
        created = create_project(answers, tmp_path / name, ask=False)
        return find_project(created.root)

    return make
