"""Installing a generated project: its `.venv`, its dependencies, then its database.

`feathers new` (unless `--no-install`) and the generators that add dependencies run a list of
`Step`s with `run_steps`: each step is one command, shown while it runs (a spinner, the step
and the elapsed time on a terminal; one plain line per step otherwise), its output kept aside
and, when it fails, its last lines printed with the command to run again by hand. A failed
step raises `InstallFailed` (a `CLIError`, exit 1); the project files stay where they are,
since they are valid without their environment.

    steps = install_steps(Path("chat"))
    run_steps(steps, Reporter.for_stream(sys.stderr))

uv is used when it is there (the `uv` wheel is a dependency of the CLI), `python -m venv` and
pip otherwise: same environment, same packages, only slower.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .errors import CLIError

__all__ = [
    "InstallFailed",
    "Reporter",
    "Step",
    "install_steps",
    "run_steps",
    "uv_binary",
    "venv_python",
]

# How many lines of a failed tool's output are shown.
TAIL_LINES = 15


@dataclass(frozen=True)
class Step:
    """One command of an installation, run in `cwd` (`label` is what the user sees)."""

    label: str
    argv: Sequence[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def command(self) -> str:
        """The command as a user would type it, from `cwd`."""
        return " ".join(shlex.quote(part) for part in self.argv)


class InstallFailed(CLIError):
    """A step failed; the message names it and the command that retries it."""

    def __init__(self, step: Step, code: int) -> None:
        super().__init__(
            f"{step.label} failed (exit {code}); the project files are in place: "
            f"run `cd {shlex.quote(str(step.cwd))} && {step.command}` to retry"
        )
        self.step = step
        self.code = code


def uv_binary() -> str | None:
    """The uv executable: the one of the `uv` wheel, else one on PATH, else None."""
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which("uv")
    try:
        return find_uv_bin()
    except FileNotFoundError:
        return shutil.which("uv")


def venv_python(root: Path) -> Path:
    """The interpreter of the project's `.venv` (which may not exist yet)."""
    scripts = "Scripts" if os.name == "nt" else "bin"
    return root / ".venv" / scripts / ("python.exe" if os.name == "nt" else "python")


def install_steps(
    root: Path,
    *,
    extras: Sequence[str] = ("test",),
    packages: Sequence[str] = (),
    python: str = sys.executable,
    uv: str | None = None,
    use_uv: bool = True,
) -> list[Step]:
    """The steps that make `root/.venv` and install the project (editable, with `extras`).

    With `packages` the steps install only those into an existing `.venv` (what a generator
    that adds a dependency needs); `.venv` is created first when it is missing.
    """
    uv = (uv or uv_binary()) if use_uv else None
    target = venv_python(root)
    spec = [f".[{','.join(extras)}]" if extras else "."]
    wanted = list(packages) if packages else ["-e", *spec]
    tool = "uv" if uv else "pip"
    steps: list[Step] = []
    if not target.exists():
        create = (
            [uv, "venv", "--quiet", "--python", python, ".venv"]
            if uv
            else [python, "-m", "venv", ".venv"]
        )
        steps.append(Step(f"Creating .venv ({'uv' if uv else 'venv'})", create, root))
    install = (
        [uv, "pip", "install", "--python", str(target), *wanted]
        if uv
        else [str(target), "-m", "pip", "install", "--disable-pip-version-check", *wanted]
    )
    what = "the project and its dependencies" if not packages else ", ".join(packages)
    steps.append(Step(f"Installing {what} ({tool})", install, root))
    return steps


class Reporter:
    """Shows the steps: a rich spinner with the elapsed time on a terminal, plain lines else."""

    def __init__(self, stream: IO[str], *, tty: bool) -> None:
        self.stream = stream
        self.tty = tty

    def _line(self, text: str) -> None:
        # only ever the stream the command layer handed over (stderr for the CLI)
        self.stream.write(text + "\n")
        self.stream.flush()

    @classmethod
    def for_stream(cls, stream: IO[str]) -> Reporter:
        """A reporter that uses rich when `stream` is a terminal."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream, tty=bool(isatty and isatty()))

    def run(self, step: Step, log: IO[bytes]) -> tuple[int, float]:
        """Run `step` with its output going to `log`; returns the exit code and the seconds."""
        start = time.monotonic()
        if self.tty:
            code = self._run_with_spinner(step, log)
        else:
            self._line(f"- {step.label} ...")
            code = _call(step, log)
        elapsed = time.monotonic() - start
        mark = "done" if code == 0 else "FAILED"
        self._line(f"  {mark}: {step.label} ({elapsed:.1f} s)")
        return code, elapsed

    def _run_with_spinner(self, step: Step, log: IO[bytes]) -> int:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream)
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            progress.add_task(step.label, total=None)
            return _call(step, log)

    def failure(self, step: Step, output: str) -> None:
        """Print the failed tool's last lines and the command that retries the step."""
        lines = output.rstrip().splitlines()[-TAIL_LINES:]
        self._line(f"  last lines of `{step.command}`:")
        for line in lines:
            self._line(f"    {line}")
        self._line(f"  retry with: cd {shlex.quote(str(step.cwd))} && {step.command}")


def _call(step: Step, log: IO[bytes]) -> int:
    env = {**os.environ, **step.env}
    # A virtualenv the CLI itself runs in must not leak into the project's tools.
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONHOME", None)
    try:
        return subprocess.call(
            list(step.argv), cwd=step.cwd, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    except OSError as exc:
        log.write(f"{exc}\n".encode())
        return 127


def run_steps(steps: Sequence[Step], reporter: Reporter) -> float:
    """Run `steps` in order, showing each; raise `InstallFailed` at the first that fails.

    Returns the total seconds.
    """
    total = 0.0
    for step in steps:
        with tempfile.TemporaryFile() as log:
            code, elapsed = reporter.run(step, log)
            total += elapsed
            if code != 0:
                log.seek(0)
                reporter.failure(step, log.read().decode("utf-8", "replace"))
                raise InstallFailed(step, code)
    return total
