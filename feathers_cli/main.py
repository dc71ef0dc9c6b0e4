"""The `feathers` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes: 0 ok, 1 a user error (`CLIError`, one line on stderr), 2 a usage error.
The commands are in `commands/` (new, generate, upgrade, migrate) and here (dev, start);
their work lives in library modules (generators, dev, upgrade); this file only wires.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from . import __version__
from .commands import migrate as migrate_command
from .commands import new as new_command
from .commands import upgrade as upgrade_command
from .commands.generate import generate_app
from .errors import CLIError
from .project import find_project


class FeathersGroup(TyperGroup):
    """The one place where typed errors of every command (sub-apps too) become exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CLIError as error:
            typer.echo(f"Error: {error.message}", err=True)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    name="feathers",
    cls=FeathersGroup,
    help="Feathers for Python: create real-time apps and grow them.",
    epilog=(
        "Examples:\n\n"
        "  feathers new chat --yes\n\n"
        "  cd chat && feathers migrate && feathers dev --port 3030\n\n"
        "  feathers upgrade"
    ),
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# `feathers generate` and its alias `feathers g`: the sub-app of commands/generate.py.
app.add_typer(generate_app, name="generate")
app.add_typer(generate_app, name="g", hidden=True)
app.command(epilog=new_command.EPILOG)(new_command.new)
app.command(epilog=upgrade_command.EPILOG)(upgrade_command.upgrade)
app.command(epilog=migrate_command.EPILOG)(migrate_command.migrate)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"feathers-py {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Feathers for Python: create real-time apps and grow them."""


HostOption = Annotated[
    str | None, typer.Option(help="Host to listen on (default: the config's host).")
]
PortOption = Annotated[
    int | None,
    typer.Option(min=0, max=65535, help="Port to listen on (default: the config's port)."),
]


@app.command(epilog="Examples:\n\n  feathers dev\n\n  feathers dev --host 127.0.0.1 --port 4000")
def dev(host: HostOption = None, port: PortOption = None) -> None:
    """Run the project with uvicorn, reloading when its code or config changes.

    Works from the project root or any subfolder; --host and --port override the config.
    """
    _serve(host, port, reload=True)


@app.command(epilog="Examples:\n\n  feathers start\n\n  FEATHERS_ENV=production feathers start")
def start(host: HostOption = None, port: PortOption = None) -> None:
    """Run the project with uvicorn without reloading, as in production."""
    _serve(host, port, reload=False)


def _serve(host: str | None, port: int | None, *, reload: bool) -> None:
    from .dev import plan_server, run_server
    from .process import exec_server

    project = find_project(Path.cwd())
    plan = plan_server(project, host=host, port=port, reload=reload)
    mode = "reloading on changes" if reload else "no reload"
    python = "" if plan.command[0] == sys.executable else f", Python: {plan.command[0]}"
    typer.echo(f"Serving {project.package} on {plan.url} ({mode}{python}); Ctrl-C stops", err=True)
    if reload:  # uvicorn's reloader gets SIGINT/SIGTERM forwarded (feathers_cli/process.py)
        code = run_server(plan, cwd=project.root)
    else:  # the server takes this process over: signals reach app.listen() directly
        code = exec_server(plan.command, project.root, plan.environ)
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
