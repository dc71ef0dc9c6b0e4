"""`feathers generate hook`: hook modules, registration in a service's hook map, refusals."""

from __future__ import annotations

import ast
import json

import pytest

from ..helpers.generate import minimal_project, run, snapshot


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = minimal_project(tmp_path / "chat")
    monkeypatch.chdir(root)
    assert run("g", "service", "messages").exit_code == 0
    assert run("g", "service", "api/todos", "--methods", "find,get").exit_code == 0
    return root


def registration(project, *folder: str) -> str:
    return (project / "chat" / "services").joinpath(*folder, "__init__.py").read_text()


def test_an_around_hook_without_registration(project):
    before = registration(project, "messages")
    result = run("g", "hook", "LogRuntime", "--type", "around")
    assert result.exit_code == 0, result.output
    hook = (project / "chat" / "hooks" / "log_runtime.py").read_text()
    tree = ast.parse(hook)
    [function] = [node for node in tree.body if isinstance(node, ast.AsyncFunctionDef)]
    assert (function.name, [arg.arg for arg in function.args.args]) == (
        "log_runtime",
        ["context", "next"],
    )
    assert "await next()" in hook
    test = (project / "tests" / "hooks" / "test_log_runtime_hook.py").read_text()
    assert "from chat.hooks.log_runtime import log_runtime" in test
    assert registration(project, "messages") == before
    assert "from ...hooks.log_runtime import log_runtime" in result.stderr
    assert "--service <path>" in result.stderr


def test_a_regular_hook_is_a_before_hook_touching_the_data(project):
    assert run("g", "hook", "stamp", "--type", "regular").exit_code == 0
    hook = (project / "chat" / "hooks" / "stamp.py").read_text()
    assert "def stamp(context):" in hook
    assert "context.data = " in hook


@pytest.mark.parametrize(
    ("position", "touches"), [("after", "context.result = "), ("error", "context.error")]
)
def test_a_regular_hook_fits_its_position(project, position, touches):
    args = ["--type", "regular", "--service", "messages", "--position", position]
    assert run("g", "hook", "tidy", *args).exit_code == 0
    assert touches in (project / "chat" / "hooks" / "tidy.py").read_text()
    assert f"# feathers:hooks:{position}:all" in registration(project, "messages")
    assert "                    tidy,\n" in registration(project, "messages")


def test_registering_edits_the_import_and_the_slot(project):
    result = run("g", "hook", "log_runtime", "--type", "around", "--service", "messages")
    assert result.exit_code == 0, result.output
    text = registration(project, "messages")
    assert "from ...hooks.log_runtime import log_runtime\n\n# feathers:hook-imports" in text
    indent = " " * 20
    # the service has a schema.py (the default): its runtime hooks stay a group of their own
    assert "validate_query\n\nfrom ...hooks.log_runtime import log_runtime\n" in text
    # and the hook goes after resolve_external({}), which runs last on what leaves the server
    slot = f"{indent}resolve_external({{}}),\n{indent}log_runtime,\n"
    assert f'"all": [\n{slot}{indent}# feathers:hooks:around:all' in text
    assert "registered on 'messages' around all" in result.stderr


def test_running_twice_fails_and_changes_nothing(project):
    args = ["g", "hook", "log_runtime", "--type", "around", "--service", "messages"]
    assert run(*args).exit_code == 0
    before = snapshot(project)
    result = run(*args)
    assert result.exit_code == 1
    assert "already" in result.stderr
    assert snapshot(project) == before

    assert run("g", "hook", "audit", "--type", "regular").exit_code == 0
    before = snapshot(project)
    result = run("g", "hook", "audit", "--type", "regular")
    assert result.exit_code == 1
    assert "chat/hooks/audit.py already exists" in result.stderr
    assert snapshot(project) == before


def test_an_existing_hook_can_be_registered_in_more_places(project):
    assert run("g", "hook", "stamp", "--type", "regular").exit_code == 0
    for method in ("create", "patch"):
        args = ["--type", "regular", "--service", "messages", "--method", method]
        assert run("g", "hook", "stamp", *args).exit_code == 0
    text = registration(project, "messages")
    assert text.count("from ...hooks.stamp import stamp") == 1
    assert text.count("stamp,\n") == 2


