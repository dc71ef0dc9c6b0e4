"""The REST transport: Feathers' HTTP mapping of the services, on Starlette, served by the
same ASGI app and port as Socket.io.

    app.configure(rest())                                          # the defaults
    app.configure(rest({'cors': {'origin': ['https://example.com']}}))

| request | service call |
|---|---|
| `GET /messages?text=hi` | `find({'query': {'text': 'hi'}})` |
| `GET /messages/1` | `get('1')` |
| `POST /messages` | `create(data)` (201) |
| `POST /messages` + `X-Service-Method: name` | `name(data)` (a custom method) |
| `PUT /messages/1`, `PATCH /messages/1` | `update('1', data)`, `patch('1', data)` |
| `DELETE /messages/1` | `remove('1')` |

Without an id, `PUT`, `PATCH` and `DELETE` are `id=None` (many). `HEAD` is `GET` without a
body; a None result is 204. Query strings are parsed like Node's `qs` (`a[b]=1`, `a[]=1`),
errors are Feathers' error JSON with the error's code as status. Only paths a service owns
are this transport's; every other request goes on to the next transport (static files) or
the app's 404. See docs/rest.md.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from . import errors
from ._http import (
    METHOD_HEADER,
    call_arguments,
    parse_authentication,
    parse_query,
    response_status,
    service_method,
)
from ._json import json_codec
from ._transport import call_params, call_reply, request_headers
from .service import DEFAULT_METHODS, get_service_options

if TYPE_CHECKING:
    from collections.abc import Callable

    from .application import Application

__all__ = ["DEFAULT_MAX_BODY_SIZE", "RestTransport", "rest"]

logger = logging.getLogger("feathers.rest")

DEFAULT_MAX_BODY_SIZE = 1_000_000
"""Bytes a request body may have (`max_body_size`); a larger one is answered with 413."""

_OPTIONS = ("cors", "max_body_size")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_SCOPE_KEY = "feathers.rest"
_JSON = json_codec()
_JSON_TYPE = "application/json"


class PayloadTooLarge(errors.FeathersError):
    """413: a request body over `max_body_size` (not one of Feathers' error classes)."""

    name, code, class_name = "PayloadTooLarge", 413, "payload-too-large"


class UnsupportedMediaType(errors.FeathersError):
    """415: a request body that is neither JSON nor a form (not one of Feathers' classes)."""

    name, code, class_name = "UnsupportedMediaType", 415, "unsupported-media-type"


def rest(options: dict[str, Any] | None = None) -> Callable[[Application], None]:
    """Configure the REST transport: `app.configure(rest())`.

    Options: `cors` (`{'origin': True | str | [str] | re.Pattern | callable, 'credentials':
    bool}`, the shape `socketio()` takes; nothing cross-origin is allowed without it) and
    `max_body_size` (bytes, default 1,000,000).
    """
    if options is not None and not isinstance(options, dict):
        raise TypeError("rest() options must be a dict")
    options = dict(options or {})
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(f"Unknown rest() option '{unknown[0]}'. Known: {', '.join(_OPTIONS)}")
    limit = options.get("max_body_size", DEFAULT_MAX_BODY_SIZE)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise TypeError("The 'max_body_size' option must be a number of bytes")
    return RestTransport(options.get("cors"), limit).configure


class RestTransport:
    """The transport object `rest()` registers in `app.transports` (see `server`)."""

    port: int | None = None

    def __init__(self, cors: Any = None, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> None:
        self.max_body_size = max_body_size
        self.app: Application | None = None
        self.cors: _OriginCORS | None = None
        if cors is not None:
            self.cors = _OriginCORS(self.serve, **_cors_settings(cors))

    def configure(self, app: Application) -> None:
        """Attach to `app`: register as one of its transports."""
        if any(isinstance(t, RestTransport) for t in app.transports):
            raise ValueError("The REST transport is already configured on this app")
        self.app = app
        app.transports.append(self)

    # The server.Transport interface

    def matches(self, scope: dict[str, Any]) -> bool:
        """Whether an HTTP request is for a service: its path, or its path without the last
        segment (the id), is one a service owns."""
        if scope["type"] != "http" or self.app is None:
            return False
        target = _find_service(self.app, scope)
        if target is None:
            return False
        scope[_SCOPE_KEY] = target
        return True

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        cors = self.cors
        if cors is None:
            await self.serve(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        if origin is None or cors.is_allowed_origin(origin):
            await cors(scope, receive, send)
        elif scope["method"] == "OPTIONS":
            # A preflight from an origin that is not allowed: no CORS headers at all.
            await _error_response(errors.Forbidden(f"Origin '{origin}' is not allowed"))(
                scope, receive, send
            )
        else:
            await self.serve(scope, receive, send)

    async def setup(self, app: Application) -> None:
        """Nothing to prepare: requests are served as they come."""

    async def close_connections(self) -> None:
        """Nothing to close: HTTP requests end by themselves (uvicorn waits for them)."""

    async def teardown(self, app: Application) -> None:
        """Nothing to release."""

    # Serving one request

    async def serve(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer one HTTP request for a service (CORS already handled)."""
        target = scope.get(_SCOPE_KEY)
        if target is None and self.app is not None:
            target = _find_service(self.app, scope)
        try:
            if target is None:
                raise errors.NotFound(f"Path {scope.get('path', '')} not found")
            response = await self._call_service(scope, receive, *target)
        except ClientDisconnect:
            return
        except Exception as exc:
            response = _error_response(exc, self._production)
        await response(scope, receive, send)

    @property
    def _production(self) -> bool:
        return self.app is not None and self.app.get("env") == "production"

    async def _call_service(
        self, scope: dict[str, Any], receive: Any, service: Any, id: Any, route: dict[str, str]
    ) -> Response:
        http_method = scope["method"]
        headers = request_headers(scope["headers"])
        override = headers.get(METHOD_HEADER)
        method = service_method(http_method, id, override)
        options = get_service_options(service)
        if options is None or method not in options.methods or override in DEFAULT_METHODS:
            raise errors.MethodNotAllowed(f"Method `{method}` is not supported by this endpoint.")
        data = None
        if http_method in _BODY_METHODS:
            data = await self._read_data(Request(scope, receive))
        query_string = scope.get("query_string", b"")
        client = scope.get("client")
        fields: dict[str, Any] = {
            "provider": "rest",
            "headers": headers,
            "address": client[0] if client else None,
        }
        authentication = parse_authentication(headers.get("authorization"))
        if authentication is not None:
            fields["authentication"] = authentication
        params = call_params(parse_query(query_string.decode("utf-8", "replace")), route, fields)
        hooked = getattr(service, method)
        context = hooked.context(*call_arguments(method, id, data, params))
        context.http = {}
        context = await hooked.run_context(context)
        body = call_reply(context)
        status, response_headers = response_status(context, body)
        return _json_response(status, response_headers, body, http_method == "HEAD")

    async def _read_data(self, request: Request) -> Any:
        """The request body as data: JSON (an object or array) or a form; else 400/413/415."""
        limit = self.max_body_size
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes")
            chunks.append(chunk)
        body = b"".join(chunks)
        if not body:
            raise errors.BadRequest("The request body is empty: send a JSON object or array")
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type == "application/x-www-form-urlencoded":
            return parse_query(body.decode("utf-8", "replace"))
        if media_type != "application/json" and not (
            media_type.startswith("application/") and media_type.endswith("+json")
        ):
            raise UnsupportedMediaType(
                f"Unsupported content type '{media_type}': send application/json"
            )
        try:
            data = _JSON.loads(body)
        except (ValueError, RecursionError) as exc:
            raise errors.BadRequest(f"Invalid JSON in the request body: {exc}") from None
        if not isinstance(data, dict | list):
            raise errors.BadRequest("The request body must be a JSON object or array")
        return data


def _find_service(app: Application, scope: dict[str, Any]) -> tuple[Any, Any, dict] | None:
    """`(service, id, route)` for a request path, or None when no service owns it.

    The whole path is tried first, then the path without its last segment, which is then
    the id. Segments are percent-decoded one by one (`%2F` inside an id stays in the id).
    """
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    path = raw.decode("latin-1").strip("/")
    if "//" in path:
        return None
    if "%" in path:
        return _find_decoded(app, [unquote(segment) for segment in path.split("/")])
    found = app.lookup(path)
    if found is not None:
        return found.service, None, found.params
    head, _, last = path.rpartition("/")
    if not last:
        return None
    found = app.lookup(head)
    return None if found is None else (found.service, last, found.params)


def _find_decoded(app: Application, segments: list[str]) -> tuple[Any, Any, dict] | None:
    head, last = segments[:-1], segments[-1]
    if any(not segment or "/" in segment for segment in head):
        return None
    if "/" not in last:
        found = app.lookup("/".join(segments))
        if found is not None:
            return found.service, None, found.params
    if not last:
        return None
    found = app.lookup("/".join(head))
    return None if found is None else (found.service, last, found.params)


def _json_response(status: int, headers: dict[str, str], body: Any, head: bool) -> Response:
    if status == 204 or status == 304 or body is None:
        return Response(None, status, headers or None)
    content = _JSON.dumpb(body)
    if head:
        headers = {**headers, "content-length": str(len(content))}
        content = b""
    return Response(content, status, headers or None, media_type=_JSON_TYPE)


def _error_response(error: BaseException, production: bool = False) -> Response:
    """Feathers' error JSON, with the error's code as status (500 for anything else)."""
    status = getattr(error, "code", 500) if isinstance(error, errors.FeathersError) else 500
    if not isinstance(status, int) or not 400 <= status <= 599:
        status = 500
    body = errors.normalize_error(error, production=production)
    if isinstance(error, errors.FeathersError):
        logger.debug("REST call failed: %r", error)
    return Response(_JSON.dumpb(body), status, media_type=_JSON_TYPE)


class _OriginCORS(CORSMiddleware):
    """Starlette's CORS middleware, with origins given as a callable or a regex too."""

    def __init__(self, app: Any, origin_test: Callable[[str], bool] | None, **kwargs: Any):
        super().__init__(app, **kwargs)
        self.origin_test = origin_test

    def is_allowed_origin(self, origin: str) -> bool:
        if self.origin_test is None:
            return super().is_allowed_origin(origin)
        try:
            return bool(self.origin_test(origin))
        except Exception:
            logger.exception("The cors origin callable failed for %r: origin refused", origin)
            return False


def _cors_settings(cors: Any) -> dict[str, Any]:
    """Starlette CORS settings from Feathers' `{'origin': ..., 'credentials': ...}`."""
    if not isinstance(cors, dict):
        raise TypeError("The 'cors' option must be a dict such as {'origin': True}")
    origin = cors.get("origin")
    settings: dict[str, Any] = {
        "origin_test": None,
        "allow_origins": (),
        "allow_methods": ("*",),
        "allow_headers": ("*",),
        "allow_credentials": bool(cors.get("credentials", False)),
    }
    if origin is True or origin == "*":
        settings["allow_origins"] = ("*",)
    elif isinstance(origin, str):
        settings["allow_origins"] = (origin,)
    elif isinstance(origin, list | tuple):
        settings["allow_origins"] = tuple(str(item) for item in origin)
    elif hasattr(origin, "search") and callable(origin.search):
        settings["origin_test"] = lambda value: bool(origin.search(value))
    elif callable(origin):
        settings["origin_test"] = origin
    elif origin not in (None, False):
        raise TypeError(f"Unsupported cors origin: {origin!r}")
    return settings
