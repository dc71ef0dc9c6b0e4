"""`feathers generate sync` (and `feathers new --sync redis`): service events shared by every
process of a project through Redis (the runtime's `feathers.sync`).

    generated = plan_sync(project, SyncAnswers(url=None))   # validates, writes nothing
    apply_changes(generated.changes)

It plans::

    <package>/app.py       + `sync(...)` configured in create_app() when [sync] url is set
                             (at the connections marker), + its import
    config/default.toml    + [sync] url = "redis://127.0.0.1:6379/0" (FEATHERS_SYNC__URL overrides)
    config/test.toml       + [sync] url = ""   (the project's tests need no Redis)
    tests/test_sync.py     the wiring's tests, and two apps sharing events over a real Redis
                           when FEATHERS_TEST_REDIS_URL is set
    pyproject.toml         + redis>=5; [tool.feathers] sync = "redis"

The Redis stream is named after the package (`key`), so every process of the app shares it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import UsageError
from ..inject import AlreadyExists, Changes, Plan, apply_changes
from ..project import Project, find_project
from ..render import render_fragment
from ..toml_edits import get_value

__all__ = [
    "DEFAULT_SYNC_URL",
    "SYNC_BACKENDS",
    "SYNC_DEPENDENCY",
    "GeneratedSync",
    "SyncAnswers",
    "add_sync",
    "has_sync",
    "parse_sync",
    "plan_sync",
]

# What service events travel through between processes (`feathers new --sync`).
SYNC_BACKENDS = ("redis",)
DEFAULT_SYNC_URL = "redis://127.0.0.1:6379/0"
SYNC_DEPENDENCY = "redis>=5"
_REDIS_SCHEMES = ("redis", "rediss", "unix")
_MARKER = "# feathers:connections"
_IMPORT = "from feathers.sync import sync"


@dataclass(frozen=True)
class SyncAnswers:
    backend: str = SYNC_BACKENDS[0]
    url: str | None = None


@dataclass(frozen=True)
class GeneratedSync:
    backend: str
    url: str
    key: str
    changes: Changes

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "sync",
            "sync": {"backend": self.backend, "url": self.url, "key": self.key},
            **self.changes.to_json(),
        }

    def summary(self) -> str:
        return f"Sync over Redis at {self.url} (stream {self.key!r}; the tests run without it)."

    def next_steps(self) -> str:
        return (
            "Next: a Redis server at that URL (or FEATHERS_SYNC__URL=redis://... in the "
            "servers' environment), then `feathers start --workers 2`."
        )


def parse_sync(value: str) -> str:
    """`--sync` checked against `SYNC_BACKENDS`."""
    if value not in SYNC_BACKENDS:
        raise UsageError(
            f"--sync {value!r} is not supported; choose from: {', '.join(SYNC_BACKENDS)}"
        )
    return value


def has_sync(project: Project) -> bool:
    """Whether the project's events are synced already (`[tool.feathers] sync`, or app.py
    importing `feathers.sync`)."""
    if project.config.get("sync"):
        return True
    app_file = project.package_dir / "app.py"
    try:
        return _IMPORT in app_file.read_text(encoding="utf-8")
    except OSError:
        return False


def _checked_url(url: str | None) -> str:
    if url is None:
        return DEFAULT_SYNC_URL
    scheme = urlsplit(url).scheme
    if scheme not in _REDIS_SCHEMES or any(c in url for c in "\n\r\"'"):
        raise UsageError(
            f"--url {url!r} is not a Redis URL (e.g. {DEFAULT_SYNC_URL}, "
            "rediss://:password@redis.example:6380/0, unix:///run/redis.sock)"
        )
    return url


def plan_sync(project: Project, answers: SyncAnswers) -> GeneratedSync:
    """Validate the answers against the project and compute every change, writing nothing."""
    backend = parse_sync(answers.backend)
    url = _checked_url(answers.url)
    if has_sync(project):
        raise AlreadyExists(
            "the project already has sync ([tool.feathers] sync); nothing was written"
        )
    config = project.root / "config"
    _check_config(config / "default.toml")
    plan = Plan(project.root)
    app_file = project.package_dir / "app.py"
    plan.insert(app_file, _MARKER, _app_lines(project.package), where="in create_app()")
    plan.add_import(app_file, _IMPORT)
    comment = "Redis shared by every process of the app (FEATHERS_SYNC__URL overrides it)."
    plan.set_toml(config / "default.toml", "sync.url", url, comment=comment)
    plan.set_toml(config / "test.toml", "sync.url", "", comment="The tests run without Redis.")
    context = {"package": project.package}
    test_file = project.root / "tests" / "test_sync.py"
    plan.create(test_file, render_fragment("sync/test_sync.py.jinja", context))
    plan.add_dependency(project.pyproject, SYNC_DEPENDENCY)
    plan.set_toml(project.pyproject, "tool.feathers.sync", backend, replace=True)
    return GeneratedSync(backend, url, project.package, plan.finish())


def _check_config(default_toml: Path) -> None:
    """A `[sync]` table set by hand is the user's: refuse rather than merge into it."""
    try:
        text = default_toml.read_text(encoding="utf-8")
    except OSError:
        return  # the plan reports the missing file
    if get_value(text, "sync") is not None:
        raise AlreadyExists("config/default.toml already has a [sync] table; nothing was written")


def _app_lines(package: str) -> list[str]:
    return [
        "# Service events reach the clients of every process of the app through Redis when",
        "# [sync] url is set (config/*.toml; FEATHERS_SYNC__URL overrides it).",
        'if (app.get("sync") or {}).get("url"):',
        f'    app.configure(sync({{"key": "{package}", **app.get("sync")}}))',
    ]


def add_sync(root: Path, backend: str) -> GeneratedSync:
    """Add sync to the project just rendered at `root` (`feathers new --sync`)."""
    generated = plan_sync(find_project(root), SyncAnswers(backend=backend))
    apply_changes(generated.changes)
    return generated
