"""The one way commands change a project: a `Plan` of edits, validated in memory, then written
all or nothing. Every generator and `feathers upgrade` go through it::

    plan = Plan(project.root)
    plan.create(path, content)                                   # a new file
    plan.insert(path, "# feathers:connections", ["configure_database(app)"])
    plan.add_import(app_py, "from .database import configure_database")
    plan.add_dependency(project.pyproject, "aiosqlite>=0.20")     # tomlkit: comments kept
    plan.set_toml(root / "config/default.toml", "database.url", url, comment="...")
    plan.add_line(root / ".gitignore", "data/")                  # .gitignore, .env ...
    changes = plan.finish()         # validates, raises before anything is written
    print(changes.describe(dry_run=True)) or changes.to_json()   # exactly what is applied
    apply_changes(changes)          # writes every file or none

Refusals (`CLIError`s, raised before anything is written):

- a file to create already exists, or an insertion is already there (`AlreadyExists`); an
  insertion is recognised by its first line, found among the lines just above its marker;
- a marker comment is missing or appears twice (`MissingMarker`, whose message holds the
  exact lines to add by hand, for every marker missing);
- an edited or created `.py` file would not parse, or a TOML edit does not fit the file
  (`BrokenEdit`).

Markers and Python text edits are in `markers`, TOML ones in `toml_edits` (pure functions).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .changes import AlreadyExists, BrokenEdit, Changes, Edit, MissingMarker, apply_changes
from .errors import CLIError
from .markers import AlreadyThere, MarkerNotFound, has_marker
from .markers import add_import as _add_import_text
from .markers import insert_at_marker as _insert_text
from .toml_edits import KeyExists, TomlEditError, add_dependency, set_value

__all__ = [
    "AlreadyExists",
    "BrokenEdit",
    "Changes",
    "Edit",
    "Insertion",
    "MissingMarker",
    "NewFile",
    "Plan",
    "apply_changes",
    "plan_changes",
]


@dataclass(frozen=True)
class NewFile:
    """A file to create; it must not exist yet."""

    path: Path
    content: str


@dataclass(frozen=True)
class Insertion:
    """Lines to insert directly above the marker comment `marker` in `path` (indented
    relative to it); `sorted_imports` as in `markers.insert_at_marker`. `where` tells a
    person where the marker belongs, for the message shown when it is missing."""

    path: Path
    marker: str
    lines: tuple[str, ...]
    where: str = ""
    sorted_imports: bool = False


class Plan:
    """Collects the edits of one command against the files as planned so far."""

    def __init__(self, root: Path) -> None:
        self.changes = Changes(root=root)
        self._by_hand: list[str] = []
        self._insertions: dict[Path, list[Insertion]] = {}
        self._verbatim: set[Path] = set()

    def create(
        self, path: Path, content: str, *, verbatim: bool = False, private: bool = False
    ) -> None:
        """A new file; refused when it exists (on disk or in the plan). A `verbatim` copy
        (the vendored runtime) is not parsed again by `finish()`; a `private` one (a secret)
        is written readable by its owner only (mode 0600)."""
        if path.exists() or path in self.changes.created:
            raise AlreadyExists(f"{self.changes.relative(path)} already exists")
        self.changes.created[path] = content
        if verbatim:
            self._verbatim.add(path)
        if private:
            self.changes.private.add(path)

    def make_private(self, path: Path) -> None:
        """Write `path` (created or edited by this plan) readable by its owner only."""
        self.changes.private.add(path)

    def extend(self, changes: Changes, *, leave_out: Iterable[Path] = ()) -> None:
        """Plan on top of another generator's finished `changes` (its files but `leave_out`);
        this plan's edits then see those files as planned."""
        skipped = set(leave_out)
        for path, content in changes.created.items():
            if path not in skipped:
                self.create(path, content)
        for path, (before, after) in changes.edited.items():
            if path not in skipped:
                self.changes.edited[path] = (before, after)
        self.changes.edits.extend(edit for edit in changes.edits if edit.path not in skipped)
        self.changes.removed.update(changes.removed)
        self.changes.private.update(path for path in changes.private if path not in skipped)

    def replace(self, path: Path, content: str, *, why: str = "replaced") -> None:
        """A whole file's new content (created when missing)."""
        if self._current(path) is None:
            self.create(path, content)
        else:
            self.edit(path, why, [], lambda _text: content)

    def remove(self, path: Path) -> None:
        """A file to delete (put back if the writing fails)."""
        if path.is_file():
            self.changes.removed[path] = path.read_bytes()

    def insert(
        self, path: Path, marker: str, lines: Iterable[str], *, where: str = "", **options: Any
    ) -> None:
        """`lines` above the marker comment of `path` (see `Insertion`)."""
        insertion = Insertion(path, marker, tuple(lines), where, **options)
        text = self._current(path)
        if text is None:
            self._by_hand.append(_by_hand(insertion, self.changes, f"{path.name} is missing"))
            return
        try:
            after = _insert_text(
                text, marker, insertion.lines, sorted_imports=insertion.sorted_imports
            )
        except MarkerNotFound as error:
            self._by_hand.append(_by_hand(insertion, self.changes, str(error)))
            return
        except AlreadyThere as error:
            raise AlreadyExists(
                f"{self.changes.relative(path)} already has {str(error)!r} at {marker}; "
                "nothing was written"
            ) from None
        self._record(path, Edit(path, marker, insertion.lines, marker=True), after, insertion)

    def add(self, insertion: Insertion) -> None:
        """A marker insertion given as an `Insertion`."""
        self.insert(
            insertion.path,
            insertion.marker,
            insertion.lines,
            where=insertion.where,
            sorted_imports=insertion.sorted_imports,
        )

    def add_import(self, path: Path, statement: str, *, marker: str | None = None) -> None:
        """An import statement at `marker` when the file has it, else at its sorted place
        among the file's imports (`markers.add_import`); nothing when it is there."""
        text = self._current(path) or ""
        if statement in (line.strip() for line in text.splitlines()):
            return
        if marker is not None and has_marker(text, marker):
            self.insert(path, marker, [statement], sorted_imports=True, where="with the imports")
        else:
            self.edit(path, "imports", [statement], lambda t: _add_import_text(t, statement))

    def append(self, path: Path, block: str, *, blank_lines: int = 1, what: str = "end") -> None:
        """`block` at the end of `path`, after `blank_lines` empty lines."""
        gap = "\n" * (blank_lines + 1)
        self.edit(path, what, block.strip().splitlines(), lambda t: f"{t.rstrip()}{gap}{block}")

    def add_line(self, path: Path, line: str, *, comment: str | None = None) -> None:
        """A line of a line-based file (.gitignore, .env), created if missing; nothing when
        the line is there. `comment` (without `#`) goes above it."""
        text = self._current(path)
        if text is not None and line in (item.strip() for item in text.splitlines()):
            return
        block = (f"# {comment}\n" if comment else "") + f"{line}\n"
        if text is None:
            self.create(path, block)
        else:
            self.edit(path, "end", block.strip().splitlines(), lambda t: _joined(t, block))

    def add_dependency(
        self, pyproject: Path, requirement: str, *, extra: str | None = None
    ) -> None:
        """A requirement in `[project] dependencies` (or the optional `extra`), kept once."""
        where = (
            "[project] dependencies"
            if extra is None
            else f"[project.optional-dependencies] {extra}"
        )
        self.edit(
            pyproject, where, [requirement], lambda t: add_dependency(t, requirement, extra=extra)
        )

    def set_toml(
        self, path: Path, key: str, value: Any, *, comment: str | None = None, replace: bool = False
    ) -> None:
        """`key` (dotted: `database.url`) set in a TOML file; refused when it is set unless
        `replace`. Comments and layout of the file are kept."""
        shown = [f"{key} = {value!r}"]
        self.edit(
            path, key, shown, lambda t: set_value(t, key, value, comment=comment, replace=replace)
        )

    def edit(self, path: Path, at: str, shown: list[str], transform: Callable[[str], str]) -> None:
        """The general edit: `transform` on the planned text of `path`, shown as `shown` at
        `at`. The other methods are made of this one."""
        text = self._current(path)
        if text is None:
            raise CLIError(f"{self.changes.relative(path)} is missing; nothing was written")
        try:
            after = transform(text)
        except AlreadyThere as error:
            raise AlreadyExists(f"{self.changes.relative(path)} already has {error}") from None
        except KeyExists as error:
            raise AlreadyExists(
                f"{self.changes.relative(path)}: {error}; nothing was written"
            ) from None
        except TomlEditError as error:
            raise BrokenEdit(
                f"{self.changes.relative(path)}: cannot edit {at}: {error}; nothing was written"
            ) from None
        if after != text:
            self._record(path, Edit(path, at, tuple(shown)), after, None)

    def finish(self) -> Changes:
        """The validated changes; `MissingMarker` lists every marker that was missing."""
        if self._by_hand:
            raise MissingMarker("nothing was written.\n" + "\n".join(self._by_hand))
        for path, (_, after) in self.changes.edited.items():
            _check_parses(self.changes, path, after, self._insertions.get(path, []))
        for path, content in self.changes.created.items():
            if path not in self._verbatim:
                _check_parses(self.changes, path, content)
        return self.changes

    def _current(self, path: Path) -> str | None:
        changes = self.changes
        if path in changes.created:
            return changes.created[path]
        if path in changes.edited:
            return changes.edited[path][1]
        if path.is_file():
            return path.read_bytes().decode("utf-8")
        return None

    def _record(self, path: Path, edit: Edit, after: str, insertion: Insertion | None) -> None:
        changes = self.changes
        if insertion is not None:
            self._insertions.setdefault(path, []).append(insertion)
        if path in changes.created:
            changes.created[path] = after
        else:
            original = changes.edited.get(path, (self._current(path) or "", ""))[0]
            changes.edited[path] = (original, after)
        changes.edits.append(edit)


