"""The first run (`feathers_cli.first_run`): `feathers new` installs unless `--no-install`,
a failed install keeps the files and names the retry command, `generate connection` installs
its driver into an existing .venv. Real uv, real failures (uv offline on an empty cache)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from feathers_cli.first_run import NO_INSTALL_ENV, install_packages, next_steps
from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.install import uv_binary, venv_python
from feathers_cli.project import find_project

from ..helpers.generate import snapshot
from ..helpers.projects import feathers_command

needs_uv = pytest.mark.skipif(uv_binary() is None, reason="uv is a dependency of the CLI")


def installing_environment(**extra: str) -> dict[str, str]:
    """This environment without the test suite's FEATHERS_NO_INSTALL, plus `extra`."""
    environ = {k: v for k, v in os.environ.items() if k not in (NO_INSTALL_ENV, "VIRTUAL_ENV")}
    return {**environ, **extra}


def offline(cache: Path) -> dict[str, str]:
    """uv without network and with an empty cache: installing anything fails, for real."""
    return installing_environment(UV_OFFLINE="1", UV_CACHE_DIR=str(cache), UV_NO_CONFIG="1")


def feathers(cwd: Path, environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        feathers_command(*args),
        cwd=cwd,
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def memory_project(folder: Path) -> Path:
    """A project without a database (`feathers new --database memory`); its root."""
    answers = NewAnswers(project_names("chat"), database="memory")
    return find_project(create_project(answers, folder / "chat", ask=False).root).root


def test_next_steps_after_an_install_are_cd_and_dev():
    assert next_steps("chat", installed=True, database=True) == (
        "Next steps:\n  cd chat\n  feathers dev"
    )


def test_next_steps_without_install_are_the_whole_install():
    steps = next_steps("my chat", installed=False, database=False)
    assert steps.startswith("Next steps:\n  cd 'my chat'\n  python -m venv .venv")
    assert "feathers migrate" not in steps and steps.endswith("  pytest\n  feathers dev")


def test_no_install_writes_the_files_only(tmp_path):
    done = feathers(tmp_path, installing_environment(), "new", "chat", "--yes", "--no-install")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "chat" / "chat" / "app.py").is_file()
    assert not (tmp_path / "chat" / ".venv").exists()
    assert "Creating .venv" not in done.stderr
    assert 'pip install -e ".[test]"' in done.stderr


def test_the_environment_variable_is_no_install_too(tmp_path):
    environ = installing_environment(**{NO_INSTALL_ENV: "1"})
    done = feathers(tmp_path, environ, "new", "chat", "--yes", "--database", "memory")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "chat" / ".venv").exists()


@needs_uv
def test_a_failed_install_keeps_the_files_and_says_what_to_run(tmp_path):
    environ = offline(tmp_path / "empty-cache")
    done = feathers(tmp_path, environ, "new", "chat", "--yes")
    assert done.returncode == 1
    root = tmp_path / "chat"
    assert (root / "chat" / "app.py").is_file() and (root / "pyproject.toml").is_file()
    # plain lines without a terminal: the step, its failure, the tool's last lines, the retry
    assert "\x1b" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert "- Creating .venv (uv) ..." in lines
    assert "- Installing the project and its dependencies (uv) ..." in lines
    assert any(line.startswith("  FAILED: Installing the project") for line in lines)
    error = lines[-1]
    assert error.startswith("Error: Installing the project and its dependencies (uv) failed")
    assert f"run `cd {root} && " in error and " pip install --python " in error
    assert error.endswith("-e '.[test]'` to retry, then `feathers migrate`")
    assert "Migrating" not in done.stderr and "Next steps" not in done.stderr


@needs_uv
def test_generate_connection_installs_nothing_without_a_venv(tmp_path):
    root = memory_project(tmp_path)
    assert not install_packages(root, ["asyncpg>=0.29"])
    environ = installing_environment()
    done = feathers(root, environ, "generate", "connection", "--database", "sqlite")
    assert done.returncode == 0, done.stderr
    assert not (root / ".venv").exists() and "Installed" not in done.stderr


@needs_uv
def test_generate_connection_no_install_leaves_the_venv_alone(tmp_path):
    root = memory_project(tmp_path)
    subprocess.run([uv_binary(), "venv", "--quiet", ".venv"], cwd=root, check=True)
    before = snapshot(root / ".venv")
    args = ("generate", "connection", "--database", "postgresql", "--no-install")
    done = feathers(root, installing_environment(), *args)
    assert done.returncode == 0, done.stderr
    assert "Installed" not in done.stderr
    assert snapshot(root / ".venv") == before


@pytest.mark.slow
@needs_uv
def test_generate_connection_installs_the_driver_into_the_venv(tmp_path):
    root = memory_project(tmp_path)
    subprocess.run([uv_binary(), "venv", "--quiet", ".venv"], cwd=root, check=True)
    args = ("generate", "connection", "--yes", "--database", "postgresql")
    done = feathers(root, installing_environment(), *args)
    assert done.returncode == 0, done.stderr
    assert "- Installing sqlalchemy[asyncio]" in done.stderr
    assert "Installed the postgresql driver into .venv." in done.stderr
    check = [str(venv_python(root)), "-c", "import asyncpg, sqlalchemy, alembic"]
    assert subprocess.run(check, capture_output=True, timeout=60).returncode == 0


def test_the_generated_readme_has_the_one_line_quick_start(tmp_path):
    readme = (memory_project(tmp_path) / "README.md").read_text()
    assert "feathers new --yes chat && cd chat && feathers dev" in readme
    assert "migrated the development database" not in readme  # no database, no migration
