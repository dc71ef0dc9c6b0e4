"""A small app with users and authentication, shared by the tests of `authentication`."""

from __future__ import annotations

from typing import Any

from feathers_cli.runtime import feathers
from feathers_cli.runtime.authentication import (
    AuthenticationService,
    JWTStrategy,
    LocalStrategy,
    authenticate,
    hash_password,
    protect,
)
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio

SECRET = "test-secret-that-is-long-enough-for-production-0123456789"


class WhoAmI:
    """Answers with who the caller is (what `authenticate('jwt')` put in params)."""

    async def find(self, params: Any) -> Any:
        user = params.get("user") or {}
        return {
            "user_id": user.get("id"),
            "strategy": (params.get("authentication") or {}).get("strategy"),
        }


def make_app(camel_case: bool = False, **overrides: Any) -> Any:
    """Users (local + jwt), `whoami` behind `authenticate('jwt')`, messages to logged-in users."""
    app = feathers()
    app.configure(socketio())
    if camel_case:
        config: dict[str, Any] = {
            "secret": SECRET,
            "entity": "user",
            "service": "users",
            "authStrategies": ["jwt", "local"],
            "jwtOptions": {"audience": "https://example.com", "expiresIn": "1d"},
            "local": {"usernameField": "email", "passwordField": "password"},
        }
    else:
        config = {
            "secret": SECRET,
            "entity": "user",
            "service": "users",
            "auth_strategies": ["jwt", "local"],
            "jwt_options": {
                "header": {"typ": "access"},
                "audience": "https://example.com",
                "algorithm": "HS256",
                "expires_in": "1d",
            },
            "local": {"username_field": "email", "password_field": "password"},
        }
    config.update(overrides)
    app.set("authentication", config)
    app.use("users", MemoryService())
    auth = AuthenticationService(app)
    auth.register("jwt", JWTStrategy())
    auth.register("local", LocalStrategy())
    app.use("authentication", auth)
    app.service("users").hooks(
        {
            "before": {"find": [authenticate("jwt")], "create": [hash_password("password")]},
            "after": {"all": [protect("password")]},
        }
    )
    app.use("whoami", WhoAmI())
    app.service("whoami").hooks({"before": {"all": [authenticate("jwt")]}})
    app.use("messages", MemoryService())
    app.events_seen = []  # type: ignore[attr-defined]

    def on_connection(connection: Any) -> None:
        # a connection logged in at the handshake had its `login` event already
        if connection.get("user") is None:
            app.channel("anonymous").join(connection)

    def on_login(result: Any, params: Any, *_: Any) -> None:
        connection = params.get("connection")
        app.events_seen.append(("login", connection))  # type: ignore[attr-defined]
        if connection is not None:
            app.channel("anonymous").leave(connection)
            app.channel("authenticated").join(connection)
            app.channel(f"user/{result['user']['id']}").join(connection)

    def on_logout(result: Any, params: Any, *_: Any) -> None:
        app.events_seen.append(("logout", params.get("connection")))  # type: ignore[attr-defined]

    app.on("connection", on_connection)
    app.on("login", on_login)
    app.on("logout", on_logout)
    app.service("messages").publish(lambda data, context: app.channel("authenticated"))
    return app


async def add_user(app: Any, email: str = "alice@example.com", password: str = "s3cret!") -> Any:
    """Create a user through the service's hooks (the password is hashed)."""
    return await app.service("users").create({"email": email, "password": password})


def channel_names_of(app: Any, connection: Any) -> list[str]:
    """The channels `connection` is in."""
    return sorted(
        name for name in app.channels if any(c is connection for c in app.channel(name).connections)
    )
