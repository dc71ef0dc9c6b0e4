"""`feathers generate authentication` and `feathers new --auth`: the users service, the
authentication module, channels, config without a secret, the .env secret, and generated
tests that pass; `.env` and the secret check of `feathers dev` / `feathers start`."""

from __future__ import annotations

import ast
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feathers_cli import envfile
from feathers_cli.errors import CLIError
from feathers_cli.main import app
from feathers_cli.runtime import authentication as runtime_authentication
from tests.helpers.projects import run_project_tests

SECRET_LINE = re.compile(r"^FEATHERS_AUTH_SECRET=([A-Za-z0-9_-]{64})$", re.M)


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def ruff_clean(root: Path) -> None:
    for command in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_generate_authentication_in_a_memory_project(make_project, monkeypatch):
    project = make_project(database="memory")
    monkeypatch.chdir(project.root)
    result = run("generate", "authentication")
    assert result.exit_code == 0, result.output
    root, package = project.root, project.package_dir

    users = (package / "services" / "users" / "__init__.py").read_text()
    hooks = hook_map(users)
    assert hooks["before"]["find"] == hooks["before"]["get"] == ["authenticate('jwt')"]
    assert hooks["before"]["remove"] == ["authenticate('jwt')"]
    assert hooks["before"]["create"] == ["validate_data(UserData)", "hash_password('password')"]
    assert hooks["before"]["patch"] == [
        "authenticate('jwt')",
        "validate_data(UserPatch)",
        "hash_password('password')",
    ]
    assert hooks["after"]["all"] == ["protect('password')"]
    assert "MemoryService" in (package / "services" / "users" / "service.py").read_text()

    module = (package / "authentication.py").read_text()
    assert 'register("jwt", JWTStrategy())' in module
    assert 'register("local", LocalStrategy())' in module
    app_py = (package / "app.py").read_text()
    assert "from .authentication import configure_authentication" in app_py
    assert app_py.index("configure_authentication(app)") < app_py.index("register_services(app)")

    config = tomllib.loads((root / "config" / "default.toml").read_text())["authentication"]
    assert config["entity"] == "user" and config["service"] == "users"
    assert config["auth_strategies"] == ["jwt", "local"]
    assert config["local"] == {"username_field": "email", "password_field": "password"}
    assert "secret" not in config
    for name in ("default.toml", "test.toml", "production.toml"):
        assert "FEATHERS_AUTH_SECRET=" not in (root / "config" / name).read_text()

    secret = SECRET_LINE.search((root / ".env").read_text())
    assert secret is not None
    assert secret.group(1) not in result.output  # never printed either
    assert ".env" in (root / ".gitignore").read_text().splitlines()
    channels = (package / "channels.py").read_text()
    assert 'app.channel("authenticated").join(connection)' in channels
    assert 'app.on("login", on_login)' in channels and 'app.on("logout", on_logout)' in channels
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    dependencies = set(pyproject["dependencies"])
    assert {"PyJWT>=2.8,<3", "pwdlib[argon2,bcrypt]>=0.2,<1", "pydantic>=2.7,<3"} <= dependencies
    assert "python-dotenv>=1,<2" in pyproject["optional-dependencies"]["test"]

    ruff_clean(root)
    run_project_tests(root)


