"""validate_query: every operator typed and coerced, for each field type, from REST strings
(params['query'] as qs-codec decodes a query string, on a call with provider 'rest') and
from Socket.io JSON (the Python client over a real socket)."""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from pydantic import BaseModel, Field

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.client import Client, connect
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.schema import query_model, validate_data, validate_query
from feathers_cli.runtime.socketio import socketio


class Color(enum.Enum):
    BLUE = "blue"
    GREEN = "green"
    RED = "red"


class ItemData(BaseModel):
    n: int
    x: float
    ok: bool
    name: str
    at: datetime
    color: Color
    note: str | None = None


class Item(ItemData):
    id: int


DATES = [datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)]
DATES.append(datetime(2025, 1, 1, tzinfo=UTC))
SEEDS = [
    {"n": 1, "x": 0.5, "ok": False, "name": "ann", "at": DATES[0], "color": "blue"},
    {"n": 2, "x": 1.5, "ok": True, "name": "bob", "at": DATES[1], "color": "green"},
    {"n": 3, "x": 2.5, "ok": True, "name": "cid", "at": DATES[2], "color": "red", "note": "z"},
]
# the seed values of each field as JSON sends them and as a query string does
JSON_VALUES = {
    "n": [1, 2, 3],
    "x": [0.5, 1.5, 2.5],
    "name": ["ann", "bob", "cid"],
    "at": [d.isoformat() for d in DATES],
    "color": ["blue", "green", "red"],
}
STRING_VALUES = {field: [str(v) for v in values] for field, values in JSON_VALUES.items()}
STRING_VALUES["at"] = ["2024-01-01T00:00:00Z", "2024-06-01", "2025-01-01T00:00:00+00:00"]

# operator -> (query built from the seeds' values (low, mid, high), ids expected)
CASES = {
    "eq": (lambda v: v[1], [1]),
    "$ne": (lambda v: {"$ne": v[1]}, [0, 2]),
    "$in": (lambda v: {"$in": [v[0], v[2]]}, [0, 2]),
    "$nin": (lambda v: {"$nin": [v[0], v[2]]}, [1]),
    "$gt": (lambda v: {"$gt": v[1]}, [2]),
    "$gte": (lambda v: {"$gte": v[1]}, [1, 2]),
    "$lt": (lambda v: {"$lt": v[1]}, [0]),
    "$lte": (lambda v: {"$lte": v[1]}, [0, 1]),
}
BOOL_CASES = {
    "eq": ({"ok": "true"}, {"ok": True}, [1, 2]),
    "$ne": ({"ok": {"$ne": "true"}}, {"ok": {"$ne": True}}, [0]),
    "$in": ({"ok": {"$in": ["false"]}}, {"ok": {"$in": [False]}}, [0]),
    "$nin": ({"ok": {"$nin": ["0"]}}, {"ok": {"$nin": [False]}}, [1, 2]),
    "$gt": ({"ok": {"$gt": "false"}}, {"ok": {"$gt": False}}, [1, 2]),
    "$gte": ({"ok": {"$gte": "1"}}, {"ok": {"$gte": True}}, [1, 2]),
    "$lt": ({"ok": {"$lt": "true"}}, {"ok": {"$lt": True}}, [0]),
    "$lte": ({"ok": {"$lte": "false"}}, {"ok": {"$lte": False}}, [0]),
}
TYPED_CASES = [
    (field, op, {field: build(STRING_VALUES[field])}, {field: build(JSON_VALUES[field])}, ids)
    for field in JSON_VALUES
    for op, (build, ids) in CASES.items()
] + [("ok", op, rest, js, ids) for op, (rest, js, ids) in BOOL_CASES.items()]


def make_app() -> Any:
    app = feathers()
    app.configure(socketio())
    app.use("items", MemoryService())
    app.use("plain", MemoryService())
    app.service("items").hooks(
        {
            "before": {
                "all": [validate_query(query_model(Item))],
                "create": [validate_data(ItemData)],
            }
        }
    )
    return app


# one server for the module: these tests only read (about 80 of them)
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app() -> Any:
    app = make_app()
    for seed in SEEDS:
        await app.service("items").create(seed)
        await app.service("plain").create(seed)
    return app


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(app: Any) -> AsyncIterator[Client]:
    server = await app.start(0)
    try:
        async with await connect(server.url, timeout=3) as client:
            yield client
    finally:
        await server.stop()


async def rest_find(app: Any, query: dict[str, Any]) -> Any:
    return await app.service("items").find({"query": query, "provider": "rest"})


def ids(records: list[dict[str, Any]]) -> list[int]:
    return sorted(record["id"] for record in records)


