"""Finding a generated project: the nearest `pyproject.toml` with a `[tool.feathers]` table.

project = find_project(Path.cwd())
project.root          # the folder holding pyproject.toml
project.package       # the app's package name, e.g. "chat"
project.config        # the [tool.feathers] table as a dict
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CLIError

__all__ = ["NotAProject", "Project", "find_project"]


class NotAProject(CLIError):
    """Raised when no folder from the start up to `/` holds a Feathers project."""


@dataclass(frozen=True)
class Project:
    """A generated Feathers project on disk."""

    root: Path
    package: str
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def package_dir(self) -> Path:
        return self.root / self.package

    @property
    def runtime_dir(self) -> Path:
        """The vendored runtime, importable as `feathers` from the project root."""
        return self.root / "feathers"


def find_project(start: Path) -> Project:
    """Walk up from `start` to the first `pyproject.toml` that has a `[tool.feathers]` table.

    A `pyproject.toml` without that table (a library nested in the project, say) is skipped.
    Raises `NotAProject` when none is found or the table is unusable.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise NotAProject(f"cannot read {pyproject}: {error}") from error
        table = data.get("tool", {}).get("feathers")
        if table is None:
            continue
        package = table.get("package") if isinstance(table, dict) else None
        if not isinstance(package, str) or not package.isidentifier():
            raise NotAProject(
                f"{pyproject} has a [tool.feathers] table without a valid `package` entry"
            )
        return Project(root=folder, package=package, config=dict(table))
    raise NotAProject(
        f"not inside a Feathers project: no pyproject.toml with [tool.feathers] in {start} "
        "or its parents (create one with `feathers new NAME`)"
    )