def plan_changes(root: Path, files: list[NewFile], insertions: list[Insertion]) -> Changes:
    """New files and marker insertions as validated changes (a `Plan` in one call)."""
    plan = Plan(root)
    for new_file in files:
        plan.create(new_file.path, new_file.content)
    for insertion in insertions:
        plan.add(insertion)
    return plan.finish()


def _joined(text: str, block: str) -> str:
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block


def _by_hand(insertion: Insertion, changes: Changes, reason: str) -> str:
    where = f" ({insertion.where})" if insertion.where else ""
    lines = "\n".join(f"    {line}" for line in insertion.lines)
    return (
        f"{changes.relative(insertion.path)}: {reason}. Add these lines by hand{where}, "
        f"then run the command again:\n{lines}\n"
        f"  or restore the marker line `{insertion.marker}` where they belong."
    )


def _check_parses(
    changes: Changes, path: Path, content: str, insertions: list[Insertion] | None = None
) -> None:
    if path.suffix != ".py":
        return
    try:
        ast.parse(content, filename=str(path))
    except SyntaxError as error:
        what = "the edit would leave" if path in changes.edited else "the generated file"
        detail = f"line {error.lineno}: {error.msg}"
        message = f"{what} {changes.relative(path)} unparsable ({detail}); nothing was written"
        for insertion in insertions or []:
            message += "\n" + _by_hand(insertion, changes, "the edit does not fit there")
        raise BrokenEdit(message) from None
