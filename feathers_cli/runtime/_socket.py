"""The pieces of the Socket.io transport that do not need a server: the socket object that
middleware sees, the packet codec, and running one service call from a socket.

Private: `socketio` re-exports what users touch (`Socket`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import socketio as python_socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from . import errors
from ._json import json_codec
from ._transport import call_params, call_reply, request_headers
from .service import CUSTOM_ARGUMENTS, METHOD_ARGUMENTS, get_service_options

if TYPE_CHECKING:
    from .application import Application

__all__ = [
    "CONNECT_TIMEOUT",
    "FeathersPacket",
    "Handshake",
    "Socket",
    "handshake_from",
    "refusal",
    "reply_to_call",
]

logger = logging.getLogger("feathers.socketio")

CONNECT_TIMEOUT = 45.0
"""Seconds a connection's middleware may take (Socket.io's `connectTimeout`)."""

# Socket.io's own limit (socket.io-parser `maxAttachments`): a client cannot make the server
# buffer an unbounded number of binary attachments for one packet.
MAX_ATTACHMENTS = 10

# Event names a client may not send: python-socketio would run its own handlers for them.
_RESERVED_EVENTS = frozenset({"connect", "disconnect", "connect_error", "message"})

# Where the query (`params`) sits in the arguments of each method.
_QUERY_POSITION = {method: names.index("params") for method, names in METHOD_ARGUMENTS.items()}


class Handshake:
    """The HTTP request that opened a socket, as Socket.io JS's `socket.handshake`.

    `headers` (lower-case names), `query` (strings), `address`, `auth` (the client's
    handshake payload or None), `url`, `secure`, `issued` (ms since the epoch), `time`.
    """

    __slots__ = ("address", "auth", "headers", "issued", "query", "secure", "time", "url")

    def __init__(
        self,
        headers: dict[str, str],
        query: dict[str, str],
        address: str | None,
        auth: dict[str, Any] | None,
        url: str,
        secure: bool,
    ) -> None:
        self.headers = headers
        self.query = query
        self.address = address
        self.auth = auth
        self.url = url
        self.secure = secure
        self.issued = int(time.time() * 1000)
        self.time = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())

    def __repr__(self) -> str:
        return f"<Handshake {self.address} {self.url}>"


def handshake_from(environ: dict[str, Any], auth: Any) -> Handshake:
    """Build the handshake of a new socket from python-socketio's environ."""
    scope: dict[str, Any] = environ.get("asgi.scope") or {}
    headers = request_headers(scope.get("headers", ()))
    query_string = environ.get("QUERY_STRING", "")
    query: dict[str, str] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(key, value)
    client = scope.get("client")
    address = client[0] if client else environ.get("REMOTE_ADDR")
    url = scope.get("path", "") + (f"?{query_string}" if query_string else "")
    secure = scope.get("scheme") in ("https", "wss")
    return Handshake(headers, query, address, auth if isinstance(auth, dict) else None, url, secure)


class Socket:
    """One client connection, as middleware and `io.on('connection')` listeners see it.

    `socket.feathers` is the connection dict (`params['connection']`, what channels hold):
    middleware may add keys to it. `socket.handshake` and `socket.request` (the ASGI scope)
    describe the request that opened it.
    """

    def __init__(
        self, server: Any, sid: str, handshake: Handshake, request: dict[str, Any] | None
    ) -> None:
        self.server = server
        self.id = sid
        self.eio_sid: str = server.manager.eio_sid_from_sid(sid, "/")
        self.handshake = handshake
        self.request = request or {}
        self.connected = True
        self.feathers: dict[str, Any] = {"provider": "socketio", "headers": handshake.headers}

    async def emit(self, event: str, *args: Any) -> None:
        """Send an event to this client only (prefer channels for service events)."""
        await self.server.emit(event, args, to=self.id)

    async def join(self, room: str) -> None:
        """Enter a python-socketio room (`io.emit(..., to=room)`)."""
        await self.server.enter_room(self.id, room)

    async def leave(self, room: str) -> None:
        """Leave a python-socketio room."""
        await self.server.leave_room(self.id, room)

    async def disconnect(self) -> None:
        """Close this connection from the server side."""
        await self.server.disconnect(self.id)

    def __repr__(self) -> str:
        return f"<Socket {self.id} {'connected' if self.connected else 'closed'}>"


