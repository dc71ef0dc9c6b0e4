"""Authentication over real sockets with the Python client: login, tokens, hooks, logout."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest

from feathers_cli.runtime import errors
from feathers_cli.runtime.client import Client, connect

from .auth_app import SECRET, add_user, make_app

LOGIN = {"strategy": "local", "email": "alice@example.com", "password": "s3cret!"}


@pytest.fixture
async def server() -> AsyncIterator[Any]:
    app = make_app()
    server = await app.start(0, "127.0.0.1")
    server.feathers_app = app
    await add_user(app)
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client(server: Any) -> AsyncIterator[Client]:
    async with await connect(server.url, timeout=5) as client:
        yield client


def _segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_local_login_result_token_and_protected_user(client: Client) -> None:
    result = await client.authenticate(LOGIN)
    assert set(result) == {"accessToken", "authentication", "user"}
    assert result["user"] == {"id": 0, "email": "alice@example.com"}
    assert result["authentication"]["strategy"] == "local"
    token = result["accessToken"]
    assert _segment(token, 0) == {"alg": "HS256", "typ": "access"}
    payload = result["authentication"]["payload"]
    assert payload == _segment(token, 1)
    assert set(payload) == {"iat", "exp", "aud", "iss", "sub", "jti"}
    assert payload["sub"] == "0" and payload["aud"] == "https://example.com"
    assert payload["exp"] - payload["iat"] == 86400
    jwt.decode(token, SECRET, algorithms=["HS256"], audience="https://example.com")
    assert str(__import__("uuid").UUID(payload["jti"], version=4)) == payload["jti"]


async def test_jwt_login_returns_the_same_token(client: Client) -> None:
    token = (await client.authenticate(LOGIN))["accessToken"]
    again = await client.service("authentication").create({"strategy": "jwt", "accessToken": token})
    assert again["accessToken"] == token
    assert again["authentication"]["strategy"] == "jwt"
    assert again["user"] == {"id": 0, "email": "alice@example.com"}


@pytest.mark.parametrize(
    "data",
    [
        {"strategy": "local", "email": "alice@example.com", "password": "wrong"},
        {"strategy": "local", "email": "nobody@example.com", "password": "s3cret!"},
        {"strategy": "local", "email": "alice@example.com"},
        {"strategy": "local", "email": "alice@example.com", "password": ""},
    ],
)
async def test_local_failures_are_invalid_login(client: Client, data: dict[str, Any]) -> None:
    with pytest.raises(errors.NotAuthenticated, match=r"^Invalid login$"):
        await client.authenticate(data)


async def test_feathers_messages_for_strategies(client: Client) -> None:
    auth = client.service("authentication")
    with pytest.raises(errors.NotAuthenticated) as info:
        await auth.create({"email": "alice@example.com"})
    assert info.value.message == "Invalid authentication information (no `strategy` set)"
    with pytest.raises(errors.NotAuthenticated) as info:
        await auth.create({"strategy": "github"})
    assert info.value.message == (
        "Invalid authentication information (strategy not allowed in authStrategies)"
    )
    with pytest.raises(errors.NotAuthenticated, match=r"^No access token$"):
        await auth.create({"strategy": "jwt"})


async def test_no_strategies_configured(server: Any) -> None:
    app = server.feathers_app
    app.get("authentication")["auth_strategies"] = []
    with pytest.raises(errors.NotAuthenticated) as info:
        await app.service("authentication").create(LOGIN)
    assert info.value.message == (
        "No authentication strategies allowed for creating a JWT (`authStrategies`)"
    )


async def test_authenticate_hook_sets_user_and_authentication(client: Client) -> None:
    with pytest.raises(errors.NotAuthenticated, match=r"^Not authenticated$"):
        await client.service("whoami").find()
    with pytest.raises(errors.NotAuthenticated):
        await client.service("users").find()
    await client.authenticate(LOGIN)
    assert await client.service("whoami").find() == {"user_id": 0, "strategy": "jwt"}
    users = await client.service("users").find()
    assert users == [{"id": 0, "email": "alice@example.com"}]


async def test_internal_calls_pass_the_hook(server: Any) -> None:
    users = await server.feathers_app.service("users").find()
    assert users[0]["password"].startswith("$argon2")


async def test_camel_case_config() -> None:
    app = make_app(camel_case=True)
    server = await app.start(0, "127.0.0.1")
    try:
        await add_user(app)
        async with await connect(server.url, timeout=5) as client:
            result = await client.authenticate(LOGIN)
            assert result["authentication"]["payload"]["aud"] == "https://example.com"
            assert await client.service("whoami").find() == {"user_id": 0, "strategy": "jwt"}
    finally:
        await server.stop()


async def test_authentication_service_sends_no_events(server: Any, client: Client) -> None:
    seen: list[Any] = []
    client.on("authentication created", seen.append)
    client.on("authentication removed", seen.append)
    await client.authenticate(LOGIN)
    await client.logout()
    await client.service("messages").create({"text": "flush"})  # an event after those calls
    await client.authenticate(LOGIN)
    created: list[Any] = []
    client.service("messages").on("created", created.append)
    await client.service("messages").create({"text": "hi"})
    assert [m["text"] for m in created] == ["hi"] and seen == []


async def test_hash_password_and_protect_on_create(client: Client) -> None:
    created = await client.service("users").create({"email": "bob@example.com", "password": "pw"})
    assert created == {"id": 1, "email": "bob@example.com"}
    bob = {"strategy": "local", "email": "bob@example.com", "password": "pw"}
    assert (await client.authenticate(bob))["user"]["id"] == 1


async def test_logout_revokes_the_token(server: Any, client: Client) -> None:
    token = (await client.authenticate(LOGIN))["accessToken"]
    result = await client.logout()
    assert result is not None and result["accessToken"] == token
    assert client.access_token is None
    with pytest.raises(errors.NotAuthenticated, match=r"^Not authenticated$"):
        await client.service("whoami").find()
    async with await connect(server.url, timeout=5) as other:
        with pytest.raises(errors.NotAuthenticated, match=r"^Token revoked$"):
            await other.service("authentication").create({"strategy": "jwt", "accessToken": token})
        with pytest.raises(ConnectionError, match="Token revoked"):
            await connect(server.url, headers={"Authorization": f"Bearer {token}"})


async def test_remove_with_another_token_id(client: Client) -> None:
    await client.authenticate(LOGIN)
    with pytest.raises(errors.NotAuthenticated, match=r"^Invalid access token$"):
        await client.service("authentication").remove("not-my-token")


async def test_tokens_expire(server: Any) -> None:
    app = server.feathers_app
    auth = app.service("authentication")
    token = await auth.create_access_token({}, {"subject": "0", "expires_in": -10})
    with pytest.raises(errors.NotAuthenticated) as info:
        await auth.create({"strategy": "jwt", "accessToken": token})
    assert info.value.message == "jwt expired"
    assert info.value.data is None


async def test_password_never_in_login_result(client: Client) -> None:
    result = await client.authenticate(LOGIN)
    assert "password" not in json.dumps(result)


async def test_re_authenticate_uses_the_stored_token(client: Client) -> None:
    with pytest.raises(errors.NotAuthenticated, match="No accessToken found in storage"):
        await client.re_authenticate()
    first = await client.authenticate(LOGIN)
    assert await client.re_authenticate() is first
    forced = await client.re_authenticate(force=True)
    assert forced["accessToken"] == first["accessToken"]
    assert forced["authentication"]["strategy"] == "jwt"


async def test_expires_in_is_configurable() -> None:
    app = make_app(jwt_options={"expires_in": "2h"})
    auth = app.service("authentication")
    payload = jwt.decode(await auth.create_access_token({}), options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 7200
    assert abs(payload["iat"] - time.time()) < 5


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "local",
        5,
        {"strategy": ["local"]},
        {"strategy": {"$ne": 1}},
        {"strategy": "jwt", "accessToken": {"$ne": 1}},
        {"strategy": "jwt", "accessToken": ["a.b.c"]},
        {"strategy": "jwt", "accessToken": "x" * 100_000},
    ],
)
async def test_bad_login_data_is_401_never_a_crash(client: Client, data: Any) -> None:
    with pytest.raises(errors.NotAuthenticated):
        await client.service("authentication").create(data)
    await client.authenticate(LOGIN)  # the connection still works


@pytest.mark.parametrize("id", [{"$ne": 1}, ["a"], 5])
async def test_bad_logout_ids_are_401(client: Client, id: Any) -> None:
    await client.authenticate(LOGIN)
    with pytest.raises(errors.NotAuthenticated, match="Invalid access token"):
        await client.service("authentication").remove(id)
