"""Finding the project from any folder inside it."""

from __future__ import annotations

import pytest

from feathers_cli.errors import CLIError
from feathers_cli.project import NotAProject, find_project


def test_found_from_the_root_and_from_a_subfolder(make_project):
    project = make_project("chat")
    for start in (project.root, project.package_dir / "services", project.root / "tests"):
        found = find_project(start)
        assert found.root == project.root
        assert found.package == "chat"
        assert found.config["transports"] == ["socketio", "rest"]
        assert found.package_dir == project.root / "chat"


def test_a_pyproject_without_tool_feathers_is_skipped(make_project):
    project = make_project("chat")
    nested = project.root / "libs" / "helper"
    nested.mkdir(parents=True)
    (nested / "pyproject.toml").write_text('[project]\nname = "helper"\n')
    assert find_project(nested).root == project.root


def test_outside_a_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    with pytest.raises(NotAProject, match="not inside a Feathers project") as caught:
        find_project(tmp_path)
    assert isinstance(caught.value, CLIError) and caught.value.exit_code == 1


@pytest.mark.parametrize(
    "table", ['[tool.feathers]\nlanguage = "python"\n', '[tool.feathers]\npackage = "a-b"\n']
)
def test_a_table_without_a_valid_package(tmp_path, table):
    (tmp_path / "pyproject.toml").write_text(table)
    with pytest.raises(NotAProject, match="without a valid `package`"):
        find_project(tmp_path)


def test_an_unreadable_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.feathers\n")
    with pytest.raises(NotAProject, match="cannot read"):
        find_project(tmp_path)