@pytest.mark.parametrize(
    ("field", "op", "rest", "js", "expected"),
    TYPED_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in TYPED_CASES],
)
async def test_operator_typed_from_strings_and_json(
    app: Any, client: Client, field: str, op: str, rest: Any, js: Any, expected: list[int]
) -> None:
    assert ids(await rest_find(app, rest)) == expected
    assert ids(await client.service("items").find({"query": js})) == expected


async def test_strings_match_nothing_without_a_query_schema(app: Any) -> None:
    # the problem the schema solves: `?n=2` is the string "2"
    assert await app.service("plain").find({"query": {"n": "2"}, "provider": "rest"}) == []
    assert ids(await rest_find(app, {"n": "2"})) == [1]


@pytest.mark.parametrize(
    "operand",
    [["1", "3"], {"0": "1", "1": "3"}, {"1": "3", "0": "1"}],
    ids=["list", "qs-dict", "qs-dict-unordered"],
)
async def test_in_as_qs_gives_it(app: Any, operand: Any) -> None:
    # qs: a[$in][]=1&a[$in][]=2 is a list; indexes past its arrayLimit make a dict
    query = {"n": {"$in": operand}}
    assert ids(await rest_find(app, query)) == [0, 2]
    assert ids(await rest_find(app, {"n": {"$nin": operand}})) == [1]


async def test_in_as_a_dict_of_other_keys_is_refused(app: Any) -> None:
    for operand in ({"a": "1"}, {"\u00b2": "1"}, {"0": "1", "x": "2"}):
        with pytest.raises(errors.BadRequest, match=r"Invalid query: n.\$in: Input should be"):
            await rest_find(app, {"n": {"$in": operand}})


async def test_in_with_one_value(app: Any) -> None:
    # qs decodes a[$in]=3 as the string "3"
    assert ids(await rest_find(app, {"n": {"$in": "3"}})) == [2]


async def test_filters_from_strings(app: Any) -> None:
    found = await rest_find(app, {"$sort": {"n": "-1"}, "$limit": "2", "$skip": "1"})
    assert [record["n"] for record in found] == [2, 1]
    found = await rest_find(app, {"$select": ["name"], "$sort": {"name": "1"}})
    assert found == [{"id": 0, "name": "ann"}, {"id": 1, "name": "bob"}, {"id": 2, "name": "cid"}]
    found = await rest_find(app, {"$or": [{"n": "1"}, {"name": "cid"}]})
    assert ids(found) == [0, 2]
    found = await rest_find(app, {"$or": {"0": {"n": "1"}, "1": {"x": {"$gt": "2"}}}})
    assert ids(found) == [0, 2]
    found = await rest_find(app, {"$and": [{"n": {"$gte": "2"}}, {"ok": "true"}]})
    assert ids(found) == [1, 2]
    found = await rest_find(app, {"$or": [{"$and": [{"n": "1"}, {"ok": "false"}]}, {"n": "3"}]})
    assert ids(found) == [0, 2]


async def test_filters_from_json(client: Client) -> None:
    items = client.service("items")
    found = await items.find({"query": {"$sort": {"x": -1}, "$limit": 1, "$select": ["x"]}})
    assert found == [{"id": 2, "x": 2.5}]
    found = await items.find({"query": {"$or": [{"color": "blue"}, {"note": "z"}]}})
    assert ids(found) == [0, 2]
    assert ids(await items.find({"query": {"note": None}})) == [0, 1]


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ({"age": "3"}, ["age"]),
        ({"n": "three"}, ["n"]),
        ({"n": {"$gt": "x"}}, ["n", "$gt"]),
        ({"n": {"$like": "1"}}, ["n", "$like"]),
        ({"x": {"$in": ["1", "nope"]}}, ["x", "$in", 1]),
        ({"ok": "maybe"}, ["ok"]),
        ({"at": "yesterday"}, ["at"]),
        ({"color": "purple"}, ["color"]),
        ({"$sort": {"secret": 1}}, ["$sort", "secret"]),
        ({"$sort": {"n": "up"}}, ["$sort", "n"]),
        ({"$select": ["n", "secret"]}, ["$select", 1]),
        ({"$select": ["n", {"a": 1}]}, ["$select", 1]),
        ({"$sort": [1]}, ["$sort"]),
        ({"n": {"$in": [[1]]}}, ["n", "$in", 0]),
        ({"$limit": "-1"}, ["$limit"]),
        ({"$limit": 10**30}, ["$limit"]),
        ({"$skip": str(2**64)}, ["$skip"]),
        ({"$skip": "many"}, ["$skip"]),
        ({"$or": [{"n": 1}, {"secret": 2}]}, ["$or", 1, "secret"]),
        ({"$or": "n"}, ["$or"]),
        ({"$where": "1"}, ["$where"]),
        ({"$or": [{"$limit": 1}]}, ["$or", 0, "$limit"]),
    ],
)
async def test_bad_queries_name_the_field(
    app: Any, client: Client, query: dict[str, Any], loc: list[Any]
) -> None:
    with pytest.raises(errors.BadRequest) as caught:
        await rest_find(app, query)
    named = ".".join(str(part) for part in loc)
    assert caught.value.data[0]["loc"] == loc
    assert f"Invalid query: {named}:" in caught.value.message
    with pytest.raises(errors.BadRequest) as over_socket:
        await client.service("items").find({"query": query})
    assert over_socket.value.data == caught.value.data
    assert over_socket.value.message == caught.value.message
    assert set(over_socket.value.data[0]) == {"loc", "msg", "type"}


