"""Authentication: users sign up, log in over a socket and over HTTP, and their password
never leaves the server (not in replies, not in real-time events)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from feathers.client import connect
from feathers.errors import BadRequest, Conflict, NotAuthenticated

from chat.services.users import PATH

PASSWORD = "correct horse battery staple"


def new_email() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.com"


def credentials(email: str, password: str = PASSWORD) -> dict:
    return {"strategy": "local", "email": email, "password": password}


def records_of(result):
    """The records of a find result, paginated or not."""
    return result["data"] if isinstance(result, dict) else result


async def sign_up(client, email: str) -> dict:
    return await client.service(PATH).create({"email": email, "password": PASSWORD})


async def test_signing_up_keeps_only_a_hash_of_the_password(app, client):
    email = new_email()
    user = await sign_up(client, email)
    assert user["email"] == email
    assert "password" not in user
    stored = await app.service(PATH).get(user["id"])  # on the server: the hash is there
    assert stored["password"].startswith("$argon2")
    assert PASSWORD not in stored["password"]


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not an address", "password": PASSWORD},
        {"email": "short@example.com", "password": "short"},
        {"email": "id@example.com", "password": PASSWORD, "id": 1},
        {"password": PASSWORD},
        {"email": "nopassword@example.com"},
    ],
)
async def test_a_bad_sign_up_is_a_bad_request(client, data):
    with pytest.raises(BadRequest):
        await client.service(PATH).create(data)


async def test_an_email_signs_up_once(client):
    email = new_email()
    await sign_up(client, email)
    with pytest.raises(Conflict, match="A record with the same email already exists"):
        await sign_up(client, email)


async def test_an_email_cannot_be_taken_by_a_change_either(app):
    users = app.service(PATH)
    taken, other = new_email(), new_email()
    await users.create({"email": taken, "password": PASSWORD})
    user = await users.create({"email": other, "password": PASSWORD})
    with pytest.raises(Conflict):
        await users.patch(user["id"], {"email": taken})
    with pytest.raises(Conflict):
        await users.update(user["id"], {"email": taken, "password": PASSWORD})
    # its own e-mail again is no conflict
    await users.patch(user["id"], {"email": other})
    assert (await users.get(user["id"]))["email"] == other


async def test_logging_in_over_a_socket(client):
    email = new_email()
    user = await sign_up(client, email)
    result = await client.authenticate(credentials(email))
    assert result["accessToken"]
    assert result["authentication"]["strategy"] == "local"
    assert result["user"]["id"] == user["id"]
    assert "password" not in result["user"]
    own = await client.service(PATH).get(user["id"])
    assert own["email"] == email
    assert "password" not in own
    assert all("password" not in each for each in records_of(await client.service(PATH).find()))


async def test_users_need_a_login_and_a_wrong_password_is_refused(client):
    email = new_email()
    await sign_up(client, email)
    with pytest.raises(NotAuthenticated):
        await client.service(PATH).find()
    with pytest.raises(NotAuthenticated, match="Invalid login"):
        await client.authenticate(credentials(email, "not the password"))
    with pytest.raises(NotAuthenticated, match="Invalid login"):
        await client.authenticate(credentials(new_email()))


async def test_a_token_in_the_handshake_logs_a_new_connection_in(client, url):
    email = new_email()
    user = await sign_up(client, email)
    token = (await client.authenticate(credentials(email)))["accessToken"]
    second = await connect(url, headers={"Authorization": f"Bearer {token}"})
    try:
        assert (await second.service(PATH).get(user["id"]))["id"] == user["id"]
    finally:
        await second.close()


async def test_login_and_logout_move_the_connection_between_channels(app, client):
    email = new_email()
    user = await sign_up(client, email)
    assert app.channel("anonymous").length == 1
    await client.authenticate(credentials(email))
    assert app.channel("anonymous").length == 0
    assert app.channel("authenticated").length == 1
    assert app.channel(f"user/{user['id']}").length == 1
    await client.logout()
    assert app.channel("authenticated").length == 0
    assert app.channel(f"user/{user['id']}").length == 0
    assert app.channel("anonymous").length == 1


async def test_events_reach_logged_in_connections_without_the_password(client, url):
    watcher_email = new_email()
    await sign_up(client, watcher_email)
    await client.authenticate(credentials(watcher_email))
    anonymous = await connect(url)
    events: list[tuple[str, dict]] = []
    anonymous_events: list[dict] = []
    for event in ("created", "patched"):
        client.service(PATH).on(event, lambda data, *_, event=event: events.append((event, data)))
        anonymous.service(PATH).on(event, lambda data, *_: anonymous_events.append(data))
    newcomer = await connect(url)
    try:
        email = new_email()
        user = await sign_up(newcomer, email)
        await newcomer.authenticate(credentials(email))
        await newcomer.service(PATH).patch(user["id"], {"password": "a new password"})
        for _ in range(100):  # the events arrive shortly after the replies
            if len(events) >= 2:
                break
            await asyncio.sleep(0.05)
        assert [event for event, _ in events] == ["created", "patched"]
        assert all(data["id"] == user["id"] and "password" not in data for _, data in events)
        assert anonymous_events == []
        await newcomer.logout()
        await newcomer.authenticate(credentials(email, "a new password"))
    finally:
        await newcomer.close()
        await anonymous.close()


async def test_signing_up_and_logging_in_over_http(url):
    email = new_email()
    async with httpx.AsyncClient(base_url=url) as http:
        created = await http.post(f"/{PATH}", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201
        assert "password" not in created.json()
        assert (await http.get(f"/{PATH}")).status_code == 401
        wrong = await http.post("/authentication", json=credentials(email, "not the password"))
        assert (wrong.status_code, wrong.json()["message"]) == (401, "Invalid login")

        login = await http.post("/authentication", json=credentials(email))
        assert login.status_code == 201
        result = login.json()
        assert result["user"]["id"] == created.json()["id"]
        assert "password" not in result["user"]
        headers = {"Authorization": f"Bearer {result['accessToken']}"}
        found = await http.get(f"/{PATH}", headers=headers)
        assert found.status_code == 200
        assert all("password" not in each for each in records_of(found.json()))
        assert PASSWORD not in found.text and PASSWORD not in login.text

        again = await http.post(f"/{PATH}", json={"email": email, "password": PASSWORD})
        assert (again.status_code, again.json()["name"]) == (409, "Conflict")
        assert again.json()["message"] == "A record with the same email already exists"

        # logging out revokes the token
        assert (await http.delete("/authentication", headers=headers)).status_code == 200
        assert (await http.get(f"/{PATH}", headers=headers)).status_code == 401
