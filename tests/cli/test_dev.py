"""`feathers dev` and `feathers start`: the uvicorn command, its address, and a real start."""

from __future__ import annotations

import sys

import pytest

from feathers_cli.dev import plan_server
from feathers_cli.errors import CLIError
from feathers_cli.main import app
from feathers_cli.ready import watcher_script
from tests.helpers.projects import generate_project, running_feathers, wait_until


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("PORT", "HOST", "FEATHERS_ENV", "FEATHERS_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_start_serves_with_app_listen_at_the_configured_address(make_project):
    project = make_project("chat")
    plan = plan_server(project, host=None, port=None, reload=False)
    assert (plan.host, plan.port, plan.url) == ("localhost", 3030, "http://localhost:3030")
    assert plan.command[:2] == [sys.executable, "-c"]
    # the watcher that prints the URL once the server answers runs first, in its process
    assert plan.command[2].startswith(watcher_script("chat", "localhost", 3030))
    assert plan.command[2].endswith(
        "from chat.app import create_app; from chat.config import load_config; "
        "create_app(load_config()).listen(3030, 'localhost')"
    )
    assert plan.watched == []


def test_dev_serves_the_asgi_app_with_uvicorn_as_app_listen_would(make_project):
    project = make_project("chat")
    plan = plan_server(project, host=None, port=None, reload=True)
    assert plan.command[:5] == [sys.executable, "-m", "uvicorn", "--factory", "chat.app:asgi"]
    assert plan.command[plan.command.index("--app-dir") + 1] == str(project.root)
    # no per-message deflate and a bounded graceful shutdown, as app.listen() serves
    assert plan.command[plan.command.index("--ws-per-message-deflate") + 1] == "false"
    assert plan.command[plan.command.index("--timeout-graceful-shutdown") + 1] == "10"


@pytest.mark.parametrize("reload", [False, True])
def test_flags_override_the_config_and_reach_the_app_as_environment(make_project, reload):
    project = make_project("chat")
    plan = plan_server(project, host="127.0.0.1", port=4123, reload=reload)
    assert plan.url == "http://127.0.0.1:4123"
    assert (plan.environ["HOST"], plan.environ["PORT"]) == ("127.0.0.1", "4123")
    if reload:
        host_at = plan.command.index("--host")
        assert plan.command[host_at : host_at + 4] == ["--host", "127.0.0.1", "--port", "4123"]
    else:
        assert plan.command[-1].endswith(".listen(4123, '127.0.0.1')")


def test_the_environment_chooses_the_config(make_project, monkeypatch):
    project = make_project("chat")
    monkeypatch.setenv("FEATHERS_ENV", "production")
    monkeypatch.setenv("PORT", "8080")
    plan = plan_server(project, host=None, port=None, reload=False)
    assert (plan.host, plan.port) == ("0.0.0.0", 8080)


def test_reload_watches_the_code_and_config_only(make_project):
    project = make_project("chat")
    plan = plan_server(project, host=None, port=None, reload=True)
    assert plan.watched == [project.package_dir, project.runtime_dir, project.root / "config"]
    assert "--reload" in plan.command
    assert plan.command.count("--reload-dir") == 3


def test_the_project_virtualenv_reads_the_config_and_runs_the_server(make_project):
    project = make_project("chat")
    python = project.root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    # A stand-in interpreter that reads the config as the project's own would, and says so.
    python.write_text(f'#!/bin/sh\necho "config read by .venv" >&2\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    assert plan_server(project, host=None, port=None, reload=False).command[0] == str(python)
    python.write_text("#!/bin/sh\necho 'the project python ran' >&2\nexit 3\n")
    with pytest.raises(CLIError, match="the project python ran"):
        plan_server(project, host=None, port=None, reload=False)


def test_the_config_is_read_outside_the_cli_process(make_project):
    project = make_project("chat")
    before = set(sys.modules)
    plan_server(project, host=None, port=None, reload=False)
    assert not [name for name in set(sys.modules) - before if name.startswith("chat")]


def test_projects_made_before_the_factory_are_served_as_they_were(make_project):
    project = make_project("chat")
    app_py = project.package_dir / "app.py"
    app_py.write_text("from feathers import feathers\n\napp = feathers()\nasgi = app.asgi\n")
    plan = plan_server(project, host=None, port=None, reload=True)
    assert plan.command[3:5] == ["chat.app:asgi", "--app-dir"]


def test_a_broken_config_is_a_clear_error(make_project, monkeypatch):
    project = make_project("chat")
    monkeypatch.setenv("FEATHERS_ENV", "staging")
    with pytest.raises(CLIError, match=r"config/staging\.toml does not exist"):
        plan_server(project, host=None, port=None, reload=False)


@pytest.mark.parametrize("command", ["dev", "start"])
def test_outside_a_project_exit_1(runner, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [command])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: not inside a Feathers project")


def test_a_bad_port_is_a_usage_error(runner):
    result = runner.invoke(app, ["dev", "--port", "70000"])
    assert result.exit_code == 2


@pytest.mark.slow
def test_start_serves_the_project_from_a_subfolder(tmp_path):
    root = generate_project(tmp_path, "chat")
    with running_feathers(root / "tests", "start") as server:
        ready = f"chat is ready at {server.url}\n"
        wait_until(lambda: ready in server.output(), 30, "the ready banner", server)
    output = server.output()
    assert output.index("Starting chat (no reload) ...") < output.index(ready)
    assert "Docs: https://feathersjs.com/api/" in output


def test_a_config_module_that_imports_an_installed_package_still_works(make_project):
    project = make_project("chat")
    config_py = project.package_dir / "config.py"
    text = config_py.read_text().replace(
        "import tomllib\n", "import tomllib\n\nimport typer  # installed, not standard library\n"
    )
    config_py.write_text(text)
    plan = plan_server(project, host=None, port=4567, reload=False)
    assert plan.port == 4567


@pytest.mark.parametrize("command", ["start", "dev"])
def test_a_bad_setting_is_one_line_naming_the_key_and_the_file(make_project, command):
    import subprocess

    from tests.helpers.projects import feathers_command

    project = make_project("chat")
    default = project.root / "config" / "default.toml"
    default.write_text(default.read_text().replace("port = 3030", 'port = "x"'))
    done = subprocess.run(
        feathers_command(command),
        cwd=project.root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    # pydantic's strict int: a string is never taken as a port
    line = "Error: config/default.toml: port: Input should be a valid integer"
    assert done.stderr.splitlines() == [line]
    assert done.stdout == ""
    # the app itself: create_app checks it, and asgi() (uvicorn's factory) exits with it
    asgi = subprocess.run(
        [sys.executable, "-c", "from chat.app import asgi; asgi()"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (asgi.returncode, asgi.stderr.splitlines()) == (1, [line])


def test_the_settings_name_an_environment_variable_and_an_environment_file(
    make_project, monkeypatch
):
    project = make_project("chat")
    monkeypatch.setenv("FEATHERS_PAGINATE__MAX", "0")
    with pytest.raises(CLIError, match=r"^environment variable FEATHERS_PAGINATE__MAX: "):
        plan_server(project, host=None, port=None, reload=False)
    monkeypatch.delenv("FEATHERS_PAGINATE__MAX")
    production = project.root / "config" / "production.toml"
    production.write_text(production.read_text() + '\n[authentication]\nsecret = "short"\n')
    monkeypatch.setenv("FEATHERS_ENV", "production")
    expected = "config/production.toml: authentication.secret: String should have at least 32"
    with pytest.raises(CLIError, match=f"^{expected}"):
        plan_server(project, host=None, port=None, reload=False)
