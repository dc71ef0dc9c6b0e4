"""Helpers for the generator tests: a minimal project tree built inline, and snapshots.

The minimal project has what the generators read and edit (pyproject.toml with
[tool.feathers], the app package with services/__init__.py as `feathers new` writes it, and
hooks/), not the vendored runtime, so building one takes a millisecond.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from feathers_cli.main import app

TEMPLATE_PACKAGE = Path(__file__).parents[2] / "templates" / "app" / "template" / "{{ package }}"


def minimal_project(root: Path, package: str = "chat") -> Path:
    """Write a minimal Feathers project into `root` and return `root`."""
    (root / package / "services").mkdir(parents=True)
    (root / package / "hooks").mkdir()
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{package}"\n\n[tool.feathers]\npackage = "{package}"\n'
        'language = "python"\ntransports = ["socketio"]\ndatabase = "memory"\n'
    )
    (root / package / "__init__.py").write_text('"""The app."""\n')
    registry = (TEMPLATE_PACKAGE / "services" / "__init__.py").read_text()
    (root / package / "services" / "__init__.py").write_text(registry)
    (root / package / "hooks" / "__init__.py").write_text('"""Hooks."""\n')
    (root / package / "app.py").write_text(
        '"""The app."""\n\nfrom .services import register_services\n\n\n'
        "def create_app(app):\n    register_services(app)\n    return app\n"
    )
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its content, to show that nothing changed."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def run(*args: str) -> Result:
    """Run `feathers ARGS...` in the current folder, without a terminal."""
    return CliRunner().invoke(app, list(args))
