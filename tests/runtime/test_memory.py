"""MemoryService behaviour beyond the conformance suite, and the parsed query it consumes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from feathers_cli.runtime.adapter import (
    AdapterOptions,
    And,
    Condition,
    Or,
    ParsedQuery,
    get_limit,
    parse_query,
)
from feathers_cli.runtime.errors import BadRequest, MethodNotAllowed, NotFound
from feathers_cli.runtime.memory import MemoryService, sort_key


async def names(service: MemoryService, query: dict[str, Any]) -> list[str]:
    return [record["name"] for record in await service.find({"query": query})]


# -- store and ids ----------------------------------------------------------------------


async def test_records_live_in_the_store_dict() -> None:
    service = MemoryService()
    created = await service.create({"name": "Ada"})
    assert service.store == {0: {"name": "Ada", "id": 0}}
    assert created == service.store[0] and created is not service.store[0]


async def test_ids_count_from_start_id() -> None:
    service = MemoryService(start_id=100)
    first, second = await service.create({"n": 1}), await service.create({"n": 2})
    assert (first["id"], second["id"]) == (100, 101)


async def test_a_given_store_is_copied_and_its_ids_are_not_reused() -> None:
    store: dict[Any, dict[str, Any]] = {4: {"id": 4, "name": "Four"}}
    service = MemoryService(store=store)
    created = await service.create({"name": "Next"})
    assert created["id"] == 5
    assert list(store) == [4]
    assert await service.get(4) == {"id": 4, "name": "Four"}


async def test_data_with_an_id_keeps_it_and_moves_the_counter_past_it() -> None:
    service = MemoryService()
    assert (await service.create({"id": 7, "name": "Seven"}))["id"] == 7
    assert (await service.create({"name": "After"}))["id"] == 8
    assert (await service.create({"id": "abc", "name": "Text"}))["id"] == "abc"
    assert await service.get("abc") == {"id": "abc", "name": "Text"}


async def test_id_zero_is_a_real_id() -> None:
    service = MemoryService(start_id=5)
    assert (await service.create({"id": 0, "name": "Zero"}))["id"] == 0
    assert await service.get(0) == {"id": 0, "name": "Zero"}


async def test_string_ids_find_integer_ids_as_in_feathers() -> None:
    service = MemoryService()
    person = await service.create({"name": "Tester", "age": 33})
    updated = await service.update("0", {"name": "Updated"})
    assert updated == {"id": 0, "name": "Updated"}
    assert service.store == {0: {"id": 0, "name": "Updated"}}
    assert await service.remove(str(person["id"])) == updated
    assert service.store == {}


@pytest.mark.parametrize(
    "id",
    [
        "00",
        "+0",
        " 0",
        "0.0",
        "-0",
        "--0",
        "-",
        "\u0660",
        "\u00b2",
        "0_0",
        True,
        0.5,
        [0],
        {"id": 0},
        None,
    ],
)
async def test_other_ids_find_nothing(id: Any) -> None:
    service = MemoryService()
    await service.create({"name": "Zero"})
    with pytest.raises(NotFound, match="No record found for id"):
        await service.get(id)


async def test_concurrent_creates_get_unique_ids() -> None:
    service = MemoryService()
    created = await asyncio.gather(*(service.create({"n": n}) for n in range(200)))
    assert sorted(record["id"] for record in created) == list(range(200))
    assert len(service.store) == 200
    assert all(service.store[record["id"]]["n"] == record["n"] for record in created)


# -- copies -----------------------------------------------------------------------------


async def test_results_and_inputs_are_deep_copies() -> None:
    service = MemoryService(multi=True)
    data = {"name": "Ada", "tags": ["a"], "address": {"city": "London"}}
    created = await service.create(data)
    data["tags"].append("changed")
    created["address"]["city"] = "Paris"
    (await service.find())[0]["tags"].append("x")
    (await service.patch(None, {"extra": {"k": [1]}}))[0]["extra"]["k"].append(2)
    assert service.store[0] == {
        "name": "Ada",
        "tags": ["a"],
        "address": {"city": "London"},
        "id": 0,
        "extra": {"k": [1]},
    }


@pytest.mark.parametrize("paginate", [None, {"default": 10, "max": 50}])
async def test_flat_results_are_copies_too(paginate: Any) -> None:
    service = MemoryService(paginate=paginate, store={0: {"id": 0, "name": "Ada", "n": 1}})
    found = await service.find()
    for record in found["data"] if paginate else found:
        record["name"] = "Changed"
        del record["n"]
    limited = await service.find({"query": {"$limit": "1", "$skip": "0"}, "paginate": False})
    limited[0]["name"] = "Changed"
    got = await service.get("0")
    got["name"] = "Changed"
    assert service.store == {0: {"id": 0, "name": "Ada", "n": 1}}


async def test_copies_keep_datetimes_and_other_objects() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    service = MemoryService()
    record = await service.create({"when": when, "pair": (1, [2]), "items": {3, 4}})
    record["items"].add(5)
    record["pair"][1].append(6)
    stored = service.store[record["id"]]
    assert stored == {"when": when, "pair": (1, [2]), "items": {3, 4}, "id": 0}


# -- sorting and comparing across types -------------------------------------------------


def test_sort_key_orders_kinds_like_feathers() -> None:
    values: list[Any] = [{"a": 1}, [1, 2], [1], date(2020, 1, 1), True, False, "b", "a"]
    values += [2.5, 1, None]
    assert sorted(values, key=sort_key) == [
        None, 1, 2.5, "a", "b", False, True, date(2020, 1, 1), [1], [1, 2], {"a": 1},
    ]  # fmt: skip


async def test_sort_mixed_types_with_missing_fields_first() -> None:
    service = MemoryService()
    for value in ["text", 3, None, True, [1], {"k": 1}, datetime(2020, 1, 1)]:
        await service.create({"v": value, "name": repr(value)})
    await service.create({"name": "missing"})
    assert await names(service, {"$sort": {"v": 1}}) == [
        "missing", "None", "3", "'text'", "True", "datetime.datetime(2020, 1, 1, 0, 0)", "[1]",
        "{'k': 1}",
    ]  # fmt: skip


async def test_datetime_sort_and_comparison_with_iso_strings() -> None:
    service = MemoryService()
    start = datetime(2024, 5, 1, 12, tzinfo=UTC)
    for days, name in [(2, "third"), (0, "first"), (1, "second")]:
        await service.create({"name": name, "at": start + timedelta(days=days)})
    assert await names(service, {"$sort": {"at": 1}}) == ["first", "second", "third"]
    assert await names(service, {"$sort": {"at": -1}}) == ["third", "second", "first"]
    query = {"at": {"$gt": "2024-05-01T12:00:00Z"}, "$sort": {"at": 1}}
    assert await names(service, query) == ["second", "third"]
    assert await names(service, {"at": "2024-05-02T12:00:00+00:00"}) == ["second"]
    assert await names(service, {"at": {"$lt": "not a date"}}) == []


async def test_multi_field_sort_with_directions() -> None:
    service = MemoryService()
    for name, age in [("b", 2), ("a", 2), ("c", 1), ("d", 2)]:
        await service.create({"name": name, "age": age})
    assert await names(service, {"$sort": {"age": -1, "name": 1}}) == ["a", "b", "d", "c"]
    assert await names(service, {"$sort": {"age": 1, "name": -1}}) == ["c", "d", "b", "a"]


async def test_comparisons_never_match_other_kinds_or_missing_fields() -> None:
    service = MemoryService()
    for value in [5, "5", None, True]:
        await service.create({"v": value, "name": repr(value)})
    await service.create({"name": "missing"})
    assert await names(service, {"v": {"$gte": 0}}) == ["5"]
    assert await names(service, {"v": {"$lt": "9"}}) == ["'5'"]
    assert await names(service, {"v": 1}) == []
    assert await names(service, {"v": True}) == ["True"]
    assert await names(service, {"v": None}) == ["None", "missing"]
    assert await names(service, {"v": {"$ne": 5}}) == ["'5'", "None", "True", "missing"]


async def test_dotted_fields_query_and_sort_nested_dicts() -> None:
    service = MemoryService()
    for name, city in [("a", "Paris"), ("b", "Berlin"), ("c", None)]:
        await service.create({"name": name, "address": {"city": city}})
    await service.create({"name": "d", "address": "unknown"})
    assert await names(service, {"address.city": "Paris"}) == ["a"]
    assert await names(service, {"$sort": {"address.city": 1}}) == ["d", "c", "b", "a"]


# -- query checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"$limit": "2x"}, "Invalid value for $limit: '2x'"),
        ({"$limit": -1}, "Invalid value for $limit: -1"),
        ({"$limit": True}, "Invalid value for $limit: True"),
        ({"$skip": "one"}, "Invalid value for $skip: 'one'"),
        ({"$sort": {"name": 2}}, "Invalid $sort direction 2 for name"),
        ({"$sort": ["name"]}, "$sort must be an object of field names to 1 or -1"),
        ({"$select": 5}, "$select must be a list of field names"),
        ({"$or": {"name": "a"}}, "$or must be a list of queries"),
        ({"$and": ["name"]}, "$and must be a list of queries"),
        ({"name": {"$nin": 3}}, "The value of $nin must be a list"),
        ({"name": {"$like": "a%"}}, "Invalid query parameter $like"),
        ({"$populate": "x"}, "Invalid filter value $populate"),
        ({"$or": [{"$limit": 1}]}, "Invalid query parameter $limit"),
    ],
)
async def test_bad_queries_are_bad_requests(query: dict[str, Any], message: str) -> None:
    service = MemoryService()
    with pytest.raises(BadRequest) as raised:
        await service.find({"query": query})
    assert raised.value.message == message


async def test_data_that_is_not_an_object_is_a_bad_request() -> None:
    service = MemoryService(multi=True)
    with pytest.raises(BadRequest, match="Data must be an object or a list of objects"):
        await service.create(["text"])
    with pytest.raises(BadRequest, match="Data must be an object"):
        await service.create("text")  # type: ignore[arg-type]
    await service.create({"n": 1})
    with pytest.raises(BadRequest, match="Data must be an object"):
        await service.patch(0, [{"n": 2}])  # type: ignore[arg-type]
    with pytest.raises(BadRequest, match="Data must be an object"):
        await service.update(0, 5)  # type: ignore[arg-type]
    assert service.store == {0: {"n": 1, "id": 0}}


async def test_string_limit_skip_and_sort_from_query_strings() -> None:
    service = MemoryService(multi=True)
    await service.create([{"name": n} for n in "dcba"])
    assert await names(service, {"$limit": "2", "$skip": "1", "$sort": {"name": "-1"}}) == [
        "c",
        "b",
    ]


async def test_patch_and_remove_ignore_limit_and_pagination() -> None:
    service = MemoryService(multi=True, paginate={"default": 1, "max": 1})
    await service.create([{"n": n, "group": n % 2} for n in range(6)])
    patched = await service.patch(None, {"seen": True}, {"query": {"group": 0, "$limit": 1}})
    assert [record["n"] for record in patched] == [0, 2, 4]
    removed = await service.remove(None, {"query": {"$limit": 1}})
    assert len(removed) == 6 and service.store == {}


async def test_paginate_with_only_a_max_uses_it_as_the_page_size() -> None:
    service = MemoryService(multi=True, paginate={"max": 2})
    await service.create([{"n": n} for n in range(3)])
    page = await service.find()
    assert (page["total"], page["limit"], [r["n"] for r in page["data"]]) == (3, 2, [0, 1])


async def test_multi_list_allows_only_the_methods_named() -> None:
    service = MemoryService(multi=["remove"])
    with pytest.raises(MethodNotAllowed, match="Can not create multiple entries"):
        await service.create([{"n": 1}])
    with pytest.raises(MethodNotAllowed, match="Can not patch multiple entries"):
        await service.patch(None, {"n": 2})
    await service.create({"n": 1})
    assert await service.remove(None) == [{"n": 1, "id": 0}]
    assert service.allows_multi("find") and not service.allows_multi("update")


async def test_custom_filters_and_operators() -> None:
    class LikeService(MemoryService):
        comparators = {
            **MemoryService.comparators,
            "$like": lambda stored, wanted: isinstance(stored, str) and stored.startswith(wanted),
        }

    service = LikeService(
        operators=["$like"],
        filters={"$populate": True, "$upper": lambda value, options: str(value).upper()},
    )
    for name in ["Alice", "Albert", "Bob"]:
        await service.create({"name": name})
    assert await names(service, {"name": {"$like": "Al"}, "$populate": "x"}) == ["Alice", "Albert"]
    parsed = service.parse_query({"query": {"$populate": ["a"], "$upper": "b"}})
    assert parsed.filters == {"$populate": ["a"], "$upper": "B"}
    unsupported = MemoryService(operators=["$like"])
    with pytest.raises(BadRequest, match="The memory adapter does not support \\$like"):
        await unsupported.find({"query": {"name": {"$like": "Al"}}})


async def test_events_option_and_standalone_use() -> None:
    service = MemoryService(events=["typing"])
    assert service.events == ["typing"]
    assert not hasattr(service, "emit")
    assert await service.create({"name": "Ada"}) == {"name": "Ada", "id": 0}


# -- the parsed query (what every adapter translates) -----------------------------------


def test_parse_query_builds_a_condition_tree() -> None:
    options = AdapterOptions(paginate={"default": 10, "max": 20})
    parsed = parse_query(
        {
            "age": {"$gt": 18, "$lt": "30"},
            "name": "Bob",
            "$or": [{"role": {"$in": ["a", "b"]}}, {"role": None, "active": True}],
            "$and": [{"score": {"$ne": 0}}],
            "$sort": {"age": "-1", "name": 1},
            "$limit": "50",
            "$skip": 5,
            "$select": ["name"],
        },
        options,
    )
    assert parsed == ParsedQuery(
        where=And(
            (
                Condition("age", "$gt", 18),
                Condition("age", "$lt", "30"),
                Condition("name", "$eq", "Bob"),
                Or(
                    (
                        Condition("role", "$in", ["a", "b"]),
                        And((Condition("role", "$eq", None), Condition("active", "$eq", True))),
                    )
                ),
                Condition("score", "$ne", 0),
            )
        ),
        sort=(("age", -1), ("name", 1)),
        limit=20,
        skip=5,
        select=("name", "id"),
        paginate=True,
        filters={},
    )


def test_parse_query_of_nothing_and_equality_with_objects() -> None:
    assert parse_query(None, AdapterOptions()) == ParsedQuery(And(()))
    assert parse_query({}, AdapterOptions(paginate={"default": 3})).limit == 3
    parsed = parse_query({"address": {"city": "Paris"}}, AdapterOptions())
    assert parsed.where == And((Condition("address", "$eq", {"city": "Paris"}),))


@pytest.mark.parametrize(
    ("limit", "paginate", "expected"),
    [
        (None, None, None),
        ("7", None, 7),
        (None, {"default": 5, "max": 8}, 5),
        (50, {"default": 5, "max": 8}, 8),
        (0, {"default": 5, "max": 8}, 0),
        (None, {"max": 8}, 8),
        (3, False, 3),
    ],
)
def test_get_limit(limit: Any, paginate: Any, expected: int | None) -> None:
    assert get_limit(limit, paginate) == expected


def test_params_override_options_only_for_one_call() -> None:
    service = MemoryService(paginate={"default": 2})
    options = service.get_options({"paginate": False, "adapter": {"multi": True, "other": 1}})
    assert (options.paginate, options.multi) == (False, True)
    assert (service.options.paginate, service.options.multi) == ({"default": 2}, False)
    assert service.get_options({}) is service.options
