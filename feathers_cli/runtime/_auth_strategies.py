"""The two authentication strategies: `JWTStrategy` (access tokens) and `LocalStrategy`
(a username and a password). Private: `authentication` re-exports both.

A strategy is registered with `auth.register(name, strategy)`; it gets `name`, `app` and
`authentication` (the service), and implements `authenticate(data, params)`. The JWT
strategy also handles real-time connections (`handle_connection`) and parses an
`Authorization` header (`parse`). Flows and messages follow Feathers 5
(`@feathersjs/authentication` `jwt.ts`, `@feathersjs/authentication-local` `strategy.ts`).
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

import bcrypt
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from . import errors

if TYPE_CHECKING:
    from .application import Application
    from .authentication import AuthenticationService

__all__ = ["AuthenticationBaseStrategy", "JWTStrategy", "LocalStrategy", "password_hash"]

# argon2 for every new hash; bcrypt hashes (from Node's bcryptjs, `$2a$`/`$2b$`) verify.
password_hash = PasswordHash((Argon2Hasher(), BcryptHasher()))

_SPLIT_HEADER = re.compile(r"(\S+)\s+(\S+)")
# bcrypt looks at the first 72 bytes of a password only (bcryptjs cuts longer ones silently;
# the bcrypt package refuses them): verify a bcrypt hash with what bcryptjs hashed.
_BCRYPT_MAX_BYTES = 72


class AuthenticationBaseStrategy:
    """What every strategy gets on `register()`: its name, the app and the service."""

    name: str = ""
    app: Application | None = None
    authentication: AuthenticationService | None = None

    def set_name(self, name: str) -> None:
        self.name = name

    def set_application(self, app: Application) -> None:
        self.app = app

    def set_authentication(self, authentication: AuthenticationService) -> None:
        self.authentication = authentication

    @property
    def configuration(self) -> dict[str, Any]:
        """This strategy's section of the authentication config (e.g. `local`)."""
        assert self.authentication is not None, "register the strategy first"
        return dict(self.authentication.configuration.get(self.name) or {})

    @property
    def entity_service(self) -> Any:
        """The service of the entity (`service` in the config), or None."""
        service = self.configuration.get("service")
        if not service or self.app is None:
            return None
        return self.app.services.get(service.strip("/"))


