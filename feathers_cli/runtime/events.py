"""Event emitters: the app and every service are one (`on`, `once`, `off`, `emit`).

Listeners may be plain functions or coroutine functions. `emit` is synchronous, as in Node:
plain listeners run in place, coroutine listeners are scheduled on the running loop, and an
exception in a listener is logged, never raised into the code that emitted the event.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

__all__ = ["EventEmitter", "run_soon"]

logger = logging.getLogger("feathers.events")

Listener = Callable[..., Any]

# Tasks started for async listeners and hooks; kept here so they are not garbage collected
# while they run.
_background: set[asyncio.Task[Any]] = set()


def run_soon(awaitable: Any, what: str) -> None:
    """Run an awaitable in the background on the running loop, logging its failure."""

    async def guarded() -> None:
        try:
            await awaitable
        except Exception:
            logger.exception("Error in %s", what)

    task = asyncio.ensure_future(guarded())
    _background.add(task)
    task.add_done_callback(_background.discard)


class EventEmitter:
    """A small Node-style event emitter.

    >>> emitter = EventEmitter()
    >>> _ = emitter.on('created', lambda data, context: print(data))
    >>> emitter.emit('created', {'id': 1}, None)
    {'id': 1}
    True
    """

    _listeners: dict[str, list[Listener]]

    def _listener_map(self) -> dict[str, list[Listener]]:
        try:
            return self._listeners
        except AttributeError:
            self._listeners = {}
            return self._listeners

    def on(self, event: str, listener: Listener) -> Any:
        """Call `listener(*args)` every time `event` is emitted. Returns the emitter."""
        if not callable(listener):
            raise TypeError(f"The listener for '{event}' must be callable")
        self._listener_map().setdefault(event, []).append(listener)
        return self

    add_listener = on

    def once(self, event: str, listener: Listener) -> Any:
        """Call `listener` the next time `event` is emitted, then forget it."""

        def once_listener(*args: Any) -> Any:
            self.off(event, once_listener)
            return listener(*args)

        once_listener.listener = listener  # type: ignore[attr-defined]
        return self.on(event, once_listener)

    def off(self, event: str, listener: Listener | None = None) -> Any:
        """Remove one listener of `event`, or all of them when `listener` is None."""
        listeners = self._listener_map().get(event)
        if not listeners:
            return self
        if listener is None:
            del self._listener_map()[event]
            return self
        # == rather than `is`: `obj.method` is a new bound method object on every access
        for index, current in enumerate(listeners):
            if current == listener or getattr(current, "listener", None) == listener:
                del listeners[index]
                break
        if not listeners:
            del self._listener_map()[event]
        return self

    remove_listener = off

    def remove_all_listeners(self, event: str | None = None) -> Any:
        """Remove the listeners of `event`, or of every event."""
        if event is None:
            self._listener_map().clear()
        else:
            self._listener_map().pop(event, None)
        return self

    def listeners(self, event: str) -> list[Listener]:
        """The listeners of `event`, in registration order."""
        return list(self._listener_map().get(event, ()))

    def listener_count(self, event: str) -> int:
        """How many listeners `event` has."""
        return len(self._listener_map().get(event, ()))

    def emit(self, event: str, *args: Any) -> bool:
        """Call every listener of `event` with `args`; True when there was one."""
        listeners = self._listener_map().get(event)
        if not listeners:
            return False
        for listener in tuple(listeners):
            try:
                result = listener(*args)
            except Exception:
                logger.exception("Error in a listener of '%s'", event)
                continue
            if inspect.isawaitable(result):
                run_soon(result, f"a listener of '{event}'")
        return True
