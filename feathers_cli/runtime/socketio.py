"""The Socket.io transport: Feathers' wire protocol on python-socketio, served over ASGI.

    app.configure(socketio())                          # the defaults
    app.configure(socketio(setup_io))                  # setup_io(io) at app setup
    app.configure(socketio({'path': '/ws/'}, setup_io))
    app.configure(socketio(3031))                      # on its own port (listen/start)

`io` (also `app.io`) is a `SocketServer`: a `socketio.AsyncServer` with two additions from
Socket.io JS, `io.use(middleware)` and `io.on('connection', listener)`; everything else is
python-socketio's own API. A client calls `emit(method, path, *args, query, ack)`; the reply
is `ack(None, result)` or `ack(error)`, and service events reach the sockets of the
channels the app's publishers pick (see docs/socketio.md and the protocol notes).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import socketio as python_socketio
from socketio import packet as sio_packet

from . import errors
from ._engine import adopt_engine_socket, start_task, track_ping_tasks
from ._socket import (
    CONNECT_TIMEOUT,
    FeathersPacket,
    Socket,
    handshake_from,
    refusal,
    reply_to_call,
)
from ._versions import check_internals

if TYPE_CHECKING:
    from .application import Application

__all__ = ["Socket", "SocketServer", "SocketioTransport", "socketio"]

logger = logging.getLogger("feathers.socketio")

Middleware = Callable[[Socket, Callable[..., None]], Any]
ConfigureCallback = Callable[["SocketServer"], Any]

# Engine.io (Node) option names, in milliseconds where they are times, and their
# python-socketio equivalents (seconds).
_NODE_OPTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "pingInterval": ("ping_interval", lambda ms: ms / 1000),
    "pingTimeout": ("ping_timeout", lambda ms: ms / 1000),
    "maxHttpBufferSize": ("max_http_buffer_size", int),
    "allowUpgrades": ("allow_upgrades", bool),
    "httpCompression": ("http_compression", bool),
}
# Node options that have no meaning here: accepted so that Feathers configs keep working.
_IGNORED_NODE_OPTIONS = frozenset({"serveClient", "perMessageDeflate", "allowRequest"})
_PYTHON_OPTIONS = frozenset(
    {
        "ping_interval",
        "ping_timeout",
        "max_http_buffer_size",
        "allow_upgrades",
        "http_compression",
        "compression_threshold",
        "cookie",
        "cors_allowed_origins",
        "cors_credentials",
        "monitor_clients",
        "transports",
        "client_manager",
        "logger",
        "engineio_logger",
    }
)


def socketio(
    port: Any = None, options: Any = None, callback: ConfigureCallback | None = None
) -> Callable[[Application], None]:
    """Configure the Socket.io transport: `app.configure(socketio(...))`.

    The four forms of Feathers: `socketio()`, `socketio(callback)`,
    `socketio(options, callback=None)` and `socketio(port, options=None, callback=None)`.
    `callback(io)` runs when the app is set up (it may be async). Options: `path`
    (default `'/socket.io/'`), `cors` (`{'origin': True | str | [str] | callable,
    'credentials': bool}`; nothing cross-origin is allowed without it), `pingInterval` /
    `pingTimeout` in ms or `ping_interval` / `ping_timeout` in seconds,
    `maxHttpBufferSize` / `max_http_buffer_size` (default 1,000,000 bytes),
    `transports`, `connectTimeout` (ms a connection's middleware may take), the limits
    `handshakeTimeout` / `handshake_timeout` (default 10 s), `maxBufferedPackets` /
    `max_buffered_packets` (1,000), `maxBufferedBytes` / `max_buffered_bytes` (1,000,000)
    and `shutdownTimeout` / `shutdown_timeout` (5 s) (docs/deployment.md), and the other
    options of `socketio.AsyncServer`.
    """
    if not isinstance(port, int) or isinstance(port, bool):
        port, options, callback = None, port, options
    if callable(options) and callback is None:
        options, callback = None, options
    if options is not None and not isinstance(options, dict):
        raise TypeError("socketio() options must be a dict")
    if callback is not None and not callable(callback):
        raise TypeError("The socketio() callback must be callable")
    transport = SocketioTransport(port, dict(options or {}), callback)
    return transport.configure


class SocketServer(python_socketio.AsyncServer):
    """python-socketio's `AsyncServer`, with Socket.io JS's `use()` and `on('connection')`.

    `io.use(middleware)`: `middleware(socket, next)` (plain or async) runs for each new
    connection before it is accepted; `next()` accepts, `next(error)` or raising refuses it
    with the error's message. `io.on('connection', listener)`: `listener(socket)` once it
    is accepted. Any other `io.on(event, handler)` is python-socketio's.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # feathers.sync gives the server its Redis client manager unless the app chose one
        self.chose_client_manager = kwargs.get("client_manager") is not None
        track_ping_tasks(self.eio)
        self.middleware: list[Middleware] = []
        self.connection_listeners: list[Callable[[Socket], Any]] = []
        self.connect_timeout = CONNECT_TIMEOUT
        self.feathers_sockets: dict[str, Socket] = {}
        self.feathers_call: Callable[..., Any] | None = None
        self.feathers_calls: set[asyncio.Task[Any]] = set()
        self.handshake_timeout = 10.0
        self._last_warning = 0.0

    def use(self, middleware: Middleware) -> SocketServer:
        """Add a connection middleware, `middleware(socket, next)`; returns `io`."""
        if not callable(middleware):
            raise TypeError("Socket.io middleware must be callable")
        self.middleware.append(middleware)
        return self

    def on(self, event: str, handler: Any = None, namespace: str | None = None) -> Any:
        """`on('connection', listener)` as in Socket.io JS; other events as python-socketio."""
        if event != "connection":
            return super().on(event, handler, namespace)

        def add(listener: Callable[[Socket], Any]) -> Callable[[Socket], Any]:
            self.connection_listeners.append(listener)
            return listener

        return add if handler is None else add(handler)

    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> Any:
        # Runs before python-engineio starts the session's websocket handler: the session
        # gets the direct-write and task-free reader paths (see `FeathersEngineSocket`).
        session = self.eio.sockets.get(eio_sid)
        if session is not None:
            adopt_engine_socket(session)
            loop = asyncio.get_running_loop()
            loop.call_later(self.handshake_timeout, self._end_unfinished_handshake, eio_sid)
        return await super()._handle_eio_connect(eio_sid, environ)

    def _end_unfinished_handshake(self, eio_sid: str) -> None:
        # An Engine.IO session that has not joined any namespace `handshake_timeout` s after
        # it opened (Socket.io JS: `connectTimeout`) is closed: it only holds resources.
        session = self.eio.sockets.get(eio_sid)
        if session is None or session.closed or session.closing:
            return
        manager = self.manager
        if any(manager.sid_from_eio_sid(eio_sid, ns) for ns in list(manager.get_namespaces())):
            return
        session.cut_off(f"no Socket.io handshake within {self.handshake_timeout} s")

    async def _handle_event(self, eio_sid: str, namespace: Any, id: Any, data: Any) -> None:
        # A Feathers call runs in a task of its own (`start_task`: eager on Python 3.12+),
        # never in the websocket reader's task, so its timeouts and cancellations are its
        # own; in-flight calls are tracked so a shutdown can let them answer. Same checks
        # as python-socketio's `_handle_event` (5.18.1), in order.
        namespace = namespace or "/"
        if (
            self.feathers_call is None
            or namespace != "/"
            or not self.async_handlers
            or data[0] in self.handlers.get("/", ())
        ):
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if not self.manager.is_connected(sid, namespace):
            self.logger.warning("%s is not connected to namespace %s", sid, namespace)
            return
        task = start_task(self._handle_event_internal(self, sid, eio_sid, data, namespace, id))
        if not task.done():
            self.feathers_calls.add(task)
            task.add_done_callback(self._call_done)
        elif not task.cancelled() and task.exception() is not None:
            self._call_done(task)

    def _call_done(self, task: asyncio.Task[Any]) -> None:
        self.feathers_calls.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Error while answering a Socket.io call", exc_info=task.exception())

    async def wait_for_calls(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the calls in flight to answer; True if they did."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.feathers_calls:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            await asyncio.wait(list(self.feathers_calls), timeout=remaining)
        return True

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: Any
    ) -> None:
        # A Feathers call (an event without a handler of its own, in the default namespace)
        # goes straight to the transport: python-socketio would look its handler up and check
        # whether it is a coroutine function on every call. Anything else takes its path.
        call = self.feathers_call
        if call is None or namespace != "/" or data[0] in self.handlers.get("/", ()):
            await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
            return
        try:
            reply = await call(data[0], sid, *data[1:])
        except asyncio.CancelledError:
            # The call's own task was cancelled (by the service, or at shutdown): the
            # client still gets an answer instead of waiting for its own timeout.
            if id is not None:
                error = errors.GeneralError("The call was cancelled").to_json()
                ack = self.packet_class(sio_packet.ACK, data=[error], namespace="/", id=id)
                await self._send_packet(eio_sid, ack)
            raise
        if id is not None:
            arguments = list(reply) if isinstance(reply, tuple) else [reply]
            ack = self.packet_class(sio_packet.ACK, data=arguments, namespace="/", id=id)
            await self._send_packet(eio_sid, ack)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        # A frame python-socketio cannot make sense of must not log a traceback at ERROR
        # level for every garbage frame a client sends; it is dropped with one warning.
        try:
            await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:
            self._binary_packet.pop(eio_sid, None)
            now = asyncio.get_running_loop().time()
            level = logging.WARNING if now - self._last_warning > 1.0 else logging.DEBUG
            if level == logging.WARNING:
                self._last_warning = now
            logger.log(level, "Dropped a malformed Socket.io frame from %s: %s", eio_sid, exc)

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any) -> None:
        await super()._handle_eio_disconnect(eio_sid, reason)
        # A polling client that closes does not wait for its pending long-poll, but
        # python-engineio would hold that request open until the poll times out (and keep
        # a Node client process or the server's shutdown waiting): end it now.
        if reason == self.eio.reason.CLIENT_DISCONNECT:
            session = self.eio.sockets.get(eio_sid)
            if session is not None and not session.upgraded:
                session.queue.put_nowait(None)


