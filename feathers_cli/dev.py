"""`feathers dev` and `feathers start`: serve a project (uvicorn with reload, or `app.listen()`).

The server runs in a child process, with the project's own interpreter when the project has
a `.venv` (so the app's dependencies are its own, whatever environment the CLI lives in).
`--host`/`--port` become the `HOST`/`PORT` environment variables of the child, which the
project's config loader applies, so `app.get("port")` agrees with the port served.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CLIError
from .process import run_forwarding
from .project import Project

__all__ = ["ServerPlan", "plan_server", "run_server"]


@dataclass(frozen=True)
class ServerPlan:
    """How a project will be served: the command, its environment and the address."""

    command: list[str]
    environ: dict[str, str]
    host: str
    port: int
    watched: list[Path]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def plan_server(
    project: Project, *, host: str | None, port: int | None, reload: bool
) -> ServerPlan:
    """How to serve the project, flags overriding the config: `app.listen()` of
    `<package>.app` for `start`, uvicorn with reload on `<package>.app:asgi` for `dev`."""
    environ = dict(os.environ)
    if host is not None:
        environ["HOST"] = host
    if port is not None:
        environ["PORT"] = str(port)
    config = _project_config(project, environ)
    host, port = str(config.get("host", "localhost")), config.get("port", 3030)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise CLIError(f"the configured port {port!r} is not a port number")
    python = project_python(project)
    if not reload:
        # `app.listen()`, the runtime's one way to serve in production: uvloop, no
        # per-message deflate, the collector settled after start-up, a bounded graceful
        # shutdown, and a transport's own port (`socketio(3031)`) served alongside.
        code = f"from {project.package}.app import app; app.listen({port}, {host!r})"
        return ServerPlan([python, "-c", code], environ, host, port, [])
    command = [
        python,
        "-m",
        "uvicorn",
        f"{project.package}.app:asgi",
        "--app-dir",
        str(project.root),
        "--host",
        host,
        "--port",
        str(port),
        # As app.listen(): per-message deflate costs CPU on every frame and about 40 KiB per
        # idle connection (benchmarks/README.md); a bounded shutdown ends open long-polls.
        "--ws-per-message-deflate",
        "false",
        "--timeout-graceful-shutdown",
        "10",
    ]
    watched = [
        folder
        for folder in (project.package_dir, project.runtime_dir, project.root / "config")
        if folder.is_dir()
    ]
    command += ["--reload", "--reload-include", "*.toml"]
    for folder in watched:
        command += ["--reload-dir", str(folder)]
    return ServerPlan(command, environ, host, port, watched)


def run_server(plan: ServerPlan, cwd: Path) -> int:
    """Run the server until it stops; SIGINT/SIGTERM are forwarded to it (`process`)."""
    return run_forwarding(plan.command, cwd, plan.environ)


def project_python(project: Project) -> str:
    """The project's `.venv` interpreter when there is one, else the CLI's own."""
    for candidate in (
        project.root / ".venv" / "bin" / "python",
        project.root / ".venv" / "Scripts" / "python.exe",
    ):
        if candidate.is_file():
            return str(candidate)
    return sys.executable


def _project_config(project: Project, environ: dict[str, str]) -> dict[str, Any]:
    # The project's own loader (standard library only) decides, so the CLI and the app agree.
    path = project.package_dir / "config.py"
    spec = importlib.util.spec_from_file_location(f"_feathers_config_{project.package}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise CLIError(f"{path} is missing; `feathers dev` needs its load_config()")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        return module.load_config(project.root, environ)
    except Exception as error:
        raise CLIError(f"cannot read the configuration with {path}: {error}") from error
