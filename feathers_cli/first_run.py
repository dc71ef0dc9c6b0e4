"""The first run of a project: `feathers new` installs it, generators install what they add.

`feathers new` (unless `--no-install`) ends with `install_project`: the project's `.venv`
(uv, else `python -m venv` + pip: `install.install_steps`), the project installed into it
with its test extras, then the development database migrated when the project has one, each
step shown on stderr while it runs (`install.run_steps`). The user's next command is
`feathers dev`. A generator that adds dependencies (`feathers generate connection`) calls
`install_packages`, which installs them into `.venv` when the project has one.

A failed step raises `install.InstallFailed`: the generated files stay (they are valid) and
the message names the command to run again.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from .errors import CLIError
from .install import InstallFailed, Reporter, Step, install_steps, run_steps, venv_python

__all__ = [
    "NO_INSTALL_ENV",
    "finish_new",
    "install_packages",
    "install_project",
    "migrate_step",
    "next_steps",
]

# Set to 1, the same as `--no-install` on every command that installs (the test suite sets it).
NO_INSTALL_ENV = "FEATHERS_NO_INSTALL"


def migrate_step(root: Path) -> Step:
    """Migrating the development database, with the project's `.venv` interpreter and the
    project's own `migrate()` (what `feathers migrate` runs)."""
    from .generators.migrate import plan_migration
    from .project import find_project

    plan = plan_migration(find_project(root), environment="development")
    return Step(
        "Migrating the development database", plan.command, root, {"FEATHERS_ENV": "development"}
    )


def install_project(
    root: Path, *, migrate: bool, stream: IO[str] | None = None, use_uv: bool = True
) -> float:
    """Make `root/.venv`, install the project with its test extras, migrate the development
    database when `migrate`; returns the seconds it took. Raises `InstallFailed` (a step of
    the install failed) or `CLIError` (the migration failed), each naming what to run."""
    stream = stream if stream is not None else sys.stderr
    reporter = Reporter.for_stream(stream)
    try:
        total = run_steps(install_steps(root, use_uv=use_uv), reporter)
    except InstallFailed as failed:
        # What remains after the retried step, so that the message is the whole way.
        failed.message += ", then `feathers migrate`" if migrate else ""
        failed.args = (failed.message,)
        raise
    if migrate:
        total += _migrate(root, reporter)
    stream.write(f"Installed in {total:.1f} s: .venv is ready.\n")
    stream.flush()
    return total


def _migrate(root: Path, reporter: Reporter) -> float:
    # The step needs the project's interpreter, which exists only now.
    try:
        return run_steps([migrate_step(root)], reporter)
    except InstallFailed as failed:
        where = shlex.quote(str(root))
        raise CLIError(
            f"{failed.step.label} failed (exit {failed.code}); the project is installed: "
            f"run `cd {where} && feathers migrate` to retry"
        ) from failed


def install_packages(
    root: Path, packages: Sequence[str], *, stream: IO[str] | None = None, use_uv: bool = True
) -> bool:
    """Install `packages` into `root/.venv` when the project has one (else do nothing and
    return False). Raises `InstallFailed`."""
    if not packages or not venv_python(root).exists():
        return False
    reporter = Reporter.for_stream(stream if stream is not None else sys.stderr)
    run_steps(install_steps(root, packages=packages, use_uv=use_uv), reporter)
    return True


def finish_new(root: Path, where: str, *, database: bool, install: bool) -> str:
    """The end of `feathers new`: install the project (unless `install` is false, progress
    on stderr); returns the next steps to show."""
    if install:
        install_project(root, migrate=database)
    return next_steps(where, installed=install, database=database)


def next_steps(where: str, *, installed: bool, database: bool) -> str:
    """What to run after `feathers new`: `feathers dev` when it installed the project, the
    whole install by hand otherwise (`--no-install`)."""
    lines = [f"cd {shlex.quote(where)}"]
    if not installed:
        lines += [
            "python -m venv .venv && . .venv/bin/activate",
            'pip install -e ".[test]"',
            "pytest",
        ]
        lines += ["feathers migrate"] if database else []
    lines += ["feathers dev"]
    return "Next steps:\n" + "".join(f"  {line}\n" for line in lines).rstrip("\n")
