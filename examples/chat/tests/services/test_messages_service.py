"""The `messages` service: its methods through the app and, for clients,
over a socket and over REST."""

import httpx
import pytest
from feathers.errors import BadRequest, MethodNotAllowed, NotFound

from chat.services.messages import METHODS, PATH


def records_of(result):
    """The records of a find result, paginated or not."""
    return result["data"] if isinstance(result, dict) else result


async def seed(app, data):
    """A record created on the server (also when clients may not call `create`)."""
    return await app.service(PATH).create(data)


def test_the_service_is_registered_with_its_methods(app):
    assert app.service(PATH) is not None
    assert METHODS == ["find", "get", "create", "patch", "remove"]


async def test_the_methods_work_through_the_app(app):
    service = app.service(PATH)
    record = await seed(app, {"text": "hello"})
    assert record in records_of(await service.find({"query": {"id": record["id"]}}))
    assert await service.get(record["id"]) == record
    patched = await service.patch(record["id"], {"text": "patched"})
    assert (patched["id"], patched["text"]) == (record["id"], "patched")
    await service.remove(record["id"])
    with pytest.raises(NotFound):
        await service.get(record["id"])


async def test_clients_call_the_service_over_a_socket(app, client):
    service = client.service(PATH)
    record = await service.create({"text": "over the socket"})
    assert record["text"] == "over the socket"
    assert record in records_of(await service.find({"query": {"text": "over the socket"}}))
    assert await service.get(record["id"]) == record
    assert (await service.patch(record["id"], {"text": "patched"}))["text"] == "patched"
    assert (await service.remove(record["id"]))["id"] == record["id"]


async def test_clients_call_the_service_over_rest(app, url):
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        created = await http.post(f"/{PATH}", json={"text": "over REST"})
        assert created.status_code == 201
        record = created.json()
        assert record["text"] == "over REST"
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


async def test_clients_cannot_call_methods_that_are_not_exposed(client):
    with pytest.raises(MethodNotAllowed):
        await client.service(PATH).update(0, {"text": "hello"})


async def test_data_of_the_wrong_type_is_refused_with_the_field_named(app, client):
    # schema.py's Data: `text` is a string; the app and clients get the same BadRequest
    for service in (app.service(PATH), client.service(PATH)):
        with pytest.raises(BadRequest) as raised:
            await service.create({"text": 5})
        assert raised.value.data[0]["loc"] == ["text"]
        with pytest.raises(BadRequest) as raised:
            await service.create({"text": "hello", "unknown": 1})
        assert raised.value.data[0]["loc"] == ["unknown"]


async def test_queries_are_typed_by_the_schema(app, client):
    record = await seed(app, {"text": "typed"})
    service = app.service(PATH)
    # a query string's values are strings: the schema's Query makes "1" the integer 1
    query = {"id": str(record["id"])}
    assert records_of(await service.find({"query": query, "provider": "rest"})) == [record]
    for bad in ({"id": "one"}, {"text": {"$gt": 1}}, {"nonexistent": 1}, {"$sort": {"x": 1}}):
        with pytest.raises(BadRequest):
            await service.find({"query": bad, "provider": "rest"})
        with pytest.raises(BadRequest):
            await client.service(PATH).find({"query": bad})


async def test_rest_types_the_query_string_and_refuses_bad_data(app, url):
    record = await seed(app, {"text": "over REST"})
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
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