def hook_map(registration: str) -> dict[str, dict[str, list[str]]]:
    """The hook map a registration module passes to `hooks(...)`, each hook as its source."""
    for node in ast.walk(ast.parse(registration)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "hooks":
            return {
                position.value: {
                    method.value: [ast.unparse(hook) for hook in hooks.elts]
                    for method, hooks in zip(slots.keys, slots.values, strict=True)
                }
                for position, slots in zip(node.args[0].keys, node.args[0].values, strict=True)
            }
    raise AssertionError("no hook map")


def test_generate_authentication_in_a_sql_project(make_project, monkeypatch):
    project = make_project(database="sqlite")
    monkeypatch.chdir(project.root)
    result = run("generate", "authentication", "--json")
    assert result.exit_code == 0, result.output
    assert '"adapter": "sql"' in result.stdout
    service = (project.package_dir / "services" / "users" / "service.py").read_text()
    assert 'sa.Column("email", sa.String(255), nullable=False, unique=True)' in service
    [migration] = (project.root / "migrations" / "versions").glob("*_create_users.py")
    text = migration.read_text()
    for table in ("users", "feathers_auth_failures", "feathers_auth_revoked"):
        assert f'op.create_table(\n        "{table}"' in text
    ruff_clean(project.root)
    run_project_tests(project.root)


def test_a_second_run_and_bad_answers_change_nothing(make_project, monkeypatch):
    project = make_project(database="memory")
    monkeypatch.chdir(project.root)
    before = snapshot(project.root)
    for args, code, message in (
        (["--entity", "User!"], 2, "--entity 'User!'"),
        (["--strategies", "jwt"], 2, "--strategies 'jwt' is not supported"),
        (["--strategies", "local,oauth"], 2, "--strategies 'local,oauth' is not supported"),
    ):
        result = run("generate", "authentication", *args)
        assert result.exit_code == code, result.output
        assert result.stderr.startswith(f"Error: {message}")
        assert snapshot(project.root) == before
    assert run("generate", "authentication", "--dry-run").exit_code == 0
    assert snapshot(project.root) == before
    assert run("generate", "authentication").exit_code == 0
    after = snapshot(project.root)
    result = run("generate", "authentication", "--path", "members")
    assert result.exit_code == 1
    assert "already has authentication" in result.stderr
    assert snapshot(project.root) == after


def test_an_existing_env_secret_and_a_hand_edited_channels_py_are_kept(make_project, monkeypatch):
    project = make_project(database="memory")
    monkeypatch.chdir(project.root)
    (project.root / ".env").write_text("DEBUG=1\nFEATHERS_AUTH_SECRET=mine\n")
    channels = project.package_dir / "channels.py"
    channels.write_text(channels.read_text() + "# my own channels\n")
    result = run("generate", "authentication", "--entity", "member", "--path", "members")
    assert result.exit_code == 0, result.output
    assert (project.root / ".env").read_text() == "DEBUG=1\nFEATHERS_AUTH_SECRET=mine\n"
    assert channels.read_text().endswith("# my own channels\n")
    assert "channels.py was changed by hand" in result.stderr
    assert "configure_authentication" in (project.package_dir / "app.py").read_text()
    config = tomllib.loads((project.root / "config" / "default.toml").read_text())
    assert (config["authentication"]["entity"], config["authentication"]["service"]) == (
        "member",
        "members",
    )


def test_an_env_without_a_secret_gets_one_appended(make_project, monkeypatch):
    project = make_project(database="memory")
    monkeypatch.chdir(project.root)
    env_file = project.root / ".env"
    env_file.write_text("DEBUG=1")
    env_file.chmod(0o644)
    assert run("generate", "authentication").exit_code == 0
    text = env_file.read_text()
    assert text.startswith("DEBUG=1\nFEATHERS_AUTH_SECRET=")
    assert SECRET_LINE.search(text)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600  # it holds the secret now


def test_the_env_file_with_the_secret_is_readable_by_its_owner_only(
    runner, make_project, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    old_umask = os.umask(0o002)  # a permissive umask must not widen it
    try:
        assert runner.invoke(app, ["new", "chat", "--yes", "--database", "memory"]).exit_code == 0
        project = make_project("other", database="memory")
        monkeypatch.chdir(project.root)
        assert run("generate", "authentication").exit_code == 0
    finally:
        os.umask(old_umask)
    for env_file in (tmp_path / "chat" / ".env", project.root / ".env"):
        assert SECRET_LINE.search(env_file.read_text())
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        # only .env: the other files stay readable by the group and others
        assert stat.S_IMODE((env_file.parent / ".gitignore").stat().st_mode) & 0o044 == 0o044
    assert not list(tmp_path.rglob("*.feathers-tmp"))


def test_new_runs_it_by_default_and_auth_none_skips_it(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "chat", "--yes", "--database", "memory"])
    assert result.exit_code == 0, result.output
    assert "Authentication: local,jwt" in result.stderr
    assert SECRET_LINE.search((tmp_path / "chat" / ".env").read_text())
    assert (tmp_path / "chat" / "chat" / "authentication.py").is_file()
    first = SECRET_LINE.search((tmp_path / "chat" / ".env").read_text()).group(1)
    result = runner.invoke(app, ["new", "other", "--yes", "--database", "memory"])
    assert SECRET_LINE.search((tmp_path / "other" / ".env").read_text()).group(1) != first

    result = runner.invoke(app, ["new", "plain", "--yes", "--auth", "none"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "plain" / ".env").exists()
    assert not (tmp_path / "plain" / "plain" / "authentication.py").exists()
    assert "Authentication: none" in result.stderr

    result = runner.invoke(app, ["new", "bad", "--yes", "--auth", "password"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --auth 'password' is not supported")
    assert not (tmp_path / "bad").exists()


# `.env` and the secret check of `feathers dev` / `feathers start`


def test_the_names_are_the_runtimes():
    assert envfile.SECRET_VARIABLE == runtime_authentication.SECRET_ENV
    assert envfile.MIN_SECRET_BYTES == runtime_authentication.MIN_SECRET_BYTES


def test_env_file_values_are_added_under_the_real_environment(tmp_path):
    assert envfile.project_environ(tmp_path, {"A": "1"}) == {"A": "1"}
    (tmp_path / ".env").write_text("A=from-file\nB='quoted value'\n# a comment\nC\n")
    assert envfile.project_environ(tmp_path, {"A": "1"}) == {"A": "1", "B": "quoted value"}


@pytest.mark.parametrize(
    ("config", "environ", "message"),
    [
        ({"authentication": {}}, {}, "the authentication secret is missing"),
        ({"authentication": {}}, {"FEATHERS_AUTH_SECRET": ""}, "secret is missing"),
        (
            {"authentication": {}},
            {"FEATHERS_AUTH_SECRET": "x" * 31, "FEATHERS_ENV": "production"},
            "shorter than 32 bytes",
        ),
        (
            {"authentication": {"secret": "short"}, "env": "production"},
            {},
            "shorter than 32 bytes",
        ),
    ],
)
def test_a_missing_or_short_production_secret_is_refused(config, environ, message):
    with pytest.raises(CLIError, match=message):
        envfile.check_secret(config, environ)


@pytest.mark.parametrize(
    ("config", "environ"),
    [
        ({}, {}),  # no authentication
        ({"authentication": {}}, {"FEATHERS_AUTH_SECRET": "short"}),  # not production
        ({"authentication": {}}, {"FEATHERS_AUTH_SECRET": "x" * 32, "FEATHERS_ENV": "production"}),
    ],
)
def test_usable_secrets_pass(config, environ):
    envfile.check_secret(config, environ)


def test_start_without_a_secret_is_one_line_and_exit_1(make_project, monkeypatch):
    project = make_project(database="memory", auth=("local", "jwt"))
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("FEATHERS_AUTH_SECRET", raising=False)
    (project.root / ".env").unlink()
    for command in ("start", "dev"):
        result = run(command, "--port", "0")
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("Error: the authentication secret is missing")
    (project.root / ".env").write_text("FEATHERS_AUTH_SECRET=too-short\n")
    monkeypatch.setenv("FEATHERS_ENV", "production")
    result = run("start", "--port", "0")
    assert result.exit_code == 1
    assert "shorter than 32 bytes, too short for production" in result.stderr
    assert "Traceback" not in result.output


def test_dev_and_start_give_the_server_the_env_file_under_the_real_environment(
    make_project, monkeypatch
):
    from feathers_cli.dev import plan_server

    project = make_project(database="memory", auth=("local", "jwt"))
    secret = SECRET_LINE.search((project.root / ".env").read_text()).group(1)
    monkeypatch.delenv("FEATHERS_AUTH_SECRET", raising=False)
    for reload in (False, True):
        plan = plan_server(project, host=None, port=None, reload=reload)
        assert plan.environ["FEATHERS_AUTH_SECRET"] == secret
    monkeypatch.setenv("FEATHERS_AUTH_SECRET", "from the shell, long enough for the check")
    plan = plan_server(project, host=None, port=None, reload=False)
    assert plan.environ["FEATHERS_AUTH_SECRET"] == "from the shell, long enough for the check"
