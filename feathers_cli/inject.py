"""Safe changes to a project: new files plus insertions at marker comments, all or nothing.

Every generator describes what it wants as `NewFile`s and `Insertion`s, then::

    changes = plan_changes(project.root, files, insertions)   # validates, writes nothing
    apply_changes(changes)                                    # writes every file or none

`plan_changes` computes every new file content in memory and refuses (with a `CLIError`,
before anything is written) when:

- a file to create already exists, or an insertion is already there (`AlreadyExists`); an
  insertion is recognised by its first line, found among the lines just above its marker;
- a marker comment is missing or appears twice (`MissingMarker`, whose message holds the
  exact lines to add by hand);
- an edited or created `.py` file would not parse (`BrokenEdit`).

A marker is a comment line such as `# feathers:service-imports (generators add imports
above this line)`; it matches when the comment starts with the marker text followed by the
end of the line or a space, so `# feathers:hooks:before` does not match
`# feathers:hooks:before:all`. Insertions go directly above the marker, at its indentation.
"""

from __future__ import annotations

import ast
import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CLIError

__all__ = [
    "AlreadyExists",
    "BrokenEdit",
    "Changes",
    "Insertion",
    "MissingMarker",
    "NewFile",
    "apply_changes",
    "plan_changes",
]


class AlreadyExists(CLIError):
    """A file to create exists, or the lines to insert are already at their marker."""


class MissingMarker(CLIError):
    """A marker comment is gone (or doubled); the message says what to add by hand."""


class BrokenEdit(CLIError):
    """An edited or created Python file would no longer parse."""


@dataclass(frozen=True)
class NewFile:
    """A file to create; it must not exist yet."""

    path: Path
    content: str


@dataclass(frozen=True)
class Insertion:
    """Lines to insert directly above the marker comment `marker` in `path`.

    `lines` are indented relative to the marker. With `sorted_imports`, the lines are import
    statements: they join the group of imports just above the marker at their sorted place,
    and that group stays apart from the marker (and from what precedes it) by a blank line,
    which is how ruff's isort and formatter leave it. `where` tells a person where the marker
    belongs, for the message shown when it is missing.
    """

    path: Path
    marker: str
    lines: tuple[str, ...]
    where: str = ""
    sorted_imports: bool = False


@dataclass
class Changes:
    """Validated changes: what `apply_changes` will write, computed in memory."""

    root: Path
    created: dict[Path, str] = field(default_factory=dict)
    edited: dict[Path, tuple[str, str]] = field(default_factory=dict)
    """path -> (content now, content after the insertions)."""
    insertions: list[Insertion] = field(default_factory=list)

    def relative(self, path: Path) -> str:
        """`path` relative to the project root, in POSIX form."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def to_json(self) -> dict[str, Any]:
        """The files to create and the edits to make, for `--json` output."""
        return {
            "created": [self.relative(path) for path in self.created],
            "edited": [
                {
                    "file": self.relative(insertion.path),
                    "marker": insertion.marker,
                    "lines": list(insertion.lines),
                }
                for insertion in self.insertions
            ],
        }

    def describe(self, *, dry_run: bool) -> str:
        """The files and edits as text for people, headed "Would ..." for a dry run."""
        from .generators import format_tree

        parts = []
        if self.created:
            label = "Would create" if dry_run else "Created"
            tree = format_tree([self.relative(path) for path in self.created], "./")
            parts.append(f"{label}:\n{tree}")
        if self.insertions:
            label = "Would edit" if dry_run else "Edited"
            edits = []
            for insertion in self.insertions:
                added = "\n".join(f"    + {line}" for line in insertion.lines)
                edits.append(f"  {self.relative(insertion.path)} at {insertion.marker}\n{added}")
            parts.append(f"{label}:\n" + "\n".join(edits))
        return "\n\n".join(parts)


def plan_changes(root: Path, files: list[NewFile], insertions: list[Insertion]) -> Changes:
    """Check and compute every change in memory; raise before anything could be written."""
    changes = Changes(root=root, insertions=list(insertions))
    for new_file in files:
        if new_file.path.exists() or new_file.path in changes.created:
            raise AlreadyExists(f"{changes.relative(new_file.path)} already exists")
        _check_parses(new_file.path, new_file.content, changes, None)
        changes.created[new_file.path] = new_file.content

    missing: list[str] = []
    for insertion in insertions:
        if insertion.path in changes.created:
            before = changes.created[insertion.path]
        elif insertion.path in changes.edited:
            before = changes.edited[insertion.path][1]
        elif insertion.path.is_file():
            before = insertion.path.read_bytes().decode("utf-8")
        else:
            missing.append(_by_hand(insertion, changes, f"{insertion.path.name} is missing"))
            continue
        try:
            after = insert_at_marker(before, insertion)
        except _MarkerNotFound as error:
            missing.append(_by_hand(insertion, changes, str(error)))
            continue
        except _AlreadyThere as error:
            raise AlreadyExists(
                f"{changes.relative(insertion.path)} already has {str(error)!r} at "
                f"{insertion.marker}; nothing was written"
            ) from None
        if insertion.path in changes.created:
            changes.created[insertion.path] = after
        else:
            original = changes.edited.get(insertion.path, (before, before))[0]
            changes.edited[insertion.path] = (original, after)
    if missing:
        raise MissingMarker("nothing was written.\n" + "\n".join(missing))

    for path, (_, after) in changes.edited.items():
        _check_parses(path, after, changes, [i for i in insertions if i.path == path])
    for path, content in changes.created.items():
        _check_parses(path, content, changes, None)
    return changes


def apply_changes(changes: Changes) -> None:
    """Write every planned file, or none: each goes to a temporary file first, then all are
    renamed into place; on any failure the files already renamed are put back."""
    made_dirs: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    replaced: list[Path] = []
    writes = {path: content for path, content in changes.created.items()}
    writes.update({path: after for path, (_, after) in changes.edited.items()})
    try:
        for path, content in writes.items():
            for folder in reversed(path.parents):
                if not folder.exists():
                    folder.mkdir()
                    made_dirs.append(folder)
            temporary = path.with_name(f".{path.name}.feathers-tmp")
            temporary.write_bytes(content.encode("utf-8"))
            staged.append((temporary, path))
            if path in changes.edited:
                shutil.copymode(path, temporary)
        # Refuse to clobber changes made to the project since the plan was computed.
        for path in changes.created:
            if path.exists():
                raise AlreadyExists(f"{changes.relative(path)} appeared meanwhile; nothing written")
        for path, (before, _) in changes.edited.items():
            if path.read_bytes().decode("utf-8") != before:
                raise CLIError(f"{changes.relative(path)} changed meanwhile; nothing was written")
        for temporary, path in staged:
            os.replace(temporary, path)
            replaced.append(path)
    except BaseException:
        for path in reversed(replaced):
            if path in changes.edited:
                path.write_bytes(changes.edited[path][0].encode("utf-8"))
            else:
                path.unlink(missing_ok=True)
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


class _MarkerNotFound(Exception):
    pass


class _AlreadyThere(Exception):
    pass


def insert_at_marker(text: str, insertion: Insertion) -> str:
    """`text` with `insertion.lines` above its marker line (see the module docstring)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    found = [index for index, line in enumerate(lines) if _is_marker(line, insertion.marker)]
    if not found:
        raise _MarkerNotFound(f"the marker `{insertion.marker}` is missing")
    if len(found) > 1:
        raise _MarkerNotFound(f"the marker `{insertion.marker}` appears {len(found)} times")
    at = found[0]
    indent = _indentation(lines[at])

    first = insertion.lines[0].strip()
    if insertion.sorted_imports:
        return _insert_import(lines, at, indent, insertion, newline)
    block = at
    while block > 0 and lines[block - 1].strip() and _indentation(lines[block - 1]) >= indent:
        block -= 1
        if _indentation(lines[block]) == indent and lines[block].strip() == first:
            raise _AlreadyThere(first)
    new_lines = [_indented(line, indent, newline) for line in insertion.lines]
    return _splice(lines, at, new_lines, newline)