async def test_every_error_is_listed(app: Any) -> None:
    with pytest.raises(errors.BadRequest) as caught:
        await rest_find(app, {"n": "a", "x": "b", "nope": 1})
    assert [error["loc"] for error in caught.value.data] == [["n"], ["x"], ["nope"]]
    assert caught.value.message.endswith("(and 2 more)")


async def test_query_on_get_patch_and_remove(app: Any) -> None:
    items = app.service("items")
    assert (await items.get(1, {"query": {"ok": "true"}, "provider": "rest"}))["id"] == 1
    with pytest.raises(errors.NotFound):
        await items.get(0, {"query": {"ok": "true"}, "provider": "rest"})
    with pytest.raises(errors.BadRequest):
        await items.remove(0, {"query": {"secret": "1"}, "provider": "rest"})
    assert await items.get(0) is not None


async def test_a_plain_model_works_as_query_model() -> None:
    class ByName(BaseModel):
        name: str

    app = feathers()
    app.use("plain", MemoryService())
    for seed in SEEDS:
        await app.service("plain").create(seed)
    service = app.service("plain")
    service.hooks({"before": {"find": [validate_query(ByName)]}})
    found = await service.find({"query": {"name": {"$in": ["bob"]}}})
    assert ids(found) == [1]
    with pytest.raises(errors.BadRequest, match="Unknown query field n"):
        await service.find({"query": {"n": 1}})


async def test_field_constraints_apply_to_query_values() -> None:
    class Search(BaseModel):
        code: str = Field(max_length=3)
        level: int = Field(ge=0)

    app = feathers()
    app.use("codes", MemoryService())
    service = app.service("codes")
    service.hooks({"before": {"find": [validate_query(Search)]}})
    await service.create({"code": "abc", "level": 1})
    assert ids(await service.find({"query": {"code": "abc", "level": {"$gte": "1"}}})) == [0]
    with pytest.raises(errors.BadRequest, match="Invalid query: code: String should have at most"):
        await service.find({"query": {"code": "abcd"}})
    with pytest.raises(errors.BadRequest, match=r"Invalid query: level.\$in.0: Input should be"):
        await service.find({"query": {"level": {"$in": [-1]}}})


async def test_deeply_nested_queries_are_refused(app: Any) -> None:
    query: dict[str, Any] = {"n": "1"}
    for _ in range(2000):
        query = {"$or": [query]}
    with pytest.raises(errors.BadRequest, match="Query nested too deeply"):
        await rest_find(app, query)
    nested: dict[str, Any] = {"n": "1"}
    for _ in range(5):  # ten levels are fine
        nested = {"$and": [{"$or": [nested]}]}
    assert ids(await rest_find(app, nested)) == [0]


def random_json(rng: Any, depth: int = 0) -> Any:
    """A random JSON-like value, with query-looking keys now and then."""
    keys = ["n", "x", "ok", "name", "at", "color", "note", "nope", "0", "1", "\u00b2"]
    keys += ["$in", "$nin", "$gt", "$ne", "$or", "$and", "$sort", "$select", "$limit", "$x"]
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 3, 2.5, 10**30, float("inf")])
    if kind in (2, 3, 4):
        return rng.choice(["", "1", "-1", "true", "red", "2024-01-01", "x" * 50, "\u00b2"])
    if kind in (5, 6):
        return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]


async def test_any_json_is_a_result_or_a_bad_request(app: Any) -> None:
    import random

    rng = random.Random(12)
    outcomes = {"ok": 0, "bad": 0}
    for _ in range(3000):
        query = random_json(rng)
        if not isinstance(query, dict):
            query = {"$or": [query]}
        try:
            await rest_find(app, query)
            outcomes["ok"] += 1
        except errors.BadRequest as error:
            json.dumps(error.to_json())
            outcomes["bad"] += 1
    assert outcomes["ok"] > 50 and outcomes["bad"] > 50, outcomes
