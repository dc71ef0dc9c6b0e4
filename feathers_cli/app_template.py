"""Rendering the app template (`templates/app`, a copier template) for `feathers new` and
`feathers upgrade`.

    render_app(destination, data, ask=False)     # a new project's files
    files = rendered_app(answers)                # {relative path: text}, for comparing

The project keeps its answers in `.copier-answers.yml` (copier's answers file), so the same
template renders the same files again with a newer feathers-py. Jinja2 fragments of the
generators are rendered by `render`, not here.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

from .errors import CLIError
from .paths import templates_root

__all__ = ["ANSWERS_FILE", "read_answers", "render_app", "rendered_app"]

ANSWERS_FILE = ".copier-answers.yml"


def render_app(destination: Path, data: dict[str, Any], *, ask: bool) -> None:
    """Render the app template into `destination` with `data`; `ask` lets copier prompt for
    the questions `data` leaves out (needs a terminal), else they take their defaults."""
    # copier (with pydantic and questionary) takes ~0.4 s to import; only new/upgrade pay.
    from copier import run_copy
    from copier.errors import CopierError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_copy(
                str(templates_root() / "app"),
                destination,
                data=data,
                defaults=not ask,
                quiet=True,
                cleanup_on_error=False,
                overwrite=True,
            )
    except CopierError as error:
        raise CLIError(f"the template could not be rendered: {error}") from error


def rendered_app(answers: dict[str, Any]) -> dict[str, str]:
    """Every file the template renders with `answers`, by POSIX path relative to the root."""
    with tempfile.TemporaryDirectory(prefix="feathers-template-") as folder:
        root = Path(folder)
        render_app(root, answers, ask=False)
        return {
            path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }


def read_answers(project_root: Path, fallback: dict[str, Any]) -> dict[str, Any]:
    """The answers in the project's `.copier-answers.yml` (copier's own keys, starting with
    `_`, left out), over `fallback` (what `[tool.feathers]` records, for projects made
    before the answers file existed)."""
    import yaml

    path = project_root / ANSWERS_FILE
    if not path.is_file():
        return dict(fallback)
    try:
        recorded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise CLIError(f"cannot read {ANSWERS_FILE}: {error}") from error
    if not isinstance(recorded, dict):
        raise CLIError(f"{ANSWERS_FILE} is not a table of answers")
    answers = {**fallback, **{k: v for k, v in recorded.items() if not k.startswith("_")}}
    return answers
