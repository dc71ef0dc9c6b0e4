"""`feathers start --workers N`: prints what is served, then supervises the workers
(`feathers_cli.workers`)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..project import find_project

__all__ = ["serve_workers"]


def serve_workers(host: str | None, port: int | None, workers: int) -> None:
    """Serve the project in (or above) the current folder with `workers` processes."""
    from ..workers import plan_workers, run_workers

    project = find_project(Path.cwd())
    plan = plan_workers(project, host=host, port=port, workers=workers)
    _say(
        f"Serving {project.package} on {plan.url} with {workers} worker processes "
        "(no reload); Ctrl-C stops them all"
    )
    _say(
        "Socket.io serves websocket only with several workers: clients connect with "
        "transports: ['websocket']; polling clients need one process each behind a "
        "load balancer with sticky sessions (docs/deployment.md)"
    )
    if not plan.sync_url:
        _say(
            "Warning: sync is not configured (no [sync] url): service events reach only the "
            "clients of the worker that raised them; `feathers generate sync` adds it"
        )
    raise typer.Exit(run_workers(plan, project.root, report=_say))


def _say(line: str) -> None:
    typer.echo(line, err=True)
