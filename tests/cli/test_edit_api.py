"""The one edit API (`inject.Plan`) through every generator and `feathers upgrade`: TOML edits
keep comments and odd headers, the plan shown is the plan applied, and projects generated
before this layout (module-level app, FEATHERS_ENV set in conftest) still grow."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from feathers_cli.dev import plan_server
from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.inject import AlreadyExists, BrokenEdit, Plan, apply_changes
from feathers_cli.project import find_project
from feathers_cli.vendor import MANIFEST_NAME

from ..helpers.generate import run, snapshot
from ..helpers.projects import run_project_tests

ODD_PYPROJECT = """\
# The chat app (comments everywhere, headers as people write them).
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project] # metadata
name = "chat"   # the distribution
version = "0.1.0"
description = "A Feathers real-time app"
requires-python = ">=3.11"
dependencies = [
    # the transport
    "python-socketio>=5.11,<6",
    "uvicorn[standard]>=0.30,<1",  # the server
]

[project.optional-dependencies]
test = ["pytest>=8", "pytest-asyncio>=0.24", "aiohttp>=3.9,<4"]

[tool.hatch.build.targets.wheel]
packages = ["chat", "feathers"]

[tool.pytest.ini_options]
asyncio_mode = "auto"
testpaths = ["tests"]
pythonpath = ["."]

