"""`feathers migrate`: bring the project's database up to date with its Alembic migrations.

Works from any folder of the project. The migrations run in a child process with the
project's interpreter (its `.venv` when it has one, as `feathers dev`), through the
project's own `<package>.database.migrate()`, so the CLI needs neither SQLAlchemy nor
Alembic and migrates exactly as the app's tests do.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import CLIError
from ..interpreter import project_python
from ..project import Project
from .connection import has_database

__all__ = ["MigrationPlan", "plan_migration", "run_migration"]

_SCRIPT = (
    "import sys\n"
    "from {package}.database import migrate\n"
    "migrate(sys.argv[1], reset=sys.argv[2] == 'reset', verbose=True)\n"
)


@dataclass(frozen=True)
class MigrationPlan:
    """The command that migrates a project, and its environment."""

    command: list[str]
    environ: dict[str, str]
    root: Path


def plan_migration(
    project: Project, revision: str = "head", *, environment: str | None = None, reset: bool = False
) -> MigrationPlan:
    """The child process running `migrate(revision)` for the environment (FEATHERS_ENV)."""
    if not has_database(project):
        raise CLIError("this project has no database: add one with `feathers generate connection`")
    if not revision or revision.startswith("-"):
        raise CLIError(f"invalid revision {revision!r}; use `alembic downgrade` to go back")
    environ = dict(os.environ)
    if environment is not None:
        environ["FEATHERS_ENV"] = environment
    script = _SCRIPT.format(package=project.package)
    command = [project_python(project), "-c", script, revision, "reset" if reset else "keep"]
    return MigrationPlan(command, environ, project.root)


def run_migration(plan: MigrationPlan) -> int:
    """Run the migrations; their progress goes to stderr. Returns the exit code."""
    return subprocess.run(plan.command, cwd=plan.root, env=plan.environ, check=False).returncode
