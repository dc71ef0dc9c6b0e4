"""The `set_created_at` hook, on a small app of its own."""

import time

import pytest
from feathers import feathers
from feathers.memory import MemoryService

from chat.hooks.set_created_at import set_created_at


@pytest.fixture
def items():
    app = feathers()
    app.use("items", MemoryService(multi=["create"]))
    app.service("items").hooks({"before": {"create": [set_created_at]}})
    return app.service("items")


async def test_created_at_is_the_time_of_the_call_in_milliseconds(items):
    before = time.time_ns() // 1_000_000
    data = {"text": "hello"}
    created = await items.create(data)
    after = time.time_ns() // 1_000_000
    assert before <= created["created_at"] <= after
    assert data == {"text": "hello"}  # the caller's dict is left as it was
    many = await items.create([{"text": "a"}, {"text": "b"}])
    assert all(before <= record["created_at"] for record in many)


async def test_reading_and_patching_are_left_alone(items):
    created = await items.create({"text": "hello"})
    assert await items.get(created["id"]) == created
    patched = await items.patch(created["id"], {"text": "changed"})
    assert patched["created_at"] == created["created_at"]
