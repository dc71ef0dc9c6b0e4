"""Sync: service events shared between the processes of one app (Feathers' feathers-sync).

    from feathers.sync import sync
    app.configure(sync({'url': 'redis://127.0.0.1:6379/0', 'key': 'chat'}))

Every service event is encoded once and published to the backend (Redis) instead of going
straight to the app's publishers. Every process of the app, the one that raised it included,
reads it back and runs its own publishers and channels for it, so a client connected to any
process gets the events of calls made on any other, exactly once, filtered by the channels
of its own connection. What travels: the path, the event, its data and of the call's context
what publishers use (`method`, `id`, `result`, `dispatch`, `params['user']` and
`params['provider']`; never `connection`). Datetimes arrive as ISO strings and bytes as
bytes, as a Socket.io client would see them.

When the backend is unreachable serving goes on: events wait in a bounded queue
(`queue_size` events; a full queue drops the oldest with a warning, counted in
`app.sync.dropped`) and are published in order once it is back, retried with backoff and
never delivered twice. The backend is a small `SyncBackend` (Redis streams here); another
message system (AMQP, NATS) is one subclass. With Socket.io configured, `app.io` also gets
python-socketio's `AsyncRedisManager`, so `app.io.emit(...)` reaches every process's clients.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import socketio as python_socketio

from ._sync_backend import RedisBackend, SyncBackend
from ._sync_message import Outgoing, decode_message, encode_message, read_header
from .channels import publish_event
from .hooks import HookContext

if TYPE_CHECKING:
    from .application import Application

__all__ = ["RedisBackend", "Sync", "SyncBackend", "sync"]

logger = logging.getLogger("feathers.sync")

DEFAULT_KEY = "feathers-sync"
DEFAULT_QUEUE_SIZE = 10_000
# Most messages sent to the backend in one round trip (all that wait, under load).
BATCH_SIZE = 1000
# Seconds the publisher waits before its first retry; doubled up to `max_retry_delay`.
FIRST_RETRY_DELAY = 0.05
DEFAULT_MAX_RETRY_DELAY = 5.0
# Messages this process may be behind its own publishing before the log warns.
LAG_WARNING = 1000
# Seconds `stop()` waits for queued events to be published.
DRAIN_TIMEOUT = 2.0


def sync(options: dict[str, Any]) -> Callable[[Application], None]:
    """Share service events between processes: `app.configure(sync({'url': ..., 'key': ...}))`.

    Options: `url` (`redis://`, `rediss://` or `unix://`), `key` (the Redis stream and the
    name shared by every process of the app; default 'feathers-sync'), `queue_size` (events
    kept while the backend is down, default 10,000), `max_retry_delay` (seconds, default 5),
    `stream_length` (messages Redis keeps, default 10,000), `redis_options` (keyword
    arguments of `redis.asyncio.Redis.from_url`), `socketio` (False: leave `app.io`'s
    client manager alone), or `backend` (a `SyncBackend` instead of `url`).
    """
    if not isinstance(options, dict):
        raise TypeError("sync() takes a dict of options such as {'url': 'redis://...'}")
    options = dict(options)
    key = options.pop("key", None) or DEFAULT_KEY
    if not isinstance(key, str):
        raise TypeError("The sync 'key' must be a string")
    queue_size = _positive(options.pop("queue_size", DEFAULT_QUEUE_SIZE), "queue_size")
    max_delay = options.pop("max_retry_delay", DEFAULT_MAX_RETRY_DELAY)
    max_delay = _positive(max_delay, "max_retry_delay")
    backend = options.pop("backend", None)
    url = options.pop("url", None)
    if backend is None:
        backend = _backend_for(url, key, options)
    elif not isinstance(backend, SyncBackend):
        raise TypeError("The sync 'backend' must be a SyncBackend")
    if options:
        raise TypeError(f"Unknown sync() option(s): {', '.join(sorted(options))}")

    def configure(app: Application) -> None:
        if getattr(app, "sync", None) is not None:
            raise ValueError("Sync is already configured on this app")
        app.sync = Sync(app, backend, queue_size=queue_size, max_retry_delay=max_delay)

    return configure


def _positive(value: Any, name: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"The sync '{name}' must be a positive number")
    return value


def _backend_for(url: Any, key: str, options: dict[str, Any]) -> SyncBackend:
    if not isinstance(url, str) or not url:
        raise ValueError("sync() needs a 'url' such as 'redis://127.0.0.1:6379/0'")
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"Unsupported sync URL scheme '{scheme}' (redis://, rediss://, unix://)")
    return RedisBackend(
        url,
        key,
        stream_length=_positive(options.pop("stream_length", 10_000), "stream_length"),
        redis_options=options.pop("redis_options", None),
        socketio=options.pop("socketio", True),
    )


class Sync:
    """The sync of one app (`app.sync`): queues, publishes, reads and dispatches events.

    `dropped` counts events dropped from a full queue, `lost` messages (one per call) other
    processes published that this one never got (a gap in their numbering), `pending` the
    events waiting to be published, `lag` how many of its own published messages this
    process had not read back yet when it last read one.
    """

    def __init__(
        self,
        app: Application,
        backend: SyncBackend,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
    ) -> None:
        self.app = app
        self.backend = backend
        self.queue_size = queue_size
        self.max_retry_delay = max_retry_delay
        self.origin = uuid.uuid4().hex
        self.dropped = 0
        self.lost = 0
        self.lag = 0
        self._sequence = 0
        self._queue: deque[Outgoing] = deque()
        self._queued_events = 0
        self._in_flight = 0
        self._open: Outgoing | None = None  # the message still collecting this tick's events
        self._flush_scheduled = False
        self._wake = asyncio.Event()
        self._seen: dict[str, int] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._last_drop_warning = 0.0
        self._last_lag_warning = 0.0
        self._manager: Any = None  # the client manager given to app.io

    @property
    def pending(self) -> int:
        """Events waiting to be published."""
        return self._queued_events + (self._open.count if self._open is not None else 0)

    # Outgoing: called for every service event instead of the local publish

    def send_event(self, service: Any, event: str, data: Any, context: HookContext | None) -> None:
        """Queue a service event for every process (this one included)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop, nothing can be published: dispatch here only
            publish_event(self.app, service, event, data, context)
            return
        path = service._feathers_options.path
        current = self._open
        if current is None or not current.extend(path, event, data, context):
            if current is not None:
                self._enqueue(current)
            self._open = Outgoing(path, event, data, context)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)

    def _flush(self) -> None:
        # The events of one call (one per item of a list result) were collected into one
        # message while the call's code ran; it is encoded once, now.
        self._flush_scheduled = False
        if self._open is not None:
            self._enqueue(self._open)
            self._open = None

    def _enqueue(self, message: Outgoing) -> None:
        try:
            message.body = encode_message(message)
        except (TypeError, ValueError) as exc:
            logger.error("Cannot sync the '%s' event: its data is not JSON (%s)", message, exc)
            return
        self._queue.append(message)
        self._queued_events += message.count
        while self._queued_events > self.queue_size and len(self._queue) > self._in_flight:
            dropped = self._queue[self._in_flight]
            del self._queue[self._in_flight]
            self._queued_events -= dropped.count
            self.dropped += dropped.count
            self._warn_dropped()
        self._wake.set()

    def _warn_dropped(self) -> None:
        now = time.monotonic()
        if now - self._last_drop_warning >= 1.0:
            self._last_drop_warning = now
            logger.warning(
                "The sync queue is full (%d events): dropped the oldest (%d dropped so far)",
                self.queue_size,
                self.dropped,
            )

    # Lifecycle

    async def start(self) -> None:
        """Start publishing and reading (`app.setup()` calls it); returns at once."""
        if self._tasks:
            return
        self._attach_socketio_manager()
        self._wake = asyncio.Event()
        if self._queue or self._open is not None:
            self._wake.set()
        self._tasks = [
            asyncio.ensure_future(self._publish_loop()),
            asyncio.ensure_future(self._read_loop()),
        ]

    async def stop(self) -> None:
        """Publish what is queued (for up to DRAIN_TIMEOUT s), then stop and disconnect."""
        if not self._tasks:
            return
        self._flush()
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while self._queue and time.monotonic() < deadline and not self._tasks[0].done():
            await asyncio.sleep(0.01)
        if self._queue:
            logger.warning("Stopped with %d events not published to sync", self.pending)
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._stop_socketio_manager()
        await self.backend.close()

    def _attach_socketio_manager(self) -> None:
        io = getattr(self.app, "io", None)
        if io is None or getattr(io, "manager_initialized", True):
            return
        chosen = getattr(io, "chose_client_manager", False)
        if chosen or type(io.manager) is not python_socketio.AsyncManager:
            return  # the app chose its own client manager
        manager = self.backend.socketio_manager()
        if manager is not None:
            io.manager = manager
            manager.set_server(io)
            self._manager = manager

    async def _stop_socketio_manager(self) -> None:
        # python-socketio never stops its pub/sub manager's listener (5.18): stop it here,
        # and let the next start initialize it again.
        manager = self._manager
        if manager is None:
            return
        listener = getattr(manager, "thread", None)
        if isinstance(listener, asyncio.Task) and not listener.done():
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
        client = getattr(manager, "redis", None)
        if client is not None:
            await client.aclose()
            manager.connected = False
        io = getattr(self.app, "io", None)
        if io is not None and io.manager is manager:
            io.manager_initialized = False

    # The two background tasks

    async def _publish_loop(self) -> None:
        delay = FIRST_RETRY_DELAY
        failing = False
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = list(itertools.islice(self._queue, BATCH_SIZE))
            for message in batch:
                if message.sequence is None:
                    self._sequence += 1
                    message.sequence = self._sequence
            self._in_flight = len(batch)
            try:
                await self.backend.publish([m.frame(self.origin) for m in batch])
            except Exception as exc:
                self._in_flight = 0
                if not failing:
                    logger.warning("Sync cannot publish (%s); events are queued", exc)
                failing = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
                continue
            self._in_flight = 0
            if failing:
                logger.warning("Sync publishes again (%d events queued)", self.pending)
            failing, delay = False, FIRST_RETRY_DELAY
            last = batch[-1].sequence or 0
            while self._queue and (self._queue[0].sequence or last + 1) <= last:
                self._queued_events -= self._queue.popleft().count

    async def _read_loop(self) -> None:
        delay = FIRST_RETRY_DELAY
        failing = False
        while True:
            try:
                frames = await self.backend.read()
            except Exception as exc:
                if not failing:
                    logger.warning("Sync cannot read (%s); retrying", exc)
                failing = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
                continue
            if failing:
                logger.warning("Sync reads again")
            failing, delay = False, FIRST_RETRY_DELAY
            for frame in frames:
                try:
                    self.receive(frame)
                except Exception:
                    logger.exception("Could not dispatch a sync message")

    # Incoming

    def _note_lag(self, sequence: int) -> None:
        # Sync does not slow calls down: when events come faster than this process can send
        # them to its clients, they wait in the backend, and the log says so.
        self.lag = self._sequence - sequence
        now = time.monotonic()
        if self.lag > LAG_WARNING and now - self._last_lag_warning >= 10.0:
            self._last_lag_warning = now
            logger.warning(
                "Sync events reach clients %d messages late (more load than CPU)", self.lag
            )

    def receive(self, frame: bytes) -> None:
        """Dispatch one message from the backend to this process's publishers and channels."""
        origin, sequence, attachments, offset = read_header(frame)
        last = self._seen.get(origin)
        if last is not None:
            if sequence <= last:
                return  # a retried publish that had arrived the first time
            if sequence > last + 1:
                self.lost += sequence - last - 1
                logger.warning("Missed %d sync messages from %s", sequence - last - 1, origin)
        self._seen[origin] = sequence
        if origin == self.origin:
            self._note_lag(sequence)
        message = decode_message(frame, offset, attachments)
        service = self.app.services.get(message["path"])
        if service is None:
            logger.debug("Sync message for '%s', which this app does not have", message["path"])
            return
        context = _context_of(self.app, service, message)
        for event, data in _events_of(message, context):
            publish_event(self.app, service, event, data, context)


def _context_of(app: Application, service: Any, message: dict[str, Any]) -> HookContext | None:
    fields = message.get("context")
    if fields is None:
        return None
    params = {name: fields[name] for name in ("user", "provider") if name in fields}
    context = HookContext(
        app, service, message["path"], fields.get("method"), params, fields.get("id"), None
    )
    context.type = "after"
    context.result = fields.get("result")
    context.dispatch = fields.get("dispatch")
    return context


def _events_of(message: dict[str, Any], context: HookContext | None) -> list[tuple[str, Any]]:
    # [event]: the call's result; [event, i]: item i of it; [event, None, data]: the data.
    result = context.result if context is not None else None
    events = []
    for entry in message["events"]:
        if len(entry) == 1:
            events.append((entry[0], result))
        elif len(entry) == 2:
            events.append((entry[0], result[entry[1]]))
        else:
            events.append((entry[0], entry[2]))
    return events
