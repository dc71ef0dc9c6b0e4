"""A Python client for any Feathers server that speaks Socket.io (Python or Node), and
over HTTP for its REST transport (`connect_rest`, same service API, no events).

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
from urllib.parse import quote

import httpx
import socketio

from . import errors
from ._auth_client import AuthenticationClient
from ._http import encode_query
from ._json import json_codec
from .events import EventEmitter
from .service import STANDARD_METHODS

__all__ = ["Client", "RemoteService", "RestClient", "connect", "connect_rest"]

logger = logging.getLogger("feathers.client")

Listener = Callable[..., Any]

_JSON = json_codec()


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


class Client(AuthenticationClient):
    """A connection to a Feathers server; `client.service(path)` gives its services.

    `authenticate(data)`, `re_authenticate()` and `logout()` log it in and out (see
    `_auth_client`); it logs in again by itself after a reconnect.

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


# REST: the same services over HTTP (`connect_rest`), as @feathersjs/rest-client calls them.


async def connect_rest(
    url: str,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    access_token: str | None = None,
    **options: Any,
) -> RestClient:
    """A client for the Feathers server at `url` over HTTP (its REST transport).

    `client.service(path)` has the same API as over Socket.io (`find`, `get`, ..., custom
    methods), without real-time events. `headers` go with every request (`client.headers`
    can be changed later, e.g. `Authorization`); `access_token` is a shortcut for
    `Authorization: Bearer <token>`. Other keyword options go to `httpx.AsyncClient`.

    >>> async with await connect_rest('http://127.0.0.1:3030') as client:  # doctest: +SKIP
    ...     page = await client.service('messages').find({'query': {'$limit': 2}})
    """
    client = RestClient(url, headers=headers, timeout=timeout, **options)
    if access_token is not None:
        client.headers["Authorization"] = f"Bearer {access_token}"
    return client


class RestClient(AuthenticationClient):
    """A Feathers server reached over HTTP; `client.service(path)` gives its services.

    `headers` (a dict) is sent with every request; `authenticate()` puts the access token
    into them as `Authorization: Bearer <token>`. Usable as `async with`.
    """

    def __init__(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
        **options: Any,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.headers: dict[str, str] = dict(headers or {})
        self.http = httpx.AsyncClient(timeout=timeout, **options)
        self._services: dict[str, RemoteService] = {}

    @property
    def connected(self) -> bool:
        """True until `close()`."""
        return not self.http.is_closed

    def _store_access_token(self, token: str | None) -> None:
        super()._store_access_token(token)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        else:
            self.headers.pop("Authorization", None)

    def service(self, path: str) -> RemoteService:
        """The remote service at `path` (slashes stripped; `''` or `'/'` is the root)."""
        name = path.strip("/") or "/"
        service = self._services.get(name)
        if service is None:
            service = self._services[name] = RemoteService(self, name)  # type: ignore[arg-type]
        return service

    def on(self, event: str, listener: Listener) -> RestClient:
        """REST has no real-time events: listen over Socket.io (`connect`) instead."""
        raise TypeError(f"No '{event}' events over REST: use connect() (Socket.io) to listen")

    def off(self, event: str, listener: Listener | None = None) -> RestClient:
        """Nothing to remove: REST has no events."""
        return self

    async def request(
        self, method: str, path: str, *args: Any, timeout: float | None = None
    ) -> Any:
        """Send one call (`method, path, *args` as over a socket, the query last) as an HTTP
        request; return the result or raise the typed Feathers error the server sent."""
        http_method, id, data, query = _rest_call(method, args)
        url = self.url + "/" + ("" if path == "/" else quote(path, safe="/"))
        if id is not None:
            url = url.rstrip("/") + "/" + quote(str(id), safe="!~*'()")
        encoded = encode_query(query if isinstance(query, dict) else {})
        headers = {"Accept": "application/json", **self.headers}
        content = None
        if http_method in ("POST", "PUT", "PATCH"):
            headers["Content-Type"] = "application/json"
            content = _JSON.dumps(data).encode("utf-8")
            if http_method == "POST" and method != "create":
                headers["X-Service-Method"] = method
        seconds = self.timeout if timeout is None else timeout
        try:
            response = await self.http.request(
                http_method,
                url + (f"?{encoded}" if encoded else ""),
                content=content,
                headers=headers,
                timeout=seconds,
            )
        except httpx.TimeoutException:
            raise errors.Timeout(
                f"Timeout of {seconds}s exceeded calling {method} on {path}",
                {"timeout": seconds, "method": method, "path": path},
            ) from None
        except httpx.HTTPError as exc:
            raise errors.Unavailable(f"Could not reach {self.url}: {exc}") from exc
        return _rest_result(response)

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.http.aclose()

    async def __aenter__(self) -> RestClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _rest_call(method: str, args: tuple[Any, ...]) -> tuple[str, Any, Any, Any]:
    """`(http method, id, data, query)` of a call given as over a socket."""
    if method == "find":
        return "GET", None, None, args[0]
    if method in ("get", "remove"):
        return ("GET" if method == "get" else "DELETE"), args[0], None, args[1]
    if method in ("update", "patch"):
        return ("PUT" if method == "update" else "PATCH"), args[0], args[1], args[2]
    return "POST", None, args[0], args[1]  # create and custom methods


def _rest_result(response: httpx.Response) -> Any:
    """The result of a response, or the Feathers error it carries, raised."""
    if response.is_success:
        return None if response.status_code == 204 or not response.content else response.json()
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise errors.convert({"code": response.status_code, "message": "JSON parsing error"})
    error = errors.convert(body)
    if isinstance(error, errors.FeathersError) and body.get("name") not in errors.error_classes:
        # A class Feathers does not have (413, 415 from the REST transport): keep its fields.
        error.name = str(body.get("name") or error.name)
        error.code = int(body.get("code") or response.status_code)
        error.class_name = str(body.get("className") or error.class_name)
    raise error
