"""A Python client for any Feathers server that speaks Socket.io (Python or Node).

>>> async with await connect('http://127.0.0.1:3030') as client:   # doctest: +SKIP
...     messages = client.service('messages')
...     created = await messages.create({'text': 'Hello'})
...     page = await messages.find({'query': {'$limit': 2}})
...     messages.on('created', lambda message: print('created', message))

Service calls go out in the Feathers wire format (`'get', path, id, query`) and come back
as results or as the typed error the server sent (`errors.NotFound`, ...). Only
`params['query']` (and `params['route']`, used to fill `:placeholders` of the path) is read
from `params`; nothing else ever leaves the client, as in Feathers JS.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import socketio

from . import errors
from .events import EventEmitter
from .service import STANDARD_METHODS

__all__ = ["Client", "RemoteService", "connect"]

logger = logging.getLogger("feathers.client")

Listener = Callable[..., Any]


async def connect(
    url: str,
    path: str = "/socket.io/",
    transports: list[str] | None = None,
    timeout: float = 10.0,
    headers: dict[str, str] | None = None,
    auth: dict[str, Any] | None = None,
    **options: Any,
) -> Client:
    """Connect to the Feathers server at `url` and return a `Client`.

    `path` is the server's Socket.io path, `transports` e.g. `['websocket']` (default:
    polling first, then upgrade), `timeout` the seconds to wait for the connection and,
    later, for each call. `headers` go with the handshake (e.g. `Authorization`), `auth`
    is Socket.io's handshake auth payload. Other keyword options go to
    `socketio.AsyncClient` (e.g. `reconnection=False`).

    Raises `ConnectionError` (the built-in) when the server cannot be reached or refuses
    the connection; its message is the server's.
    """
    client = Client(timeout=timeout, **options)
    await client.open(url, path=path, transports=transports, headers=headers, auth=auth)
    return client


class Client:
    """A connection to a Feathers server; `client.service(path)` gives its services.

    Usable as `async with await connect(url) as client: ...` (closes on exit).
    """

    def __init__(self, timeout: float = 10.0, **options: Any) -> None:
        self.timeout = timeout
        self.io = socketio.AsyncClient(**options)
        self._events = EventEmitter()
        self._services: dict[str, RemoteService] = {}
        self._pending: set[asyncio.Future[Any]] = set()
        self._refusal: Any = None
        self.io.on("*", self._dispatch_event)
        self.io.on("connect", self._on_connect)
        self.io.on("disconnect", self._on_disconnect)
        self.io.on("connect_error", self._on_connect_error)

    async def open(
        self,
        url: str,
        path: str = "/socket.io/",
        transports: list[str] | None = None,
        headers: dict[str, str] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> None:
        """Connect the underlying socket (`connect()` does this for you)."""
        self._refusal = None
        try:
            await self.io.connect(
                url,
                headers=dict(headers or {}),
                auth=auth,
                transports=transports,
                socketio_path=path.strip("/") or "socket.io",
                wait_timeout=self.timeout,
            )
        except socketio.exceptions.ConnectionError as exc:
            await self.io.shutdown()
            refusal = self._refusal
            if isinstance(refusal, dict) and refusal.get("message"):
                error = ConnectionError(str(refusal["message"]))
                error.data = refusal.get("data")  # type: ignore[attr-defined]
                raise error from exc
            reason = refusal if refusal and not isinstance(refusal, dict) else exc
            raise ConnectionError(f"Could not connect to {url}: {reason}") from exc

    @property
    def connected(self) -> bool:
        """True while the socket is connected."""
        return bool(self.io.connected)

    def service(self, path: str) -> RemoteService:
        """The remote service at `path` (slashes stripped; `''` or `'/'` is the root)."""
        name = path.strip("/") or "/"
        service = self._services.get(name)
        if service is None:
            service = self._services[name] = RemoteService(self, name)
        return service

    def on(self, event: str, listener: Listener) -> Client:
        """Listen to a raw socket event (`'messages created'`, `'connect'`, `'disconnect'`)."""
        self._events.on(event, listener)
        return self

    def off(self, event: str, listener: Listener | None = None) -> Client:
        """Remove one listener of `event`, or all of them when `listener` is None."""
        self._events.off(event, listener)
        return self

    async def request(
        self, method: str, path: str, *args: Any, timeout: float | None = None
    ) -> Any:
        """Send one call (`method, path, *args`) and wait for its acknowledgement.

        Returns the result, raises the typed Feathers error the server answered with, or
        `errors.Timeout` when no answer came within `timeout` seconds (default: the
        client's).
        """
        if not self.io.connected:
            raise errors.Unavailable(f"Not connected: cannot call '{method}' on '{path}'")
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()

        def acknowledge(*reply: Any) -> None:
            if answer.done():
                return  # answered after the timeout: nobody waits any more
            if reply and reply[0] is not None:
                answer.set_exception(errors.convert(reply[0]))
            else:
                answer.set_result(reply[1] if len(reply) > 1 else None)

        self._pending.add(answer)
        try:
            await self.io.emit(method, (path, *args), callback=acknowledge)
            seconds = self.timeout if timeout is None else timeout
            try:
                return await asyncio.wait_for(answer, seconds)
            except TimeoutError:
                raise errors.Timeout(
                    f"Timeout of {seconds}s exceeded calling {method} on {path}",
                    {"timeout": seconds, "method": method, "path": path},
                ) from None
        finally:
            self._pending.discard(answer)
            if not answer.done():
                answer.cancel()

    async def close(self) -> None:
        """Disconnect; calls still waiting fail with `errors.Unavailable`."""
        for answer in list(self._pending):
            if not answer.done():
                answer.set_exception(errors.Unavailable("The connection was closed"))
        await self.io.shutdown()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _emit_local(self, event: str, *args: Any) -> None:
        self._events.emit(event, *args)

    async def _dispatch_event(self, event: str, *args: Any) -> None:
        self._emit_local(event, *args)

    async def _on_connect(self) -> None:
        self._emit_local("connect")

    async def _on_disconnect(self, reason: Any = None) -> None:
        self._emit_local("disconnect", reason)

    async def _on_connect_error(self, data: Any = None) -> None:
        self._refusal = data
        self._emit_local("connect_error", data)


class RemoteService:
    """A service on the server: the six standard methods, custom methods and events.

    Custom methods are attributes (`await svc.typing({'user': 1})`) or
    `await svc.call('typing', data, params)`.
    """

    def __init__(self, client: Client, path: str) -> None:
        self.client = client
        self.path = path

    def _send(self, method: str, args: tuple[Any, ...], params: dict[str, Any] | None) -> Any:
        params = params or {}
        path = self.path
        for key, value in (params.get("route") or {}).items():
            path = path.replace(f":{key}", str(value))
        query = params.get("query") or {}
        return self.client.request(method, path, *args, query, timeout=params.get("timeout"))

    async def find(self, params: dict[str, Any] | None = None) -> Any:
        """`find(params)`: a list or a page `{'total', 'limit', 'skip', 'data'}`."""
        return await self._send("find", (), params)

    async def get(self, id: Any, params: dict[str, Any] | None = None) -> Any:
        """`get(id, params)`: one record."""
        return await self._send("get", (id,), params)

    async def create(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """`create(data, params)`: the new record (or records, for a list)."""
        return await self._send("create", (data,), params)

    async def update(self, id: Any, data: Any, params: dict[str, Any] | None = None) -> Any:
        """`update(id, data, params)`: replace a record."""
        return await self._send("update", (id, data), params)

    async def patch(self, id: Any, data: Any, params: dict[str, Any] | None = None) -> Any:
        """`patch(id, data, params)`: merge into a record (`id=None`: many)."""
        return await self._send("patch", (id, data), params)

    async def remove(self, id: Any, params: dict[str, Any] | None = None) -> Any:
        """`remove(id, params)`: delete a record (`id=None`: many)."""
        return await self._send("remove", (id,), params)

    async def call(
        self, method: str, data: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Call a custom method: `await svc.call('typing', {'user': 1})`."""
        if method in STANDARD_METHODS:
            raise TypeError(f"Use the '{method}' method of the service, not call()")
        return await self._send(method, (data,), params)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        async def custom_method(data: Any = None, params: dict[str, Any] | None = None) -> Any:
            return await self.call(name, data, params)

        custom_method.__name__ = name
        return custom_method

    def on(self, event: str, listener: Listener) -> RemoteService:
        """Call `listener(data)` for each `event` (`'created'`, `'typing'`, ...) of this service."""
        self.client.on(f"{self.path} {event}", listener)
        return self

    def off(self, event: str, listener: Listener | None = None) -> RemoteService:
        """Stop listening (one listener, or all of `event`'s)."""
        self.client.off(f"{self.path} {event}", listener)
        return self

    def __repr__(self) -> str:
        return f"<RemoteService {self.path!r}>"
