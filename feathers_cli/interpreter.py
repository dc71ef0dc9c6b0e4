"""Running code of a project with the project's own Python: its `.venv` interpreter when it
has one (else the CLI's), so the project's code and dependencies are its own, whatever
environment the CLI is installed in. `feathers dev`, `start` and `migrate` use it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from .errors import CLIError
from .project import Project

__all__ = ["project_python", "read_config"]

_CONFIG_SCRIPT = (
    "import json\n"
    "from {package}.config import load_config\n"
    "config = load_config()\n"
    "{check}"
    "print(json.dumps(config, default=str))\n"
)
# Projects with a settings.py (pydantic) have their config checked too: a bad value exits
# with one line, `ConfigError: <file or variable>: <key>: <problem>`.
_SETTINGS_CHECK = (
    "import sys\n"
    "from feathers.schema import ConfigError\n"
    "from {package}.settings import check_settings\n"
    "try:\n"
    "    check_settings(config)\n"
    "except ConfigError as error:\n"
    "    sys.exit(f'{prefix}{{error}}')\n"
)
_CONFIG_ERROR = "ConfigError: "


def project_python(project: Project) -> str:
    """The project's `.venv` interpreter when there is one, else the CLI's own."""
    for candidate in (
        project.root / ".venv" / "bin" / "python",
        project.root / ".venv" / "Scripts" / "python.exe",
    ):
        if candidate.is_file():
            return str(candidate)
    return sys.executable


def read_config(project: Project, environ: Mapping[str, str]) -> dict[str, Any]:
    """The project's configuration for `environ`, as its own `load_config()` reads it, run
    in a child process with the project's Python (never inside the CLI's process).

    The generated `config.py` needs the standard library only, so the child first runs
    without `site` (`-S`: about 0.1 s less start-up); a config module that imports an
    installed package gets a second run with it. A project with a `settings.py` has its
    config checked by it (pydantic, so with `site`): a bad value is a one-line CLIError
    naming the key and the file or variable that set it.
    """
    has_settings = (project.package_dir / "settings.py").is_file()
    finished = _run_config_script(project, environ, [] if has_settings else ["-S"])
    if finished.returncode != 0 and "ModuleNotFoundError" in finished.stderr:
        finished = _run_config_script(project, environ, [])
    if finished.returncode != 0:
        lines = finished.stderr.strip().splitlines() or [f"exit code {finished.returncode}"]
        if lines[-1].startswith(_CONFIG_ERROR):
            raise CLIError(lines[-1].removeprefix(_CONFIG_ERROR))
        raise CLIError(
            f"cannot read the configuration with {project.package}/config.py: {lines[-1]}"
        )
    try:
        config = json.loads(finished.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as error:
        raise CLIError(f"{project.package}/config.py printed no configuration") from error
    if not isinstance(config, dict):
        raise CLIError(f"{project.package}/config.py: load_config() returned no table")
    return config


def _run_config_script(
    project: Project, environ: Mapping[str, str], options: list[str]
) -> subprocess.CompletedProcess[str]:
    check = ""
    if (project.package_dir / "settings.py").is_file():
        check = _SETTINGS_CHECK.format(package=project.package, prefix=_CONFIG_ERROR)
    script = _CONFIG_SCRIPT.format(package=project.package, check=check)
    try:
        return subprocess.run(
            [project_python(project), *options, "-c", script],
            cwd=project.root,
            env=dict(environ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CLIError(f"cannot run the project's Python to read its config: {error}") from error
