"""Channels and publishing: joining, combining, filtering, data, precedence."""

import asyncio

import pytest

from feathers_cli.runtime import Channel, CombinedChannel, feathers


class Notes:
    events = ["noted"]

    async def create(self, data, params):
        return data

    async def patch(self, id, data, params):
        return {"id": id, **data}


def published(app):
    sent = []
    app.on("publish", lambda event, channel, context, data: sent.append((event, channel, data)))
    return sent


def test_channels_are_created_on_first_use_and_hold_connections_by_identity():
    app = feathers()
    first, twin = {"user": 1}, {"user": 1}
    channel = app.channel("room")
    assert app.channel("room") is channel
    channel.join(first, twin, first)
    assert len(channel) == 2 and channel.length == 2
    assert channel.connections[0] is first and channel.connections[1] is twin
    assert app.channels == ["room"]


def test_leave_by_connection_and_by_predicate_and_empty_channels_go_away():
    app = feathers()
    a, b = {"admin": True}, {"admin": False}
    app.channel("room").join(a, b)
    app.channel("room").leave(lambda connection: connection["admin"])
    assert app.channel("room").connections == [b]
    app.channel("room").leave(b)
    assert app.channels == []


def test_combined_channels_list_each_connection_once_and_join_leave_children():
    app = feathers()
    a, b, c = {"n": 1}, {"n": 2}, {"n": 3}
    app.channel("x").join(a, b)
    app.channel("y").join(b, c)
    combined = app.channel("x", "y")
    assert isinstance(combined, CombinedChannel)
    assert combined.connections == [a, b, c]
    assert app.channel(["x", "y"]).connections == [a, b, c]
    combined.leave(b)
    assert b not in app.channel("x") and b not in app.channel("y")
    with pytest.raises(ValueError):
        app.channel()


def test_filter_and_send():
    a, b = {"n": 1}, {"n": 2}
    channel = Channel([a, b])
    only_a = channel.filter(lambda connection: connection["n"] == 1)
    assert only_a.connections == [a]
    with_data = channel.send({"hidden": True})
    assert with_data.data == {"hidden": True}
    assert with_data.data_for(a) == {"hidden": True}
    combined = CombinedChannel([with_data, Channel([b, {"n": 3}])])
    assert combined.data_for(b) == {"hidden": True}  # first channel wins
    assert combined.data_for(combined.connections[2]) is None


async def test_publish_to_a_channel_and_app_publish_event():
    app = feathers()
    app.use("notes", Notes())
    conn = {"provider": "socketio"}
    app.channel("everyone").join(conn)
    app.publish(lambda data, context: app.channel("everyone"))
    sent = published(app)
    await app.service("notes").create({"text": "hi"})
    ((event, channel, data),) = sent
    assert event == "created" and data == {"text": "hi"}
    assert channel.connections == [conn]


async def test_publisher_precedence_service_event_service_all_app_event_app_all():
    app = feathers()
    app.use("notes", Notes())
    service = app.service("notes")
    for name in ("app-all", "app-event", "service-all", "service-event"):
        app.channel(name).join({"channel": name})
    sent = published(app)

    def pick(name):
        return lambda data, context: app.channel(name)

    async def latest():
        sent.clear()
        await service.create({})
        return sent[0][1].connections[0]["channel"]

    app.publish(pick("app-all"))
    assert await latest() == "app-all"
    app.publish("created", pick("app-event"))
    assert await latest() == "app-event"
    service.publish(pick("service-all"))
    assert await latest() == "service-all"
    service.publish("created", pick("service-event"))
    assert await latest() == "service-event"
    # another event of the same service falls back to the service's all-events publisher
    sent.clear()
    await service.patch(1, {})
    assert sent[0][1].connections[0]["channel"] == "service-all"


async def test_publishers_may_return_lists_none_or_awaitables():
    app = feathers()
    app.use("notes", Notes())
    a, b = {"n": "a"}, {"n": "b"}
    app.channel("a").join(a)
    app.channel("b").join(b, a)
    sent = published(app)

    app.publish("created", lambda data, context: [app.channel("a"), [app.channel("b")], None])
    await app.service("notes").create({})
    assert sent[-1][1].connections == [a, b]

    app.publish("created", lambda data, context: None)
    sent.clear()
    await app.service("notes").create({})
    assert sent == []

    async def later(data, context):
        await asyncio.sleep(0)
        return app.channel("b")

    app.publish("created", later)
    await app.service("notes").create({})
    await asyncio.sleep(0.01)
    assert sent[-1][1].connections == [b, a]


async def test_custom_events_are_published_with_a_context():
    app = feathers()
    app.use("notes", Notes())
    app.channel("x").join({"n": 1})
    contexts = []

    def publisher(data, context):
        contexts.append((context.path, context.result))
        return app.channel("x")

    app.service("notes").publish("noted", publisher)
    sent = published(app)
    app.service("notes").emit("noted", {"typing": True})
    assert contexts == [("notes", {"typing": True})]
    assert sent[0][0] == "noted"


def test_invalid_service_event_for_a_publisher():
    app = feathers()
    app.use("notes", Notes())
    with pytest.raises(ValueError, match="'exploded' is not a valid service event"):
        app.service("notes").publish("exploded", lambda data, context: None)


async def test_disconnect_and_logout_leave_every_channel():
    app = feathers()
    a, b = {"n": 1}, {"n": 2}
    app.channel("x").join(a, b)
    app.channel("y").join(a)
    app.emit("disconnect", a)
    assert app.channel("x").connections == [b]
    assert app.channels == ["x"]
    app.emit("logout", {"user": 2}, {"connection": b})
    assert app.channels == []


async def test_a_failing_publisher_is_logged_not_raised(caplog):
    app = feathers()
    app.use("notes", Notes())
    app.publish(lambda data, context: 1 / 0)
    assert await app.service("notes").create({"ok": 1}) == {"ok": 1}
    assert "publisher" in caplog.text
