"""Feathers' HTTP mapping, without a server: which service method an HTTP request calls,
its arguments, the response status and headers of a call, query strings as Node's `qs`
parses them, and the `Authorization` header as Feathers' JWT strategy reads it.

Private: `rest` (the transport) and `client` (`connect_rest`) use it. The facts are those
of `@feathersjs/transport-commons` 5 (`http.ts`) and `@feathersjs/authentication` (`jwt.ts`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote_to_bytes

import qs_codec

from .errors import MethodNotAllowed

if TYPE_CHECKING:
    from .hooks import HookContext

__all__ = [
    "METHOD_HEADER",
    "call_arguments",
    "encode_query",
    "parse_authentication",
    "parse_query",
    "response_status",
    "service_method",
]

METHOD_HEADER = "x-service-method"
"""The header that makes a `POST` call a custom method (`X-Service-Method: name`)."""

_KNOWN_METHODS = {"POST": "create", "PATCH": "patch", "PUT": "update", "DELETE": "remove"}

# Feathers' JWT strategy: the first `scheme value` pair of the header; a scheme matches when
# one of these patterns is found in it, ignoring case (`new RegExp(scheme, 'i').test(...)`).
_SPLIT_HEADER = re.compile(r"(\S+)\s+(\S+)")
_TOKEN_SCHEMES = (re.compile("Bearer", re.IGNORECASE), re.compile("JWT", re.IGNORECASE))

# A `%` that does not start a `%XX` escape: JavaScript's decodeURIComponent refuses it.
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# What `encodeurl` leaves alone in a Location header (everything else is %-encoded).
_URL_SAFE = "!#$%&'()*+,-./:;=?@[\\]^_|~"


def service_method(http_method: str, id: Any, override: str | None) -> str:
    """The service method an HTTP request calls, as Feathers' `getServiceMethod`.

    `POST` with an `X-Service-Method` header calls that method; `GET`/`HEAD` are `find`
    without an id and `get` with one; any other HTTP method is MethodNotAllowed.
    """
    if http_method == "POST" and override:
        return override
    mapped = _KNOWN_METHODS.get(http_method)
    if mapped is not None:
        return mapped
    if http_method in ("GET", "HEAD"):
        return "find" if id is None else "get"
    raise MethodNotAllowed(f"Method {http_method} not allowed")


def call_arguments(method: str, id: Any, data: Any, params: dict[str, Any]) -> tuple[Any, ...]:
    """The arguments of a service method call (Feathers' `argumentsFor`)."""
    if method == "find":
        return (params,)
    if method in ("get", "remove"):
        return (id, params)
    if method in ("update", "patch"):
        return (id, data, params)
    return (data, params)  # create and custom methods


def response_status(context: HookContext, body: Any) -> tuple[int, dict[str, str]]:
    """The status and headers of a call's response (Feathers' `getResponse`).

    `context.http` wins: its `status`, its `headers`, and its `location` (URL-encoded into
    a `Location` header, 303 unless a status is set). Otherwise None is 204, a create 201,
    anything else 200.
    """
    http = context.http
    if not http:  # what hooks rarely change: the status follows from the result
        if body is None:
            return 204, {}
        return (201 if context.method == "create" else 200), {}
    headers = {str(name): str(value) for name, value in (http.get("headers") or {}).items()}
    location = headers.get("Location")
    if http.get("location") is not None:
        location = headers["Location"] = encode_location(str(http["location"]))
    status = http.get("status")
    if status:
        return int(status), headers
    if location is not None:
        return 303, headers
    if body is None:
        return 204, headers
    return (201 if context.method == "create" else 200), headers


def encode_location(url: str) -> str:
    """Percent-encode what may not appear in a URL, keeping existing escapes (`encodeurl`)."""
    return quote(_LONE_PERCENT.sub("%25", url), safe=_URL_SAFE)


def decode_component(text: str, *_: Any, **__: Any) -> str:
    """One key or value of a query string, as Node's `qs` decodes it: `+` is a space, and
    text that decodeURIComponent refuses (a lone `%`, escapes that are not UTF-8) is kept."""
    text = text.replace("+", " ")
    if "%" not in text or _LONE_PERCENT.search(text):
        return text
    try:
        return unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        return text


# Node qs's defaults, which Feathers (koa-qs, express) uses: depth 5, arrays up to index 20,
# 1000 parameters; values stay strings.
_DECODE_OPTIONS = qs_codec.DecodeOptions(decoder=decode_component)


def parse_query(query_string: str) -> dict[str, Any]:
    """Parse a query string the way Feathers does (`qs`): `a[b]=1` is `{'a': {'b': '1'}}`,
    `a[]=1&a[]=2` and `a[0]=1&a[1]=2` are lists, and every value is a string."""
    if not query_string:
        return {}
    return qs_codec.decode(query_string, _DECODE_OPTIONS)


# qs.stringify's defaults, which @feathersjs/rest-client uses: `a[0]=1`, `a[b]=1`.
_ENCODE_OPTIONS = qs_codec.EncodeOptions(list_format=qs_codec.ListFormat.INDICES)


def encode_query(query: dict[str, Any]) -> str:
    """A query for a URL, as `@feathersjs/rest-client` sends it (`qs.stringify`)."""
    return qs_codec.encode(query, _ENCODE_OPTIONS) if query else ""


def parse_authentication(header: str | None) -> dict[str, str] | None:
    """`params['authentication']` from an `Authorization` header, as Feathers' JWT strategy
    parses it: `Bearer <token>`, `JWT <token>` (any case) or a bare token give
    `{'strategy': 'jwt', 'accessToken': token}`; another scheme (`Basic ...`) gives None."""
    if not header:
        return None
    match = _SPLIT_HEADER.search(header)
    if match is None:
        return {"strategy": "jwt", "accessToken": header}
    scheme, value = match.groups()
    if not any(pattern.search(scheme) for pattern in _TOKEN_SCHEMES):
        return None
    return {"strategy": "jwt", "accessToken": value}
