"""Serving an app: its ASGI application, and uvicorn to run it.

`app.asgi` composes the transports in `app.transports` (Socket.io, REST, static files):
each HTTP or websocket request goes to the first transport whose `matches(scope)` is true;
any other HTTP request gets Feathers' 404 JSON (`Path /x not found`). The ASGI lifespan
sets the transports and then the app up (`app.setup()`), and on shutdown disconnects the
clients and tears the app down.

`app.listen()` (blocking) and `await app.start()` (for async programs and tests) run that
ASGI app with uvicorn, on 127.0.0.1 unless another host is given. A transport configured
with a port of its own (`socketio(3031)`) is served by the same uvicorn server on a second
listening socket, so both ports start and stop together.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol

import uvicorn

from ._http_deadline import with_header_deadline
from .errors import NotFound

if TYPE_CHECKING:
    from .application import Application

__all__ = [
    "FeathersASGI",
    "Server",
    "Transport",
    "asgi_app",
    "listen",
    "loop_factory",
    "settle_garbage_collector",
    "start",
]

logger = logging.getLogger("feathers.server")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3030
# Seconds a connection may take to send its request headers, without a transport that says.
HEADER_TIMEOUT = 10.0
# Allocations between two young-generation collections in a serving process (Python: 700).
GC_YOUNG_THRESHOLD = 10_000


class Transport(Protocol):
    """What a transport in `app.transports` provides to the server.

    `port` is None to be served on the app's port, or a port of its own.
    """

    port: int | None

    def matches(self, scope: Scope) -> bool:
        """Whether this HTTP/websocket request is for this transport."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle a request it matched (an ASGI application)."""

    async def setup(self, app: Application) -> None:
        """Get ready to serve; runs before `app.setup()`."""

    async def close_connections(self) -> None:
        """Close the clients' connections, when the server is about to stop."""

    async def teardown(self, app: Application) -> None:
        """Release what `setup` started; runs after `app.teardown()`."""


def asgi_app(app: Application) -> FeathersASGI:
    """The ASGI application of `app` (what `app.asgi` returns)."""
    return FeathersASGI(app)


