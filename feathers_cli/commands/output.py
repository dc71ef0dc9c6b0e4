"""What every changing command shares: `--yes`, `--dry-run`, `--json`, and how a plan is
applied and reported (exactly the changes shown are the changes written)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Protocol

import typer

from ..changes import Changes, apply_changes

__all__ = [
    "DryRunOption",
    "JsonOption",
    "Planned",
    "YesOption",
    "finish",
    "interactive",
    "is_terminal",
]

YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Take the defaults for every flag not given.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the files and edits it would make; write nothing.")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the files and edits as JSON on stdout.")
]

NoInstallOption = Annotated[
    bool,
    typer.Option(
        "--no-install",
        envvar="FEATHERS_NO_INSTALL",
        help="Install nothing into the project's .venv (by default `new` makes it, installs "
        "the project with its test extras and migrates; generators install what they add).",
    ),
]


def is_terminal() -> bool:
    """Whether a person is at a terminal on both ends (questions can be asked)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def interactive(yes: bool) -> bool:
    """Whether to ask questions: a terminal on both ends and no --yes."""
    return not yes and is_terminal()


class Planned(Protocol):
    """What a changing command planned: the changes and how to report them."""

    changes: Changes

    def to_json(self) -> dict[str, Any]: ...
    def summary(self) -> str: ...
    def next_steps(self) -> str: ...


def finish(planned: Planned, *, dry_run: bool, as_json: bool) -> None:
    """Apply the planned changes (unless `dry_run`), then report them: JSON on stdout with
    `as_json`, else the summary, the changes and the next steps on stderr."""
    changes = planned.changes
    if not dry_run:
        apply_changes(changes)
    if as_json:
        typer.echo(
            json.dumps({"dry_run": dry_run, "project": str(changes.root), **planned.to_json()})
        )
        return
    heading = "Dry run, nothing written. " if dry_run else ""
    described = changes.describe(dry_run=dry_run) or "Nothing to change."
    typer.echo(f"{heading}{planned.summary()}\n\n{described}", err=True)
    next_steps = planned.next_steps()
    if not dry_run and next_steps:
        typer.echo(f"\n{next_steps}", err=True)
