"""`feathers upgrade`: the vendored runtime and the app template's changes, in one plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..project import find_project
from .output import DryRunOption, JsonOption, YesOption, finish

__all__ = ["upgrade"]

EPILOG = (
    "Examples:\n\n  feathers upgrade\n\n  feathers upgrade --dry-run\n\n  feathers upgrade --force"
)

ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace vendored files even if edited by hand.")
]


def upgrade(
    force: ForceOption = False,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Refresh the vendored runtime (`feathers/`) and bring in the app template's changes.

    Template files you changed (or a generator did) are left alone and listed.
    """
    from ..upgrade import plan_upgrade

    del yes  # nothing to ask: accepted so every changing command takes the same flags
    project = find_project(Path.cwd())
    planned = plan_upgrade(project, force=force)
    finish(planned, dry_run=dry_run, as_json=as_json)
