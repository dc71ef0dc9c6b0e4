"""Where authentication is safer than Feathers 5: one test per point of issue 13, item 4."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest

from feathers_cli.runtime import _auth_stores, errors
from feathers_cli.runtime.client import Client, connect

from .auth_app import SECRET, add_user, make_app

LOGIN = {"strategy": "local", "email": "alice@example.com", "password": "s3cret!"}

# Hashes as Node Feathers (bcryptjs, 10 rounds) stores them, for the password "node-password"
BCRYPT_2A = "$2a$10$cfPe5MFqkXlih6inIKtFe.8T90ft8.f2EDU4LJzp0hG553SWqnFV6"
BCRYPT_2B = "$2b$10$6SXrgSidHaw/HPJXY/YHROqydUfq5UshWObmu64bICwuZBpAe.5he"
# "x" * 72 (bcrypt reads 72 bytes of a password at most; bcryptjs ignores the rest)
BCRYPT_72 = "$2a$04$Jatdv1NHKiKBHahR25M14.FbZzQiqbkpkKNbtjEooG2tupP.vZ1DS"


@pytest.fixture
async def server() -> AsyncIterator[Any]:
    app = make_app()
    server = await app.start(0, "127.0.0.1")
    server.feathers_app = app
    await add_user(app)
    await add_user(app, "bob@example.com", "bobs-password")
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client(server: Any) -> AsyncIterator[Client]:
    async with await connect(server.url, timeout=5) as client:
        yield client


@pytest.mark.parametrize(
    "fields",
    [
        {"email": {"$ne": "x"}, "password": "s3cret!"},
        {"email": {"$ne": "x"}, "password": "bobs-password"},
        {"email": ["alice@example.com"], "password": "s3cret!"},
        {"email": 0, "password": "s3cret!"},
        {"email": "alice@example.com", "password": {"$ne": "x"}},
        {"email": "alice@example.com", "password": ["s3cret!"]},
        {"email": "alice@example.com", "password": 123},
        {"email": None, "password": "s3cret!"},
    ],
)
async def test_login_fields_that_are_not_strings_are_invalid_login(
    client: Client, fields: dict[str, Any]
) -> None:
    with pytest.raises(errors.NotAuthenticated) as info:
        await client.authenticate({"strategy": "local", **fields})
    assert info.value.message == "Invalid login" and info.value.code == 401


async def test_valid_token_of_a_deleted_user_is_401(server: Any, client: Client) -> None:
    app = server.feathers_app
    token = (await client.authenticate(LOGIN))["accessToken"]
    await app.service("users").remove(0)
    with pytest.raises(errors.NotAuthenticated) as info:
        await client.service("whoami").find()
    assert info.value.code == 401
    with pytest.raises(errors.NotAuthenticated):
        await client.service("authentication").create({"strategy": "jwt", "accessToken": token})
    with pytest.raises(ConnectionError, match="Not authenticated"):
        await connect(server.url, headers={"Authorization": f"Bearer {token}"}, timeout=5)


async def test_remove_without_a_token_is_401(client: Client) -> None:
    for id in (None, "some-token"):
        with pytest.raises(errors.NotAuthenticated) as info:
            await client.service("authentication").remove(id)
        assert info.value.code == 401 and info.value.message == "Not authenticated"


INTERNALS = ("JsonWebTokenError", "TokenExpiredError", "expiredAt", "PyJWT", "jwt.", "example.com")


async def _bad_tokens(app: Any) -> dict[str, str]:
    auth = app.service("authentication")
    now = int(time.time())
    claims = {"sub": "0", "iat": now, "exp": now + 60, "iss": "feathers"}
    return {
        "expired": await auth.create_access_token({}, {"subject": "0", "expires_in": -5}),
        "audience": jwt.encode({**claims, "aud": "https://other.example.com"}, SECRET),
        "issuer": jwt.encode({**claims, "aud": "https://example.com", "iss": "x"}, SECRET),
        "secret": jwt.encode({**claims, "aud": "https://example.com"}, "y" * 40),
        "none": jwt.encode({**claims, "aud": "https://example.com"}, None, algorithm="none"),
        "no-exp": jwt.encode({"sub": "0", "aud": "https://example.com"}, SECRET),
        "garbage": "definitely-not-a-jwt",
    }


async def test_jwt_errors_name_no_library_internals(server: Any, client: Client) -> None:
    tokens = await _bad_tokens(server.feathers_app)
    messages = {}
    for name, token in tokens.items():
        with pytest.raises(errors.NotAuthenticated) as info:
            await client.service("authentication").create({"strategy": "jwt", "accessToken": token})
        wire = json.dumps(info.value.to_json())
        assert not [word for word in INTERNALS if word in wire], (name, wire)
        assert info.value.data is None
        messages[name] = info.value.message
    assert messages == {
        "expired": "jwt expired",
        "audience": "invalid token",
        "issuer": "invalid token",
        "secret": "invalid signature",
        "none": "invalid token",
        "no-exp": "invalid token",
        "garbage": "jwt malformed",
    }


async def test_secret_is_required() -> None:
    app = make_app(secret=None)
    with pytest.raises(ValueError, match="FEATHERS_AUTH_SECRET"):
        await app.setup()


async def test_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEATHERS_AUTH_SECRET", "e" * 40)
    app = make_app(secret=None)
    await app.setup()
    token = await app.service("authentication").create_access_token({})
    jwt.decode(token, "e" * 40, algorithms=["HS256"], audience="https://example.com")


async def test_short_secret_fails_start_up_in_production(caplog: Any) -> None:
    app = make_app(secret="short")
    with caplog.at_level(logging.WARNING, "feathers.authentication"):
        await app.setup()  # development: a warning only
    assert "shorter than 32 bytes" in caplog.text
    app = make_app(secret="short")
    app.set("env", "production")
    with pytest.raises(ValueError, match="shorter than 32 bytes"):
        await app.setup()
    with pytest.raises(Exception, match="shorter than 32 bytes"):
        await app.start(0, "127.0.0.1")


async def test_short_secret_with_feathers_env_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEATHERS_ENV", "production")
    with pytest.raises(ValueError, match="FEATHERS_AUTH_SECRET"):
        await make_app(secret="x" * 31).setup()
    await make_app(secret="x" * 32).setup()


async def test_failed_login_limit_over_a_socket(server: Any, client: Client) -> None:
    wrong = {**LOGIN, "password": "wrong"}
    for _ in range(10):
        with pytest.raises(errors.NotAuthenticated):
            await client.authenticate(wrong)
    for attempt in (wrong, LOGIN):
        with pytest.raises(errors.TooManyRequests) as info:
            await client.authenticate(attempt)
        assert info.value.code == 429
    # another user from the same address is not affected
    bob = {"strategy": "local", "email": "bob@example.com", "password": "bobs-password"}
    assert (await client.authenticate(bob))["user"]["email"] == "bob@example.com"


class FakeClock:
    """`time.time()` for the stores, moved by hand (windows of minutes, tests of seconds)."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


