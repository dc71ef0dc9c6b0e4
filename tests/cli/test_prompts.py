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
    terminal = Terminal(tmp_path, "new", "chat", "--database", "memory")
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
    terminal = Terminal(tmp_path, "new", "chat", "--yes")
    assert terminal.exit_code() == 0, terminal.screen
    assert "Describe the app" not in terminal.screen
    assert (tmp_path / "chat" / "chat" / "app.py").is_file()


def test_the_database_asked_on_a_terminal_gets_its_connection(tmp_path):
    terminal = Terminal(
        tmp_path, "new", "chat", "--description", "A chat", "--transport", "socketio"
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