class FeathersASGI:
    """An ASGI application that routes requests to the app's transports.

    `dedicated` maps the listening ports of transports that have a port of their own to
    those transports (set by `start`/`listen`, which open those ports).
    """

    def __init__(self, app: Application, dedicated: dict[int, Transport] | None = None) -> None:
        self.app = app
        self.dedicated = dedicated or {}
        self.startup_error: BaseException | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind not in ("http", "websocket"):
            return
        server = scope.get("server")
        own = self.dedicated.get(server[1]) if server else None
        candidates = [own] if own is not None else self._shared_transports()
        for transport in candidates:
            if transport.matches(scope):
                await transport(scope, receive, send)
                return
        await _not_found(scope, receive, send)

    def _shared_transports(self) -> list[Transport]:
        return [t for t in self.app.transports if getattr(t, "port", None) is None]

    async def startup(self) -> None:
        """Set up the transports, then the app."""
        for transport in self.app.transports:
            await transport.setup(self.app)
        await self.app.setup()

    async def shutdown(self) -> None:
        """Disconnect the clients, tear the app down, then the transports."""
        for transport in self.app.transports:
            await transport.close_connections()
        try:
            await self.app.teardown()
        finally:
            for transport in self.app.transports:
                await transport.teardown(self.app)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    self.startup_error = exc
                    logger.exception("The app failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                except Exception as exc:
                    logger.exception("The app failed to shut down cleanly")
                    await send({"type": "lifespan.shutdown.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000})
        return
    # Feathers' own answer (its Koa/Express error handler): NotFound JSON, with the path as
    # it was requested (still percent-encoded).
    path = (scope.get("raw_path") or scope.get("path", "").encode()).decode("latin-1")
    error = NotFound(f"Path {path} not found").to_json()
    body = json.dumps(error, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _UvicornServer(uvicorn.Server):
    """uvicorn, which stops listening, lets the calls in flight answer and disconnects the
    Socket.io clients *before* it closes connections and waits for open requests (a pending
    long-poll would otherwise hold the shutdown for up to a minute)."""

    def __init__(self, config: uvicorn.Config, asgi: FeathersASGI) -> None:
        super().__init__(config)
        self.asgi = asgi
        self.stopping = asyncio.Event()  # set by Server.stop(): stop now, not at the next tick

    def request_stop(self) -> None:
        """Ask the server to stop (as uvicorn's `should_exit`), waking its main loop now."""
        self.should_exit = True
        self.stopping.set()

    async def main_loop(self) -> None:
        # uvicorn's own loop (a tick every 0.1 s: the date header, --limit-max-requests,
        # should_exit), except that a stop requested by `request_stop` ends the wait for the
        # tick at once instead of up to 0.1 s later (every `await server.stop()` paid it).
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # No new connections while the calls in flight finish (uvicorn closes its listening
        # servers again below; closing twice is harmless).
        for listening in getattr(self, "servers", ()):
            listening.close()
        for transport in self.asgi.app.transports:
            try:
                await transport.close_connections()
            except Exception:
                logger.exception("Could not close the connections of %r", transport)
        await super().shutdown(sockets)


class Server:
    """A running app (from `await app.start()`): `.port`, `.ports`, `await .stop()`."""

    def __init__(
        self, uvicorn_server: _UvicornServer, task: asyncio.Task[None], ports: dict[Any, int]
    ) -> None:
        self._server = uvicorn_server
        self._task = task
        self.ports = ports
        self.port: int = ports["app"]
        self.host: str = uvicorn_server.config.host

    @property
    def url(self) -> str:
        """`http://host:port` of the app's main port."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        """Disconnect every client, tear the app down and stop listening."""
        if self._task.done():
            return
        self._server.request_stop()
        await self._task

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


def _bind(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=2048, reuse_port=reuse_port)
    sock.setblocking(False)
    return sock


def _prepare(
    app: Application, port: int | None, host: str | None, options: dict[str, Any]
) -> tuple[_UvicornServer, list[socket.socket], dict[Any, int]]:
    """Bind the app's port and the transports' own ports; build the uvicorn server."""
    host = host or DEFAULT_HOST
    if port is None:
        port = app.get("port") or DEFAULT_PORT
    # SO_REUSEPORT: several processes listen on one port and the kernel spreads the
    # connections among them (`feathers start --workers N`).
    reuse_port = bool(options.pop("reuse_port", False))
    sockets = [_bind(host, int(port), reuse_port)]
    ports: dict[Any, int] = {"app": sockets[0].getsockname()[1]}
    dedicated: dict[int, Transport] = {}
    try:
        for transport in app.transports:
            own_port = getattr(transport, "port", None)
            if own_port is not None:
                sockets.append(_bind(host, own_port, reuse_port))
                bound = sockets[-1].getsockname()[1]
                dedicated[bound] = transport
                ports[transport] = bound
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    asgi = FeathersASGI(app, dedicated)
    sizes = [getattr(t, "max_message_size", 0) for t in app.transports]
    settings: dict[str, Any] = {
        "lifespan": "on",
        # Per-message deflate costs CPU on every frame for both ends and rarely pays off
        # for small JSON messages; Socket.io (Node) has it off by default too.
        "ws_per_message_deflate": False,
        # A websocket frame larger than the transport accepts is refused by uvicorn
        # before it is buffered in full.
        "ws_max_size": max([*sizes, 0]) + 65536 if any(sizes) else 16 * 1024 * 1024,
        "access_log": False,
        "timeout_graceful_shutdown": 10,
        **options,
    }
    config = uvicorn.Config(asgi, host=host, port=ports["app"], **settings)
    config.load()
    # A connection must send its request headers within the transports' handshake timeout
    # (Socket.io's `handshake_timeout`, 10 s by default): see `_http_deadline`.
    timeouts = [getattr(t, "handshake_timeout", None) for t in app.transports]
    header_timeout = max([t for t in timeouts if t] or [HEADER_TIMEOUT])
    config.http_protocol_class = with_header_deadline(config.http_protocol_class, header_timeout)
    return _UvicornServer(config, asgi), sockets, ports


async def start(
    app: Application, port: int | None = 0, host: str | None = None, **options: Any
) -> Server:
    """Set the app up and serve it in the background; returns when it is listening.

    `port=0` picks a free port (`server.port` tells which). Options go to `uvicorn.Config`;
    logging is left as the program configured it.
    """
    options.setdefault("log_config", None)
    server, sockets, ports = _prepare(app, port, host, options)
    task = asyncio.ensure_future(_serve(server, sockets))
    while not server.started and not task.done():
        await asyncio.sleep(0.005)
    if not server.started:
        exc = task.exception() if not task.cancelled() else None
        cause = server.asgi.startup_error or exc
        raise RuntimeError(f"The app could not start: {cause}") from cause
    return Server(server, task, ports)


async def _serve(server: _UvicornServer, sockets: list[socket.socket]) -> None:
    try:
        await server.serve(sockets=sockets)
    except SystemExit:
        # uvicorn exits when the lifespan startup fails; `start` reports the reason.
        pass
    finally:
        for sock in sockets:
            sock.close()


def settle_garbage_collector() -> None:
    """Tune the garbage collector of a process that is about to serve (`listen` calls it).

    What exists now (modules, the app, its services) is frozen out of every later
    collection, and the young generation is collected after GC_YOUNG_THRESHOLD allocations
    instead of 700: serving allocates many short-lived objects per message, and collections
    over thousands of connections otherwise stall an event's fan-out by tens of milliseconds.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(max(GC_YOUNG_THRESHOLD, gc.get_threshold()[0]), middle, old)


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM ends `listen()` as Ctrl-C does: graceful shutdown, then a normal return.

    uvicorn handles SIGTERM while serving and re-raises it once it has shut down, which
    would end the process by the signal (status 143) after a clean stop; the handler
    installed here takes that re-raised signal, so the program exits with status 0.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def loop_factory(loop: Any = "auto") -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop `listen()` runs on, from uvicorn's `loop` option.

    `"auto"` (the default): uvloop when it is installed, else asyncio's; `"uvloop"`,
    `"asyncio"`, or a callable returning a new loop. None means asyncio's default.
    """
    if callable(loop):
        return loop
    if loop in ("auto", "uvloop"):
        try:
            import uvloop
        except ImportError:
            if loop == "uvloop":
                raise RuntimeError("loop='uvloop' needs uvloop installed") from None
            return None
        return uvloop.new_event_loop
    if loop in ("asyncio", "none", None):
        return None
    raise ValueError(f"Unknown loop {loop!r}: use 'auto', 'uvloop', 'asyncio' or a callable")


def listen(
    app: Application, port: int | None = None, host: str | None = None, **options: Any
) -> None:
    """Serve the app until Ctrl-C or SIGTERM (blocking); services are torn down on the way out.

    `port` defaults to the `port` setting, else 3030; `host` to 127.0.0.1 (pass
    `host='0.0.0.0'` to accept connections from other machines). `reuse_port=True` binds
    with SO_REUSEPORT, so that several processes serve one port (`feathers start --workers`;
    Linux and the BSDs). Other options go to `uvicorn.Config` (e.g. `log_level='debug'`).
    """
    # Before binding: a Ctrl-C that lands inside a collection can be swallowed by a weakref
    # callback, and clients that connect as soon as the port is bound would race it.
    settle_garbage_collector()
    server, sockets, ports = _prepare(app, port, host, options)
    # uvicorn prints its own "running on" line only for sockets it binds itself.
    announce = logging.getLogger("uvicorn.error")
    for name, bound in ports.items():
        what = "app" if name == "app" else type(name).__name__
        announce.info("Feathers %s listening on http://%s:%s", what, server.config.host, bound)
    with (
        _stopped_by_sigterm(),
        contextlib.suppress(KeyboardInterrupt),  # uvicorn re-raises the Ctrl-C it handled
        asyncio.Runner(loop_factory=loop_factory(server.config.loop)) as runner,
    ):
        runner.run(_serve(server, sockets))
    if server.asgi.startup_error is not None:
        raise RuntimeError("The app could not start") from server.asgi.startup_error
