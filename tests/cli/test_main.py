"""The `feathers` command itself: version, help with examples, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from feathers_cli import __version__
from feathers_cli.main import app


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"feathers-py {__version__}\n"


def test_help_lists_the_commands_with_examples(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("new", "dev", "start", "upgrade", "generate"):
        assert command in result.stdout
    assert "feathers new chat --yes" in result.stdout


@pytest.mark.parametrize("command", ["new", "dev", "start", "upgrade"])
def test_every_command_has_help_with_examples(runner, command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"feathers {command}" in result.stdout


def test_usage_errors_exit_2(runner):
    assert runner.invoke(app, ["new"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2
    assert runner.invoke(app, ["new", "chat", "--no-such-flag"]).exit_code == 2


def test_the_console_entry_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "feathers_cli.main", "--version"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, f"feathers-py {__version__}\n")
