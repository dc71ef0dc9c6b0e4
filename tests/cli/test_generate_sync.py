"""`feathers generate sync` and `feathers new --sync redis`: config, wiring, dependency and
tests of a project whose service events are shared through Redis; idempotent, validated,
all or nothing; the project's own tests pass (and really sync when FEATHERS_TEST_REDIS_URL
names a server)."""

from __future__ import annotations

import ast
import json
import os
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.interpreter import read_config
from feathers_cli.main import app
from feathers_cli.project import Project, find_project

from ..helpers.generate import snapshot
from ..helpers.projects import run_project_tests

SYNC_LINE = '        app.configure(sync({"key": "chat", **app.get("sync")}))'


def new_project(folder: Path, name: str = "chat", **answers: str) -> Project:
    answers.setdefault("database", "memory")
    created = create_project(NewAnswers(project_names(name), **answers), folder / name, ask=False)
    return find_project(created.root)


def feathers(cwd: Path, *args: str) -> Result:
    """`feathers ARGS...` run from `cwd`, without a terminal."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(previous)


def assert_synced(project: Project, url: str = "redis://127.0.0.1:6379/0") -> None:
    source = (project.package_dir / "app.py").read_text()
    ast.parse(source)
    assert "\nfrom feathers.sync import sync\n" in source
    assert '    if (app.get("sync") or {}).get("url"):\n' + SYNC_LINE in source
    assert source.index(SYNC_LINE) < source.index("# feathers:connections")
    root = project.root
    assert tomllib.loads((root / "config/default.toml").read_text())["sync"] == {"url": url}
    assert tomllib.loads((root / "config/test.toml").read_text())["sync"] == {"url": ""}
    pyproject = tomllib.loads(project.pyproject.read_text())
    assert "redis>=5" in pyproject["project"]["dependencies"]
    assert pyproject["tool"]["feathers"]["sync"] == "redis"
    assert (root / "tests" / "test_sync.py").is_file()


def test_generate_sync_writes_config_wiring_dependency_and_tests(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = feathers(project.package_dir, "generate", "sync")
    assert result.exit_code == 0, result.output
    assert "Sync over Redis at redis://127.0.0.1:6379/0" in result.stderr
    assert "feathers start --workers 2" in result.stderr
    assert_synced(project)


def test_the_environment_overrides_the_sync_config(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert feathers(project.root, "g", "sync").exit_code == 0
    url = "rediss://:secret@redis.internal:6380/2"
    environ = {"FEATHERS_SYNC__URL": url, "FEATHERS_SYNC__QUEUE_SIZE": "500"}
    assert read_config(project, {})["sync"] == {"url": "redis://127.0.0.1:6379/0"}
    assert read_config(project, {"FEATHERS_ENV": "test"})["sync"] == {"url": ""}
    assert read_config(project, environ)["sync"] == {"url": url, "queue_size": 500}


def test_generate_sync_twice_changes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert feathers(project.root, "g", "sync").exit_code == 0
    before = snapshot(project.root)
    result = feathers(project.root, "g", "sync", "--url", "redis://10.0.0.5:6379/0")
    assert result.exit_code == 1
    assert "already has sync" in result.stderr
    assert snapshot(project.root) == before


def test_dry_run_and_json_show_the_plan_and_write_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    before = snapshot(project.root)
    dry = feathers(project.root, "g", "sync", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing written." in dry.stderr
    assert "+ from feathers.sync import sync" in dry.stderr
    as_json = feathers(project.root, "g", "sync", "--dry-run", "--json")
    assert snapshot(project.root) == before
    output = json.loads(as_json.stdout)
    assert output["dry_run"] is True
    assert output["generator"] == "sync"
    assert output["sync"] == {"backend": "redis", "url": "redis://127.0.0.1:6379/0", "key": "chat"}
    assert output["created"] == ["tests/test_sync.py"]
    edited = {(edit["file"], edit["at"]) for edit in output["edited"]}
    assert ("chat/app.py", "# feathers:connections") in edited
    assert ("config/default.toml", "sync.url") in edited
    assert ("pyproject.toml", "[project] dependencies") in edited
    applied = feathers(project.root, "g", "sync", "--json", "--url", "unix:///run/redis.sock")
    assert applied.exit_code == 0
    assert json.loads(applied.stdout)["dry_run"] is False
    assert_synced(project, "unix:///run/redis.sock")


@pytest.mark.parametrize(
    "url", ["http://redis.example:6379", "127.0.0.1:6379", 'redis://x"/0', "redis://a\n"]
)
def test_a_url_that_is_not_redis_is_a_usage_error(tmp_path: Path, url: str) -> None:
    project = new_project(tmp_path)
    before = snapshot(project.root)
    result = feathers(project.root, "g", "sync", "--url", url)
    assert result.exit_code == 2
    assert "is not a Redis URL" in result.stderr
    assert snapshot(project.root) == before


def test_a_sync_table_written_by_hand_is_left_alone(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    with (project.root / "config" / "default.toml").open("a") as config:
        config.write('\n[sync]\nkey = "mine"\n')
    before = snapshot(project.root)
    result = feathers(project.root, "g", "sync")
    assert result.exit_code == 1
    assert "already has a [sync] table" in result.stderr
    assert snapshot(project.root) == before


def test_a_missing_marker_says_what_to_add_and_writes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    app_file = project.package_dir / "app.py"
    source = app_file.read_text()
    marker = "    # feathers:connections (generators add database connections above this line)\n"
    app_file.write_text(source.replace(marker, ""))
    before = snapshot(project.root)
    result = feathers(project.root, "g", "sync")
    assert result.exit_code == 1
    assert "# feathers:connections" in result.stderr
    assert SYNC_LINE.strip() in result.stderr
    assert snapshot(project.root) == before


def test_outside_a_project_is_an_error(tmp_path: Path) -> None:
    result = feathers(tmp_path, "g", "sync")
    assert result.exit_code == 1
    assert "Error:" in result.stderr


def test_redis_is_installed_into_the_projects_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feathers_cli import first_run, install

    monkeypatch.delenv("FEATHERS_NO_INSTALL", raising=False)  # tests/conftest.py sets it
    ran: list[list[str]] = []
    monkeypatch.setattr(first_run, "run_steps", lambda steps, reporter: ran.append(steps))
    without_venv = new_project(tmp_path, "plain")
    assert feathers(without_venv.root, "g", "sync").exit_code == 0
    assert ran == []  # no .venv: nothing to install into
    project = new_project(tmp_path)
    python = install.venv_python(project.root)
    python.parent.mkdir(parents=True)
    python.touch()
    assert feathers(project.root, "g", "sync", "--dry-run").exit_code == 0
    assert ran == []
    assert feathers(project.root, "g", "sync").exit_code == 0
    [steps] = ran
    assert [step.argv[-1] for step in steps] == ["redis>=5"]
    assert str(python) in steps[0].argv
    other = new_project(tmp_path, "other")
    install.venv_python(other.root).parent.mkdir(parents=True)
    install.venv_python(other.root).touch()
    assert feathers(other.root, "g", "sync", "--no-install").exit_code == 0
    assert len(ran) == 1


def test_new_with_sync_gives_a_project_whose_tests_pass(tmp_path: Path) -> None:
    result = feathers(tmp_path, "new", "chat", "--yes", "--database", "memory", "--sync", "redis")
    assert result.exit_code == 0, result.output
    assert "Sync: service events shared through Redis" in result.stderr
    project = find_project(tmp_path / "chat")
    assert_synced(project)
    # With FEATHERS_TEST_REDIS_URL (scripts/redis.sh), its two-app test syncs for real.
    outcome = run_project_tests(project.root)
    redis = bool(os.environ.get("FEATHERS_TEST_REDIS_URL"))
    assert ("skipped" in outcome.stdout) is not redis, outcome.stdout


def test_new_with_sync_dry_run_json_and_bad_choice(tmp_path: Path) -> None:
    result = feathers(tmp_path, "new", "chat", "--yes", "--sync", "redis", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["sync"] == {"url": "redis://127.0.0.1:6379/0"}
    assert "tests/test_sync.py" in output["created"]
    assert list(tmp_path.iterdir()) == []
    bad = feathers(tmp_path, "new", "chat", "--yes", "--sync", "nats")
    assert bad.exit_code == 2
    assert "--sync 'nats' is not supported; choose from: redis" in bad.stderr
    assert list(tmp_path.iterdir()) == []
    plain = json.loads(feathers(tmp_path, "new", "c2", "--yes", "--dry-run", "--json").stdout)
    assert plain["sync"] is None


def test_on_a_terminal_it_asks_for_the_url(tmp_path: Path) -> None:
    pytest.importorskip("pty")
    from .test_prompts import Terminal

    project = new_project(tmp_path)
    terminal = Terminal(project.root, "g", "sync", "--no-install")
    terminal.expect("Redis URL")
    terminal.type("redis://10.1.2.3:6379/4\n")
    assert terminal.exit_code() == 0, terminal.screen
    assert_synced(project, "redis://10.1.2.3:6379/4")