async def test_failed_login_limit_per_address_and_window(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(_auth_stores, "time", clock)
    app = make_app(login_limit={"max_failures": 3, "window": "15m"})
    await app.setup()
    await add_user(app)
    auth = app.service("authentication")
    here = {"provider": "rest", "address": "10.0.0.1"}
    there = {"provider": "rest", "address": "10.0.0.2"}
    for _ in range(3):
        with pytest.raises(errors.NotAuthenticated):
            await auth.create({**LOGIN, "password": "wrong"}, dict(here))
    with pytest.raises(errors.TooManyRequests):
        await auth.create(LOGIN, dict(here))
    assert (await auth.create(LOGIN, dict(there)))["user"]["id"] == 0  # another address
    assert (await auth.create(LOGIN))["user"]["id"] == 0  # internal calls are not limited
    clock.now += 14 * 60  # still inside the window
    with pytest.raises(errors.TooManyRequests):
        await auth.create(LOGIN, dict(here))
    clock.now += 61  # the window passes
    assert (await auth.create(LOGIN, dict(here)))["user"]["id"] == 0


async def test_failed_login_limit_can_be_turned_off() -> None:
    app = make_app(loginLimit=False)
    await app.setup()
    await add_user(app)
    auth = app.service("authentication")
    for _ in range(12):
        with pytest.raises(errors.NotAuthenticated):
            await auth.create({**LOGIN, "password": "wrong"}, {"provider": "rest"})
    assert (await auth.create(LOGIN, {"provider": "rest"}))["user"]["id"] == 0


@pytest.mark.parametrize("stored", [BCRYPT_2A, BCRYPT_2B])
async def test_users_moved_from_node_log_in_with_bcrypt_hashes(
    server: Any, client: Client, stored: str
) -> None:
    users = server.feathers_app.service("users")
    users.store[7] = {"id": 7, "email": "node@example.com", "password": stored}
    login = {"strategy": "local", "email": "node@example.com", "password": "node-password"}
    assert (await client.authenticate(login))["user"] == {"id": 7, "email": "node@example.com"}
    with pytest.raises(errors.NotAuthenticated, match="Invalid login"):
        await client.authenticate({**login, "password": "node-passwort"})


async def test_bcrypt_reads_72_bytes_like_bcryptjs(server: Any, client: Client) -> None:
    users = server.feathers_app.service("users")
    users.store[8] = {"id": 8, "email": "long@example.com", "password": BCRYPT_72}
    login = {"strategy": "local", "email": "long@example.com", "password": "x" * 80}
    assert (await client.authenticate(login))["user"]["id"] == 8


async def test_new_hashes_are_argon2_and_unknown_hashes_fail(server: Any, client: Client) -> None:
    users = server.feathers_app.service("users")
    assert users.store[0]["password"].startswith("$argon2id$")
    users.store[9] = {"id": 9, "email": "plain@example.com", "password": "not-a-hash"}
    with pytest.raises(errors.NotAuthenticated, match="Invalid login"):
        await client.authenticate(
            {"strategy": "local", "email": "plain@example.com", "password": "not-a-hash"}
        )


async def test_unknown_user_costs_a_password_check(
    server: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No telling from the time a login takes whether a username exists."""
    from feathers_cli.runtime import _auth_strategies

    checked: list[str] = []
    verify = _auth_strategies.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored[:9])
        return verify(password, stored)

    monkeypatch.setattr(_auth_strategies, "verify_password", counting)
    for email in ("nobody@example.com", "alice@example.com"):
        with pytest.raises(errors.NotAuthenticated, match="Invalid login"):
            await client.authenticate({"strategy": "local", "email": email, "password": "x"})
    assert checked == ["$argon2id", "$argon2id"]
