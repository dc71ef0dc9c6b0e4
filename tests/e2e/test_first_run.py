"""The quick start, end to end: `feathers new --yes chat`, then `feathers dev`, nothing else.

`feathers new` really installs: uv makes chat/.venv and installs the project with its test
extras (from PyPI, or uv's cache when it has the packages), then migrates the development
database; without a terminal its progress is plain lines. `feathers dev` then serves the
project with that .venv and prints the URL once the server answers.
"""

from __future__ import annotations

import http.client
import os
import subprocess

import pytest

from feathers_cli.install import uv_binary, venv_python

from ..helpers.projects import (
    feathers_command,
    run_project_tests,
    running_feathers,
    wait_until,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(uv_binary() is None, reason="uv is a dependency of the CLI"),
]


def installing_environment() -> dict[str, str]:
    """This environment without the suite's FEATHERS_NO_INSTALL (nor an active venv)."""
    skipped = ("FEATHERS_NO_INSTALL", "VIRTUAL_ENV", "FEATHERS_ENV")
    return {key: value for key, value in os.environ.items() if key not in skipped}


def feathers_new(parent, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        feathers_command("new", *args),
        cwd=parent,
        env=installing_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_new_then_dev_is_the_whole_quick_start(tmp_path):
    done = feathers_new(tmp_path, "--yes", "chat")
    assert done.returncode == 0, done.stderr
    root = tmp_path / "chat"
    # No terminal: plain lines, one per step and its result, no spinner or colour codes.
    assert "\x1b" not in done.stderr + done.stdout and "\r" not in done.stderr
    lines = done.stderr.splitlines()
    steps = [line for line in lines if line.startswith(("- ", "  done: "))]
    assert [line.split(" (")[0] for line in steps] == [
        "- Creating .venv",
        "  done: Creating .venv",
        "- Installing the project and its dependencies",
        "  done: Installing the project and its dependencies",
        "- Migrating the development database ...",
        "  done: Migrating the development database",
    ]
    assert any(line.startswith("Installed in ") for line in lines)
    assert done.stderr.endswith("Next steps:\n  cd chat\n  feathers dev\n")
    assert venv_python(root).is_file()
    assert (root / "data" / "development.sqlite").is_file()

    with running_feathers(root, "dev") as server:
        ready = f"chat is ready at {server.url}\n"
        wait_until(lambda: ready in server.output(), 60, "the ready banner", server)
        assert get(server.port, "/socket.io/?EIO=4&transport=polling") == 200
        output = server.output()
        # the project's own .venv serves it, and the URL comes once it answers
        assert f"Python: {venv_python(root)}" in output
        assert output.index("Starting chat") < output.index(ready)
        assert "Docs: https://feathersjs.com/api/" in output
        # the generated app serves its landing page (public/index.html) at /
        assert f"  Landing page: http://127.0.0.1:{server.port}/\n" in output
        assert get(server.port, "/") == 200

    # the test extras are in .venv: the project's own tests pass with it
    run_project_tests(root, python=venv_python(root))


def test_a_failed_migration_keeps_the_installed_project_and_names_the_retry(tmp_path):
    # A development database that cannot be created: the install works, the migration fails.
    url = f"sqlite:///{tmp_path}/missing-folder/file-not-a-folder/dev.sqlite"
    (tmp_path / "missing-folder").mkdir()
    (tmp_path / "missing-folder" / "file-not-a-folder").write_text("")
    done = feathers_new(tmp_path, "--yes", "chat", "--database-url", url)
    assert done.returncode == 1, done.stderr
    root = tmp_path / "chat"
    assert venv_python(root).is_file() and (root / "chat" / "app.py").is_file()
    assert "\x1b" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "Error: Migrating the development database failed (exit 1); the project is "
        f"installed: run `cd {root} && feathers migrate` to retry"
    )