[ tool.feathers ]   # what `feathers new` was asked
language = "python"
package = "chat"       # the app's package
transports = ["socketio"]
database = "memory"
runtime_version = "0.0.1"  # upgraded by feathers upgrade
"""

COMMENTS = [line.partition("#")[2].strip() for line in ODD_PYPROJECT.splitlines() if "#" in line]


def memory_project(tmp_path: Path) -> Path:
    answers = NewAnswers(project_names("chat"), database="memory", auth=())
    return create_project(answers, tmp_path / "chat", ask=False).root


def test_every_generator_and_upgrade_keep_the_comments_of_an_odd_pyproject(tmp_path, monkeypatch):
    root = memory_project(tmp_path)
    (root / "pyproject.toml").write_text(ODD_PYPROJECT)
    monkeypatch.chdir(root)
    for args in (
        ["generate", "service", "messages", "--yes"],
        ["generate", "hook", "stamp", "--type", "regular", "--service", "messages", "--yes"],
        ["generate", "connection", "--database", "sqlite", "--yes"],
        ["generate", "service", "notes", "--adapter", "sql", "--yes"],
        ["upgrade", "--yes"],
    ):
        result = run(*args)
        assert result.exit_code == 0, f"{args}: {result.output}"
        text = (root / "pyproject.toml").read_text()
        assert [c for c in COMMENTS if c not in text] == [], args
    data = tomllib.loads(text)
    assert data["tool"]["feathers"]["database"] == "sqlite"
    assert data["tool"]["feathers"]["runtime_version"] != "0.0.1"
    assert "aiosqlite>=0.20" in data["project"]["dependencies"]
    assert "[project] # metadata" in text and "[ tool.feathers ]" in text
    default = (root / "config" / "default.toml").read_text()
    assert "# Browser origins allowed to connect (CORS)." in default
    assert tomllib.loads(default)["database"]["url"] == "sqlite:///data/development.sqlite"


def test_the_json_of_a_dry_run_is_what_the_run_applies(tmp_path, monkeypatch):
    root = memory_project(tmp_path)
    monkeypatch.chdir(root)
    # (a sql service would name its migration with a random revision: memory here)
    for args in (
        ["generate", "connection"],
        ["generate", "service", "messages", "--adapter", "memory"],
        ["generate", "hook", "stamp", "--service", "messages"],
        ["upgrade"],
    ):
        before = snapshot(root)
        planned = run(*args, "--yes", "--dry-run", "--json")
        assert planned.exit_code == 0, planned.output
        assert snapshot(root) == before
        applied = run(*args, "--yes", "--json")
        assert applied.exit_code == 0, applied.output
        plan, done = json.loads(planned.stdout), json.loads(applied.stdout)
        assert (plan.pop("dry_run"), done.pop("dry_run")) == (True, False)
        assert plan["edited"] == done["edited"] and plan["created"] == done["created"]


def test_plan_one_liners_for_the_next_generators(tmp_path):
    (tmp_path / "pyproject.toml").write_text(ODD_PYPROJECT)
    config = tmp_path / "config.toml"
    config.write_text("# settings\nport = 3030  # the port\n\n[paginate] # pages\nmax = 50\n")
    plan = Plan(tmp_path)
    plan.add_dependency(tmp_path / "pyproject.toml", "PyJWT>=2.8")
    plan.add_dependency(tmp_path / "pyproject.toml", "python_socketio>=5")  # there already
    plan.add_dependency(tmp_path / "pyproject.toml", "httpx>=0.27", extra="test")
    plan.set_toml(config, "authentication.secret", "s3cret", comment="Sign tokens with it.")
    plan.set_toml(config, "host", "127.0.0.1")
    plan.add_line(tmp_path / ".env", "FEATHERS_AUTHENTICATION__SECRET=change-me", comment="auth")
    plan.add_line(tmp_path / ".gitignore", ".env")
    apply_changes(plan.finish())
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert data["project"]["dependencies"][-1] == "PyJWT>=2.8"
    assert len(data["project"]["dependencies"]) == 3
    assert data["project"]["optional-dependencies"]["test"][-1] == "httpx>=0.27"
    text = config.read_text()
    assert text.startswith('# settings\nport = 3030  # the port\nhost = "127.0.0.1"\n')
    assert "[paginate] # pages" in text
    assert '[authentication]\n# Sign tokens with it.\nsecret = "s3cret"\n' in text
    assert (tmp_path / ".env").read_text() == "# auth\nFEATHERS_AUTHENTICATION__SECRET=change-me\n"
    assert (tmp_path / ".gitignore").read_text() == ".env\n"


def test_toml_edits_refuse_cleanly_and_write_nothing(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("port = 3030\n")
    plan = Plan(tmp_path)
    with pytest.raises(AlreadyExists, match="port is already set"):
        plan.set_toml(config, "port", 1)
    broken = tmp_path / "broken.toml"
    broken.write_text("[project\n")
    with pytest.raises(BrokenEdit, match=r"broken.toml: cannot edit .*not valid TOML"):
        plan.add_dependency(broken, "x")
    assert plan.finish().empty


def test_a_bad_project_header_is_a_clean_error(tmp_path, monkeypatch):
    root = memory_project(tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[project]", "[project] # metadata"))
    # valid TOML whose [project] dependencies is not a list
    text = re.sub(r"(?ms)^dependencies = \[.*?^\]$", "dependencies = 3", pyproject.read_text())
    assert "dependencies = 3" in text
    pyproject.write_text(text)
    before = snapshot(root)
    monkeypatch.chdir(root)
    result = run("generate", "connection", "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: pyproject.toml: cannot edit [project] dependencies")
    assert "Traceback" not in result.output
    assert snapshot(root) == before


OLD_APP = '''"""The chat app, as `feathers new` made it before create_app(config) was a factory."""

from __future__ import annotations

from typing import Any

from feathers import feathers
from feathers.socketio import socketio

from .channels import channels
from .config import load_config
from .hooks.log_error import log_error
from .services import register_services


def create_app(config: dict[str, Any] | None = None) -> Any:
    """A new app, configured from `config` (by default: config/*.toml and the environment)."""
    app = feathers()
    for key, value in (load_config() if config is None else config).items():
        app.set(key, value)

    app.configure(socketio({"cors": {"origin": app.get("origins")}}))
    app.configure(channels)

    # feathers:connections (generators add database connections above this line)
    register_services(app)

    # Hooks for every service method; generators add app.hooks(...) calls above the marker.
    app.hooks({"around": {"all": [log_error]}})
    # feathers:app-hooks
    return app


app = create_app()
asgi = app.asgi
'''

OLD_CONFTEST = '''"""Fixtures: an app configured for tests, served on a free port of 127.0.0.1."""

from __future__ import annotations

import os

# Selects config/test.toml; set before the app module reads the configuration.
os.environ["FEATHERS_ENV"] = "test"

import pytest
from feathers.client import connect

from chat.app import create_app


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
async def server(app):
    server = await app.start(port=0, host="127.0.0.1")
    yield server
    await server.stop()


@pytest.fixture
def url(server):
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def client(url):
    client = await connect(url)
    yield client
    await client.close()
'''


def old_layout_project(tmp_path: Path) -> Path:
    """A memory project as `feathers new` made it before this layout: module-level app,
    FEATHERS_ENV set by the conftest, no answers file, no template record, Socket.io only and
    no landing page served (nor tested)."""
    answers = NewAnswers(project_names("chat"), database="memory", transports=["socketio"], auth=())
    root = create_project(answers, tmp_path / "chat", ask=False).root
    (root / "chat" / "app.py").write_text(OLD_APP)
    (root / "tests" / "conftest.py").write_text(OLD_CONFTEST)
    (root / ".copier-answers.yml").unlink()
    manifest_path = root / "feathers" / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    del manifest["template"]
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    test_app = (root / "tests" / "test_app.py").read_text()
    start = test_app.index("async def test_the_landing_page_is_served_at_the_root")
    end = test_app.index("async def ", start + 1)
    (root / "tests" / "test_app.py").write_text(test_app[:start] + test_app[end:])
    return root


def grow(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    for args in (
        ["generate", "connection", "--yes"],
        ["generate", "service", "messages", "--yes"],
        ["generate", "hook", "stamp", "--type", "regular", "--service", "messages", "--yes"],
        ["upgrade", "--yes"],
    ):
        result = run(*args)
        assert result.exit_code == 0, f"{args}: {result.output}"


def test_a_project_of_the_old_layout_grows_with_the_new_generators(tmp_path, monkeypatch):
    root = old_layout_project(tmp_path)
    grow(root, monkeypatch)
    app_py = (root / "chat" / "app.py").read_text()
    assert "from .database import configure_database\nfrom .hooks.log_error" in app_py
    assert "    configure_database(app)\n    # feathers:connections" in app_py
    assert "app = create_app()" in app_py  # left as it was: the upgrade does not rewrite it
    assert (root / ".copier-answers.yml").is_file()  # the upgrade brought the answers file
    project = find_project(root)
    assert plan_server(project, host=None, port=None, reload=True).command[3] == "chat.app:asgi"


@pytest.mark.slow
def test_the_grown_old_project_passes_its_own_tests(tmp_path, monkeypatch):
    root = old_layout_project(tmp_path)
    grow(root, monkeypatch)
    result = run_project_tests(root)
    assert " passed" in result.stdout