class SocketioTransport:
    """The transport object `socketio()` registers in `app.transports` (see `server`)."""

    def __init__(
        self, port: int | None, options: dict[str, Any], callback: ConfigureCallback | None
    ) -> None:
        # Fails here, naming the package and version, rather than misbehaving later: the
        # transport overrides python-socketio/engineio internals (see `_versions`).
        check_internals()
        self.port = port
        self.callback = callback
        self.path = "/" + (str(options.pop("path", "/socket.io/")).strip("/") or "socket.io") + "/"
        connect_timeout = options.pop("connectTimeout", None)
        limits = _pop_limits(options)
        self.shutdown_timeout: float = limits["shutdown_timeout"]
        self.handshake_timeout: float = limits["handshake_timeout"]
        server_options = _server_options(options)
        self.max_message_size: int = server_options["max_http_buffer_size"]
        self.io = SocketServer(async_mode="asgi", serializer=FeathersPacket, **server_options)
        if connect_timeout is not None:
            self.io.connect_timeout = connect_timeout / 1000
        # Read by each session (`FeathersEngineSocket.enqueue`) and by the handshake deadline.
        self.io.eio.feathers_max_buffered_packets = limits["max_buffered_packets"]
        self.io.eio.feathers_max_buffered_bytes = limits["max_buffered_bytes"]
        self.io.handshake_timeout = limits["handshake_timeout"]
        self.app: Application | None = None
        self._by_connection: dict[int, Socket] = {}
        self._is_setup = False

    def configure(self, app: Application) -> None:
        """Attach to `app`: register as a transport, set `app.io`, listen to its events."""
        if any(isinstance(t, SocketioTransport) for t in app.transports):
            raise ValueError("The Socket.io transport is already configured on this app")
        self.app = app
        app.transports.append(self)
        app.io = self.io
        app.on("publish", self.publish)
        app.on("disconnect", self._disconnect_requested)
        self.io.on("connect", self._on_connect)
        self.io.on("disconnect", self._on_disconnect)
        self.io.on("*", self._on_call)
        self.io.feathers_call = self._on_call

    # The server.Transport interface

    def matches(self, scope: dict[str, Any]) -> bool:
        """Whether an HTTP/websocket request is for Socket.io (its path starts with ours)."""
        path: str = scope.get("path", "")
        return path.startswith(self.path) or path + "/" == self.path

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST" and _too_long(scope, self):
            await self._refuse_oversize_post(scope, send)
            return
        await self.io.handle_request(scope, receive, send)

    async def _refuse_oversize_post(self, scope: dict[str, Any], send: Any) -> None:
        # python-engineio would close the session and then wait for a long-poll to drain
        # its queue, which may never come: the request would hang. Refuse it up front.
        sid = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("sid")
        session = self.io.eio.sockets.get(sid) if sid else None
        if session is not None and not session.closed:
            await session.close(wait=False, reason=self.io.eio.reason.TRANSPORT_ERROR)
        logger.info("Refused a polling message over max_http_buffer_size from %s", sid)
        body = b"Payload Too Large"
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def setup(self, app: Application) -> None:
        """Run the configure callback (once), before the app's services are set up."""
        if self._is_setup:
            return
        self._is_setup = True
        if self.callback is not None:
            result = self.callback(self.io)
            if inspect.isawaitable(result):
                await result

    async def close_connections(self) -> None:
        """Let the calls in flight answer (up to `shutdown_timeout` s), then disconnect every
        client (told by a close packet; their long polls end, 'disconnect' events run)."""
        if not await self.io.wait_for_calls(self.shutdown_timeout):
            logger.warning(
                "%d Socket.io calls still running after %s s at shutdown",
                len(self.io.feathers_calls),
                self.shutdown_timeout,
            )
        eio = self.io.eio
        for socket in list(eio.sockets.values()):
            if not socket.closed and not socket.closing:
                await socket.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)

    async def teardown(self, app: Application) -> None:
        """Stop python-socketio's background tasks; the transport can be set up again."""
        await self.close_connections()
        await self.io.shutdown()
        self._is_setup = False

    # Connections

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        socket = Socket(self.io, sid, handshake_from(environ, auth), environ.get("asgi.scope"))
        # Middleware and 'connection' listeners are user code: they run in a task of their
        # own (awaited, so the socket's later packets still wait for them), never in the
        # websocket reader's task, which their timeouts or cancellations would end.
        task = start_task(self._admit(socket))
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            task.cancel()
            raise
        if task.cancelled():
            self.io.feathers_sockets.pop(sid, None)
            self._by_connection.pop(id(socket.feathers), None)
            error = errors.GeneralError("The connection middleware was cancelled")
            raise refusal(error, self._production)
        if task.exception() is not None:
            raise task.exception()  # type: ignore[misc]

    async def _admit(self, socket: Socket) -> None:
        sid = socket.id
        try:
            for middleware in self.io.middleware:
                await self._run_middleware(middleware, socket)
        except Exception as exc:
            raise refusal(exc, self._production) from None
        connection = socket.feathers
        self.io.feathers_sockets[sid] = socket
        self._by_connection[id(connection)] = socket
        for listener in tuple(self.io.connection_listeners):
            try:
                result = listener(socket)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("Error in a Socket.io 'connection' listener")
        if self.app is not None:
            self.app.emit("connection", connection)

    async def _run_middleware(self, middleware: Middleware, socket: Socket) -> None:
        outcome: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def next_step(error: Any = None) -> None:
            if not outcome.done():
                outcome.set_result(error)

        result = middleware(socket, next_step)
        if inspect.isawaitable(result):
            await result
        try:
            error = await asyncio.wait_for(outcome, self.io.connect_timeout)
        except TimeoutError:
            raise errors.Timeout("Connection middleware did not call next()") from None
        if error is not None:
            raise error if isinstance(error, Exception) else errors.GeneralError(str(error))

    async def _on_disconnect(self, sid: str, reason: Any = None) -> None:
        socket = self.io.feathers_sockets.pop(sid, None)
        if socket is None:
            return
        socket.connected = False
        self._by_connection.pop(id(socket.feathers), None)
        if self.app is not None:
            self.app.emit("disconnect", socket.feathers)

    def _disconnect_requested(self, connection: Any, *_: Any) -> Any:
        # The app emitted 'disconnect' for a connection: its socket goes too. The socket is
        # forgotten first so that its own disconnect does not emit 'disconnect' again.
        socket = self._by_connection.pop(id(connection), None)
        if socket is None:
            return None
        self.io.feathers_sockets.pop(socket.id, None)
        socket.connected = False
        return self.io.disconnect(socket.id)

    # Calls and events

    @property
    def _production(self) -> bool:
        return self.app is not None and self.app.get("env") == "production"

    async def _on_call(self, method: Any, sid: str, *args: Any) -> Any:
        socket = self.io.feathers_sockets.get(sid)
        if socket is None or self.app is None:
            return errors.Unavailable("The connection is not ready").to_json()
        return await reply_to_call(self.app, socket.feathers, method, args, self._production)

    def publish(self, event: str, channel: Any, context: Any, data: Any) -> None:
        """Send a service event to the sockets of `channel` (the app's 'publish' event).

        Every distinct payload is encoded once and queued for its sockets directly, so a
        fan-out costs one encoding plus a queue append per socket, and the event reaches a
        client before the reply to the call that caused it (as in Feathers JS).
        """
        by_connection = self._by_connection
        if not by_connection:
            return
        name = f"{context.path or ''} {event}".strip()
        default = _default_payload(context, data)
        groups: dict[int, tuple[Any, list[str]]] = {}
        for connection in channel.connections:
            socket = by_connection.get(id(connection))
            if socket is None:
                continue
            payload = channel.data_for(connection)
            if payload is None:
                payload = default
            group = groups.get(id(payload))
            if group is None:
                group = groups[id(payload)] = (payload, [])
            group[1].append(socket.eio_sid)
        for payload, eio_sids in groups.values():
            self.deliver(name, payload, eio_sids)

    def deliver(self, event: str, payload: Any, eio_sids: list[str]) -> None:
        """Queue one event for many Engine.IO sessions, encoding it once."""
        try:
            packets = FeathersPacket.event_packets(event, payload)
        except (TypeError, ValueError) as exc:
            logger.error("Cannot send the '%s' event: its data is not JSON (%s)", event, exc)
            return
        # A websocket session with nothing queued gets the frame written at once (no writer
        # task wake-up per socket); any other session gets it queued (`send_now`).
        frames = [packet.encode() for packet in packets]
        sockets = self.io.eio.sockets
        for eio_sid in eio_sids:
            session = sockets.get(eio_sid)
            if session is None or session.closed or session.closing:
                continue
            for packet, frame in zip(packets, frames, strict=True):
                if not session.send_now(packet, frame):
                    session.enqueue(packet, len(frame))


