"""The `messages` service: its methods through the app and, for logged-in clients,
over a socket and over REST; the sender and the time each message gets on the server."""

import asyncio
import uuid

import httpx
import pytest
from feathers.client import connect
from feathers.errors import BadRequest, MethodNotAllowed, NotAuthenticated, NotFound

from chat.services.messages import METHODS, PATH
from chat.services.messages.schema import MAX_TEXT_LENGTH

PASSWORD = "correct horse battery staple"


def records_of(result):
    """The records of a find result, paginated or not."""
    return result["data"] if isinstance(result, dict) else result


async def sign_up(app):
    """A new user, created on the server."""
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    return await app.service("users").create({"email": email, "password": PASSWORD})


async def log_in(client, user):
    """Log `client` in as `user`; returns the access token."""
    credentials = {"strategy": "local", "email": user["email"], "password": PASSWORD}
    return (await client.authenticate(credentials))["accessToken"]


@pytest.fixture
async def user(app):
    return await sign_up(app)


@pytest.fixture
async def token(client, user):
    """The socket client, logged in as `user`."""
    return await log_in(client, user)


async def seed(app, data, user):
    """A message `user` sent, created on the server."""
    return await app.service(PATH).create(data, {"user": user})


def test_the_service_is_registered_with_its_methods(app):
    assert app.service(PATH) is not None
    assert METHODS == ["find", "get", "create", "patch", "remove"]


async def test_the_methods_work_through_the_app(app, user):
    service = app.service(PATH)
    record = await seed(app, {"text": "hello"}, user)
    assert record["user_id"] == user["id"]
    assert record["user"] == {"id": user["id"], "email": user["email"]}
    assert record in records_of(await service.find({"query": {"id": record["id"]}}))
    assert await service.get(record["id"]) == record
    patched = await service.patch(record["id"], {"text": "patched"})
    assert (patched["id"], patched["text"]) == (record["id"], "patched")
    assert patched["created_at"] == record["created_at"]
    await service.remove(record["id"])
    with pytest.raises(NotFound):
        await service.get(record["id"])


async def test_a_message_created_on_the_server_needs_a_user(app):
    with pytest.raises(NotAuthenticated):
        await app.service(PATH).create({"text": "from nobody"})


async def test_clients_call_the_service_over_a_socket(app, client, user, token):
    service = client.service(PATH)
    record = await service.create({"text": "over the socket"})
    assert record["text"] == "over the socket"
    assert (record["user_id"], record["user"]["email"]) == (user["id"], user["email"])
    assert "password" not in record["user"]
    assert record in records_of(await service.find({"query": {"text": "over the socket"}}))
    assert await service.get(record["id"]) == record
    assert (await service.patch(record["id"], {"text": "patched"}))["text"] == "patched"
    assert (await service.remove(record["id"]))["id"] == record["id"]


async def test_clients_must_log_in(client, url):
    with pytest.raises(NotAuthenticated):
        await client.service(PATH).find()
    with pytest.raises(NotAuthenticated):
        await client.service(PATH).create({"text": "anonymous"})
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        refused = await http.post(f"/{PATH}", json={"text": "anonymous"})
        assert (refused.status_code, refused.json()["name"]) == (401, "NotAuthenticated")


async def test_clients_call_the_service_over_rest(app, url, user, token):
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=10, headers=headers) as http:
        created = await http.post(f"/{PATH}", json={"text": "over REST"})
        assert created.status_code == 201
        record = created.json()
        assert (record["text"], record["user_id"]) == ("over REST", user["id"])
        item = f"/{PATH}/{record['id']}"
        found = await http.get(f"/{PATH}", params={"text": "over REST"})
        assert found.status_code == 200
        assert record in records_of(found.json())
        got = await http.get(item)
        assert (got.status_code, got.json()) == (200, record)
        patched = await http.patch(item, json={"text": "patched"})
        assert (patched.status_code, patched.json()["text"]) == (200, "patched")
        removed = await http.delete(item)
        assert (removed.status_code, removed.json()["id"]) == (200, record["id"])
        refused = await http.put(f"/{PATH}/0", json={"text": "hello"})
        assert refused.status_code == 405
        assert refused.json()["name"] == "MethodNotAllowed"


