"""Bad input to the REST transport: each case is a 4xx Feathers error over real HTTP, the
server keeps serving, and nothing reaches the service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from .rest_app import create_app, serve

JSON = {"content-type": "application/json"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app({"max_body_size": 1000})) as http:
        yield http


async def expect_error(response: httpx.Response, status: int, name: str, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["name"] == name
    assert body["code"] == status
    assert message in body["message"]
    assert "stack" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{bad json", "Invalid JSON in the request body"),
        (b'{"a": 1', "Invalid JSON in the request body"),
        (b"\xff\xfe\x00garbage", "Invalid JSON in the request body"),
        (b"[" * 100_000, "Invalid JSON in the request body"),
        (b"null", "must be a JSON object or array"),
        (b"42", "must be a JSON object or array"),
        (b'"text"', "must be a JSON object or array"),
        (b"true", "must be a JSON object or array"),
        (b"", "The request body is empty"),
    ],
)
async def test_bad_json_bodies_are_400(method: str, content: bytes, message: str) -> None:
    async with serve(create_app()) as client:
        response = await client.request(method, "/echo/1", content=content, headers=JSON)
        await expect_error(response, 400, "BadRequest", message)
        assert (await client.get("/echo")).status_code == 200


async def test_an_empty_body_without_content_type_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/messages")
    await expect_error(response, 400, "BadRequest", "The request body is empty")
    assert (await client.get("/messages")).json() == []


async def test_a_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    big = b'{"text": "' + b"x" * 1000 + b'"}'
    response = await client.post("/messages", content=big, headers=JSON)
    await expect_error(response, 413, "PayloadTooLarge", "larger than 1000 bytes")
    assert response.json()["className"] == "payload-too-large"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(20):
            yield b" " * 100

    response = await client.post("/messages", content=chunked(), headers=JSON)
    await expect_error(response, 413, "PayloadTooLarge", "larger than 1000 bytes")
    assert (await client.get("/messages")).json() == []
    small = await client.post("/messages", json={"text": "x" * 900})
    assert small.status_code == 201


async def test_the_default_limit_is_one_million_bytes() -> None:
    async with serve(create_app()) as client:
        under = b'{"t": "' + b"x" * (1_000_000 - 11) + b'"}'
        assert len(under) == 999_998
        assert (await client.post("/echo", content=under, headers=JSON)).status_code == 201
        over = b'{"t": "' + b"x" * 1_000_000 + b'"}'
        response = await client.post("/echo", content=over, headers=JSON)
        await expect_error(response, 413, "PayloadTooLarge", "larger than 1000000 bytes")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "multipart/form-data; boundary=x", "application/xml", "image/png"],
)
async def test_other_content_types_are_415(client: httpx.AsyncClient, content_type: str) -> None:
    response = await client.post(
        "/messages", content=b'{"text": "hi"}', headers={"content-type": content_type}
    )
    await expect_error(response, 415, "UnsupportedMediaType", "Unsupported content type")
    assert response.json()["className"] == "unsupported-media-type"
    assert (await client.get("/messages")).json() == []


async def test_a_missing_content_type_with_a_body_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/messages", content=b'{"text": "hi"}')
    assert "content-type" not in response.request.headers
    await expect_error(response, 415, "UnsupportedMediaType", "Unsupported content type ''")


async def test_json_variants_and_charset_are_accepted(client: httpx.AsyncClient) -> None:
    for content_type in ["application/json; charset=utf-8", "application/merge-patch+json"]:
        response = await client.post(
            "/echo", content=b'{"a": "\xc3\xa9"}', headers={"content-type": content_type}
        )
        assert response.status_code == 201
        assert response.json()["data"] == {"a": "é"}


async def test_form_bodies_are_parsed_like_query_strings(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/echo",
        content=b"text=hello+world&tags[]=a&tags[]=b&user[name]=ann",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201
    assert response.json()["data"] == {
        "text": "hello world",
        "tags": ["a", "b"],
        "user": {"name": "ann"},
    }


@pytest.mark.parametrize(
    "query",
    ["a[=1", "[]=1", "a]]=1", "%", "a=%ZZ", "a=%C3", "a[b][c][d][e][f][g][h]=1", "&&&=&"],
)
async def test_odd_query_strings_never_fail(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/echo?{query}")
    assert response.status_code == 200
    assert isinstance(response.json()["query"], dict)


async def test_query_strings_keep_nodes_qs_limits(client: httpx.AsyncClient) -> None:
    deep = (await client.get("/echo?a[b][c][d][e][f][g]=1")).json()["query"]
    assert deep == {"a": {"b": {"c": {"d": {"e": {"f": {"[g]": "1"}}}}}}}
    sparse = (await client.get("/echo?a[21]=x&b[20]=y&c[1]=z")).json()["query"]
    assert sparse == {"a": {"21": "x"}, "b": {"20": "y"}, "c": ["z"]}
    many = "&".join(f"k{i}=v" for i in range(1500))
    assert len((await client.get(f"/echo?{many}")).json()["query"]) == 1000
    invalid_utf8 = (await client.get("/echo?a=%C3&b=%E2%9C%93")).json()["query"]
    assert invalid_utf8 == {"a": "%C3", "b": "✓"}


async def test_a_client_that_goes_away_mid_body_does_not_break_the_server(
    client: httpx.AsyncClient,
) -> None:
    host, port = client.base_url.host, client.base_url.port
    _reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        b"POST /messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 500\r\n\r\n{"text": '
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.1)
    assert (await client.get("/messages")).json() == []
    assert (await client.post("/messages", json={"text": "ok"})).status_code == 201
