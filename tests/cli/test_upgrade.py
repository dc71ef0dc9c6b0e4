"""`feathers upgrade`: refreshes the vendored runtime, refuses hand edits without --force."""

from __future__ import annotations

import json
import shutil
import tomllib

from feathers_cli.main import app
from feathers_cli.vendor import RUNTIME_SOURCE, upgrade_runtime


def test_a_fresh_project_is_up_to_date(runner, make_project, monkeypatch):
    project = make_project()
    monkeypatch.chdir(project.package_dir)  # any subfolder works
    result = runner.invoke(app, ["upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stderr


def test_hand_edits_are_refused_by_name_and_kept(runner, make_project, monkeypatch):
    project = make_project()
    edited = project.runtime_dir / "errors.py"
    edited.write_text(edited.read_text() + "\n# my fix\n")
    (project.runtime_dir / "hooks.py").unlink()
    monkeypatch.chdir(project.root)
    result = runner.invoke(app, ["upgrade"])
    assert result.exit_code == 1
    assert "feathers/errors.py" in result.stderr and "feathers/hooks.py" in result.stderr
    assert "--force" in result.stderr
    assert edited.read_text().endswith("# my fix\n")
    assert not (project.runtime_dir / "hooks.py").exists()


def test_force_replaces_hand_edits(runner, make_project, monkeypatch):
    project = make_project()
    edited = project.runtime_dir / "errors.py"
    edited.write_text("broken = True\n")
    monkeypatch.chdir(project.root)
    result = runner.invoke(app, ["upgrade", "--force"])
    assert result.exit_code == 0, result.output
    assert "replaces the hand-edited feathers/errors.py" in result.stderr
    assert edited.read_bytes() == (RUNTIME_SOURCE / "errors.py").read_bytes()
    assert "up to date" in runner.invoke(app, ["upgrade"]).stderr


def test_a_missing_manifest_needs_force(runner, make_project, monkeypatch):
    project = make_project()
    (project.runtime_dir / "MANIFEST.json").unlink()
    monkeypatch.chdir(project.root)
    result = runner.invoke(app, ["upgrade"])
    assert result.exit_code == 1
    assert "MANIFEST.json" in result.stderr
    assert runner.invoke(app, ["upgrade", "--force"]).exit_code == 0
    assert (project.runtime_dir / "MANIFEST.json").is_file()


def test_upgrade_adds_updates_removes_and_records_the_version(make_project, tmp_path):
    project = make_project()
    newer = tmp_path / "newer-runtime"
    shutil.copytree(RUNTIME_SOURCE, newer, ignore=shutil.ignore_patterns("__pycache__"))
    (newer / "events.py").write_text((newer / "events.py").read_text() + "\n# newer\n")
    (newer / "redis.py").write_text('"""A new module."""\n')
    (newer / "routing.py").unlink()
    (project.runtime_dir / "my_notes.py").write_text("# not part of the runtime\n")
    pyproject = project.pyproject
    pyproject.write_text(
        pyproject.read_text().replace('runtime_version = "', 'runtime_version = "0')
    )

    result = upgrade_runtime(project.root, source=newer)
    assert (project.runtime_dir / "routing.py").exists()  # planned, not written yet
    result.apply()

    assert (result.added, result.changed, result.removed) == (
        ["redis.py"],
        ["events.py"],
        ["routing.py"],
    )
    assert result.untracked == ["my_notes.py"]
    assert (project.runtime_dir / "my_notes.py").exists()
    assert not (project.runtime_dir / "routing.py").exists()
    manifest = json.loads((project.runtime_dir / "MANIFEST.json").read_text())
    assert "redis.py" in manifest["files"] and "routing.py" not in manifest["files"]
    recorded = tomllib.loads(pyproject.read_text())["tool"]["feathers"]["runtime_version"]
    assert recorded == manifest["feathers_py"]
    assert upgrade_runtime(project.root, source=newer).up_to_date


def test_upgrade_outside_a_project_exits_1(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["upgrade"])
    assert result.exit_code == 1
    assert "not inside a Feathers project" in result.stderr


def test_upgrade_brings_template_changes_into_files_not_edited_since(
    runner, make_project, monkeypatch
):
    project = make_project(database="memory")
    from feathers_cli import template_upgrade

    real = template_upgrade.rendered_app

    def newer_template(answers):
        files = real(answers)
        files["chat/channels.py"] += "\n# newer template\n"
        files["chat/hooks/log_error.py"] += "\n# newer template\n"
        files["docs/NEW.md"] = "A file the template gained.\n"
        return files

    monkeypatch.setattr(template_upgrade, "rendered_app", newer_template)
    edited = project.package_dir / "hooks" / "log_error.py"
    edited.write_text(edited.read_text() + "# mine\n")
    monkeypatch.chdir(project.root)
    result = runner.invoke(app, ["upgrade", "--json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["template"] == {
        "added": ["docs/NEW.md"],
        "updated": ["chat/channels.py"],
        "kept": ["chat/hooks/log_error.py"],
    }
    assert (project.package_dir / "channels.py").read_text().endswith("# newer template\n")
    assert edited.read_text().endswith("# mine\n")
    assert (project.root / "docs" / "NEW.md").is_file()
    # The record now matches the new rendering: a second upgrade has nothing to do.
    again = json.loads(runner.invoke(app, ["upgrade", "--json"]).stdout)
    assert again["template"] == {"added": [], "updated": [], "kept": ["chat/hooks/log_error.py"]}
    assert again["created"] == [] and again["removed"] == []


def test_a_fresh_project_has_nothing_to_upgrade(runner, make_project, monkeypatch):
    project = make_project()
    monkeypatch.chdir(project.root)
    result = runner.invoke(app, ["upgrade", "--json", "--dry-run"])
    output = json.loads(result.stdout)
    assert (output["created"], output["edited"], output["removed"]) == ([], [], [])
    assert output["template"] == {"added": [], "updated": [], "kept": []}
