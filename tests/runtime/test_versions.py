"""The transport runs only on the python-socketio/engineio/uvicorn releases it is tested with
(issue 14 item 2): pyproject and generated projects pin the same ranges, and anything else
fails at start-up with a message naming the package and version."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from engineio import async_socket

from feathers_cli.runtime import _versions, feathers
from feathers_cli.runtime._versions import TESTED, UnsupportedVersion, parse_version
from feathers_cli.runtime.socketio import socketio

ROOT = Path(__file__).parents[2]


def ranges(dependencies: list[str]) -> dict[str, tuple[str, str]]:
    found = {}
    for line in dependencies:
        match = re.fullmatch(r"([a-z-]+)(?:\[[a-z]+\])?>=([\d.]+),<([\d.]+)", line)
        if match and match.group(1) in TESTED:
            found[match.group(1)] = (match.group(2), match.group(3))
    return found


def test_the_installed_releases_are_in_the_tested_ranges() -> None:
    for package, (low, high) in TESTED.items():
        version = parse_version(metadata.version(package))
        assert parse_version(low) <= version < parse_version(high), package
    _versions.check_internals()


def test_pyproject_pins_exactly_the_tested_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert ranges(project["dependencies"]) == TESTED


def test_generated_projects_pin_the_tested_ranges() -> None:
    text = (ROOT / "templates" / "app" / "template" / "pyproject.toml.jinja").read_text()
    dependencies = re.findall(r'^\s*"([^"]+)",', text, flags=re.MULTILINE)
    assert ranges(dependencies) == TESTED


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(_versions, "_checked", False)
    return monkeypatch


def test_an_untested_release_stops_the_transport_with_its_name(unchecked) -> None:
    real = metadata.version
    unchecked.setattr(
        _versions.metadata,
        "version",
        lambda name: "5.19.0" if name == "python-socketio" else real(name),
    )
    with pytest.raises(UnsupportedVersion, match=r"python-socketio 5\.19\.0 is not supported"):
        feathers().configure(socketio())


def test_a_missing_private_method_stops_the_transport(unchecked) -> None:
    unchecked.delattr(async_socket.AsyncSocket, "_websocket_handler")
    with pytest.raises(UnsupportedVersion, match=r"_websocket_handler is missing.*python-engineio"):
        feathers().configure(socketio())


def test_parse_version() -> None:
    assert parse_version("5.18.1") == (5, 18, 1)
    assert parse_version("0.55") == (0, 55)
    assert parse_version("4.16.0rc1") == (4, 16, 0)
    assert parse_version("4.16.0rc1") < parse_version("4.16.0.1")