class JWTStrategy(AuthenticationBaseStrategy):
    """Authenticates `{"strategy": "jwt", "accessToken": ...}` and keeps sockets logged in."""

    def __init__(self) -> None:
        self._timers: dict[int, asyncio.TimerHandle] = {}

    @property
    def configuration(self) -> dict[str, Any]:
        assert self.authentication is not None, "register the strategy first"
        auth = self.authentication.configuration
        return {
            "service": auth.get("service"),
            "entity": auth.get("entity"),
            "entity_id": auth.get("entity_id"),
            "header": "Authorization",
            "schemes": ["Bearer", "JWT"],
            **super().configuration,
        }

    def verify_configuration(self) -> None:
        """Refuse options that belong in `jwt_options` (Feathers' message)."""
        allowed = {"entity", "entity_id", "service", "header", "schemes"}
        for key in super().configuration:
            if key not in allowed:
                raise ValueError(
                    f"Invalid JwtStrategy option 'authentication.{self.name}.{key}'. "
                    "Did you mean to set it in 'authentication.jwtOptions'?"
                )
        if not isinstance(self.configuration["header"], str):
            raise ValueError(f"The 'header' option for the {self.name} strategy must be a string")

    async def authenticate(self, data: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """Verify the token and load its entity (`sub`); a deleted entity is 401, not 404."""
        assert self.authentication is not None
        access_token = data.get("accessToken")
        if not access_token or not isinstance(access_token, str):
            raise errors.NotAuthenticated("No access token")
        payload = await self.authentication.verify_access_token(access_token)
        result: dict[str, Any] = {
            "accessToken": access_token,
            "authentication": {
                "strategy": self.name,
                "accessToken": access_token,
                "payload": payload,
            },
        }
        entity = self.configuration["entity"]
        if entity is None:
            return result
        result[entity] = await self.get_entity(payload.get("sub"), params)
        return result

    async def get_entity(self, id: Any, params: dict[str, Any]) -> Any:
        """The entity of a token: fetched internally, then as the caller sees it."""
        service = self.entity_service
        if service is None:
            raise errors.NotAuthenticated("Could not find entity service")
        inner = {k: v for k, v in params.items() if k not in ("provider", "query")}
        try:
            entity = await service.get(id, {**inner, "query": {}})
            if not params.get("provider"):
                return entity
            return await service.get(
                id, {**params, "query": {}, self.configuration["entity"]: entity}
            )
        except errors.NotFound:
            # The token is valid but its user is gone: the caller is not authenticated.
            raise errors.NotAuthenticated("Not authenticated") from None

    def parse(self, headers: dict[str, Any]) -> dict[str, Any] | None:
        """`{strategy, accessToken}` from `Authorization: Bearer|JWT <t>` (or a bare token)."""
        value = headers.get(self.configuration["header"].lower())
        if not value or not isinstance(value, str):
            return None
        match = _SPLIT_HEADER.match(value)
        if match is not None:
            scheme, token = match.groups()
            if scheme.lower() not in (s.lower() for s in self.configuration["schemes"]):
                return None  # e.g. `Basic ...`: not ours, the connection stays anonymous
            return {"strategy": self.name, "accessToken": token}
        return {"strategy": self.name, "accessToken": value.strip()}

    async def handle_connection(
        self, event: str, connection: dict[str, Any], result: dict[str, Any] | None = None
    ) -> None:
        """Log a real-time connection in (and disconnect it when its token expires) or out."""
        entity = self.configuration["entity"]
        access_token = (result or {}).get("accessToken")
        current = connection.get("authentication") or {}
        if event == "login" and access_token:
            payload = ((result or {}).get("authentication") or {}).get("payload")
            if not payload:
                assert self.authentication is not None
                payload = await self.authentication.verify_access_token(access_token)
            self._start_timer(connection, float(payload.get("exp", 0)))
            connection["authentication"] = {"strategy": self.name, "accessToken": access_token}
            if entity:
                connection[entity] = (result or {}).get(entity)
        elif event == "disconnect" or (
            event == "logout" and access_token and current.get("accessToken") == access_token
        ):
            self._stop_timer(connection)
            # Later, as Feathers does, so other listeners of this event still see the user.
            asyncio.get_running_loop().call_soon(_forget_login, connection, entity)

    def _start_timer(self, connection: dict[str, Any], expires_at: float) -> None:
        self._stop_timer(connection)
        loop = asyncio.get_running_loop()
        delay = max(0.0, expires_at - time.time())
        app = self.app

        def expire() -> None:
            self._timers.pop(id(connection), None)
            if app is not None:
                app.emit("disconnect", connection)

        self._timers[id(connection)] = loop.call_later(delay, expire)

    def _stop_timer(self, connection: dict[str, Any]) -> None:
        timer = self._timers.pop(id(connection), None)
        if timer is not None:
            timer.cancel()


def _forget_login(connection: dict[str, Any], entity: str | None) -> None:
    connection.pop("authentication", None)
    if entity:
        connection.pop(entity, None)


class LocalStrategy(AuthenticationBaseStrategy):
    """Authenticates `{"strategy": "local", <username_field>, <password_field>}`."""

    @property
    def configuration(self) -> dict[str, Any]:
        assert self.authentication is not None, "register the strategy first"
        auth = self.authentication.configuration
        config = super().configuration
        return {
            "service": auth.get("service"),
            "entity": auth.get("entity"),
            "entity_id": auth.get("entity_id"),
            "error_message": "Invalid login",
            "entity_password_field": config.get("password_field"),
            "entity_username_field": config.get("username_field"),
            **config,
        }

    def verify_configuration(self) -> None:
        """Both field names must be set (Feathers' message)."""
        config = self.configuration
        for name, js_name in (
            ("username_field", "usernameField"),
            ("password_field", "passwordField"),
        ):
            if not isinstance(config.get(name), str):
                raise ValueError(
                    f"'{self.name}' authentication strategy requires a '{js_name}' setting"
                )

    async def hash_password(self, password: str, params: dict[str, Any] | None = None) -> str:
        """An argon2 hash of `password` (computed off the event loop)."""
        if not isinstance(password, str):
            raise errors.BadRequest("The password must be a string")
        return await asyncio.to_thread(password_hash.hash, password)

    async def compare_password(self, entity: dict[str, Any], password: str) -> dict[str, Any]:
        """The entity when `password` matches its hash (argon2 or bcrypt), else Invalid login."""
        config = self.configuration
        stored = _get_path(entity, config["entity_password_field"])
        if not stored or not isinstance(stored, str):
            raise errors.NotAuthenticated(config["error_message"])
        if await asyncio.to_thread(verify_password, password, stored):
            return entity
        raise errors.NotAuthenticated(config["error_message"])

    async def find_entity(self, username: str, params: dict[str, Any]) -> dict[str, Any]:
        """The first entity whose username field equals `username` (a plain equality query)."""
        config = self.configuration
        service = self.entity_service
        if service is None:
            raise errors.NotAuthenticated("Could not find entity service")
        query = {config["entity_username_field"]: username, "$limit": 1}
        inner = {k: v for k, v in params.items() if k != "provider"}
        found = await service.find({**inner, "query": query})
        rows = found.get("data") if isinstance(found, dict) else found
        if not isinstance(rows, list) or not rows:
            raise errors.NotAuthenticated(config["error_message"])
        return rows[0]

    async def get_entity(self, found: dict[str, Any], params: dict[str, Any]) -> Any:
        """The entity as the caller may see it (through the service's hooks when external)."""
        config = self.configuration
        service = self.entity_service
        id_field = config.get("entity_id") or getattr(service, "id", None) or "id"
        if found.get(id_field) is None:
            raise errors.NotAuthenticated("Could not get local entity")
        if not params.get("provider"):
            return found
        return await service.get(found[id_field], {**params, "query": {}, config["entity"]: found})

    async def authenticate(self, data: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """Check the username and password; every failure is `NotAuthenticated('Invalid login')`.

        Both fields must be non-empty strings: `{"$ne": ...}`, lists and numbers never reach
        the entity service as a query.
        """
        assert self.authentication is not None
        config = self.configuration
        username = _get_path(data, config["username_field"])
        password = _get_path(data, config["password_field"])
        if not (isinstance(username, str) and username and isinstance(password, str) and password):
            raise errors.NotAuthenticated(config["error_message"])
        limiter = self.authentication.login_limiter
        key = limiter.key(username, params)
        await limiter.check(key)
        try:
            try:
                found = await self.find_entity(username, params)
            except errors.NotAuthenticated:
                # as long as a wrong password takes: no telling which usernames exist
                await asyncio.to_thread(verify_password, password, _dummy_hash())
                raise
            await self.compare_password(found, password)
        except errors.NotAuthenticated:
            await limiter.failed(key)
            raise
        await limiter.succeeded(key)
        return {
            "authentication": {"strategy": self.name},
            config["entity"]: await self.get_entity(found, params),
        }


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches an argon2 or bcrypt (`$2a$`, `$2b$`, `$2y$`) hash."""
    try:
        if BcryptHasher.identify(stored):
            return bcrypt.checkpw(password.encode()[:_BCRYPT_MAX_BYTES], stored.encode())
        return password_hash.verify(password, stored)
    except (UnknownHashError, ValueError):
        return False


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    """An argon2 hash of a random password, made once (see `LocalStrategy.authenticate`)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(password_hash.hash(uuid.uuid4().hex))
    return _DUMMY_HASH[0]


def _get_path(data: Any, path: str) -> Any:
    """`data["a"]["b"]` for `"a.b"` (Feathers' lodash `get`), None when absent."""
    current = data
    for part in str(path).split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current
