"""What every transport does the same way: the headers of a request, the params of a call
from a client, and what goes back to the client.

Private: used by the Socket.io transport (`_socket.py`) and the REST transport (`rest.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .hooks import HookContext

__all__ = ["call_params", "call_reply", "request_headers"]


def request_headers(raw_headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """An ASGI scope's headers as Node shows them: lower-case names, repeated ones joined
    with `, `."""
    if not isinstance(raw_headers, list | tuple):
        raw_headers = list(raw_headers)
    headers = {name.decode("latin-1").lower(): raw.decode("latin-1") for name, raw in raw_headers}
    if len(headers) == len(raw_headers):
        return headers  # no name repeated: the common case, in one pass
    headers = {}
    for raw_name, raw_value in raw_headers:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def call_params(
    query: Any, route: dict[str, str], fields: dict[str, Any], connection: Any = None
) -> dict[str, Any]:
    """The params of a call from a client: its query (`{}` unless a dict), the route
    placeholders, then the transport's own fields (`provider`, `headers`, what middleware
    and authentication added); `connection` too for a transport that has connections."""
    params = {"query": dict(query) if isinstance(query, dict) else {}, "route": dict(route)}
    if connection is not None:
        params["connection"] = connection
    params.update(fields)
    return params


def call_reply(context: HookContext) -> Any:
    """What the client gets for a call: `context.dispatch` when a hook set it, else the
    result."""
    return context.result if context.dispatch is None else context.dispatch
