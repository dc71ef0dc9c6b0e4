"""Planned changes to a project (`Changes`) and the one writer, `apply_changes`: every file
or none.

`inject.Plan` builds `Changes`; this module only holds them, shows them (`describe`, for
people, and `to_json`, for `--json`: the same list of edits that is applied) and writes them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CLIError
from .tree import format_tree

__all__ = ["AlreadyExists", "BrokenEdit", "Changes", "Edit", "MissingMarker", "apply_changes"]


class AlreadyExists(CLIError):
    """A file to create exists, or the lines to insert are already at their marker."""


class MissingMarker(CLIError):
    """A marker comment is gone (or doubled); the message says what to add by hand."""


class BrokenEdit(CLIError):
    """An edited or created file would no longer parse, or cannot take the edit."""


@dataclass(frozen=True)
class Edit:
    """One edit as shown to people: `lines` added to `path` at `at` (a marker comment when
    `marker`, else what is edited: `end`, `imports`, a TOML key)."""

    path: Path
    at: str
    lines: tuple[str, ...]
    marker: bool = False


@dataclass
class Changes:
    """Validated changes: what `apply_changes` will write, computed in memory."""

    root: Path
    created: dict[Path, str] = field(default_factory=dict)
    edited: dict[Path, tuple[str, str]] = field(default_factory=dict)
    """path -> (content now, content after the edits)."""
    removed: dict[Path, bytes] = field(default_factory=dict)
    """path -> its content now (put back when writing fails)."""
    edits: list[Edit] = field(default_factory=list)
    private: set[Path] = field(default_factory=set)
    """Files (created or edited) that hold secrets: written readable by their owner only."""

    def relative(self, path: Path) -> str:
        """`path` relative to the project root, in POSIX form."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def to_json(self) -> dict[str, Any]:
        """The files to create, edit and remove, for `--json` output."""
        return {
            "created": [self.relative(path) for path in self.created],
            "edited": [self._edit_json(edit) for edit in self.edits],
            "removed": [self.relative(path) for path in self.removed],
        }

    def _edit_json(self, edit: Edit) -> dict[str, Any]:
        entry: dict[str, Any] = {"file": self.relative(edit.path), "at": edit.at}
        if edit.marker:
            entry["marker"] = edit.at
        entry["lines"] = list(edit.lines)
        return entry

    def describe(self, *, dry_run: bool) -> str:
        """The files and edits as text for people, headed "Would ..." for a dry run."""
        parts = []
        if self.created:
            label = "Would create" if dry_run else "Created"
            tree = format_tree([self.relative(path) for path in self.created], "./")
            parts.append(f"{label}:\n{tree}")
        if self.edits:
            label = "Would edit" if dry_run else "Edited"
            edits = []
            for edit in self.edits:
                added = "".join(f"\n    + {line}" for line in edit.lines)
                edits.append(f"  {self.relative(edit.path)} at {edit.at}{added}")
            parts.append(f"{label}:\n" + "\n".join(edits))
        if self.removed:
            label = "Would remove" if dry_run else "Removed"
            parts.append(f"{label}:\n" + "\n".join(f"  {self.relative(p)}" for p in self.removed))
        return "\n\n".join(parts)

    @property
    def empty(self) -> bool:
        return not (self.created or self.edited or self.removed)


def apply_changes(changes: Changes) -> None:
    """Write every planned file, or none: each goes to a temporary file first, then all are
    renamed into place; on any failure the files already replaced are put back."""
    done = _Undo()
    try:
        staged = _stage(changes, done)
        _check_unchanged(changes)
        for temporary, path in staged:
            os.replace(temporary, path)
            done.replaced.append(path)
        for path in changes.removed:
            path.unlink(missing_ok=True)
            done.unlinked.append(path)
    except BaseException:
        done.undo(changes)
        raise


@dataclass
class _Undo:
    made_dirs: list[Path] = field(default_factory=list)
    staged: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    unlinked: list[Path] = field(default_factory=list)

    def undo(self, changes: Changes) -> None:
        for path in reversed(self.unlinked):
            path.write_bytes(changes.removed[path])
        for path in reversed(self.replaced):
            if path in changes.edited:
                path.write_bytes(changes.edited[path][0].encode("utf-8"))
            else:
                path.unlink(missing_ok=True)
        for temporary in self.staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(self.made_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()


def _stage(changes: Changes, done: _Undo) -> list[tuple[Path, Path]]:
    writes = dict(changes.created)
    writes.update({path: after for path, (_, after) in changes.edited.items()})
    staged = []
    for path, content in writes.items():
        for folder in reversed(path.parents):
            if not folder.exists():
                folder.mkdir()
                done.made_dirs.append(folder)
        temporary = path.with_name(f".{path.name}.feathers-tmp")
        _write(temporary, content, private=path in changes.private)
        done.staged.append(temporary)
        staged.append((temporary, path))
        if path in changes.edited and path not in changes.private:
            shutil.copymode(path, temporary)
    return staged


def _write(path: Path, content: str, *, private: bool) -> None:
    """`content` into `path`; a `private` file is mode 0600 from its creation on, so that the
    secret it holds is never readable by others, not even for a moment."""
    if not private:
        path.write_bytes(content.encode("utf-8"))
        return
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content.encode("utf-8"))
    os.chmod(path, 0o600)  # the umask may have taken bits away, never added: make it exact


def _check_unchanged(changes: Changes) -> None:
    # Refuse to clobber changes made to the project since the plan was computed.
    for path in changes.created:
        if path.exists():
            raise AlreadyExists(f"{changes.relative(path)} appeared meanwhile; nothing written")
    for path, (before, _) in changes.edited.items():
        if path.read_bytes().decode("utf-8") != before:
            raise CLIError(f"{changes.relative(path)} changed meanwhile; nothing was written")
