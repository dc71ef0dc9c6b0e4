"""`feathers new`: names, answers, the generated tree, and nothing left behind on failure."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from feathers_cli import __version__
from feathers_cli.bundles import bundle_files
from feathers_cli.generators import new as new_module
from feathers_cli.main import app
from feathers_cli.paths import templates_root
from feathers_cli.project import find_project
from feathers_cli.vendor import runtime_files

REPO = Path(__file__).resolve().parents[2]


def test_new_with_yes_creates_the_project_and_prints_tree_and_next_steps(
    runner, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--no-install", "my-app", "--yes"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "my-app"
    assert (root / "my_app" / "app.py").is_file()
    assert "├── my_app/" in result.stderr
    assert "cd my-app" in result.stderr
    assert "feathers dev" in result.stderr
    assert result.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["my-app"]


DATABASE_FILES = {
    "alembic.ini",
    "chat/database.py",
    "migrations/env.py",
    "migrations/script.py.mako",
    "migrations/versions/__init__.py",
}


@pytest.mark.parametrize("database", ["sqlite", "memory"])
def test_the_generated_tree(make_project, database):
    project = make_project("chat", database)
    files = {p.relative_to(project.root).as_posix() for p in project.root.rglob("*") if p.is_file()}
    expected = {
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "config/default.toml",
        "config/test.toml",
        "config/production.toml",
        "chat/__init__.py",
        "chat/app.py",
        "chat/channels.py",
        "chat/config.py",
        "chat/settings.py",
        "chat/hooks/__init__.py",
        "chat/hooks/log_error.py",
        "chat/services/__init__.py",
        "tests/conftest.py",
        "tests/test_app.py",
        "feathers/MANIFEST.json",
        "public/index.html",
        "public/app.js",
        "public/style.css",
        ".copier-answers.yml",
    }
    runtime = {f"feathers/{name}" for name in runtime_files()}
    if database != "memory":
        expected |= DATABASE_FILES
    bundles = {f"public/{name}" for name in bundle_files() or {}}
    assert files == expected | runtime | bundles
    for name in runtime_files():
        source = REPO / "feathers_cli" / "runtime" / name
        assert (project.root / "feathers" / name).read_bytes() == source.read_bytes()
    for path in project.root.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert not list(project.root.rglob("*.jinja"))


def test_pyproject_records_the_answers(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "new",
            "Team-Chat",
            "--description",
            'Chat "for" teams',
            "--transport",
            "socketio",
            "--database",
            "memory",
        ],
    )
    assert result.exit_code == 0, result.output
    data = tomllib.loads((tmp_path / "Team-Chat" / "pyproject.toml").read_text())
    assert data["project"]["name"] == "Team-Chat"
    assert data["project"]["description"] == 'Chat "for" teams'
    assert data["tool"]["feathers"] == {
        "language": "python",
        "package": "team_chat",
        "transports": ["socketio"],
        "database": "memory",
        "runtime_version": __version__,
    }
    deps = " ".join(data["project"]["dependencies"])
    assert "python-socketio" in deps and "uvicorn[standard]" in deps
    assert {"pytest", "pytest-asyncio", "aiohttp"} <= {
        dep.split(">")[0] for dep in data["project"]["optional-dependencies"]["test"]
    }


def test_sqlite_is_the_default_database_with_its_own_test_database(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "chat"
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["tool"]["feathers"]["database"] == "sqlite"
    names = {re.split(r"[<>=]", dep)[0] for dep in data["project"]["dependencies"]}
    assert {"sqlalchemy[asyncio]", "aiosqlite", "alembic"} <= names
    assert "asyncpg" not in names
    urls = [
        tomllib.loads((root / "config" / f"{env}.toml").read_text())["database"]["url"]
        for env in ("default", "test")
    ]
    assert urls == ["sqlite:///data/development.sqlite", "sqlite:///data/test.sqlite"]
    assert "Database: sqlite at sqlite:///data/development.sqlite (the default)" in result.stderr
    assert "  pytest\n  feathers migrate\n  feathers dev" in result.stderr
    readme = (root / "README.md").read_text()
    assert "feathers migrate" in readme and "[database] url" in readme
    assert "configure_database(app)" in (root / "chat" / "app.py").read_text()
    assert "migrate(reset=True, settings=" in (root / "tests" / "conftest.py").read_text()


def test_a_memory_project_has_no_database(make_project):
    project = make_project("chat", "memory")
    assert find_project(project.root).config["database"] == "memory"
    assert "[database]" not in (project.root / "config" / "default.toml").read_text()
    assert "migrate" not in (project.root / "README.md").read_text()
    assert "database" not in (project.package_dir / "app.py").read_text().replace(
        "# feathers:connections (generators add database connections above this line)", ""
    )
    dependencies = tomllib.loads(project.pyproject.read_text())["project"]["dependencies"]
    assert not any("sqlalchemy" in dep for dep in dependencies)


def test_postgresql_without_a_url_takes_a_local_default_and_says_so(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["new", "--no-install", "chat", "--yes", "--database", "postgresql"]
    )
    assert result.exit_code == 0, result.output
    default = "postgresql://postgres@localhost:5432/chat"
    assert f"Database: postgresql at {default} (the default)" in result.stderr
    assert "pass --database-url, or edit [database] url in config/default.toml" in result.stderr
    config = tomllib.loads((tmp_path / "chat" / "config" / "test.toml").read_text())
    assert config["database"]["url"] == default + "_test"


def test_a_database_url_alone_picks_its_database(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = "postgresql://me:secret@db.example.com:5432/team"
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes", "--database-url", url])
    assert result.exit_code == 0, result.output
    root = tmp_path / "chat"
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["tool"]["feathers"]["database"] == "postgresql"
    assert any(dep.startswith("asyncpg") for dep in data["project"]["dependencies"])
    default = tomllib.loads((root / "config" / "default.toml").read_text())
    test = tomllib.loads((root / "config" / "test.toml").read_text())
    assert (default["database"]["url"], test["database"]["url"]) == (url, url + "_test")
    assert "(the default)" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database", "memory", "--database-url", "sqlite:///x.sqlite"], "needs --database"),
        (["--database", "sqlite", "--database-url", "postgresql://h/db"], "is not a sqlite URL"),
        (["--database-url", "mysql://h/db"], "is not a sqlite or postgresql URL"),
        (["--database", "postgresql", "--database-url", "postgresql://h:5432/"], "names no"),
    ],
)
def test_database_answers_that_do_not_fit_are_usage_errors(
    runner, tmp_path, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_marker_comments_for_the_generators(make_project):
    project = make_project("chat")
    services = (project.package_dir / "services" / "__init__.py").read_text()
    assert "# feathers:service-imports (generators add imports above this line)\n" in services
    assert (
        "    # feathers:service-registrations (generators add lines above this line)\n" in services
    )
    app_module = (project.package_dir / "app.py").read_text()
    assert "    # feathers:app-hooks\n" in app_module
    connections = "# feathers:connections (generators add database connections above this line)"
    assert app_module.index(connections) < app_module.index("register_services(app)")


def test_without_a_terminal_missing_answers_exit_1_naming_the_flags(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--no-install", "chat", "--description", "A chat"])
    assert result.exit_code == 1
    assert "--transport, --database, or --yes" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_every_flag_given_needs_no_yes(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["new", "--no-install", "chat", "--description", "A chat", "--transport", "socketio"]
    result = runner.invoke(app, [*args, "--database", "memory"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("class", "keyword"),
        ("123chat", "starts with a digit"),
        ("feathers", "shadow"),
        ("socketio", "shadow"),
        ("uvicorn", "shadow"),
        ("pytest", "shadow"),
        ("tests", "shadow"),
        ("json", "standard library"),
        ("test", "shadow"),
        ("my app", "letters, digits"),
        ("_chat", "letters, digits"),
        ("chat.app", "letters, digits"),
    ],
)
def test_invalid_names_are_refused_before_writing(runner, tmp_path, monkeypatch, name, reason):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--no-install", name, "--yes"])
    assert result.exit_code == 1
    assert reason in result.stderr
    assert result.stderr.startswith("Error: invalid project name")
    assert list(tmp_path.iterdir()) == []


def test_names_map_to_folder_and_package():
    names = new_module.project_names("My-Chat_2")
    assert (names.folder, names.package) == ("My-Chat_2", "my_chat_2")


def test_an_unsupported_transport_or_database_is_a_usage_error(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["new", "--no-install", "chat", "--yes", "--transport", "socketio,grpc"]
    )
    assert result.exit_code == 2
    assert "--transport 'grpc' is not supported; choose from: socketio, rest" in result.stderr
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes", "--database", "mongodb"])
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_transport_takes_a_comma_list():
    assert new_module.parse_transports("socketio, socketio") == ["socketio"]
    assert new_module.parse_transports("rest,socketio") == ["rest", "socketio"]
    assert new_module.DEFAULT_TRANSPORTS == ("socketio", "rest")


def test_a_non_empty_folder_is_refused_and_left_alone(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes"])
    assert result.exit_code == 1
    assert "exists and is not empty" in result.stderr
    assert [p.name for p in (tmp_path / "chat").iterdir()] == ["notes.txt"]


def test_an_empty_folder_and_directory_flag_are_accepted(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "where").mkdir()
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes", "--directory", "where"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "where" / "chat" / "app.py").is_file()


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_or_ctrl_c_leaves_no_folder_behind(runner, tmp_path, monkeypatch, failure):
    monkeypatch.chdir(tmp_path)

    def fail(root):
        assert (root / "chat" / "app.py").is_file()  # the template was rendered already
        raise failure

    monkeypatch.setattr(new_module, "vendor_runtime", fail)
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes"])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_the_generated_folder_has_the_usual_permissions(make_project):
    project = make_project("chat")
    umask = os.umask(0)
    os.umask(umask)
    assert project.root.stat().st_mode & 0o777 == 0o777 & ~umask


def test_copier_choices_match_the_cli_choices():
    questions = yaml.safe_load((templates_root() / "app" / "copier.yml").read_text())
    assert tuple(questions["transports"]["choices"].values()) == new_module.TRANSPORTS
    assert tuple(questions["database"]["choices"].values()) == new_module.DATABASES
    assert questions["description"]["default"] == new_module.DEFAULT_DESCRIPTION


@pytest.mark.skipif(shutil.which("ruff", path=str(Path(sys.executable).parent)) is None, reason="")
@pytest.mark.parametrize("database", ["sqlite", "postgresql", "memory"])
def test_the_generated_project_is_ruff_clean(make_project, database):
    project = make_project("chat", database)
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run([ruff, *args], cwd=project.root, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_new_as_a_subprocess_with_stdin_closed(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "feathers_cli.main", "new", "--no-install", "chat"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: no terminal to ask for the missing answers")
    done = subprocess.run(
        [sys.executable, "-m", "feathers_cli.main", "new", "--no-install", "chat", "--yes"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "chat" / "chat" / "app.py").is_file()
    assert done.stdout == ""


def test_dry_run_and_json_list_the_project_and_write_nothing(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["dry_run"] is True and output["generator"] == "new"
    created = set(output["created"])
    assert {"chat/app.py", "chat/database.py", ".copier-answers.yml"} <= created
    assert {"chat/authentication.py", ".env", "tests/test_authentication.py"} <= created
    assert output["database"]["name"] == "sqlite"
    assert output["auth"] == ["local", "jwt"]
    assert list(tmp_path.iterdir()) == []
    applied = json.loads(
        runner.invoke(app, ["new", "--no-install", "chat", "--yes", "--json"]).stdout
    )
    # the same files; migrations are named after a random revision
    assert without_revisions(applied["created"]) == without_revisions(output["created"])
    assert (tmp_path / "chat" / "chat" / "app.py").is_file()


def without_revisions(paths: list[str]) -> list[str]:
    return sorted(
        re.sub(r"^migrations/versions/[0-9a-f]{12}_", "migrations/versions/", p) for p in paths
    )
