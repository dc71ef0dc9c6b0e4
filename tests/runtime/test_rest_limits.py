"""`$limit` and `$skip` from a query string, over real HTTP, on the memory adapter and SQLite:
any non-negative integer is a limit (an absurdly large one means "no limit", clamped to
`paginate.max` when the service paginates), anything else is a 400 BadRequest, never a 500.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from feathers_cli.runtime import feathers
from feathers_cli.runtime.adapter import MAX_COUNT
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.rest import rest
from feathers_cli.runtime.sql import SQLService, create_engine

HUGE = "1" + "0" * 30
PAGINATE = {"default": 2, "max": 3}


async def sqlite_services() -> tuple[dict[str, Any], Any]:
    engine = create_engine("sqlite://")
    metadata = sa.MetaData()
    tables = [
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("n", sa.Integer),
        )
        for name in ("plain", "paged")
    ]
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    services = {
        "plain": SQLService(tables[0], engine),
        "paged": SQLService(tables[1], engine, paginate=PAGINATE),
    }
    return services, engine


@pytest.fixture(params=["memory", "sqlite"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    """An app with REST only: `plain` (no pagination) and `paged`, 5 records each."""
    engine = None
    if request.param == "memory":
        services: dict[str, Any] = {
            "plain": MemoryService(),
            "paged": MemoryService(paginate=PAGINATE),
        }
    else:
        services, engine = await sqlite_services()
    app = feathers()
    app.configure(rest())
    for name, service in services.items():
        app.use(name, service)
        for n in range(5):
            await app.service(name).create({"n": n})
    server = await app.start(0)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            yield http
    finally:
        await server.stop()
        if engine is not None:
            await engine.dispose()


def numbers(records: list[dict[str, Any]]) -> list[int]:
    return [record["n"] for record in records]


async def get_json(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("sort", ["", "&$sort[n]=1"])
async def test_a_huge_limit_or_skip_without_pagination(client: httpx.AsyncClient, sort: str):
    assert numbers(await get_json(client, f"/plain?$limit={HUGE}{sort}")) == [0, 1, 2, 3, 4]
    assert numbers(await get_json(client, f"/plain?$limit={HUGE}&$skip=3{sort}")) == [3, 4]
    assert await get_json(client, f"/plain?$skip={HUGE}{sort}") == []
    assert await get_json(client, f"/plain?$skip={HUGE}&$limit={HUGE}{sort}") == []
    assert numbers(await get_json(client, f"/plain?$limit=2&$skip=1{sort}")) == [1, 2]
    assert await get_json(client, f"/plain?$limit=0{sort}") == []


async def test_a_huge_limit_with_pagination_is_the_maximum(client: httpx.AsyncClient):
    page = await get_json(client, f"/paged?$limit={HUGE}&$sort[n]=1")
    assert (page["total"], page["limit"], page["skip"]) == (5, 3, 0)
    assert numbers(page["data"]) == [0, 1, 2]
    page = await get_json(client, f"/paged?$skip={HUGE}")
    assert (page["total"], page["limit"], page["skip"], page["data"]) == (5, 2, MAX_COUNT, [])


@pytest.mark.parametrize("name", ["$limit", "$skip"])
@pytest.mark.parametrize(
    "value", ["-1", "abc", "2.5", "1e3", "1_0", "%C2%B2", "", f"-{HUGE}", "0x10"]
)
async def test_a_limit_that_is_not_a_non_negative_integer_is_400(
    client: httpx.AsyncClient, name: str, value: str
):
    for path in ("plain", "paged"):
        response = await client.get(f"/{path}?{name}={value}")
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["name"] == "BadRequest"
        assert body["message"].startswith(f"Invalid value for {name}")


async def test_a_limit_given_as_an_object_is_400(client: httpx.AsyncClient):
    response = await client.get("/plain?$limit[a]=1")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid value for $limit")


async def test_padding_and_a_plus_sign_are_still_numbers(client: httpx.AsyncClient):
    assert numbers(await get_json(client, "/plain?$limit=%202%20")) == [0, 1]
    assert numbers(await get_json(client, "/plain?$limit=%2B2")) == [0, 1]
    assert numbers(await get_json(client, "/plain?$limit=0002")) == [0, 1]
