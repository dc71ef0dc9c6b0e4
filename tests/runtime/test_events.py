"""Events: emitters, service events after success, custom events, suppression."""

import asyncio

import pytest

from feathers_cli.runtime import EventEmitter, feathers
from feathers_cli.runtime.errors import BadRequest


class Items:
    events = ["typing"]

    async def create(self, data, params):
        if data == "bad":
            raise BadRequest("bad")
        return data

    async def update(self, id, data, params):
        return {"id": id, **data}

    async def patch(self, id, data, params):
        return {"id": id, **data}

    async def remove(self, id, params):
        return {"id": id}

    async def get(self, id, params):
        return {"id": id}

    async def type(self, data, params):
        self.emit("typing", {"who": data})
        return data


def test_emitter_on_once_off_and_counts():
    emitter = EventEmitter()
    seen = []

    def listener(value):
        seen.append(value)

    emitter.on("x", listener)
    emitter.once("x", lambda value: seen.append(("once", value)))
    assert emitter.listener_count("x") == 2
    assert emitter.emit("x", 1) is True
    assert emitter.emit("x", 2) is True
    emitter.off("x", listener)
    assert emitter.emit("x", 3) is False
    assert seen == [1, ("once", 1), 2]


def test_a_failing_listener_does_not_stop_the_others(caplog):
    emitter = EventEmitter()
    seen = []
    emitter.on("x", lambda: 1 / 0)
    emitter.on("x", lambda: seen.append("second"))
    emitter.emit("x")
    assert seen == ["second"]
    assert "Error in a listener of 'x'" in caplog.text


async def test_async_listeners_run_on_the_loop():
    emitter = EventEmitter()
    seen = []

    async def listener(value):
        await asyncio.sleep(0)
        seen.append(value)

    emitter.on("x", listener)
    emitter.emit("x", "async")
    await asyncio.sleep(0.01)
    assert seen == ["async"]


@pytest.mark.parametrize(
    ("call", "event"),
    [
        (lambda s: s.create({"a": 1}), "created"),
        (lambda s: s.update(1, {"a": 1}), "updated"),
        (lambda s: s.patch(1, {"a": 1}), "patched"),
        (lambda s: s.remove(1), "removed"),
    ],
)
async def test_standard_events_after_success(call, event):
    app = feathers()
    app.use("items", Items())
    service = app.service("items")
    seen = []
    service.on(event, lambda data, context: seen.append((data, context.method)))
    result = await call(service)
    assert seen == [(result, context_method(event))]


def context_method(event):
    return {"created": "create", "updated": "update", "patched": "patch", "removed": "remove"}[
        event
    ]


async def test_no_event_for_get_or_failures_and_suppression():
    app = feathers()
    app.use("items", Items())
    service = app.service("items")
    seen = []
    service.on("created", lambda data, context: seen.append(data))
    await service.get(1)
    with pytest.raises(BadRequest):
        await service.create("bad")

    def quiet(context):
        context.event = None

    service.hooks({"before": {"create": [quiet]}})
    await service.create({"silent": True})
    assert seen == []


async def test_list_result_emits_one_event_per_item():
    app = feathers()
    app.use("items", Items())
    seen = []
    app.service("items").on("created", lambda data, context: seen.append(data))
    await app.service("items").create([{"n": 1}, {"n": 2}])
    assert seen == [{"n": 1}, {"n": 2}]


async def test_custom_events_from_outside_and_from_the_service_itself():
    app = feathers()
    app.use("items", Items(), methods=["create", "type"])
    service = app.service("items")
    seen = []
    service.on("typing", lambda data, *rest: seen.append(data))
    service.emit("typing", {"who": "outside"})
    await service.type("inside")
    assert seen == [{"who": "outside"}, {"who": "inside"}]


async def test_app_is_an_emitter():
    app = feathers()
    seen = []
    app.on("login", lambda *args: seen.append(args))
    app.emit("login", {"user": 1}, {"connection": None})
    assert seen == [({"user": 1}, {"connection": None})]
