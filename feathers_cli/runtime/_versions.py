"""The versions of python-socketio, python-engineio and uvicorn the transport is tested with.

The Socket.io transport overrides private methods of python-socketio and python-engineio
(`_engine.py`, `socketio.SocketServer`) and swaps the class of live Engine.IO sockets, so
it only runs on the releases it was tested against: the ranges below, which pyproject.toml
(and a generated project's) repeat as dependency bounds (a test keeps them equal), and
which scripts/test-versions.sh tests at both ends. Outside them, creating the transport
raises `UnsupportedVersion` naming the package and version, instead of misbehaving later.
Private.
"""

from __future__ import annotations

import inspect
from importlib import metadata

__all__ = ["TESTED", "UnsupportedVersion", "check_internals", "parse_version"]

TESTED: dict[str, tuple[str, str]] = {
    # python-socketio 5.12 / python-engineio 4.11 added the disconnect `reason` the transport
    # passes on; the upper bounds are the first releases not tested yet.
    "python-socketio": ("5.12.1", "5.19"),
    "python-engineio": ("4.11.2", "4.16"),
    "uvicorn": ("0.30.6", "0.55"),
}
"""Package -> (lowest tested release, first release not tested): `>=low,<high`."""


class UnsupportedVersion(RuntimeError):
    """An installed python-socketio/python-engineio/uvicorn the transport was not tested with."""


def parse_version(text: str) -> tuple[int, ...]:
    """`'5.18.1'` -> `(5, 18, 1)`; stops at the first part that is not a number (`rc1`)."""
    parts: list[int] = []
    for part in text.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(part):
            break
    return tuple(parts)


def _installed(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        raise UnsupportedVersion(f"{package} is not installed") from None


def _check_ranges() -> None:
    for package, (low, high) in TESTED.items():
        version = _installed(package)
        if not parse_version(low) <= parse_version(version) < parse_version(high):
            raise UnsupportedVersion(
                f"{package} {version} is not supported by the Feathers Socket.io transport, "
                f"which is tested with {package}>={low},<{high}: install a release in that "
                f'range (pip install "{package}>={low},<{high}")'
            )


def _check_shape() -> None:
    """The private methods the transport overrides still exist, with the arguments it uses."""
    from engineio import async_socket
    from socketio import async_server

    expected: dict[type, tuple[str, ...]] = {
        async_socket.AsyncSocket: (
            "_websocket_handler",
            "receive",
            "check_ping_timeout",
            "close",
            "send",
            "_send_ping",
        ),
        async_server.AsyncServer: (
            "_handle_event",
            "_handle_event_internal",
            "_handle_eio_connect",
            "_handle_eio_message",
            "_handle_eio_disconnect",
            "_send_packet",
        ),
    }
    from uvicorn.protocols.http import h11_impl

    # `_http_deadline` wraps uvicorn's HTTP protocols (httptools' has the same methods).
    expected[h11_impl.H11Protocol] = ("connection_made", "connection_lost", "on_response_complete")
    for cls, names in expected.items():
        for name in names:
            if not callable(getattr(cls, name, None)):
                raise UnsupportedVersion(f"{cls.__module__}.{cls.__name__}.{name} is missing")
    if "reason" not in inspect.signature(async_socket.AsyncSocket.close).parameters:
        raise UnsupportedVersion("engineio AsyncSocket.close() takes no disconnect reason")
    if (
        "reason"
        not in inspect.signature(async_server.AsyncServer._handle_eio_disconnect).parameters
    ):
        raise UnsupportedVersion("socketio AsyncServer._handle_eio_disconnect() takes no reason")


_checked = False


def check_internals() -> None:
    """Raise `UnsupportedVersion` unless the installed releases are the tested ones."""
    global _checked
    if _checked:
        return
    _check_ranges()
    try:
        _check_shape()
    except UnsupportedVersion as exc:
        versions = ", ".join(f"{p} {_installed(p)}" for p in TESTED)
        raise UnsupportedVersion(f"{exc} ({versions}): the transport cannot run") from None
    _checked = True
