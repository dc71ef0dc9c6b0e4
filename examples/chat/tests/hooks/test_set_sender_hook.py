"""The `set_sender` hook, on a small app of its own."""

import pytest
from feathers import feathers
from feathers.memory import MemoryService

from chat.hooks.set_sender import set_sender


@pytest.fixture
def items():
    app = feathers()
    app.use("items", MemoryService())
    app.service("items").hooks({"before": {"all": [set_sender]}})
    return app.service("items")


async def test_written_text_is_tidied(items):
    data = {"text": "  hello  ", "count": 1}
    created = await items.create(data)
    assert created == {"id": created["id"], "text": "hello", "count": 1}
    patched = await items.patch(created["id"], {"text": "\tchanged\n"})
    assert patched["text"] == "changed"
    assert data == {"text": "  hello  ", "count": 1}


async def test_reading_is_left_alone(items):
    created = await items.create({"text": "hello"})
    assert await items.get(created["id"]) == created
