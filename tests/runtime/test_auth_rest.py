"""Authentication over REST (real HTTP, httpx): `Authorization: Bearer` on each request.

Needs the REST transport (`runtime/rest.py`, branch `rest`): skipped until it is there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

pytest.importorskip("feathers_cli.runtime.rest", reason="the REST transport is not merged yet")
httpx = pytest.importorskip("httpx")

from feathers_cli.runtime.rest import rest  # noqa: E402

from .auth_app import add_user, make_app  # noqa: E402

LOGIN = {"strategy": "local", "email": "alice@example.com", "password": "s3cret!"}


@pytest.fixture
async def http() -> AsyncIterator[Any]:
    app = make_app()
    app.configure(rest())
    server = await app.start(0, "127.0.0.1")
    await add_user(app)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            client.feathers_app = app
            yield client
    finally:
        await server.stop()


async def _login(http: Any) -> str:
    response = await http.post("/authentication", json=LOGIN)
    assert response.status_code == 201, response.text
    return response.json()["accessToken"]


async def test_login_and_bearer_on_each_request(http: Any) -> None:
    response = await http.post("/authentication", json=LOGIN)
    assert response.status_code == 201
    body = response.json()
    assert body["user"] == {"id": 0, "email": "alice@example.com"}
    assert body["authentication"]["strategy"] == "local"
    token = body["accessToken"]
    for header in (f"Bearer {token}", f"JWT {token}", token):
        whoami = await http.get("/whoami", headers={"Authorization": header})
        assert whoami.status_code == 200 and whoami.json() == {"user_id": 0, "strategy": "jwt"}
    users = await http.get("/users", headers={"Authorization": f"Bearer {token}"})
    assert users.json() == [{"id": 0, "email": "alice@example.com"}]


async def test_requests_without_or_with_a_bad_token_are_401(http: Any) -> None:
    for headers, message in [
        ({}, "Not authenticated"),
        ({"Authorization": "Basic YTpi"}, "Not authenticated"),
        ({"Authorization": "Bearer nonsense"}, "jwt malformed"),
    ]:
        response = await http.get("/whoami", headers=headers)
        assert response.status_code == 401
        assert response.json()["name"] == "NotAuthenticated"
        assert response.json()["message"] == message


async def test_wrong_password_is_401_invalid_login(http: Any) -> None:
    response = await http.post("/authentication", json={**LOGIN, "password": "nope"})
    assert response.status_code == 401 and response.json()["message"] == "Invalid login"
    response = await http.post("/authentication", json={**LOGIN, "email": {"$ne": "x"}})
    assert response.status_code == 401 and response.json()["message"] == "Invalid login"


async def test_delete_authentication_without_a_token_is_401(http: Any) -> None:
    token = await _login(http)
    for path in (f"/authentication/{token}", "/authentication"):
        response = await http.delete(path)
        assert response.status_code == 401
        assert response.json()["message"] == "Not authenticated"


async def test_logout_over_rest_revokes_the_token(http: Any) -> None:
    app = http.feathers_app
    events: list[Any] = []
    app.on("logout", lambda result, params, *_: events.append(params.get("provider")))
    token = await _login(http)
    auth = {"Authorization": f"Bearer {token}"}
    response = await http.delete(f"/authentication/{token}", headers=auth)
    assert response.status_code == 200 and response.json()["accessToken"] == token
    assert events == ["rest"]
    response = await http.get("/whoami", headers=auth)
    assert response.status_code == 401 and response.json()["message"] == "Token revoked"


async def test_login_event_over_rest_has_no_connection(http: Any) -> None:
    app = http.feathers_app
    await _login(http)
    assert app.events_seen[-1] == ("login", None)


async def test_too_many_failed_logins_over_rest_is_429(http: Any) -> None:
    for _ in range(10):
        response = await http.post("/authentication", json={**LOGIN, "password": "nope"})
        assert response.status_code == 401
    response = await http.post("/authentication", json=LOGIN)
    assert response.status_code == 429 and response.json()["name"] == "TooManyRequests"


async def test_python_rest_client_authenticate_and_logout(http: Any) -> None:
    from feathers_cli.runtime import errors
    from feathers_cli.runtime.client import connect_rest

    async with await connect_rest(str(http.base_url), timeout=10) as client:
        result = await client.authenticate(LOGIN)
        assert result["user"] == {"id": 0, "email": "alice@example.com"}
        assert await client.service("whoami").find() == {"user_id": 0, "strategy": "jwt"}
        assert (await client.re_authenticate(force=True))["accessToken"] == result["accessToken"]
        await client.logout()
        assert client.access_token is None
        with pytest.raises(errors.NotAuthenticated, match="Not authenticated"):
            await client.service("whoami").find()
    async with await connect_rest(str(http.base_url), access_token=result["accessToken"]) as other:
        with pytest.raises(errors.NotAuthenticated, match="Token revoked"):
            await other.service("whoami").find()
