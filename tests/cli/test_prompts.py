"""On a terminal, `feathers new` asks (with copier) only for the answers not given as flags."""

from __future__ import annotations

import os
import select
import sys
import time
import tomllib
from contextlib import suppress
from pathlib import Path

import pytest

from ..helpers.generate import minimal_project

pty = pytest.importorskip("pty")


class Terminal:
    """`feathers ...` on a pseudo-terminal, read until some text shows up."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes the CLI
            os.chdir(cwd)
            os.execv(sys.executable, [sys.executable, "-m", "feathers_cli.main", *args])
        self.screen = ""

    def read(self) -> None:
        """Add what the CLI printed in the next 0.1 s to `screen`."""
        if select.select([self.fd], [], [], 0.1)[0]:
            with suppress(OSError):  # the CLI has closed the terminal
                self.screen += os.read(self.fd, 4096).decode(errors="replace")

    def expect(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen and time.monotonic() < deadline:
            self.read()
        assert text in self.screen, f"{text!r} never showed up in:\n{self.screen}"

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def exit_code(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self.read()
        raise AssertionError(f"feathers new did not finish:\n{self.screen}")


def test_prompts_for_missing_answers_only(tmp_path):
    terminal = Terminal(tmp_path, "new", "--no-install", "chat", "--database", "memory")
    terminal.expect("Describe the app in one line")
    terminal.type("\x15Team chat\r")  # Ctrl-U clears the default first
    terminal.expect("Transports the app serves")
    terminal.type("\r")
    assert terminal.exit_code() == 0, terminal.screen
    assert "Where services keep their data" not in terminal.screen
    data = tomllib.loads((tmp_path / "chat" / "pyproject.toml").read_text())
    assert data["project"]["description"] == "Team chat"
    assert data["tool"]["feathers"]["transports"] == ["socketio", "rest"]


def test_yes_asks_nothing_on_a_terminal(tmp_path):
    terminal = Terminal(tmp_path, "new", "--no-install", "chat", "--yes")
    assert terminal.exit_code() == 0, terminal.screen
    assert "Describe the app" not in terminal.screen
    assert (tmp_path / "chat" / "chat" / "app.py").is_file()


def test_the_database_asked_on_a_terminal_gets_its_connection(tmp_path):
    terminal = Terminal(
        tmp_path,
        "new",
        "--no-install",
        "chat",
        "--description",
        "A chat",
        "--transport",
        "socketio",
    )
    terminal.expect("Where services keep their data")
    terminal.type("\r")  # the default: SQLite
    assert terminal.exit_code() == 0, terminal.screen
    root = tmp_path / "chat"
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["tool"]["feathers"]["database"] == "sqlite"
    assert (root / "chat" / "database.py").is_file()
    config = tomllib.loads((root / "config" / "test.toml").read_text())
    assert config["database"]["url"] == "sqlite:///data/test.sqlite"


def test_generate_service_asks_for_the_schema_when_not_given(tmp_path):
    root = minimal_project(tmp_path / "chat")
    terminal = Terminal(
        root, "g", "service", "messages", "--path", "messages", "--methods", "find,get"
    )
    terminal.expect("Adapter (sql, memory, custom)")
    terminal.type("\r")
    terminal.expect("Schema (pydantic, none)")
    terminal.type("\x15none\r")
    assert terminal.exit_code() == 0, terminal.screen
    folder = root / "chat" / "services" / "messages"
    assert (folder / "service.py").is_file()
    assert not (folder / "schema.py").exists()


def test_generate_service_asks_whether_it_requires_authentication(tmp_path):
    root = minimal_project(tmp_path / "chat")
    (root / "config").mkdir()
    (root / "config" / "default.toml").write_text('[authentication]\nservice = "users"\n')
    answers = ["--adapter", "memory", "--methods", "find", "--schema", "none"]
    for name, answer, required in (("messages", "\r", True), ("notices", "n\r", False)):
        terminal = Terminal(root, "g", "service", name, "--path", name, *answers)
        terminal.expect("Does this service require authentication? [Y/n]")
        terminal.type(answer)
        assert terminal.exit_code() == 0, terminal.screen
        registration = (root / "chat" / "services" / name / "__init__.py").read_text()
        assert ('authenticate("jwt")' in registration) is required


def test_generate_service_does_not_ask_about_authentication_without_it(tmp_path):
    root = minimal_project(tmp_path / "chat")
    options = ["--path", "notes", "--adapter", "memory", "--methods", "find", "--schema", "none"]
    terminal = Terminal(root, "g", "service", "notes", *options)
    assert terminal.exit_code() == 0, terminal.screen
    assert "authentication" not in terminal.screen
    assert "authenticate" not in (root / "chat" / "services" / "notes" / "__init__.py").read_text()
