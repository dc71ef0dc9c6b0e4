"""The `set_sender` hook, on a small app of its own."""

import pytest
from feathers import feathers
from feathers.errors import NotAuthenticated
from feathers.memory import MemoryService

from chat.hooks.set_sender import set_sender


@pytest.fixture
def items():
    app = feathers()
    app.use("items", MemoryService(multi=["create"]))
    app.service("items").hooks({"before": {"create": [set_sender]}})
    return app.service("items")


async def test_the_sender_is_the_user_of_the_call(items):
    data = {"text": "hello"}
    created = await items.create(data, {"user": {"id": 7, "email": "ada@example.com"}})
    assert created == {"id": created["id"], "text": "hello", "user_id": 7}
    assert data == {"text": "hello"}  # the caller's dict is left as it was
    many = await items.create([{"text": "a"}, {"text": "b"}], {"user": {"id": 8}})
    assert [record["user_id"] for record in many] == [8, 8]


async def test_a_message_without_a_user_is_refused(items):
    with pytest.raises(NotAuthenticated):
        await items.create({"text": "from nobody"})
    assert await items.find() == []