def _insert_import(
    lines: list[str], marker_at: int, indent: str, insertion: Insertion, newline: str
) -> str:
    end = marker_at
    if end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and _is_import(lines[start - 1], indent):
        start -= 1
    first = insertion.lines[0].strip()
    if any(line.strip() == first for line in lines[start:end]):
        raise _AlreadyThere(first)
    new_lines = [_indented(line, indent, newline) for line in insertion.lines]
    if start == end:
        # A new group of imports, with a blank line on either side.
        if end > 0 and lines[end - 1].strip():
            new_lines.insert(0, newline)
        if end == marker_at:
            new_lines.append(newline)
        return _splice(lines, end, new_lines, newline)
    key = _import_key(first)
    at = start
    while at < end and _import_key(lines[at].strip()) <= key:
        at += 1
    return _splice(lines, at, new_lines, newline)


def _splice(lines: list[str], at: int, new_lines: list[str], newline: str) -> str:
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline
    return "".join([*lines[:at], *new_lines, *lines[at:]])


def _indented(line: str, indent: str, newline: str) -> str:
    return f"{indent}{line}{newline}" if line.strip() else newline


def _is_marker(line: str, marker: str) -> bool:
    text = line.strip()
    return text == marker or text.startswith(marker + " ")


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _is_import(line: str, indent: str) -> bool:
    return _indentation(line) == indent and line.strip().startswith(("from ", "import "))


def _import_key(statement: str) -> tuple[int, str]:
    # ruff's isort order within a section: relative imports furthest first, then by module.
    module = statement.split()[1] if len(statement.split()) > 1 else statement
    dots = len(module) - len(module.lstrip("."))
    return (-dots, module.lstrip(".").lower())


def _by_hand(insertion: Insertion, changes: Changes, reason: str) -> str:
    where = f" ({insertion.where})" if insertion.where else ""
    lines = "\n".join(f"    {line}" for line in insertion.lines)
    return (
        f"{changes.relative(insertion.path)}: {reason}. Add these lines by hand{where}, "
        f"then run the command again:\n{lines}\n"
        f"  or restore the marker line `{insertion.marker}` where they belong."
    )


def _check_parses(
    path: Path, content: str, changes: Changes, insertions: list[Insertion] | None
) -> None:
    if path.suffix != ".py":
        return
    try:
        ast.parse(content, filename=str(path))
    except SyntaxError as error:
        what = "the edit would leave" if insertions else "the generated file"
        detail = f"line {error.lineno}: {error.msg}"
        message = f"{what} {changes.relative(path)} unparsable ({detail}); nothing was written"
        if insertions:
            message += "\n" + "\n".join(
                _by_hand(insertion, changes, "the edit does not fit there")
                for insertion in insertions
            )
        raise BrokenEdit(message) from None
