"""Rendering jinja2 fragments: the templates under `templates/` that generators fill in
(`service/*.jinja`, `hook/*.jinja`, `connection/*.jinja`, ...).

    render_fragment("hook/around.py.jinja", {"function": "log_runtime", ...})

A variable missing from the context is an error (StrictUndefined), never an empty string.
The app template (`templates/app`, copier) is rendered by `app_template`, not here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .paths import templates_root

__all__ = ["render_fragment"]


def render_fragment(name: str, context: dict[str, Any]) -> str:
    """Render the jinja2 template `name` (under `templates/`)."""
    return _fragments().get_template(name).render(context)


@cache
def _fragments() -> Any:
    # jinja2 is imported on first use: `feathers --help` does not pay for it.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_root()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
