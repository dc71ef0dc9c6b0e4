"""Real-time connections and authentication: handshake login, login/logout events, channels,
token expiry, disconnect and logging in again after a reconnect (real sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from feathers_cli.runtime import errors
from feathers_cli.runtime.client import connect

from ..helpers.socketio import wait_until
from .auth_app import add_user, channel_names_of, make_app

LOGIN = {"strategy": "local", "email": "alice@example.com", "password": "s3cret!"}


async def _serve(**overrides: Any) -> Any:
    app = make_app(**overrides)
    server = await app.start(0, "127.0.0.1")
    server.feathers_app = app
    await add_user(app)
    app.connections_seen = []
    app.on("connection", lambda c: app.connections_seen.append((c, c.get("user"))))
    return server


@pytest.fixture
async def server() -> AsyncIterator[Any]:
    server = await _serve()
    try:
        yield server
    finally:
        await server.stop()


async def _token(app: Any) -> str:
    result = await app.service("authentication").create(LOGIN)
    return result["accessToken"]


@pytest.mark.parametrize("scheme", ["Bearer ", "JWT ", "bearer ", ""])
async def test_handshake_header_logs_in_before_the_connection(server: Any, scheme: str) -> None:
    app = server.feathers_app
    token = await _token(app)
    headers = {"Authorization": f"{scheme}{token}"}
    async with await connect(server.url, headers=headers, timeout=5) as client:
        connection, user_at_connection = app.connections_seen[-1]
        assert user_at_connection == {"id": 0, "email": "alice@example.com"}
        assert connection["authentication"] == {"strategy": "jwt", "accessToken": token}
        assert await client.service("whoami").find() == {"user_id": 0, "strategy": "jwt"}
        assert ("login", connection) in app.events_seen
        assert channel_names_of(app, connection) == ["authenticated", "user/0"]


async def test_handshake_auth_payload_logs_in(server: Any) -> None:
    app = server.feathers_app
    token = await _token(app)
    for auth in ({"accessToken": token}, {"Authorization": f"Bearer {token}"}):
        async with await connect(server.url, auth=auth, timeout=5) as client:
            assert await client.service("whoami").find() == {"user_id": 0, "strategy": "jwt"}


@pytest.mark.parametrize(
    ("header", "message"),
    [("Bearer not-a-token", "jwt malformed"), ("Bearer a.b.c", "jwt malformed")],
)
async def test_invalid_handshake_token_refuses_the_connection(
    server: Any, header: str, message: str
) -> None:
    with pytest.raises(ConnectionError, match=message):
        await connect(server.url, headers={"Authorization": header}, timeout=5)
    assert server.feathers_app.connections_seen == []


async def test_handshake_token_signed_with_another_secret(server: Any) -> None:
    auth = server.feathers_app.service("authentication")
    token = await auth.create_access_token({}, {"subject": "0"}, secret="x" * 40)
    with pytest.raises(ConnectionError, match="invalid signature"):
        await connect(server.url, headers={"Authorization": f"Bearer {token}"}, timeout=5)


async def test_basic_header_connects_anonymously(server: Any) -> None:
    app = server.feathers_app
    async with await connect(server.url, headers={"Authorization": "Basic YTpi"}) as client:
        connection, user = app.connections_seen[-1]
        assert user is None and "authentication" not in connection
        assert channel_names_of(app, connection) == ["anonymous"]
        with pytest.raises(errors.NotAuthenticated, match="Not authenticated"):
            await client.service("whoami").find()


async def test_socket_login_logout_events_and_channels(server: Any) -> None:
    app = server.feathers_app
    async with await connect(server.url, timeout=5) as client:
        connection, _ = app.connections_seen[-1]
        assert channel_names_of(app, connection) == ["anonymous"]
        result = await client.authenticate(LOGIN)
        assert app.events_seen[-1] == ("login", connection)
        assert connection["user"] == result["user"]
        assert connection["authentication"]["accessToken"] == result["accessToken"]
        assert channel_names_of(app, connection) == ["authenticated", "user/0"]
        created: list[Any] = []
        client.service("messages").on("created", created.append)
        await app.service("messages").create({"text": "for logged-in users"})
        await wait_until(lambda: len(created) == 1)
        await client.logout()
        assert app.events_seen[-1] == ("logout", connection)
        assert channel_names_of(app, connection) == []
        await wait_until(lambda: "user" not in connection and "authentication" not in connection)
        await app.service("messages").create({"text": "not for you"})
        await client.service("messages").find()  # a round trip after the event
        assert len(created) == 1


async def test_disconnect_leaves_channels_and_forgets_the_user(server: Any) -> None:
    app = server.feathers_app
    async with await connect(server.url, timeout=5) as client:
        await client.authenticate(LOGIN)
        connection, _ = app.connections_seen[-1]
        assert channel_names_of(app, connection) == ["authenticated", "user/0"]
    await wait_until(lambda: channel_names_of(app, connection) == [])
    await wait_until(lambda: "user" not in connection)


async def test_token_expiry_disconnects_and_leaves_channels() -> None:
    server = await _serve(jwt_options={"audience": "https://example.com", "expires_in": "2s"})
    app = server.feathers_app
    try:
        client = await connect(server.url, timeout=5)
        await client.authenticate(LOGIN)
        connection, _ = app.connections_seen[-1]
        assert channel_names_of(app, connection) == ["authenticated", "user/0"]
        await wait_until(lambda: not client.connected, seconds=5)
        assert channel_names_of(app, connection) == []
        await wait_until(lambda: "user" not in connection)
        await client.close()
    finally:
        await server.stop()


async def test_logs_in_again_by_itself_after_a_reconnect(server: Any) -> None:
    app = server.feathers_app
    options = {"reconnection_delay": 0.1, "reconnection_delay_max": 0.2}
    client = await connect(server.url, transports=["websocket"], timeout=5, **options)
    try:
        token = (await client.authenticate(LOGIN))["accessToken"]
        first, _ = app.connections_seen[-1]
        assert first.get("user") is not None
        # the network goes away: the websocket closes without a Socket.io goodbye
        await client.io.eio.ws.close()
        await wait_until(lambda: len(app.connections_seen) == 2, seconds=5)
        second, _ = app.connections_seen[-1]
        await wait_until(lambda: second.get("user") is not None, seconds=5)
        assert second["authentication"]["accessToken"] == token
        assert channel_names_of(app, second) == ["authenticated", "user/0"]
        assert await client.service("whoami").find() == {"user_id": 0, "strategy": "jwt"}
        assert "user" not in first  # the dropped connection was logged out
    finally:
        await client.close()


async def test_app_middleware_sees_the_handshake_login() -> None:
    """As in Feathers, the handshake login runs before the app's own Socket.io middleware."""
    app = make_app()
    seen: list[Any] = []

    def middleware(socket: Any, next_step: Any) -> None:
        seen.append(socket.feathers.get("user"))
        next_step()

    app.io.use(middleware)
    server = await app.start(0, "127.0.0.1")
    try:
        await add_user(app)
        token = (await app.service("authentication").create(LOGIN))["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        async with await connect(server.url, headers=headers, timeout=5):
            assert seen == [{"id": 0, "email": "alice@example.com"}]
    finally:
        await server.stop()