def test_a_nested_service_and_a_method_without_a_slot(project):
    args = ["--type", "around", "--service", "/api/todos/", "--method", "find"]
    assert run("g", "hook", "log_runtime", *args).exit_code == 0
    text = registration(project, "api", "todos")
    assert "from ....hooks.log_runtime import log_runtime" in text
    assert (
        '"find": [\n                    log_runtime,\n'
        "                    # feathers:hooks:around:find\n                ],\n"
        "                # feathers:hooks:around (generators add" in text
    )
    ast.parse(text)


def test_a_method_the_service_does_not_have_is_refused(project):
    before = snapshot(project)
    args = ["--type", "regular", "--service", "api/todos", "--method", "create"]
    result = run("g", "hook", "stamp", *args)
    assert result.exit_code == 1
    assert "has the methods find, get" in result.stderr
    assert snapshot(project) == before


def test_an_unknown_service_is_refused(project):
    result = run("g", "hook", "stamp", "--type", "regular", "--service", "nope")
    assert result.exit_code == 1
    assert "generated services: api/todos, messages" in result.stderr
    assert not (project / "chat" / "hooks" / "stamp.py").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--type", "around", "--service", "messages", "--position", "before"],
        ["--type", "regular", "--service", "messages", "--position", "around"],
        ["--type", "sideways"],
        ["--type", "regular", "--service", "messages", "--position", "later"],
        ["--method", "create"],
        ["--position", "before"],
    ],
)
def test_flags_that_do_not_fit_are_usage_errors(project, args):
    before = snapshot(project)
    result = run("g", "hook", "stamp", *args)
    assert result.exit_code == 2, result.output
    assert snapshot(project) == before


@pytest.mark.parametrize("name", ["123 bad", "class", "", "lambda"])
def test_invalid_hook_names_are_refused(project, name):
    before = snapshot(project)
    result = run("g", "hook", name, "--type", "around")
    assert result.exit_code == 1
    assert "invalid hook name" in result.stderr
    assert snapshot(project) == before


def test_missing_markers_write_nothing_and_print_the_lines_to_add(project):
    path = project / "chat" / "services" / "messages" / "__init__.py"
    text = path.read_text()
    text = text.replace("# feathers:hooks:before:create\n", "\n")
    text = text.replace("# feathers:hooks:before (generators add methods above this line)", "")
    path.write_text(text)
    before = snapshot(project)
    args = ["--type", "regular", "--service", "messages", "--method", "create"]
    result = run("g", "hook", "stamp", *args)
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert "`# feathers:hooks:before` is missing" in result.stderr
    assert '    "create": [\n        stamp,\n' in result.stderr
    assert snapshot(project) == before


def test_dry_run_and_json(project):
    before = snapshot(project)
    args = ["--type", "around", "--service", "messages", "--dry-run", "--json"]
    result = run("g", "hook", "log_runtime", *args)
    assert result.exit_code == 0
    assert snapshot(project) == before
    output = json.loads(result.stdout)
    assert output["dry_run"] is True
    assert output["hook"] == {
        "name": "log_runtime",
        "type": "around",
        "file": "chat/hooks/log_runtime.py",
        "registered": {"service": "messages", "method": "all", "position": "around"},
    }
    assert output["created"] == [
        "chat/hooks/log_runtime.py",
        "tests/hooks/test_log_runtime_hook.py",
    ]
    assert [edit["marker"] for edit in output["edited"]] == [
        "# feathers:hook-imports",
        "# feathers:hooks:around:all",
    ]
    result = run("g", "hook", "log_runtime", "--type", "around", "--dry-run")
    assert "Would create:" in result.stderr
    assert snapshot(project) == before


def test_outside_a_project_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("g", "hook", "stamp", "--type", "regular")
    assert result.exit_code == 1
    assert "not inside a Feathers project" in result.stderr
