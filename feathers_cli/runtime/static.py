"""Static files: `app.configure(serve_static("public"))` serves a folder at `/`.

A transport (see `server`) answering GET and HEAD requests for the files of a folder, at the
paths no service owns: `/` is the folder's `index.html`, `/app.js` its `app.js`. Services win:
`/messages` and `/messages/<id>` belong to a `messages` service even if the folder has such a
file. Anything it does not have (a missing file, a path outside the folder, a dotfile, another
method) is not matched, so the next transport or the server's 404 answers it.

Starlette's `StaticFiles` finds the files (symlinks out of the folder refused) and answers them
(content type, `ETag`/`Last-Modified` with 304s, ranges, HEAD without a body).

    app = feathers()
    app.configure(socketio())
    app.configure(serve_static(Path(__file__).parent.parent / "public"))
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

if TYPE_CHECKING:
    from .application import Application

__all__ = ["StaticTransport", "serve_static"]

_METHODS = ("GET", "HEAD")


class _Found(NamedTuple):
    """A file to send (`path`, `stat`), or a redirect to the folder's URL when `path` is None."""

    path: str | None
    stat: os.stat_result | None


# Where `matches` leaves the file it found for `__call__`, in the request's ASGI scope.
_SCOPE_KEY = "feathers.static"


def serve_static(
    directory: str | os.PathLike[str], index: str = "index.html"
) -> Callable[[Application], None]:
    """Serve the files of `directory` at `/` for paths no service owns:
    `app.configure(serve_static("public"))`.

    `index` is the file served for `/` (and for `/sub/` from `sub/`). The folder is read on
    each request, so files added later are served; it need not exist yet.
    """
    if not isinstance(index, str) or not index or "/" in index or index.startswith("."):
        raise ValueError(f"serve_static() index must be a file name, not {index!r}")
    transport = StaticTransport(directory, index)
    return transport.configure


class StaticTransport:
    """The transport object `serve_static()` registers in `app.transports`."""

    port: int | None = None

    def __init__(self, directory: str | os.PathLike[str], index: str = "index.html") -> None:
        self.directory = Path(directory).absolute()
        self.index = index
        self.files = StaticFiles(directory=self.directory, check_dir=False)
        self.app: Application | None = None

    def configure(self, app: Application) -> None:
        """Attach to `app`: one more transport in `app.transports`."""
        self.app = app
        app.transports.append(self)

    # The server.Transport interface

    def matches(self, scope: dict[str, Any]) -> bool:
        """Whether this is a GET/HEAD for a file of the folder at a path no service owns."""
        if scope["type"] != "http" or scope.get("method") not in _METHODS:
            return False
        path: str = scope.get("path", "")
        segments = [segment for segment in path.split("/") if segment]
        if any(segment.startswith(".") for segment in segments) or self._owned(segments):
            return False
        found = self._find(segments, directory_url=path.endswith("/") or not segments)
        if found is None:
            return False
        scope[_SCOPE_KEY] = found
        return True

    def _owned(self, segments: list[str]) -> bool:
        """A service at the path, or at its parent (`/messages/1` is `get` of `messages`)."""
        if self.app is None:
            return False
        path = "/".join(segments) or "/"
        parent = "/".join(segments[:-1]) or "/"
        return self.app.lookup(path) is not None or (
            bool(segments) and self.app.lookup(parent) is not None
        )

    def _find(self, segments: list[str], directory_url: bool) -> _Found | None:
        """What answers the path: a regular file, or a redirect for a folder with an index
        asked without its trailing slash (relative links in the page need it); None."""
        try:
            full_path, found = self.files.lookup_path(os.path.join(".", *segments))
            if found is not None and stat.S_ISDIR(found.st_mode):
                full_path, found = self.files.lookup_path(os.path.join(".", *segments, self.index))
                if found is not None and stat.S_ISREG(found.st_mode) and not directory_url:
                    return _Found(None, None)
        except (OSError, ValueError):  # a name too long, a NUL byte, no permission
            return None
        if found is None or not stat.S_ISREG(found.st_mode):
            return None
        return _Found(full_path, found)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        found = scope.pop(_SCOPE_KEY, None)
        if found is None and self.matches(scope):  # called without `matches` first
            found = scope.pop(_SCOPE_KEY)
        response: Response
        if found is None:
            response = PlainTextResponse("Not Found", status_code=404)
        elif found.path is None:
            query = scope.get("query_string", b"").decode("latin-1")
            # from the segments: a path like `//host/x` must not become a protocol-relative URL
            folder = "/".join(segment for segment in scope["path"].split("/") if segment)
            location = quote(f"/{folder}/") + (f"?{query}" if query else "")
            response = RedirectResponse(location, status_code=301)
        else:
            response = self.files.file_response(found.path, found.stat, scope)
        await response(scope, receive, send)

    async def setup(self, app: Application) -> None:
        """Nothing to start: files are read per request."""

    async def close_connections(self) -> None:
        """No long-lived connections to close."""

    async def teardown(self, app: Application) -> None:
        """Nothing to release."""
