"""Logging a client in: `authenticate`, `re_authenticate` and `logout`, as
`@feathersjs/authentication-client` does, for any client that has `service(path)`.

Private: `client.Client` mixes this in. Only `service(path).create/remove` are used, so
every transport's client can reuse it; a socket client that emits `connect` again after
a reconnect is logged in again by itself (the JS client does the same on `disconnect`).
An HTTP client sends `access_token` as `Authorization: Bearer <token>` with each request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from . import errors

__all__ = ["AuthenticationClient"]

logger = logging.getLogger("feathers.client")


class AuthenticationClient:
    """The authentication half of a client (a mixin): the token lives in memory."""

    authentication_path = "authentication"
    jwt_strategy = "jwt"
    access_token: str | None = None
    authentication_result: dict[str, Any] | None = None
    authenticated = False
    _reconnect_listener: Any = None
    _reauthentication: asyncio.Task[Any] | None = None

    if TYPE_CHECKING:  # what the client class that mixes this in provides

        def service(self, path: str) -> Any: ...
        def on(self, event: str, listener: Any) -> Any: ...

    async def authenticate(
        self, data: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Log in with `data` (e.g. `{"strategy": "local", "email": ..., "password": ...}`).

        Returns the server's result (`accessToken`, `authentication`, `user`); without `data`
        it is `re_authenticate()`. Raises the server's error (`NotAuthenticated`, ...).
        """
        if data is None:
            return await self.re_authenticate()
        self._listen_for_reconnects()
        try:
            result = await self.service(self.authentication_path).create(data, params)
        except errors.FeathersError as error:
            self._handle_error(error)
            raise
        self._store_access_token(result.get("accessToken"))
        self.authentication_result = result
        self.authenticated = True
        return result

    async def re_authenticate(
        self, force: bool = False, strategy: str | None = None
    ) -> dict[str, Any]:
        """Log in again with the stored token (`force=True` asks the server even when logged in)."""
        if self.authentication_result is not None and not force:
            return self.authentication_result
        if not self.access_token:
            self._reset()
            raise errors.NotAuthenticated("No accessToken found in storage")
        data = {"strategy": strategy or self.jwt_strategy, "accessToken": self.access_token}
        return await self.authenticate(data)

    async def logout(self) -> dict[str, Any] | None:
        """Log out on the server (which revokes the token) and forget the token."""
        try:
            result = await self.service(self.authentication_path).remove(None)
        except errors.FeathersError as error:
            self._handle_error(error)
            return None
        self._store_access_token(None)
        self._reset()
        return result

    def _handle_error(self, error: errors.FeathersError) -> None:
        # As the JS client: 401-407 mean the token is no good any more; forget it.
        if 400 < (error.code or 0) < 408:
            self._store_access_token(None)
        self._reset()

    def _store_access_token(self, token: str | None) -> None:
        """Keep (or forget) the token; an HTTP client overrides this to also set (or drop)
        its `Authorization: Bearer <token>` header."""
        self.access_token = token

    def _reset(self) -> None:
        self.authentication_result = None
        self.authenticated = False

    def _listen_for_reconnects(self) -> None:
        if self._reconnect_listener is not None:
            return

        def on_connect(*_: Any) -> None:
            if self.access_token and self.authenticated:
                # not awaited here: the socket's reader is what calls this listener
                task = asyncio.ensure_future(self._log_in_again())
                self._reauthentication = task

        self._reconnect_listener = on_connect
        # a client without events (HTTP: `on` raises TypeError) has no connection to lose
        with contextlib.suppress(AttributeError, TypeError):
            self.on("connect", on_connect)

    async def _log_in_again(self) -> None:
        # python-socketio calls `connect` listeners just before it marks itself connected
        for _ in range(200):
            if getattr(self, "connected", True):
                break
            await asyncio.sleep(0.01)
        try:
            await self.re_authenticate(force=True)
        except errors.FeathersError as error:
            logger.warning("Could not log in again after a reconnect: %s", error)