def refusal(
    error: Exception, production: bool
) -> python_socketio.exceptions.ConnectionRefusedError:
    """The connect error a refused client gets: `{message, data?}`, as Socket.io JS sends."""
    if isinstance(error, errors.FeathersError):
        message, data = error.message, error.data
    elif production:
        logger.error("Error in a Socket.io middleware", exc_info=error)
        message, data = errors.GENERIC_MESSAGE, None
    else:
        logger.info("A Socket.io middleware refused a connection: %r", error)
        message, data = str(error) or type(error).__name__, None
    if data is None:
        return python_socketio.exceptions.ConnectionRefusedError(message)
    return python_socketio.exceptions.ConnectionRefusedError(message, data)


async def reply_to_call(
    app: Application,
    connection: dict[str, Any],
    method: str,
    args: tuple[Any, ...],
    production: bool,
) -> Any:
    """Run one call from a socket; return the ack arguments, `(None, result)` or `error`.

    The checks and messages are Feathers' (`runMethod` of transport-commons): NotFound for
    a bad path, MethodNotAllowed for a method the service does not expose, BadRequest for
    too many arguments; missing arguments are None and a query that is not a dict is `{}`.
    """
    path = args[0] if args else None
    try:
        lookup = app.lookup(path)
        if lookup is None:
            raise errors.NotFound(
                f"Service '{path}' not found" if isinstance(path, str) else "Invalid service path"
            )
        service, route = lookup
        options = get_service_options(service)
        if options is None or method not in options.methods:
            raise errors.MethodNotAllowed(f"Method '{method}' not allowed on service '{path}'")
        position = _QUERY_POSITION.get(method, CUSTOM_ARGUMENTS.index("params"))
        arguments = list(args[1:])
        if len(arguments) > position + 1:
            raise errors.BadRequest(f"Too many arguments for '{method}' method")
        arguments.extend([None] * (position + 1 - len(arguments)))
        query = arguments[position]
        arguments[position] = call_params(query, route, connection, connection)
        context = await getattr(service, method).run(*arguments)
    except Exception as exc:
        return errors.normalize_error(exc, production=production)
    return (None, call_reply(context))


class FeathersPacket(sio_packet.Packet):
    """python-socketio's packet, refusing frames no Socket.io client sends.

    An event must be a list starting with a string name that is not reserved; an ack must
    carry a list; a packet may announce at most MAX_ATTACHMENTS binary attachments. Other
    frames raise ValueError, and the server drops them.
    """

    def decode(self, encoded_packet: Any) -> int:
        attachments = super().decode(encoded_packet) or 0
        if attachments > MAX_ATTACHMENTS:
            raise ValueError(f"too many binary attachments ({attachments})")
        kind, data = self.packet_type, self.data
        if kind in (sio_packet.EVENT, sio_packet.BINARY_EVENT):
            if not (isinstance(data, list) and data and isinstance(data[0], str)):
                raise ValueError("an event must be a list that starts with its name")
            if data[0] in _RESERVED_EVENTS:
                raise ValueError(f"'{data[0]}' is a reserved event name")
        elif kind in (sio_packet.ACK, sio_packet.BINARY_ACK) and not isinstance(data, list):
            raise ValueError("an acknowledgement must carry a list")
        return attachments

    def data_is_binary(self, data: Any) -> bool:  # type: ignore[override]
        # python-socketio walks the whole payload looking for bytes before encoding it, for
        # every packet. Encoding it to JSON answers the same question (JSON has no bytes)
        # in one fast pass, and `encode` then reuses that JSON.
        self._json: str | None = None
        if data is None:
            return False
        try:
            self._json = self.json.dumps(data)
        except TypeError:
            return _contains_bytes(data)
        return False

    def encode(self) -> Any:
        encoded_json = getattr(self, "_json", None)
        if encoded_json is None or self.packet_type in (
            sio_packet.BINARY_EVENT,
            sio_packet.BINARY_ACK,
        ):
            return super().encode()
        encoded = str(self.packet_type)
        if self.namespace is not None and self.namespace != "/":
            encoded += self.namespace + ","
        if self.id is not None:
            encoded += str(self.id)
        return encoded + encoded_json

    @classmethod
    def event_packets(cls, event: str, payload: Any) -> list[eio_packet.Packet]:
        """The Engine.IO packets of one server event, to queue for any number of sessions."""
        encoded = cls(sio_packet.EVENT, data=[event, payload], namespace="/").encode()
        parts = encoded if isinstance(encoded, list) else [encoded]
        return [eio_packet.Packet(eio_packet.MESSAGE, part) for part in parts]


def _contains_bytes(data: Any) -> bool:
    """Whether JSON-like data holds bytes anywhere (stops at the first)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, bytes | bytearray):
            return True
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


# The JSON codec of every Socket.io packet the transport encodes or decodes (a class
# attribute of our packet class only: python-socketio's own `json=` option is process-wide).
FeathersPacket.json = json_codec()
