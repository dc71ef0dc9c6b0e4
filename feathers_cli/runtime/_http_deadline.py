"""A deadline for HTTP request headers on the connections `app.listen()`/`app.start()` serve.

uvicorn times out idle keep-alive connections, but not a connection that was just opened and
sends nothing, nor one that sends its request one byte at a time (slowloris): each holds a
socket and memory for as long as the client likes. Wrapped in `with_header_deadline`,
uvicorn's HTTP protocol closes a connection whose request headers are not complete
`timeout` seconds after it opened, or after the previous response on it. A request being
answered (a long poll, a websocket once upgraded) is never affected. Private; tested with
the uvicorn releases `_versions.TESTED` allows.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

__all__ = ["with_header_deadline"]

logger = logging.getLogger("feathers.server")


def with_header_deadline(protocol_class: type[Any], timeout: float) -> type[Any]:
    """A subclass of uvicorn's HTTP protocol class `protocol_class` with the deadline."""

    class HeaderDeadline(protocol_class):  # type: ignore[misc, valid-type]
        _feathers_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._feathers_arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._feathers_arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._feathers_deadline is not None:
                self._feathers_deadline.cancel()
            super().connection_lost(exc)

        def _feathers_arm(self) -> None:
            if self._feathers_deadline is not None:
                self._feathers_deadline.cancel()
            self._feathers_deadline = self.loop.call_later(
                timeout, self._feathers_expire, self.cycle
            )

        def _feathers_expire(self, cycle: Any) -> None:
            self._feathers_deadline = None
            transport = self.transport
            if transport.is_closing() or transport.get_protocol() is not self:
                return  # closed already, or upgraded to a websocket
            if self.cycle is not cycle or (cycle is not None and not cycle.response_complete):
                return  # a request arrived in time, or one is still being answered
            logger.info("Closed a connection that sent no complete request in %s s", timeout)
            transport.close()

    HeaderDeadline.__name__ = f"HeaderDeadline{protocol_class.__name__}"
    return HeaderDeadline
