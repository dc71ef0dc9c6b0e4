"""Channels: named groups of real-time connections, and the publishers that pick them.

A connection is a plain dict (the transport's per-socket data, `params['connection']`).
Channels hold connections by identity, so two equal dicts are still two connections.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .events import run_soon
from .hooks import HookContext

if TYPE_CHECKING:
    from .application import Application

__all__ = ["ALL_EVENTS", "Channel", "CombinedChannel", "publish_event", "register_publisher"]

logger = logging.getLogger("feathers.channels")

ALL_EVENTS = "*"
"""The key of a publisher registered for every event."""

Connection = dict[str, Any]


class Channel:
    """A set of connections, optionally with the data to send them instead of the result."""

    def __init__(self, connections: Iterable[Connection] = (), data: Any = None) -> None:
        self._connections: dict[int, Connection] = {id(c): c for c in connections}
        self.data = data
        self._on_empty: Callable[[], None] | None = None

    @property
    def connections(self) -> list[Connection]:
        """The connections in this channel, each once, in the order they joined."""
        return list(self._connections.values())

    @property
    def length(self) -> int:
        """How many connections the channel has (also `len(channel)`)."""
        return len(self._connections)

    def __len__(self) -> int:
        return len(self._connections)

    def __contains__(self, connection: object) -> bool:
        return id(connection) in self._connections

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self)} connections>"

    def join(self, *connections: Connection) -> Channel:
        """Add connections (a connection already in the channel is not added twice)."""
        for connection in connections:
            if connection is not None:
                self._connections.setdefault(id(connection), connection)
        return self

    def leave(self, *connections: Connection | Callable[[Connection], bool]) -> Channel:
        """Remove connections, or every connection for which a predicate returns True."""
        for connection in connections:
            if callable(connection):
                predicate = connection
                self.leave(*[c for c in self._connections.values() if predicate(c)])
            else:
                self._connections.pop(id(connection), None)
        if not self._connections and self._on_empty is not None:
            self._on_empty()
        return self

    def filter(self, predicate: Callable[[Connection], bool]) -> Channel:
        """A new channel with the connections for which `predicate` returns True."""
        return Channel([c for c in self._connections.values() if predicate(c)], self.data)

    def send(self, data: Any) -> Channel:
        """A new channel with the same connections that sends `data` instead of the result."""
        return Channel(self._connections.values(), data)

    def data_for(self, connection: Connection) -> Any:
        """The data this channel sends to `connection` (None: the call's result)."""
        return self.data


class CombinedChannel(Channel):
    """Several channels as one; a connection in more than one of them is listed once."""

    def __init__(self, children: Iterable[Channel], data: Any = None) -> None:
        self.children = list(children)
        super().__init__((), data)
        self.refresh()

    def refresh(self) -> CombinedChannel:
        """Collect the children's connections again (first channel wins for the data)."""
        connections: dict[int, Connection] = {}
        mappings: dict[int, Any] = {}
        for child in self.children:
            for key, connection in child._connections.items():
                if key not in connections:
                    connections[key] = connection
                    mappings[key] = child.data_for(connection)
        self._connections = connections
        self._mappings = mappings
        return self

    def data_for(self, connection: Connection) -> Any:
        return self._mappings.get(id(connection))

    def join(self, *connections: Connection) -> CombinedChannel:
        for child in self.children:
            child.join(*connections)
        return self.refresh()

    def leave(self, *connections: Connection | Callable[[Connection], bool]) -> CombinedChannel:
        for child in self.children:
            child.leave(*connections)
        return self.refresh()


def register_publisher(
    publishers: dict[str, Callable[..., Any]],
    service_events: list[str] | None,
    args: tuple[Any, ...],
) -> None:
    """Store a publisher given as `(fn)` or `(event, fn)`, checking the event name."""
    if len(args) == 1:
        event, publisher = ALL_EVENTS, args[0]
    elif len(args) == 2:
        event, publisher = args
    else:
        raise TypeError("publish() takes a publisher or an event and a publisher")
    if not callable(publisher):
        raise TypeError("The publisher must be callable")
    if event != ALL_EVENTS and service_events is not None and event not in service_events:
        raise ValueError(f"'{event}' is not a valid service event")
    publishers[event] = publisher


def publish_event(
    app: Application, service: Any, event: str, data: Any, context: HookContext | None
) -> None:
    """Run the first publisher that exists (service event, service all, app event, app
    all) and hand the channels it picks to the transports as the app's 'publish' event."""
    options = service._feathers_options
    if context is None:  # a custom event emitted by hand
        context = HookContext(app, service, options.path, None)
        context.result = data
    own = service._feathers_publishers
    publishers = app._publishers
    publisher = (
        own.get(event) or own.get(ALL_EVENTS) or publishers.get(event) or publishers.get(ALL_EVENTS)
    )
    if publisher is None:
        return
    try:
        picked = publisher(data, context)
    except Exception:
        logger.exception("Error in the '%s %s' publisher", options.path, event)
        return
    if inspect.isawaitable(picked):
        run_soon(_publish_later(app, event, picked, context, data), f"'{event}' publisher")
    else:
        _dispatch(app, event, picked, context, data)


async def _publish_later(
    app: Application, event: str, picked: Any, context: HookContext, data: Any
) -> None:
    _dispatch(app, event, await picked, context, data)


def _dispatch(app: Application, event: str, picked: Any, context: HookContext, data: Any) -> None:
    if not picked:
        return
    channels = _flatten(picked) if isinstance(picked, list | tuple) else [picked]
    channel = CombinedChannel(channels)
    if len(channel):
        app.emit("publish", event, channel, context, data)


def _flatten(items: Iterable[Any]) -> list[Channel]:
    flat: list[Channel] = []
    for item in items:
        if isinstance(item, list | tuple):
            flat.extend(_flatten(item))
        elif item:
            flat.append(item)
    return flat
