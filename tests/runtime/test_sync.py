"""feathers.sync with an in-process backend: what travels, exactly once, and failures.

The same flows against a real redis-server are in test_sync_redis.py and, across real
server processes, in tests/interop/test_sync_processes.py.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Sequence
from typing import Any

import pytest
import socketio as python_socketio

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio
from feathers_cli.runtime.sync import Sync, SyncBackend, sync


class SharedLog(SyncBackend):
    """A backend for tests: one shared list; `down` makes every call fail."""

    def __init__(self, log: list[bytes], state: dict[str, Any]) -> None:
        self.log = log
        self.state = state
        self.position = len(log)

    async def publish(self, messages: Sequence[bytes]) -> None:
        if self.state.get("down"):
            raise ConnectionError("down")
        self.log.extend(messages)
        if self.state.pop("fail_after_store", False):
            raise ConnectionError("the reply was lost")

    async def read(self) -> list[bytes]:
        if self.state.get("down"):
            await asyncio.sleep(0.01)
            raise ConnectionError("down")
        if self.position == len(self.log):
            await asyncio.sleep(0.005)
        messages = self.log[self.position :]
        self.position += len(messages)
        return messages


def make_app(log: list[bytes], state: dict[str, Any], **options: Any) -> Any:
    app = feathers()
    app.use("messages", MemoryService(multi=True), events=["typing"])
    app.configure(sync({"backend": SharedLog(log, state), "max_retry_delay": 0.05, **options}))
    app.published = []
    app.connection = {"name": "a socket"}
    app.channel("everyone").join(app.connection)
    app.publish(lambda data, context: app.channel("everyone"))
    app.on("publish", lambda *args: app.published.append(args))
    return app


@pytest.fixture
async def cluster():
    log: list[bytes] = []
    state: dict[str, Any] = {}
    apps = [make_app(log, state), make_app(log, state)]
    for app in apps:
        await app.setup()
    yield apps, state, log
    for app in apps:
        await app.teardown()


async def settle(condition, seconds: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.005)


def events(app: Any) -> list[tuple[str, Any]]:
    return [(event, data) for event, _channel, _context, data in app.published]


async def test_every_process_publishes_each_event_once_origin_included(cluster):
    (a, b), _, log = cluster
    created = await b.service("messages").create({"text": "hi"}, {"provider": "socketio"})
    assert a.published == [] and b.published == []  # nothing before it comes back
    await settle(lambda: a.published and b.published)
    await asyncio.sleep(0.05)
    assert events(a) == events(b) == [("created", created)]
    assert len(log) == 1


async def test_the_context_carries_what_publishers_need_and_never_the_connection(cluster):
    (a, b), _, log = cluster
    seen = []
    a.publish(lambda data, context: seen.append(context) or a.channel("everyone"))
    user = {"id": 7, "email": "x@example.com"}
    params = {"provider": "socketio", "user": user, "connection": {"secret": "no"}, "x": 1}
    created = await b.service("messages").create({"text": "hi"}, params)
    await settle(lambda: seen)
    context = seen[0]
    assert (context.path, context.method, context.id, context.type) == (
        "messages",
        "create",
        None,
        "after",
    )
    assert context.result == created
    assert context.params == {"provider": "socketio", "user": user}
    assert context.service is a.service("messages") and context.app is a
    assert b"secret" not in log[0]


async def test_a_list_result_is_one_message_with_one_event_per_item(cluster):
    (a, b), _, log = cluster
    created = await b.service("messages").create([{"n": 1}, {"n": 2}, {"n": 3}])
    await settle(lambda: len(a.published) == 3)
    assert events(a) == [("created", item) for item in created]
    assert len(log) == 1 and log[0].count(b'"n":1') == 1  # each item encoded once
    _, _, context, data = a.published[1]
    assert data is context.result[1]


async def test_dispatch_travels_and_is_what_clients_get(cluster):
    (a, b), _, _ = cluster

    def hide(context):
        context.dispatch = {**context.result, "secret": None}

    b.service("messages").hooks({"after": {"create": [hide]}})
    await b.service("messages").create({"secret": "s3cret"})
    await settle(lambda: a.published)
    context = a.published[0][2]
    assert context.dispatch["secret"] is None and context.result["secret"] == "s3cret"


async def test_datetimes_and_bytes_arrive_as_a_socket_client_sees_them(cluster):
    (a, b), _, _ = cluster
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    await b.service("messages").create({"at": when, "blob": b"\x00\x01raw"})
    await settle(lambda: a.published)
    data = a.published[0][3]
    assert data["at"] == "2026-01-02T03:04:05+00:00"
    assert data["blob"] == b"\x00\x01raw"


async def test_custom_events_and_suppressed_events(cluster):
    (a, b), _, _ = cluster
    b.service("messages").emit("typing", {"who": "ann"})

    def mute(context):
        context.event = None

    b.service("messages").hooks({"after": {"remove": [mute]}})
    created = await b.service("messages").create({"text": "x"})
    await b.service("messages").remove(created["id"])
    await settle(lambda: len(a.published) == 2)
    await asyncio.sleep(0.05)
    assert events(a) == [("typing", {"who": "ann"}), ("created", created)]
    assert a.published[0][2].path == "messages" and a.published[0][2].method is None


async def test_events_raised_while_the_backend_is_down_come_in_order_once(cluster, caplog):
    (a, b), state, _ = cluster
    state["down"] = True
    caplog.set_level(logging.WARNING, "feathers.sync")
    for n in range(20):
        await b.service("messages").create({"n": n})
    await asyncio.sleep(0.1)
    assert a.published == [] and b.sync.pending == 20
    assert "cannot publish" in caplog.text
    state["down"] = False
    await settle(lambda: len(a.published) == 20 and len(b.published) == 20)
    await asyncio.sleep(0.05)
    for app in (a, b):
        assert [data["n"] for _, data in events(app)] == list(range(20))
    assert b.sync.pending == 0 and b.sync.dropped == 0 and a.sync.lost == 0


async def test_a_publish_retried_after_a_lost_reply_is_not_delivered_twice(cluster):
    (a, b), state, log = cluster
    state["fail_after_store"] = True
    await b.service("messages").create({"n": 1})
    await settle(lambda: len(log) == 2)  # stored twice: once, then the retry
    await b.service("messages").create({"n": 2})
    await settle(lambda: len(a.published) == 2 and len(b.published) == 2)
    await asyncio.sleep(0.05)
    assert [data["n"] for _, data in events(a)] == [1, 2]
    assert [data["n"] for _, data in events(b)] == [1, 2]


async def test_a_full_queue_drops_the_oldest_with_a_warning_and_a_count(caplog):
    log: list[bytes] = []
    state: dict[str, Any] = {"down": True}
    a, b = make_app(log, state), make_app(log, state, queue_size=5)
    await a.setup()
    await b.setup()
    try:
        caplog.set_level(logging.WARNING, "feathers.sync")
        for n in range(8):
            await b.service("messages").create({"n": n})
        await asyncio.sleep(0.02)
        assert b.sync.dropped == 3 and b.sync.pending == 5
        assert "sync queue is full" in caplog.text
        state["down"] = False
        await settle(lambda: len(a.published) == 5)
        await asyncio.sleep(0.05)
        assert [data["n"] for _, data in events(a)] == [3, 4, 5, 6, 7]
        assert a.sync.lost == 0  # dropped before they had a sequence number
    finally:
        await a.teardown()
        await b.teardown()


async def test_a_failing_publisher_or_an_unknown_path_does_not_stop_the_reader(cluster):
    (a, b), _, _ = cluster

    def broken(data, context):
        raise RuntimeError("boom")

    a.service("messages").publish("created", broken)
    other = feathers()
    other.use("elsewhere", MemoryService())
    other.configure(sync({"backend": SharedLog(b.sync.backend.log, {})}))
    await other.setup()
    try:
        await other.service("elsewhere").create({"x": 1})
        created = await b.service("messages").create({"n": 1})
        await b.service("messages").patch(created["id"], {"n": 2})
        await settle(lambda: len(a.published) == 1 and len(b.published) == 2)
        assert a.published[0][0] == "patched"
    finally:
        await other.teardown()


def test_without_a_running_loop_events_are_published_locally():
    app = make_app([], {})
    app.service("messages").emit("typing", {"x": 1})
    assert events(app) == [("typing", {"x": 1})]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "needs a 'url'"),
        ({"url": "amqp://localhost"}, "Unsupported sync URL scheme 'amqp'"),
        ({"url": "redis://x", "queue_size": 0}, "'queue_size' must be a positive"),
        ({"url": "redis://x", "colour": 1}, "Unknown sync() option(s): colour"),
        ({"backend": object()}, "must be a SyncBackend"),
        ({"url": "redis://x", "key": 3}, "'key' must be a string"),
        ({"url": "redis://x", "redis_options": 3}, "'redis_options' must be a dict"),
    ],
)
def test_bad_options_are_refused_with_a_message(options, message):
    with pytest.raises((TypeError, ValueError)) as error:
        sync(options)
    assert message in str(error.value)


def test_sync_is_configured_once():
    app = feathers()
    app.configure(sync({"url": "redis://127.0.0.1:1/0"}))
    assert isinstance(app.sync, Sync)
    with pytest.raises(ValueError, match="already configured"):
        app.configure(sync({"url": "redis://127.0.0.1:1/0"}))


async def test_lag_counts_own_messages_not_read_back_yet(cluster):
    (_, b), _, log = cluster
    for n in range(3):
        await b.service("messages").create({"n": n})
    await settle(lambda: len(b.published) == 3)
    assert b.sync.lag == 0 and len(log) == 3


class WithManager(SharedLog):
    def socketio_manager(self) -> Any:
        return SharedManager()


class SharedManager(python_socketio.AsyncManager):
    """Stands for AsyncRedisManager."""


async def test_app_io_gets_the_backends_client_manager_unless_it_has_its_own():
    plain = feathers()
    plain.configure(socketio())
    plain.configure(sync({"backend": WithManager([], {})}))
    own = python_socketio.AsyncManager()
    chosen = feathers()
    chosen.configure(socketio({"client_manager": own}))
    chosen.configure(sync({"backend": WithManager([], {})}))
    for app in (plain, chosen):
        await app.setup()
    try:
        assert type(plain.io.manager) is SharedManager and plain.io.manager.server is plain.io
        assert chosen.io.manager is own
    finally:
        for app in (plain, chosen):
            await app.teardown()
