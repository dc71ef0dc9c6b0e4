"""Each service call runs in a task of its own (issue 14 item 1): asyncio.timeout, task
groups, cancellation, context variables and current_task() behave in service code as in any
asyncio program, and none of them reaches the socket's reader. Real sockets, the Python
client (the JS client: tests/interop/js/tasks.test.js)."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest

from feathers_cli.runtime import errors, feathers
from feathers_cli.runtime.client import connect
from feathers_cli.runtime.socketio import socketio

from ..helpers.socketio import serve

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


class Tasks:
    """Service methods that use the current task the way ordinary asyncio code does."""

    async def get(self, id: Any, params: dict[str, Any]) -> Any:
        if id == "timeout":
            async with asyncio.timeout(0.2):
                await asyncio.sleep(5)
        if id == "wait_for":
            await asyncio.wait_for(asyncio.sleep(5), 0.2)
        if id == "cancel-self":
            current = asyncio.current_task()
            assert current is not None
            current.cancel()
            await asyncio.sleep(1)
        if id == "timeout-handled":
            try:
                async with asyncio.timeout(0.05):
                    await asyncio.sleep(5)
            except TimeoutError:
                return {"id": id, "timed_out": True, "task_alive": True}
        return {"id": id, "request_id": REQUEST_ID.get()}

    async def find(self, params: dict[str, Any]) -> Any:
        # A fresh task per call: concurrent calls each see their own task.
        task = asyncio.current_task()
        await asyncio.sleep(0.05)
        return {"task": id(task), "same": asyncio.current_task() is task}

    async def create(self, data: Any, params: dict[str, Any]) -> Any:
        async def part(n: int) -> int:
            await asyncio.sleep(0.01 * n)
            if n == data.get("fail"):
                raise errors.BadRequest(f"part {n} failed")
            return n * n

        try:
            async with asyncio.TaskGroup() as group:
                parts = [group.create_task(part(n)) for n in range(1, 5)]
        except* errors.BadRequest as failures:
            raise failures.exceptions[0] from None
        return {"squares": [p.result() for p in parts]}


def set_request_id(context: Any) -> None:
    REQUEST_ID.set(context.params["query"].get("request_id", "none"))


def task_app() -> Any:
    app = feathers()
    app.configure(socketio())
    app.use("tasks", Tasks(), methods=["find", "get", "create"])
    app.service("tasks").hooks({"before": {"get": [set_request_id]}})
    return app


async def test_a_timeout_in_a_service_is_an_error_and_the_client_stays_connected() -> None:
    app = task_app()
    async with serve(app) as url, await connect(url, transports=["websocket"], timeout=5) as client:
        tasks = client.service("tasks")
        for which in ("timeout", "wait_for"):
            with pytest.raises(errors.GeneralError):
                await tasks.get(which)
            assert client.connected
        assert (await tasks.get(1))["id"] == 1
        handled = await tasks.get("timeout-handled")
        assert handled["timed_out"] is True
        assert len(app.io.eio.sockets) == 1
    assert not app.io.feathers_calls


async def test_a_call_that_cancels_its_own_task_gets_an_answer() -> None:
    app = task_app()
    async with serve(app) as url, await connect(url, transports=["websocket"], timeout=5) as client:
        with pytest.raises(errors.GeneralError, match="cancelled"):
            await client.service("tasks").get("cancel-self")
        assert client.connected
        assert (await client.service("tasks").get(2))["id"] == 2


async def test_task_groups_run_and_fail_like_anywhere_else() -> None:
    app = task_app()
    async with serve(app) as url, await connect(url, transports=["websocket"], timeout=5) as client:
        tasks = client.service("tasks")
        assert await tasks.create({}) == {"squares": [1, 4, 9, 16]}
        with pytest.raises(errors.BadRequest, match="part 2 failed"):
            await tasks.create({"fail": 2})
        assert client.connected
        assert await tasks.create({}) == {"squares": [1, 4, 9, 16]}


async def test_context_variables_set_in_a_hook_reach_the_service_and_stay_in_the_call() -> None:
    app = task_app()
    async with serve(app) as url, await connect(url, transports=["websocket"], timeout=5) as client:
        tasks = client.service("tasks")
        replies = await asyncio.gather(
            *(tasks.get(n, {"query": {"request_id": f"r{n}"}}) for n in range(10))
        )
        assert [reply["request_id"] for reply in replies] == [f"r{n}" for n in range(10)]
    assert REQUEST_ID.get() == "unset"


async def test_each_call_has_its_own_current_task() -> None:
    app = task_app()
    async with serve(app) as url, await connect(url, transports=["websocket"], timeout=5) as client:
        replies = await asyncio.gather(*(client.service("tasks").find() for _ in range(5)))
        assert all(reply["same"] for reply in replies)
        assert len({reply["task"] for reply in replies}) == 5


async def test_connection_middleware_cannot_end_the_reader() -> None:
    app = task_app()

    async def cancelling(socket: Any, next_step: Any) -> None:
        if socket.handshake.query.get("cancel"):
            current = asyncio.current_task()
            assert current is not None
            current.cancel()
            await asyncio.sleep(1)
        async with asyncio.timeout(0.05):
            await asyncio.sleep(0.01)
        next_step()

    app.io.use(cancelling)
    async with serve(app) as url:
        with pytest.raises(ConnectionError, match="cancelled"):
            await connect(f"{url}?cancel=1", transports=["websocket"], timeout=5)
        async with await connect(url, transports=["websocket"], timeout=5) as client:
            assert (await client.service("tasks").get(3))["id"] == 3


async def test_stopping_the_server_lets_calls_in_flight_answer() -> None:
    class Slow:
        async def get(self, id: Any, params: dict[str, Any]) -> Any:
            await asyncio.sleep(0.5)
            return {"id": id, "finished": True}

    app = feathers()
    app.configure(socketio())
    app.use("slow", Slow())
    server = await app.start(0)
    client = await connect(server.url, transports=["websocket"], timeout=5)
    try:
        disconnected = asyncio.Event()
        client.on("disconnect", lambda *_: disconnected.set())
        in_flight = asyncio.ensure_future(client.service("slow").get(7))
        await asyncio.sleep(0.1)
        await server.stop()
        assert await asyncio.wait_for(in_flight, 5) == {"id": 7, "finished": True}
        await asyncio.wait_for(disconnected.wait(), 5)
        assert not app.io.feathers_calls
    finally:
        await client.close()
        await server.stop()
