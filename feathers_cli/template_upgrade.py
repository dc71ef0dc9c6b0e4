"""`feathers upgrade`, the template half: bring changes of the app template into a project.

The project's answers (`.copier-answers.yml`; `[tool.feathers]` for projects made before it)
render the template of this feathers-py. The runtime manifest (`feathers/MANIFEST.json`,
key `template`) records the sha256 of every file the template rendered last time, so:

- a file the project does not have is created (a file the template gained);
- a file still as the template rendered it is replaced by the new rendering;
- a file changed since (by hand or by a generator: app.py after `generate connection`, ...)
  is left alone and reported, when the template renders it differently now;
- a file the template renders as it did last time is not touched, edited or not.

Nothing is deleted. The edits go into the same `Plan` as the runtime's, so the upgrade is
written all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .app_template import read_answers, rendered_app
from .inject import Plan
from .project import Project
from .toml_edits import get_value
from .vendor import sha256_text

__all__ = ["TemplateUpgrade", "plan_template_upgrade"]

# Files the CLI edits itself as part of the upgrade (runtime_version), never re-rendered.
_OWN_EDITS = frozenset({"pyproject.toml"})


@dataclass
class TemplateUpgrade:
    """What the template upgrade does: paths relative to the project root."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Files changed since they were rendered, which the new template renders differently."""
    hashes: dict[str, str] = field(default_factory=dict)
    """The record for the manifest after the upgrade."""


def plan_template_upgrade(
    project: Project, plan: Plan, recorded: dict[str, str]
) -> TemplateUpgrade:
    """Plan the template's changes into `plan`; `recorded` is the manifest's template record."""
    rendered = rendered_app(_answers(project))
    result = TemplateUpgrade(hashes=dict(recorded))
    for name, text in rendered.items():
        if name in _OWN_EDITS:
            continue
        path = project.root / name
        current = path.read_bytes().decode("utf-8", "replace") if path.is_file() else None
        new_hash = sha256_text(text)
        if current is None:
            plan.create(path, text)
            result.added.append(name)
        elif current == text or recorded.get(name) == new_hash:
            continue  # nothing new from the template for this file
        elif recorded.get(name) == sha256_text(current):
            plan.replace(path, text, why="template")
            result.updated.append(name)
        else:
            result.kept.append(name)
            continue
        result.hashes[name] = new_hash
    return result


def _answers(project: Project) -> dict[str, Any]:
    """The answers to render with: the answers file over what pyproject.toml records."""
    text = project.pyproject.read_text(encoding="utf-8")
    fallback = {
        "project_name": get_value(text, "project.name", project.root.name),
        "description": get_value(text, "project.description", ""),
        "package": project.package,
        "transports": project.config.get("transports", ["socketio"]),
        "database": project.config.get("database", "memory"),
    }
    answers = read_answers(project.root, fallback)
    answers["runtime_version"] = __version__
    return answers
