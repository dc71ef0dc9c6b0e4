"""Direct websocket writes and the reader's idle timer, for `_engine` (issue 15). Private.

Written against uvicorn 0.54 (its websockets-sansio protocol, which `ws="auto"` picks when
the websockets package is installed; older uvicorn releases without it keep uvicorn's own
send path). A frame the server sends is never masked, so an
event's frame is built once (`websocket_text_frame`) and written to each recipient's
transport, instead of uvicorn's `send` having the websockets package build it again for
every connection (~20% of a create's CPU when its event goes to 50 sockets).
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["IdleTimer", "websocket_text_frame", "wire_connection", "wire_open"]


def wire_connection(ws: Any) -> Any:
    """uvicorn's websocket protocol behind python-engineio's `ws`, when frames may be written
    to its transport directly; else None (another server or websocket implementation,
    per-message compression negotiated, ...).

    What uvicorn's `send` does for a text message on its websockets-sansio protocol
    (uvicorn 0.54) is: wait until the transport is writable, have websockets build the
    frame, write it. A server's frame is never masked, so the same bytes serve every
    recipient of an event: `websocket_text_frame` builds them once and `send_now` writes
    them while the connection is open and writable (otherwise uvicorn's own path runs).
    """
    connection = getattr(getattr(ws, "asgi_send", None), "__self__", None)
    kind = type(connection)
    if (
        kind.__name__ != "WebSocketsSansIOProtocol"
        or kind.__module__ != "uvicorn.protocols.websockets.websockets_sansio_impl"
    ):
        return None
    try:
        plain = not connection.conn.extensions and connection.handshake_complete
        ready = plain and connection.initial_response is None
        connection.writable.is_set()  # the attributes `wire_open` reads must all exist
        connection.transport.is_closing()
        connection.close_sent, connection.disconnected  # noqa: B018
    except AttributeError:
        return None
    return connection if ready else None


def wire_open(connection: Any) -> bool:
    return (
        connection.writable.is_set()
        and not connection.close_sent
        and not connection.disconnected
        and not connection.transport.is_closing()
    )


def websocket_text_frame(text: str) -> bytes:
    """An unmasked, final websocket text frame carrying `text` (RFC 6455 section 5.2)."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return bytes((0x81, 126)) + size.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + size.to_bytes(8, "big") + payload


class IdleTimer:
    """Cancels the websocket reader `task` once no frame arrived for `timeout` seconds.

    `seen()` per frame only stores the time; the timer re-arms itself when it fires early
    (rescheduling an `asyncio.timeout` per frame cost ~3% of a call's CPU)."""

    __slots__ = ("expired", "handle", "last", "loop", "task", "timeout")

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float, task: Any) -> None:
        self.loop, self.timeout, self.task = loop, timeout, task
        self.expired = False
        self.last = loop.time()
        self.handle: asyncio.TimerHandle | None = loop.call_at(self.last + timeout, self._fire)

    def seen(self) -> None:
        self.last = self.loop.time()

    def _fire(self) -> None:
        deadline = self.last + self.timeout
        if self.loop.time() < deadline:
            self.handle = self.loop.call_at(deadline, self._fire)
            return
        self.handle = None
        if self.task is not None and not self.task.done():
            self.expired = True
            self.task.cancel()

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
