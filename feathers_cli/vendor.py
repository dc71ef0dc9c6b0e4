"""Vendoring the runtime: `feathers_cli/runtime` is copied into projects as the package `feathers`.

The copy is byte-for-byte and comes with `feathers/MANIFEST.json`: the feathers-py version and
the sha256 of every file. `upgrade_runtime` uses the manifest to tell files edited by hand
(refused unless forced) from files it may replace.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import CLIError

__all__ = [
    "MANIFEST_NAME",
    "RUNTIME_PACKAGE",
    "HandEditedRuntime",
    "RuntimeUpgrade",
    "manifest_for",
    "runtime_files",
    "upgrade_runtime",
    "vendor_runtime",
]

RUNTIME_PACKAGE = "feathers"
MANIFEST_NAME = "MANIFEST.json"
RUNTIME_SOURCE = Path(__file__).resolve().parent / "runtime"
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


def manifest_for(files: dict[str, bytes], version: str = __version__) -> dict[str, object]:
    """The manifest recording `version` and the sha256 of each file."""
    return {
        "feathers_py": version,
        "files": {name: _sha256(content) for name, content in sorted(files.items())},
    }


def vendor_runtime(project_root: Path, source: Path = RUNTIME_SOURCE) -> list[str]:
    """Copy the runtime into `project_root/feathers` (which must not exist yet).

    Returns the written paths relative to the project root, manifest included.
    """
    target = project_root / RUNTIME_PACKAGE
    target.mkdir()
    files = runtime_files(source)
    for name, content in files.items():
        _write_atomically(target / name, content)
    _write_atomically(target / MANIFEST_NAME, _manifest_bytes(manifest_for(files)))
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

    @property
    def up_to_date(self) -> bool:
        return not (self.added or self.changed or self.removed or self.hand_edited)


def upgrade_runtime(
    project_root: Path, *, force: bool = False, source: Path = RUNTIME_SOURCE
) -> RuntimeUpgrade:
    """Refresh `project_root/feathers` from this feathers-py's runtime.

    Refuses with `HandEditedRuntime` (naming the files) when vendored files no longer match
    the manifest, unless `force`. Files in the folder that the manifest never listed are left
    alone. Also updates `runtime_version` in the project's `[tool.feathers]`.
    """
    target = project_root / RUNTIME_PACKAGE
    manifest_path = target / MANIFEST_NAME
    recorded = _read_manifest(manifest_path, force=force)
    recorded_hashes: dict[str, str] = recorded.get("files", {})
    new_files = runtime_files(source)
    new_hashes = manifest_for(new_files)["files"]
    assert isinstance(new_hashes, dict)

    result = RuntimeUpgrade(str(recorded.get("feathers_py", "unknown")), __version__)
    for name, digest in recorded_hashes.items():
        path = target / name
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            result.hand_edited.append(name)
    if target.is_dir():
        for path in sorted(target.rglob("*")):
            name = path.relative_to(target).as_posix()
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and name != MANIFEST_NAME
                and name not in recorded_hashes
                and name not in new_hashes
            ):
                result.untracked.append(name)
    if result.hand_edited and not force:
        raise HandEditedRuntime(
            "vendored runtime files were edited by hand: "
            + ", ".join(f"{RUNTIME_PACKAGE}/{name}" for name in result.hand_edited)
            + "; `feathers upgrade --force` replaces them (move your changes out first)"
        )

    for name, content in new_files.items():
        path = target / name
        current = path.read_bytes() if path.is_file() else None
        if current == content:
            continue
        (result.changed if current is not None else result.added).append(name)
        _write_atomically(path, content)
    for name in recorded_hashes:
        if name not in new_files and (target / name).exists():
            (target / name).unlink()
            result.removed.append(name)
    new_manifest = _manifest_bytes(manifest_for(new_files))
    if not manifest_path.is_file() or manifest_path.read_bytes() != new_manifest:
        _write_atomically(manifest_path, new_manifest)
    _record_runtime_version(project_root / "pyproject.toml", __version__)
    return result


def _read_manifest(path: Path, *, force: bool) -> dict:
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


def _record_runtime_version(pyproject: Path, version: str) -> None:
    text = pyproject.read_text(encoding="utf-8")
    updated = re.sub(
        r'^runtime_version = ".*"$', f'runtime_version = "{version}"', text, flags=re.MULTILINE
    )
    if updated != text:
        _write_atomically(pyproject, updated.encode("utf-8"))


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _manifest_bytes(manifest: dict[str, object]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _write_atomically(path: Path, content: bytes) -> None:
    # A reader (uvicorn's reloader, an editor) never sees half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)