async def test_clients_cannot_call_methods_that_are_not_exposed(client, token):
    with pytest.raises(MethodNotAllowed):
        await client.service(PATH).update(0, {"text": "hello"})


async def test_data_of_the_wrong_type_is_refused_with_the_field_named(app, client, user, token):
    # schema.py's Data: `text` is a string; the app and clients get the same BadRequest
    for service, params in ((app.service(PATH), {"user": user}), (client.service(PATH), {})):
        with pytest.raises(BadRequest) as raised:
            await service.create({"text": 5}, params)
        assert raised.value.data[0]["loc"] == ["text"]
        with pytest.raises(BadRequest) as raised:
            await service.create({"text": "hello", "unknown": 1}, params)
        assert raised.value.data[0]["loc"] == ["unknown"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"text": ""}, "text"),
        ({"text": "x" * (MAX_TEXT_LENGTH + 1)}, "text"),
        ({"text": "hello", "user_id": 1}, "user_id"),
        ({"text": "hello", "created_at": 0}, "created_at"),
    ],
)
async def test_clients_send_the_text_only(client, token, data, field):
    with pytest.raises(BadRequest) as raised:
        await client.service(PATH).create(data)
    assert raised.value.data[0]["loc"] == [field]


async def test_the_newest_messages_come_first_and_reach_other_users(app, client, url, user, token):
    other = await sign_up(app)
    second = await connect(url)
    try:
        await log_in(second, other)
        arrived = []
        second.service(PATH).on("created", lambda data, *_: arrived.append(data))
        first = await client.service(PATH).create({"text": "first"})
        last = await client.service(PATH).create({"text": "last"})
        for _ in range(100):  # the events arrive shortly after the replies
            if len(arrived) >= 2:
                break
            await asyncio.sleep(0.05)
        assert [message["id"] for message in arrived] == [first["id"], last["id"]]
        assert arrived[0]["user"] == {"id": user["id"], "email": user["email"]}
        query = {"user_id": user["id"], "$sort": {"created_at": -1, "id": -1}, "$limit": 2}
        newest = records_of(await second.service(PATH).find({"query": query}))
        assert [message["text"] for message in newest] == ["last", "first"]
        query = {"created_at": {"$lt": last["created_at"] + 1}, "id": {"$lt": last["id"]}}
        older = records_of(await second.service(PATH).find({"query": query}))
        assert first["id"] in [message["id"] for message in older]
    finally:
        await second.close()


async def test_queries_are_typed_by_the_schema(app, client, user, token):
    record = await seed(app, {"text": "typed"}, user)
    service = app.service(PATH)
    # a query string's values are strings: the schema's Query makes "1" the integer 1
    # the params of a REST call by a logged-in user, as the transport and authenticate make them
    params = {"provider": "rest", "user": user, "authenticated": True}
    query = {"id": str(record["id"])}
    assert records_of(await service.find({**params, "query": query})) == [record]
    for bad in ({"id": "one"}, {"text": {"$gt": 1}}, {"nonexistent": 1}, {"$sort": {"x": 1}}):
        with pytest.raises(BadRequest):
            await service.find({**params, "query": bad})
        with pytest.raises(BadRequest):
            await client.service(PATH).find({"query": bad})


async def test_rest_types_the_query_string_and_refuses_bad_data(app, url, user, token):
    record = await seed(app, {"text": "over REST"}, user)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=10, headers=headers) as http:
        # ?id=1: the string "1" of the query string is the integer id for the schema's Query
        found = await http.get(f"/{PATH}", params={"id": str(record["id"])})
        assert found.status_code == 200
        assert records_of(found.json()) == [record]
        refused = await http.get(f"/{PATH}", params={"id": "one"})
        assert (refused.status_code, refused.json()["name"]) == (400, "BadRequest")
        assert refused.json()["data"][0]["loc"] == ["id"]
        refused = await http.post(f"/{PATH}", json={"text": 5})
        assert (refused.status_code, refused.json()["name"]) == (400, "BadRequest")
        assert refused.json()["data"][0]["loc"] == ["text"]
