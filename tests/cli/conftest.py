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
    """Generate a project (all defaults) under tmp_path and return it."""

    def make(name: str = "chat") -> Project:
        created = create_project(NewAnswers(project_names(name)), tmp_path / name, ask=False)
        return find_project(created.root)

    return make
