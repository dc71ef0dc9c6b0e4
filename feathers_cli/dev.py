"""`feathers dev` and `feathers start`: serve a project (uvicorn with reload, or `app.listen()`).

The server runs in a child process, with the project's own interpreter when the project has
a `.venv` (so the app's dependencies are its own, whatever environment the CLI lives in);
the address comes from the project's config, read by that interpreter too (`interpreter`).
Variables of the project's `.env` are added to the child's environment (the real
environment wins), and a project with authentication but no usable secret is refused
before the server starts (`envfile`). `--host`/`--port` become the `HOST`/`PORT`
environment variables of the child, which the project's config loader applies, so
`app.get("port")` agrees with the port served.

The app is built by its factory: `create_app(load_config())` for `start`, uvicorn's
`--factory <package>.app:asgi` for `dev`. Projects made before the factory existed (a
module-level `asgi` object in app.py) are served as they were, `<package>.app:asgi`.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

from .envfile import check_secret, project_environ
from .errors import CLIError
from .interpreter import project_python, read_config
from .process import run_forwarding
from .project import Project
from .ready import watcher_script

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
    """How to serve the project, flags overriding the config: `app.listen()` of the app
    `create_app` builds for `start`, uvicorn with reload on the `asgi` factory for `dev`."""
    environ = project_environ(project.root, os.environ)  # .env under the real environment
    if host is not None:
        environ["HOST"] = host
    if port is not None:
        environ["PORT"] = str(port)
    config = read_config(project, environ)
    check_secret(config, environ)
    host, port = str(config.get("host", "localhost")), config.get("port", 3030)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise CLIError(f"the configured port {port!r} is not a port number")
    python = project_python(project)
    if not reload:
        # `app.listen()`, the runtime's one way to serve in production: uvloop, no
        # per-message deflate, the collector settled after start-up, a bounded graceful
        # shutdown, and a transport's own port (`socketio(3031)`) served alongside.
        # The banner comes from the server process itself: `start` may exec into it.
        code = watcher_script(project.package, host, port) + (
            f"from {project.package}.app import create_app; "
            f"from {project.package}.config import load_config; "
            f"create_app(load_config()).listen({port}, {host!r})"
        )
        return ServerPlan([python, "-c", code], environ, host, port, [])
    command = [python, "-m", "uvicorn", *_uvicorn_target(project), "--app-dir", str(project.root)]
    command += ["--host", host, "--port", str(port)]
    # As app.listen(): per-message deflate costs CPU on every frame and about 40 KiB per
    # idle connection (benchmarks/README.md); a bounded shutdown ends open long-polls.
    command += ["--ws-per-message-deflate", "false", "--timeout-graceful-shutdown", "10"]
    watched = [
        folder
        for folder in (project.package_dir, project.runtime_dir, project.root / "config")
        if folder.is_dir()
    ]
    command += ["--reload", "--reload-include", "*.toml"]
    for folder in watched:
        command += ["--reload-dir", str(folder)]
    return ServerPlan(command, environ, host, port, watched)


def _uvicorn_target(project: Project) -> list[str]:
    """`--factory <package>.app:asgi` when app.py defines the `asgi()` factory, else the
    module-level `asgi` object of projects made before it."""
    target = f"{project.package}.app:asgi"
    app_file = project.package_dir / "app.py"
    try:
        tree = ast.parse(app_file.read_bytes(), filename=str(app_file))
    except (OSError, SyntaxError, ValueError):
        return ["--factory", target]  # uvicorn reports the real problem
    factory = any(isinstance(node, ast.FunctionDef) and node.name == "asgi" for node in tree.body)
    return ["--factory", target] if factory else [target]


def run_server(plan: ServerPlan, cwd: Path) -> int:
    """Run the server until it stops; SIGINT/SIGTERM are forwarded to it (`process`)."""
    return run_forwarding(plan.command, cwd, plan.environ)
