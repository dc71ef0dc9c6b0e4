"""Safe edits: insertions at markers, validated in memory, written all or none."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from feathers_cli.errors import CLIError
from feathers_cli.inject import (
    AlreadyExists,
    BrokenEdit,
    Insertion,
    MissingMarker,
    NewFile,
    Plan,
    apply_changes,
    plan_changes,
)

from ..helpers.generate import snapshot

REGISTRY = '''"""Services."""
# feathers:imports (generators add imports above this line)


def register(app):
    """Register."""
    # feathers:calls (generators add lines above this line)
'''


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "services.py"
    path.write_text(REGISTRY)
    return path


def test_lines_go_above_the_marker_at_its_indentation(tmp_path, registry):
    changes = plan_changes(tmp_path, [], [Insertion(registry, "# feathers:calls", ("one(app)",))])
    apply_changes(changes)
    assert "    one(app)\n    # feathers:calls" in registry.read_text()


def test_imports_form_a_sorted_group_apart_from_the_marker(tmp_path, registry):
    for line in ("from .messages import a", "from .api.todos import b", "from ...hooks import c"):
        insertion = Insertion(registry, "# feathers:imports", (line,), sorted_imports=True)
        apply_changes(plan_changes(tmp_path, [], [insertion]))
    assert registry.read_text().startswith(
        '"""Services."""\n\n'
        "from ...hooks import c\n"
        "from .api.todos import b\n"
        "from .messages import a\n\n"
        "# feathers:imports"
    )


def test_relative_and_absolute_imports_stay_in_groups_of_their_own(tmp_path, registry):
    # isort's sections: a relative import never joins a group of absolute ones (the
    # `from feathers.schema import ...` above the hook imports of a service with a schema)
    for line in (
        "from feathers.schema import v",
        "from ..hooks.b import b",
        "from ..hooks.a import a",
    ):
        insertion = Insertion(registry, "# feathers:imports", (line,), sorted_imports=True)
        apply_changes(plan_changes(tmp_path, [], [insertion]))
    assert registry.read_text().startswith(
        '"""Services."""\n\n'
        "from feathers.schema import v\n\n"
        "from ..hooks.a import a\n"
        "from ..hooks.b import b\n\n"
        "# feathers:imports"
    )


def test_an_insertion_already_there_is_refused(tmp_path, registry):
    insertion = Insertion(registry, "# feathers:calls", ("one(app)",))
    apply_changes(plan_changes(tmp_path, [], [insertion]))
    before = snapshot(tmp_path)
    with pytest.raises(AlreadyExists, match="already has 'one\\(app\\)'"):
        plan_changes(tmp_path, [], [insertion])
    imports = Insertion(registry, "# feathers:imports", ("import x",), sorted_imports=True)
    apply_changes(plan_changes(tmp_path, [], [imports]))
    with pytest.raises(AlreadyExists):
        plan_changes(tmp_path, [], [imports])
    assert snapshot(tmp_path)["services.py"].count(b"one(app)") == 1
    assert before.keys() == snapshot(tmp_path).keys()


def test_a_missing_marker_writes_nothing_and_says_what_to_add(tmp_path, registry):
    registry.write_text(REGISTRY.replace("    # feathers:calls", "    pass  #"))
    before = snapshot(tmp_path)
    with pytest.raises(MissingMarker) as raised:
        plan_changes(
            tmp_path,
            [NewFile(tmp_path / "new" / "module.py", "x = 1\n")],
            [
                Insertion(registry, "# feathers:imports", ("from .new import module",)),
                Insertion(registry, "# feathers:calls", ("module.go(app)",), where="in register"),
            ],
        )
    message = raised.value.message
    assert "nothing was written" in message
    assert "services.py: the marker `# feathers:calls` is missing" in message
    assert "Add these lines by hand (in register)" in message
    assert "\n    module.go(app)\n" in message
    assert snapshot(tmp_path) == before


def test_a_doubled_marker_is_refused(tmp_path, registry):
    registry.write_text(REGISTRY + "    # feathers:calls\n")
    with pytest.raises(MissingMarker, match="appears 2 times"):
        plan_changes(tmp_path, [], [Insertion(registry, "# feathers:calls", ("x(app)",))])


def test_a_marker_does_not_match_a_longer_one(tmp_path):
    path = tmp_path / "hooks.py"
    path.write_text("HOOKS = {\n    'all': [\n        # feathers:hooks:before:all\n    ],\n}\n")
    with pytest.raises(MissingMarker):
        plan_changes(tmp_path, [], [Insertion(path, "# feathers:hooks:before", ("'get': [],",))])


def test_an_edit_that_would_not_parse_is_refused(tmp_path, registry):
    before = snapshot(tmp_path)
    with pytest.raises(BrokenEdit, match="unparsable") as raised:
        plan_changes(tmp_path, [], [Insertion(registry, "# feathers:calls", ("if app",))])
    assert "Add these lines by hand" in raised.value.message
    assert snapshot(tmp_path) == before


def test_a_generated_file_that_would_not_parse_is_refused(tmp_path):
    with pytest.raises(BrokenEdit):
        plan_changes(tmp_path, [NewFile(tmp_path / "bad.py", "def (:\n")], [])
    assert not (tmp_path / "bad.py").exists()


def test_a_file_to_create_that_exists_is_refused(tmp_path, registry):
    with pytest.raises(AlreadyExists, match=r"services\.py already exists"):
        plan_changes(tmp_path, [NewFile(registry, "x = 1\n")], [])
    assert registry.read_text() == REGISTRY


def test_a_failure_while_writing_puts_everything_back(tmp_path, registry, monkeypatch):
    other = tmp_path / "other.py"
    other.write_text(REGISTRY)
    changes = plan_changes(
        tmp_path,
        [NewFile(tmp_path / "pkg" / "sub" / "a.py", "a = 1\n")],
        [
            Insertion(registry, "# feathers:calls", ("a(app)",)),
            Insertion(other, "# feathers:calls", ("b(app)",)),
        ],
    )
    before = snapshot(tmp_path)
    real_replace = os.replace
    calls = []

    def replace_then_fail(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError("disk full")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    with pytest.raises(OSError, match="disk full"):
        apply_changes(changes)
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "pkg").exists()


def test_a_file_changed_after_planning_is_not_overwritten(tmp_path, registry):
    changes = plan_changes(tmp_path, [], [Insertion(registry, "# feathers:calls", ("a(app)",))])
    registry.write_text(REGISTRY + "# edited meanwhile\n")
    with pytest.raises(CLIError, match="changed meanwhile"):
        apply_changes(changes)
    assert registry.read_text().endswith("# edited meanwhile\n")
    assert [path.name for path in tmp_path.iterdir()] == ["services.py"]


def test_windows_line_endings_are_kept(tmp_path, registry):
    registry.write_bytes(REGISTRY.replace("\n", "\r\n").encode())
    apply_changes(plan_changes(tmp_path, [], [Insertion(registry, "# feathers:calls", ("a()",))]))
    content = registry.read_bytes()
    assert b"    a()\r\n    # feathers:calls" in content
    assert b"\n" not in content.replace(b"\r\n", b"")


def test_changes_describe_themselves(tmp_path, registry):
    changes = plan_changes(
        tmp_path,
        [NewFile(tmp_path / "pkg" / "a.py", "a = 1\n")],
        [Insertion(registry, "# feathers:calls", ("a(app)",))],
    )
    assert changes.to_json() == {
        "created": ["pkg/a.py"],
        "edited": [
            {
                "file": "services.py",
                "at": "# feathers:calls",
                "marker": "# feathers:calls",
                "lines": ["a(app)"],
            }
        ],
        "removed": [],
    }
    text = changes.describe(dry_run=True)
    assert "Would create:" in text
    assert "a.py" in text
    assert "services.py at # feathers:calls\n    + a(app)" in text


def test_private_files_are_written_for_their_owner_only(tmp_path):
    shared = tmp_path / "shared.txt"
    shared.write_text("kept\n")
    shared.chmod(0o644)
    edited = tmp_path / "edited.env"
    edited.write_text("DEBUG=1\n")
    edited.chmod(0o644)
    plan = Plan(tmp_path)
    plan.create(tmp_path / "new.env", "SECRET=1\n", private=True)
    plan.create(tmp_path / "public.txt", "hello\n")
    plan.append(edited, "SECRET=2\n")
    plan.make_private(edited)
    plan.append(shared, "more\n")
    old_umask = os.umask(0o002)
    try:
        apply_changes(plan.finish())
    finally:
        os.umask(old_umask)
    modes = {
        path.name: stat.S_IMODE(path.stat().st_mode)
        for path in tmp_path.iterdir()
        if path.is_file()
    }
    assert modes == {
        "new.env": 0o600,
        "edited.env": 0o600,
        "public.txt": 0o664,
        "shared.txt": 0o644,
    }
    assert (tmp_path / "edited.env").read_text() == "DEBUG=1\n\nSECRET=2\n"  # a blank line apart
