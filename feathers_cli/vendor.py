"""Vendoring the runtime: `feathers_cli/runtime` is copied into projects as the package `feathers`.

The copy is byte-for-byte and comes with `feathers/MANIFEST.json`: the feathers-py version and
the sha256 of every file. `upgrade_runtime` uses the manifest to tell files edited by hand
(refused unless forced) from files it may replace.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .changes import Changes
from .errors import CLIError
from .inject import Plan, apply_changes
from .paths import RUNTIME_SOURCE

__all__ = [
    "MANIFEST_NAME",
    "RUNTIME_PACKAGE",
    "HandEditedRuntime",
    "RuntimeUpgrade",
    "file_hashes",
    "manifest_for",
    "read_manifest",
    "runtime_files",
    "sha256_text",
    "upgrade_runtime",
    "vendor_runtime",
]

RUNTIME_PACKAGE = "feathers"
MANIFEST_NAME = "MANIFEST.json"
_SHIPPED_SUFFIXES = (".py", ".typed")


class HandEditedRuntime(CLIError):
    """Vendored files differ from the manifest; `--force` replaces them anyway."""


def runtime_files(source: Path = RUNTIME_SOURCE) -> dict[str, bytes]:
    """Every file of the runtime to vendor, keyed by POSIX path relative to the package."""
    files = {}
    for path in sorted(source.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        if path.name.endswith(_SHIPPED_SUFFIXES):
            files[path.relative_to(source).as_posix()] = path.read_bytes()
    if "__init__.py" not in files:
        raise CLIError(f"the runtime to vendor is incomplete: no __init__.py in {source}")
    return files


def manifest_for(
    files: dict[str, bytes], version: str = __version__, template: dict[str, str] | None = None
) -> dict[str, object]:
    """The manifest recording `version` and the sha256 of each file; `template` is the
    sha256 of each file the app template rendered (what `feathers upgrade` may replace)."""
    manifest: dict[str, object] = {
        "feathers_py": version,
        "files": {name: _sha256(content) for name, content in sorted(files.items())},
    }
    if template is not None:
        manifest["template"] = dict(sorted(template.items()))
    return manifest


def file_hashes(root: Path) -> dict[str, str]:
    """The sha256 of every file under `root`, by POSIX path relative to it."""
    return {
        path.relative_to(root).as_posix(): _sha256(path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def sha256_text(text: str) -> str:
    """The sha256 of `text` as UTF-8, as the manifest records files."""
    return _sha256(text.encode("utf-8"))


def vendor_runtime(
    project_root: Path, source: Path = RUNTIME_SOURCE, template: dict[str, str] | None = None
) -> list[str]:
    """Copy the runtime into `project_root/feathers` (which must not exist yet); the
    manifest also records `template` (see `manifest_for`).

    Returns the written paths relative to the project root, manifest included.
    """
    target = project_root / RUNTIME_PACKAGE
    if target.exists():
        raise CLIError(f"{target} already exists")
    plan = Plan(project_root)
    files = runtime_files(source)
    for name, content in files.items():
        plan.create(target / name, content.decode("utf-8"), verbatim=True)
    plan.create(target / MANIFEST_NAME, _manifest_text(manifest_for(files, template=template)))
    apply_changes(plan.finish())
    return [f"{RUNTIME_PACKAGE}/{name}" for name in [*files, MANIFEST_NAME]]


@dataclass
class RuntimeUpgrade:
    """What `upgrade_runtime` did (or would do): paths relative to the vendored package."""

    from_version: str
    to_version: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    hand_edited: list[str] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)
    changes: Changes | None = None
    """The planned edits (apply them with `inject.apply_changes`)."""

    @property
    def up_to_date(self) -> bool:
        return not (self.added or self.changed or self.removed or self.hand_edited)

    def apply(self) -> None:
        """Write the planned changes, all or nothing."""
        if self.changes is not None:
            apply_changes(self.changes)


def upgrade_runtime(
    project_root: Path,
    *,
    force: bool = False,
    source: Path = RUNTIME_SOURCE,
    plan: Plan | None = None,
    template: dict[str, str] | None = None,
) -> RuntimeUpgrade:
    """Plan the refresh of `project_root/feathers` from this feathers-py's runtime.

    Refuses with `HandEditedRuntime` (naming the files) when vendored files no longer match
    the manifest, unless `force`. Files in the folder that the manifest never listed are left
    alone. Also updates `runtime_version` in the project's `[tool.feathers]`. The edits go
    into `plan` (a new one by default, in `result.changes`); nothing is written here.
    `template` replaces the manifest's record of the template's files (kept by default).
    """
    target = project_root / RUNTIME_PACKAGE
    recorded = read_manifest(target / MANIFEST_NAME, force=force)
    recorded_hashes: dict[str, str] = recorded.get("files", {})
    new_files = runtime_files(source)
    result = RuntimeUpgrade(str(recorded.get("feathers_py", "unknown")), __version__)
    _compare(result, target, recorded_hashes, new_files)
    if result.hand_edited and not force:
        raise HandEditedRuntime(
            "vendored runtime files were edited by hand: "
            + ", ".join(f"{RUNTIME_PACKAGE}/{name}" for name in result.hand_edited)
            + "; `feathers upgrade --force` replaces them (move your changes out first)"
        )
    plan = plan or Plan(project_root)
    for name, content in new_files.items():
        path = target / name
        current = path.read_bytes() if path.is_file() else None
        if current != content:
            (result.changed if current is not None else result.added).append(name)
            plan.replace(path, content.decode("utf-8"), why="runtime file")
    for name in recorded_hashes:
        if name not in new_files and (target / name).exists():
            plan.remove(target / name)
            result.removed.append(name)
    if template is None and isinstance(recorded.get("template"), dict):
        template = recorded["template"]
    manifest = manifest_for(new_files, template=template)
    plan.replace(target / MANIFEST_NAME, _manifest_text(manifest), why="manifest")
    plan.set_toml(
        project_root / "pyproject.toml", "tool.feathers.runtime_version", __version__, replace=True
    )
    result.changes = plan.changes
    return result


def _compare(
    result: RuntimeUpgrade, target: Path, recorded: dict[str, str], new_files: dict[str, bytes]
) -> None:
    """Fill in the hand-edited files (against the manifest) and the untracked ones."""
    for name, digest in recorded.items():
        path = target / name
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            result.hand_edited.append(name)
    if not target.is_dir():
        return
    for path in sorted(target.rglob("*")):
        name = path.relative_to(target).as_posix()
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and name != MANIFEST_NAME
            and name not in recorded
            and name not in new_files
        ):
            result.untracked.append(name)


def read_manifest(path: Path, *, force: bool) -> dict:
    """The vendored manifest; with `force`, an unreadable one is an empty one."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            raise ValueError("no `files` table")
        return manifest
    except (OSError, ValueError) as error:
        if force:
            return {}
        raise HandEditedRuntime(
            f"cannot read {path} ({error}), so hand edits cannot be told apart; "
            "`feathers upgrade --force` rewrites the vendored runtime"
        ) from error


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _manifest_text(manifest: dict[str, object]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"
