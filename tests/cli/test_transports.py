"""`feathers new --transport`, the landing page's bundles and demo service, and REST in the
generated tests (issue 10, CLI side)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from feathers_cli.bundles import bundle_files
from feathers_cli.generators import landing
from feathers_cli.generators.new import TRANSPORTS, NewAnswers, create_project, project_names
from feathers_cli.main import app

from ..helpers.generate import minimal_project, run, snapshot
from ..helpers.projects import run_project_tests

TRANSPORTS_MARKER = "    # feathers:transports\n"
STATIC_LINE = "    app.configure(serve_static(PUBLIC_DIR))\n"
SOCKETIO_LINE = '    app.configure(socketio({"cors": {"origin": origins}}))\n'
REST_LINE = '    app.configure(rest({"cors": {"origin": origins}}))\n'
EMPTY_META = '<meta name="feathers-service" content="">'


def new_project(tmp_path: Path, transports: list[str] | None, name: str = "chat") -> Path:
    answers = NewAnswers(project_names(name), transports=transports, database="memory")
    return create_project(answers, tmp_path / name, ask=False).root


@pytest.mark.parametrize(
    ("transports", "lines"),
    [
        (None, [SOCKETIO_LINE, REST_LINE]),
        (["socketio"], [SOCKETIO_LINE]),
        (["rest"], [REST_LINE]),
        (["rest", "socketio"], [SOCKETIO_LINE, REST_LINE]),
    ],
)
def test_the_app_configures_the_chosen_transports_then_the_static_files(
    tmp_path, transports, lines
):
    root = new_project(tmp_path, transports)
    source = (root / "chat" / "app.py").read_text()
    body = source.split("def configure_transports(app: Application) -> None:")[1]
    body = body.split("\n\n\n")[0]
    configured = [line + "\n" for line in body.splitlines() if "app.configure(" in line]
    assert configured == [*lines, STATIC_LINE]
    assert body.index(TRANSPORTS_MARKER) < body.index(STATIC_LINE.strip())
    assert ("from feathers.rest import rest" in source) == (REST_LINE in lines)
    assert ("from feathers.socketio import socketio" in source) == (SOCKETIO_LINE in lines)
    recorded = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["feathers"]
    # in the order of the choices, whatever the order given
    assert recorded["transports"] == [
        t for t in ("socketio", "rest") if t in (transports or TRANSPORTS)
    ]


def test_both_transports_read_the_origins_of_the_config(tmp_path):
    root = new_project(tmp_path, None)
    config = tomllib.loads((root / "config" / "default.toml").read_text())
    assert config["origins"] == ["http://localhost:3030", "http://127.0.0.1:3030"]
    source = (root / "chat" / "app.py").read_text()
    assert '    origins = app.get("origins")\n' in source
    dependencies = " ".join(
        tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    )
    for requirement in ("starlette", "qs-codec", "httpx", "python-socketio"):
        assert requirement in dependencies


def test_the_cli_takes_the_transport_flag(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["new", "--no-install", "api", "--yes", "--transport", "rest", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = tomllib.loads((tmp_path / "api" / "pyproject.toml").read_text())
    assert data["tool"]["feathers"]["transports"] == ["rest"]
    conftest = (tmp_path / "api" / "tests" / "conftest.py").read_text()
    assert "connect_rest(url)" in conftest and "import connect\n" not in conftest
    result = runner.invoke(app, ["new", "--no-install", "x", "--yes", "--transport", ""])
    assert result.exit_code == 2
    assert "--transport '' is not supported; choose from: socketio, rest" in result.stderr
    assert not (tmp_path / "x").exists()


def test_new_copies_the_bundles_into_public(tmp_path, runner, monkeypatch):
    files = bundle_files()
    if files is None:
        pytest.skip("this feathers-py has no browser bundles (npm missing at install)")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["new", "--no-install", "chat", "--yes", "--database", "memory", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bundles"] == sorted(files)
    public = tmp_path / "chat" / "public"
    for name, source in files.items():
        assert (public / name).read_bytes() == source.read_bytes()
    assert "Note:" not in result.stderr


def test_without_bundles_new_says_so_in_one_line(tmp_path, runner, monkeypatch):
    monkeypatch.setattr(landing, "bundle_files", lambda: None)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--no-install", "chat", "--yes", "--database", "memory"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note:")]
    assert len(notes) == 1 and "feathers upgrade" in notes[0], result.stderr
    public = tmp_path / "chat" / "public"
    assert sorted(path.name for path in public.iterdir()) == ["app.js", "index.html", "style.css"]


def test_upgrade_puts_back_missing_bundles_only(tmp_path, monkeypatch):
    files = bundle_files()
    if files is None:
        pytest.skip("this feathers-py has no browser bundles (npm missing at install)")
    root = new_project(tmp_path, None)
    public = root / "public"
    (public / "feathers.min.js").unlink()
    (public / "socket.io.min.js").write_text("// mine\n")
    monkeypatch.chdir(root)
    result = run("upgrade", "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["bundles"] == ["feathers.min.js"]
    assert "public/feathers.min.js" in output["created"]
    assert (public / "feathers.min.js").read_bytes() == files["feathers.min.js"].read_bytes()
    assert (public / "socket.io.min.js").read_text() == "// mine\n"
    again = run("upgrade", "--json")
    assert json.loads(again.stdout)["bundles"] == []


def test_generate_service_names_the_first_service_in_the_landing_page(tmp_path, monkeypatch):
    root = new_project(tmp_path, None)
    page = root / "public" / "index.html"
    assert page.read_text().count(EMPTY_META) == 1
    monkeypatch.chdir(root)
    dry = run("generate", "service", "api/todos", "--yes", "--dry-run", "--json")
    edits = [e for e in json.loads(dry.stdout)["edited"] if e["file"] == "public/index.html"]
    assert edits == [
        {
            "file": "public/index.html",
            "at": "<meta name=feathers-service>",
            "lines": ['<meta name="feathers-service" content="api/todos">'],
        }
    ]
    assert page.read_text().count(EMPTY_META) == 1  # a dry run writes nothing
    assert run("generate", "service", "api/todos", "--yes").exit_code == 0
    filled = page.read_text()
    assert EMPTY_META not in filled
    assert filled.count('<meta name="feathers-service" content="api/todos">') == 1
    second = run("generate", "service", "messages", "--yes")
    assert second.exit_code == 0, second.output
    assert page.read_text() == filled  # the first service stays the demo's


def test_a_page_without_the_empty_tag_is_left_alone(tmp_path, monkeypatch):
    root = new_project(tmp_path, None)
    page = root / "public" / "index.html"
    page.write_text("<!doctype html><p>my own page</p>\n")
    monkeypatch.chdir(root)
    assert run("generate", "service", "messages", "--yes").exit_code == 0
    assert page.read_text() == "<!doctype html><p>my own page</p>\n"


def test_generated_service_tests_follow_the_transports(tmp_path, monkeypatch):
    for transports in (["socketio"], ["rest"], ["socketio", "rest"]):
        root = new_project(tmp_path, transports, name="app_" + "_".join(transports))
        monkeypatch.chdir(root)
        # --no-auth: the project has users; test_generate_service.py covers the login tests
        args = ("generate", "service", "todos", "--methods", "find,create", "--no-auth", "--yes")
        assert run(*args).exit_code == 0
        test = (root / "tests" / "services" / "test_todos_service.py").read_text()
        over_rest = "async def test_clients_call_the_service_over_rest(app, url):" in test
        over_socket = "async def test_clients_call_the_service_over_a_socket(app, client):" in test
        assert (over_rest, over_socket) == ("rest" in transports, "socketio" in transports)
        if over_rest:
            assert 'refused = await http.get(f"/{PATH}/0")' in test  # get is not exposed


def test_an_old_layout_project_still_grows(tmp_path, monkeypatch):
    """No `# feathers:transports` marker, no public/ and transports = ["socketio"]: services
    and hooks are generated as before (socket tests only), and nothing asks for the marker."""
    root = minimal_project(tmp_path)
    monkeypatch.chdir(root)
    result = run("generate", "service", "messages", "--yes")
    assert result.exit_code == 0, result.output
    test = (root / "tests" / "services" / "test_messages_service.py").read_text()
    assert "over_a_socket" in test and "over_rest" not in test and "import httpx" not in test
    assert not (root / "public").exists()
    hook = run("generate", "hook", "stamp", "--type", "regular", "--service", "messages", "--yes")
    assert hook.exit_code == 0, hook.output
    before = snapshot(root)
    again = run("generate", "service", "messages", "--yes")
    assert again.exit_code == 1 and snapshot(root) == before


OLD_APP_TRANSPORTS = '''def configure_transports(app: Application) -> None:
    """The ways clients reach the app; generators add transports above the marker."""
    app.configure(socketio({"cors": {"origin": app.get("origins")}}))
    # feathers:transports
'''


def test_upgrade_serves_public_in_an_app_py_it_keeps(make_project, monkeypatch):
    """A project made before the landing page was served (app.py edited since it was rendered,
    so the template upgrade keeps it): upgrade adds `serve_static(...)` at the marker, with
    its imports, and the project's own tests (the landing page one included) pass."""
    project = make_project("chat")  # SQLite: generate connection edited app.py
    app_py = project.package_dir / "app.py"
    source = app_py.read_text()
    start = source.index("def configure_transports(app: Application) -> None:")
    end = source.index("def asgi()")
    old = source[:start] + OLD_APP_TRANSPORTS + "\n\n" + source[end:]
    old = old.replace("from feathers.static import serve_static\n", "")
    old = old.replace("from feathers.rest import rest\n", "")
    old = old.replace("from pathlib import Path\n", "")
    old = old.replace(
        "# The landing page and any other static file, served at the paths no service owns.\n"
        'PUBLIC_DIR = Path(__file__).resolve().parent.parent / "public"\n\n',
        "",
    )
    assert "serve_static" not in old and "Path" not in old
    app_py.write_text(old)
    for name in ("pyproject.toml", ".copier-answers.yml"):  # what such a project recorded
        recorded = project.root / name
        text = recorded.read_text()
        edited = text.replace('["socketio", "rest"]', '["socketio"]').replace("- rest\n", "")
        assert edited != text, name
        recorded.write_text(edited)
    monkeypatch.chdir(project.root)
    result = run("upgrade", "--yes")
    assert result.exit_code == 0, result.output
    upgraded = app_py.read_text()
    assert (
        '    app.configure(serve_static(Path(__file__).resolve().parent.parent / "public"))\n'
        "    # feathers:transports\n"
    ) in upgraded
    assert "from pathlib import Path\n" in upgraded
    assert "from feathers.static import serve_static\n" in upgraded
    assert run("upgrade", "--yes").exit_code == 0
    assert app_py.read_text() == upgraded  # once
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", str(app_py)],
        cwd=project.root,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout
    tests = run_project_tests(project.root)  # the landing page's test among them
    assert " passed" in tests.stdout


@pytest.mark.slow
@pytest.mark.parametrize("transports", [["socketio"], ["rest"], ["socketio", "rest"]])
def test_a_project_with_users_passes_its_own_tests_whatever_its_transports(
    tmp_path, monkeypatch, transports
):
    # The default authentication, and a service that requires a login: the generated tests
    # use the transports the project serves, and only those (a REST-only project opens no
    # socket).
    root = new_project(tmp_path, transports)
    monkeypatch.chdir(root)
    assert run("generate", "service", "todos", "--yes").exit_code == 0
    auth_tests = (root / "tests" / "test_authentication.py").read_text()
    socket_only = "async def test_a_token_in_the_handshake_logs_a_new_connection_in("
    assert (socket_only in auth_tests) == ("socketio" in transports)
    result = run_project_tests(root)
    assert " passed" in result.stdout and "skipped" not in result.stdout
