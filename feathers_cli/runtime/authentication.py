"""Authentication: local (username + password) and JWT logins over every transport.

    from feathers.authentication import (
        AuthenticationService, JWTStrategy, LocalStrategy, authenticate, hash_password, protect)

    app.set("authentication", {"secret": os.environ["FEATHERS_AUTH_SECRET"], "entity": "user",
                               "service": "users", "auth_strategies": ["jwt", "local"],
                               "local": {"username_field": "email", "password_field": "password"}})
    auth = AuthenticationService(app)
    auth.register("jwt", JWTStrategy())
    auth.register("local", LocalStrategy())
    app.use("authentication", auth)

`create` logs in (`{accessToken, authentication: {strategy, payload}, user}`), `remove` logs
out (and revokes the token). Real-time connections log in with `create` or with an
`Authorization` header in the Socket.io handshake; the app emits `login` / `logout` with
`params["connection"]`. Feathers' camelCase config names work too. See
docs/authentication.md for the config and where this differs from Feathers 5.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jwt

from . import errors
from ._auth_config import DEFAULT_JWT_OPTIONS, LoginLimiter, normalize_config, parse_duration
from ._auth_hooks import authenticate, hash_password, protect
from ._auth_stores import AuthStore, MemoryAuthStore, RedisAuthStore, SQLAuthStore
from ._auth_strategies import AuthenticationBaseStrategy, JWTStrategy, LocalStrategy

if TYPE_CHECKING:
    from .application import Application
    from .hooks import HookContext

__all__ = [
    "AuthStore",
    "AuthenticationBaseStrategy",
    "AuthenticationService",
    "JWTStrategy",
    "LocalStrategy",
    "MemoryAuthStore",
    "RedisAuthStore",
    "SQLAuthStore",
    "authenticate",
    "hash_password",
    "protect",
]

logger = logging.getLogger("feathers.authentication")

SECRET_ENV = "FEATHERS_AUTH_SECRET"
MIN_SECRET_BYTES = 32


class AuthenticationService:
    """The `authentication` service: strategies, tokens, `create` (login), `remove` (logout)."""

    def __init__(self, app: Application, config_key: str = "authentication", options: Any = None):
        if app is None or not callable(getattr(app, "use", None)):
            raise ValueError(
                "An application instance has to be passed to the authentication service"
            )
        self.app = app
        self.config_key = config_key
        self.strategies: dict[str, Any] = {}
        self.is_ready = False
        self.login_limiter = LoginLimiter(self)
        self._store: Any = None
        self._addresses: dict[int, str | None] = {}
        self._hooks_added = False
        if not app.get("defaultAuthentication"):
            app.set("defaultAuthentication", config_key)
        app.set(config_key, {**normalize_config(app.get(config_key)), **normalize_config(options)})
        app.on("disconnect", self._on_disconnect)

    # Configuration and strategies

    @property
    def configuration(self) -> dict[str, Any]:
        """A copy of the config (snake_case), with Feathers' defaults filled in."""
        config = normalize_config(self.app.get(self.config_key))
        config.setdefault("auth_strategies", [])
        config["jwt_options"] = {**DEFAULT_JWT_OPTIONS, **(config.get("jwt_options") or {})}
        if not config.get("secret") and os.environ.get(SECRET_ENV):
            config["secret"] = os.environ[SECRET_ENV]
        return config

    @property
    def strategy_names(self) -> list[str]:
        return list(self.strategies)

    def register(self, name: str, strategy: Any) -> None:
        """Register `strategy` under `name` (its `set_name/set_application/...` are called)."""
        for method, value in (
            ("set_name", name),
            ("set_application", self.app),
            ("set_authentication", self),
        ):
            if callable(getattr(strategy, method, None)):
                getattr(strategy, method)(value)
        if callable(getattr(strategy, "verify_configuration", None)):
            strategy.verify_configuration()
        self.strategies[name] = strategy

    def get_strategies(self, *names: str) -> list[Any]:
        return [self.strategies[n] for n in names if isinstance(n, str) and n in self.strategies]

    def get_strategy(self, name: str) -> Any:
        return self.strategies.get(name)

    @property
    def store(self) -> AuthStore:
        """Where failed logins and revoked tokens live (see `_select_store`)."""
        if self._store is None:
            self._store = self._select_store()
        return self._store

    def _select_store(self) -> Any:
        choice = self.configuration.get("store")
        if choice is not None and not isinstance(choice, str):
            return choice
        if choice == "memory":
            return MemoryAuthStore()
        if isinstance(choice, str) and choice.startswith(("redis://", "rediss://", "unix://")):
            return RedisAuthStore(choice)
        redis = self.app.get("redis")
        if choice in (None, "redis") and redis is not None:
            return RedisAuthStore(redis)
        engine = self.app.get("database_engine")
        if choice in (None, "sql") and engine is not None:
            return SQLAuthStore(engine)
        if choice is not None:
            raise ValueError(f"Authentication store '{choice}' needs the app's {choice} connection")
        return MemoryAuthStore()

    def client_address(self, params: dict[str, Any]) -> str:
        """The client's address: the socket's, or what the HTTP transport put in params."""
        connection = params.get("connection")
        if isinstance(connection, dict) and id(connection) in self._addresses:
            return str(self._addresses[id(connection)])
        return str(params.get("address") or params.get("ip") or "unknown")

    # Tokens

    async def create_access_token(
        self,
        payload: dict[str, Any],
        options: dict[str, Any] | None = None,
        secret: str | None = None,
    ) -> str:
        """Sign a JWT: header `{"alg", "typ"}`, payload `iat exp aud iss sub jti` + `payload`."""
        config = self.configuration
        jwt_options = {**config["jwt_options"], **normalize_config(options)}
        now = int(time.time())
        claims = {
            "iat": now,
            "exp": now + int(parse_duration(jwt_options.get("expires_in") or "1d")),
            **({"aud": jwt_options["audience"]} if jwt_options.get("audience") else {}),
            **({"iss": jwt_options["issuer"]} if jwt_options.get("issuer") else {}),
            **(
                {"sub": str(jwt_options["subject"])}
                if jwt_options.get("subject") is not None
                else {}
            ),
            "jti": str(jwt_options.get("jwtid") or uuid.uuid4()),
            **payload,
        }
        return jwt.encode(
            claims,
            secret or _require_secret(config),
            algorithm=jwt_options.get("algorithm") or "HS256",
            headers=dict(jwt_options.get("header") or {}),
        )

    async def verify_access_token(self, token: str, secret: str | None = None) -> dict[str, Any]:
        """The payload of a valid, unrevoked token; NotAuthenticated (no internals) otherwise."""
        config = self.configuration
        jwt_options = config["jwt_options"]
        algorithm = jwt_options.get("algorithm") or "HS256"
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                secret or _require_secret(config),
                algorithms=algorithm if isinstance(algorithm, list) else [algorithm],
                audience=jwt_options.get("audience"),
                issuer=jwt_options.get("issuer"),
                options={"require": ["exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise errors.NotAuthenticated("jwt expired") from None
        except jwt.InvalidSignatureError:
            raise errors.NotAuthenticated("invalid signature") from None
        except jwt.DecodeError:
            raise errors.NotAuthenticated("jwt malformed") from None
        except jwt.PyJWTError:
            raise errors.NotAuthenticated("invalid token") from None
        jti = payload.get("jti")
        if isinstance(jti, str) and await self.store.is_revoked(jti):
            raise errors.NotAuthenticated("Token revoked")
        return payload

    # Logging in

    async def authenticate(
        self, data: Any, params: dict[str, Any], *allowed: str
    ) -> dict[str, Any]:
        """Run the strategy `data["strategy"]` if it is among `allowed` (Feathers' messages)."""
        strategy = data.get("strategy") if isinstance(data, dict) else None
        [found] = self.get_strategies(strategy)[:1] or [None]
        is_allowed = strategy in allowed
        if not isinstance(data, dict) or found is None or not is_allowed:
            suffix = (
                " (no `strategy` set)"
                if not strategy
                else " (strategy not allowed in authStrategies)"
                if not is_allowed
                else ""
            )
            raise errors.NotAuthenticated("Invalid authentication information" + suffix)
        return await found.authenticate(data, {**params, "authenticated": True})

    def parse(self, headers: dict[str, Any], *names: str) -> dict[str, Any] | None:
        """The authentication request in HTTP headers (the first strategy that finds one)."""
        for strategy in self.get_strategies(*names):
            if callable(getattr(strategy, "parse", None)):
                value = strategy.parse(headers)
                if value is not None:
                    return value
        return None

    async def handle_connection(
        self, event: str, connection: dict[str, Any], result: dict[str, Any] | None = None
    ) -> None:
        """Let every strategy update a real-time connection (`login`, `logout`, `disconnect`)."""
        for strategy in self.strategies.values():
            if callable(getattr(strategy, "handle_connection", None)):
                await strategy.handle_connection(event, connection, result)

    async def get_payload(self, result: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """Extra claims of a new token: `params["payload"]` (none by default)."""
        return dict(params.get("payload") or {})

    async def get_token_options(
        self, result: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        """Token options: `params["jwt_options"]`, the subject set to the entity's id."""
        config = self.configuration
        options = normalize_config(params.get("jwt_options") or params.get("jwtOptions"))
        service, entity = config.get("service"), config.get("entity")
        value = result.get(entity) if service and entity else None
        if value and options.get("subject") is None:
            id_field = (
                config.get("entity_id") or getattr(self.app.service(service), "id", None) or "id"
            )
            subject = (
                value.get(id_field) if isinstance(value, dict) else getattr(value, id_field, None)
            )
            if subject is None:
                raise errors.NotAuthenticated(f"Can not set subject from {entity}.{id_field}")
            options["subject"] = str(subject)
        return options

    async def create(self, data: Any, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Log in: authenticate `data` and return `{accessToken, authentication, <entity>}`."""
        params = params or {}
        strategies = params.get("auth_strategies") or self.configuration["auth_strategies"]
        if not strategies:
            raise errors.NotAuthenticated(
                "No authentication strategies allowed for creating a JWT (`authStrategies`)"
            )
        result = await self.authenticate(data, params, *strategies)
        if result.get("accessToken"):
            return result
        payload = await self.get_payload(result, params)
        options = await self.get_token_options(result, params)
        token = await self.create_access_token(payload, options, params.get("secret"))
        claims = jwt.decode(token, options={"verify_signature": False})
        authentication = {**(result.get("authentication") or {}), "payload": claims}
        return {"accessToken": token, **result, "authentication": authentication}

    async def remove(self, id: Any, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Log out: verify the caller's token (`id`, when given, must be it) and revoke it."""
        params = params or {}
        authentication = params.get("authentication")
        if not isinstance(authentication, dict) or not authentication.get("accessToken"):
            raise errors.NotAuthenticated("Not authenticated")
        if id is not None and id != authentication.get("accessToken"):
            raise errors.NotAuthenticated("Invalid access token")
        result = await self.authenticate(
            authentication, params, *self.configuration["auth_strategies"]
        )
        payload = (result.get("authentication") or {}).get("payload") or {}
        if isinstance(payload.get("jti"), str):
            await self.store.revoke(
                payload["jti"], float(payload.get("exp") or time.time() + 86400)
            )
        return result

    # Lifecycle and real-time connections

    async def setup(self, app: Application | None = None, path: str | None = None) -> None:
        """Check the config (secret, entity service), start the strategies, hook into sockets."""
        config = self.configuration
        self._check_secret(config)
        if config.get("entity") is not None:
            service = config.get("service")
            if service is None:
                raise ValueError(
                    "The 'service' option is not set in the authentication configuration"
                )
            if str(service).strip("/") not in self.app.services:
                raise ValueError(
                    f"The '{service}' entity service does not exist "
                    "(set to 'null' if it is not required)"
                )
        self.is_ready = True
        for name, strategy in self.strategies.items():
            if callable(getattr(strategy, "setup", None)):
                await strategy.setup(self, name)
        if not self._hooks_added and callable(getattr(self, "hooks", None)):
            self._hooks_added = True
            self.hooks({"around": {"create": [self._login_hook], "remove": [self._logout_hook]}})
        io = getattr(self.app, "io", None)
        middleware = getattr(io, "middleware", None)
        if isinstance(middleware, list) and self._socket_middleware not in middleware:
            # first, as in Feathers: the app's own middleware sees a logged-in connection
            io.use(self._socket_middleware)
            middleware.insert(0, middleware.pop())
        if isinstance(self.store, SQLAuthStore):
            await self.store.setup()

    def _check_secret(self, config: dict[str, Any]) -> None:
        secret = config.get("secret")
        if not isinstance(secret, str) or not secret:
            raise ValueError(
                "A 'secret' must be provided in your authentication configuration "
                f"(set the {SECRET_ENV} environment variable)"
            )
        if len(secret.encode()) < MIN_SECRET_BYTES:
            message = (
                f"The authentication secret is shorter than {MIN_SECRET_BYTES} bytes: set "
                f'{SECRET_ENV} to a long random value, e.g. `python -c "import secrets; '
                'print(secrets.token_urlsafe(48))"`'
            )
            if _is_production(self.app):
                raise ValueError(message)
            logger.warning(message)

    async def _login_hook(self, context: HookContext, next: Callable[[], Any]) -> None:
        await next()
        await self._connection_event("login", context)

    async def _logout_hook(self, context: HookContext, next: Callable[[], Any]) -> None:
        await next()
        await self._connection_event("logout", context)

    async def _connection_event(self, event: str, context: HookContext) -> None:
        context.event = None  # the authentication service sends no service events
        params, result = context.params, context.result
        connection = params.get("connection")
        if isinstance(connection, dict):
            await self.handle_connection(event, connection, result)
        if params.get("provider") and result:
            self.app.emit(event, result, params, context)

    async def _socket_middleware(self, socket: Any, next_step: Callable[..., None]) -> None:
        # Socket.io handshake: `Authorization` header (or handshake auth) logs the connection
        # in before it is accepted; an invalid token refuses it; `Basic ...` is anonymous.
        connection = socket.feathers
        self._addresses[id(connection)] = getattr(socket.handshake, "address", None)
        config = self.configuration
        names = config.get("parse_strategies") or config["auth_strategies"]
        headers = dict(socket.handshake.headers)
        for key, value in (socket.handshake.auth or {}).items():
            if isinstance(key, str) and key.lower() == "authorization":
                headers.setdefault("authorization", value)
            elif key in ("accessToken", "token") and isinstance(value, str):
                headers.setdefault("authorization", f"Bearer {value}")
        authentication = self.parse(headers, *names) if names else None
        if authentication is not None:
            connection["authentication"] = authentication
            try:
                await self.create(
                    authentication, {"provider": "socketio", "connection": connection}
                )
            except Exception:
                self._addresses.pop(id(connection), None)
                raise
        next_step()

    async def _on_disconnect(self, connection: Any, *_: Any) -> None:
        if isinstance(connection, dict):
            self._addresses.pop(id(connection), None)
            await self.handle_connection("disconnect", connection)


def _require_secret(config: dict[str, Any]) -> str:
    secret = config.get("secret")
    if not isinstance(secret, str) or not secret:
        raise errors.GeneralError("The authentication secret is not set")
    return secret


def _is_production(app: Any) -> bool:
    env = app.get("env") or os.environ.get("FEATHERS_ENV")
    return env == "production"
