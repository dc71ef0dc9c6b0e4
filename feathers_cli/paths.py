"""Where the CLI's own files are: the templates and the runtime it vendors.

Templates ship with the CLI: in a source checkout (or an editable install) they are the
repository's `templates/` folder; in a wheel they are packaged as `feathers_cli/templates`.
"""

from __future__ import annotations

from pathlib import Path

from .errors import CLIError

__all__ = ["RUNTIME_SOURCE", "template_text", "templates_root"]

_PACKAGE_DIR = Path(__file__).resolve().parent
RUNTIME_SOURCE = _PACKAGE_DIR / "runtime"


def templates_root() -> Path:
    """The folder holding every template (`app/` for `feathers new`, ...)."""
    for candidate in (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates"):
        if (candidate / "app").is_dir():
            return candidate
    raise CLIError(f"the templates of feathers-py are missing next to {_PACKAGE_DIR}; reinstall it")


def template_text(name: str) -> str:
    """A template file's text as it is (`connection/migrations/script.py.mako`)."""
    return (templates_root() / name).read_text(encoding="utf-8")