# Limits of the transport itself (not python-socketio options): Node-style name in ms (times)
# or the Python name in seconds, and the default. See docs/deployment.md.
_LIMITS: dict[str, tuple[str, float, bool]] = {
    "shutdown_timeout": ("shutdownTimeout", 5.0, True),
    "handshake_timeout": ("handshakeTimeout", 10.0, True),
    "max_buffered_packets": ("maxBufferedPackets", 1000, False),
    "max_buffered_bytes": ("maxBufferedBytes", 1_000_000, False),
}


def _pop_limits(options: dict[str, Any]) -> dict[str, Any]:
    """Take the transport's own limits out of `options` (defaults for those not given)."""
    result: dict[str, Any] = {}
    for python_name, (node_name, default, is_time) in _LIMITS.items():
        value: Any = default
        if node_name in options:
            raw = options.pop(node_name)
            value = raw / 1000 if is_time and isinstance(raw, int | float) else raw
        if python_name in options:
            value = options.pop(python_name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise TypeError(f"The socketio() option '{python_name}' must be a positive number")
        result[python_name] = value
    return result


def _too_long(scope: dict[str, Any], transport: SocketioTransport) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return not value.isdigit() or int(value) > transport.max_message_size
    return False


def _default_payload(context: Any, data: Any) -> Any:
    """What a connection without channel data gets: the dispatch, else the event data."""
    dispatch = getattr(context, "dispatch", None)
    if dispatch is None:
        return data
    result = context.result
    if isinstance(result, list) and isinstance(dispatch, list) and not isinstance(data, list):
        # one event per item of a list result: send the matching item of the dispatch
        for index, item in enumerate(result):
            if item is data:
                return dispatch[index] if index < len(dispatch) else data
    return dispatch


def _server_options(options: dict[str, Any]) -> dict[str, Any]:
    """Translate socketio() options into `socketio.AsyncServer` keyword arguments."""
    result: dict[str, Any] = {"max_http_buffer_size": 1_000_000}
    cors = options.pop("cors", None)
    if cors is not None:
        result.update(_cors_options(cors))
    if options.pop("allowEIO3", False):
        raise ValueError("Engine.IO 3 clients (Socket.io 2) are not supported: allowEIO3")
    for name, value in options.items():
        if name in _NODE_OPTIONS:
            python_name, convert = _NODE_OPTIONS[name]
            result[python_name] = convert(value)
        elif name in _PYTHON_OPTIONS:
            result[name] = value
        elif name in _IGNORED_NODE_OPTIONS:
            logger.debug("The Socket.io option '%s' has no effect in Python", name)
        else:
            raise TypeError(
                f"Unknown socketio() option '{name}'. Known: path, cors, connectTimeout, "
                f"{', '.join(sorted(_LIMITS))}, "
                f"{', '.join(sorted(_NODE_OPTIONS))}, {', '.join(sorted(_PYTHON_OPTIONS))}"
            )
    return result


def _cors_options(cors: Any) -> dict[str, Any]:
    """Map Feathers/Node `cors` options (`{'origin': ..., 'credentials': ...}`)."""
    if not isinstance(cors, dict):
        raise TypeError("The 'cors' option must be a dict such as {'origin': True}")
    result: dict[str, Any] = {}
    origin = cors.get("origin")
    if origin is True or origin == "*":
        result["cors_allowed_origins"] = "*"
    elif isinstance(origin, str | list | tuple):
        result["cors_allowed_origins"] = origin if isinstance(origin, str) else list(origin)
    elif isinstance(origin, re.Pattern):
        pattern = origin
        result["cors_allowed_origins"] = lambda value: bool(value and pattern.search(value))
    elif callable(origin):
        result["cors_allowed_origins"] = origin
    elif origin not in (None, False):
        raise TypeError(f"Unsupported cors origin: {origin!r}")
    if "credentials" in cors:
        result["cors_credentials"] = bool(cors["credentials"])
    return result
