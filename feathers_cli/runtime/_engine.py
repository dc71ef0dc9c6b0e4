"""Engine.IO fast paths of the Socket.io transport (issue 7). Private.

Written against python-engineio 4.15.1 / python-socketio 5.18.1 (`AsyncSocket` of
engineio/async_socket.py). python-engineio sends every packet through a per-socket queue
that a writer task drains (one task wake-up, a `wait_for` and a queue poll per packet and
per socket: most of the cost of a fan-out to many sockets and of each call's ack), and its
websocket reader wraps every received frame in a task plus a `wait_for`. `FeathersEngineSocket`
replaces the websocket handler with one that (1) writes a packet straight to the websocket
when nothing is queued or being written for that socket, so a frame never overtakes an
earlier one, and a send that cannot complete at once (the socket's transport is paused) is
finished by a task of its own, so a slow socket never holds up the others; and (2) reads
frames without a task per frame, under one rescheduled timeout. User code never runs in
that reader's task: service calls and connection middleware get tasks of their own
(`start_task`). Polling, the upgrade
handshake, closing and everything else stay python-engineio's own code. Sockets are given
this class only when the installed python-engineio has the expected shape
(`ENGINE_FAST_PATH`); otherwise the stock class serves them unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sys
from collections.abc import Coroutine
from typing import Any

from engineio import async_socket as engineio_async_socket
from engineio import exceptions as engineio_exceptions
from engineio import packet as eio_packet

__all__ = [
    "EAGER_TASKS",
    "ENGINE_FAST_PATH",
    "FeathersEngineSocket",
    "adopt_engine_socket",
    "run_eagerly",
    "start_task",
    "track_ping_tasks",
]

logger = logging.getLogger("feathers.socketio")

_pending_tasks: set[asyncio.Task[Any]] = set()


class _Resume:
    """Awaitable that continues a coroutine which was run by hand up to its first suspension.

    `coroutine.send(None)` ran it until it yielded `yielded` (the future it waits on); a task
    awaiting this picks up exactly there, as if the coroutine had been a task from the start.
    """

    __slots__ = ("coroutine", "yielded")

    def __init__(self, coroutine: Any, yielded: Any) -> None:
        self.coroutine = coroutine
        self.yielded = yielded

    def __await__(self) -> Any:
        coroutine, yielded = self.coroutine, self.yielded
        while True:
            try:
                sent = yield yielded
            except BaseException as exc:  # cancellation: pass it on to the coroutine
                try:
                    yielded = coroutine.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    yielded = coroutine.send(sent)
                except StopIteration as stop:
                    return stop.value


async def _finish(coroutine: Any, yielded: Any) -> Any:
    return await _Resume(coroutine, yielded)


def run_eagerly(
    coroutine: Any, context: contextvars.Context | None = None
) -> asyncio.Task[Any] | None:
    """Run transport `coroutine` now, up to its first real suspension; None if it finished.

    For the transport's own coroutines only (a websocket send): user code gets a task of its
    own (`start_task`), since a coroutine moved into a task half-way keeps the first task's
    identity in anything it captured (`asyncio.timeout` would cancel the wrong task).

    What a task would do, without creating one when the coroutine never waits (a call on a
    memory service, a websocket send into a transport that is not paused); otherwise the
    rest runs in a task (returned), in the same `context`. Errors are logged, as a task's.
    """
    try:
        yielded = coroutine.send(None) if context is None else context.run(coroutine.send, None)
    except StopIteration:
        return None
    except Exception:
        logger.exception("Error in a Socket.io handler")
        return None
    loop = asyncio.get_running_loop()
    task = loop.create_task(_finish(coroutine, yielded), context=context)
    _pending_tasks.add(task)
    task.add_done_callback(_task_done)
    return task


EAGER_TASKS = sys.version_info >= (3, 12)
"""Whether `start_task` starts tasks eagerly (Python 3.12+: `Task(..., eager_start=True)`)."""


def start_task(
    coroutine: Coroutine[Any, Any, Any], context: contextvars.Context | None = None
) -> asyncio.Task[Any]:
    """Run user code (a service call, connection middleware) in a task of its own.

    Its cancellations, `asyncio.timeout`s, task groups, context variables and
    `current_task()` are then its own, never the transport's reader's. On Python 3.12+ the
    task starts eagerly (it runs up to its first suspension before this returns, like
    `asyncio.eager_task_factory`), so a call that never waits costs no loop iteration; on
    3.11 it is a plain task. The context is a copy of the current one unless given.
    """
    loop = asyncio.get_running_loop()
    if EAGER_TASKS:
        return asyncio.Task(coroutine, loop=loop, context=context, eager_start=True)
    return loop.create_task(coroutine, context=context)


async def _send_frame(ws: Any, frame: Any) -> None:
    """A direct websocket write; a client that has gone away is not an error worth a log."""
    try:
        await ws.send(frame)
    except Exception as exc:
        logger.debug("A websocket write failed (the client went away): %r", exc)


def _task_done(task: asyncio.Task[Any]) -> None:
    _pending_tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("Error in a Socket.io handler", exc_info=task.exception())


def _engine_shape_ok() -> bool:
    socket_class = engineio_async_socket.AsyncSocket
    return (
        callable(getattr(socket_class, "_websocket_handler", None))
        and callable(getattr(socket_class, "receive", None))
        and callable(getattr(socket_class, "check_ping_timeout", None))
        and callable(getattr(socket_class, "close", None))
    )


class FeathersEngineSocket(engineio_async_socket.AsyncSocket):
    """python-engineio's server socket with direct websocket writes (see above)."""

    # Class attributes: a stock socket gets this class after it is created (see
    # `adopt_engine_socket`), without running an `__init__`.
    _feathers_ws: Any = None
    _feathers_writing = False
    _feathers_direct: asyncio.Task[Any] | None = None
    _feathers_reader: asyncio.Task[Any] | None = None
    _feathers_queued_bytes = 0
    _feathers_overflowed = False
    _feathers_ping: asyncio.Task[Any] | None = None  # set by `track_ping_tasks`

    async def close(self, *args: Any, **kwargs: Any) -> None:
        await super().close(*args, **kwargs)
        ping = self._feathers_ping
        if ping is not None and ping is not asyncio.current_task() and self.closed:
            ping.cancel()

    def enqueue(self, pkt: eio_packet.Packet, size: int) -> None:
        """Queue `pkt` (`size` bytes encoded) behind what is unsent; a client that lets more
        than the server's `feathers_max_buffered_packets` packets or `..._bytes` bytes pile
        up (it stopped reading) is disconnected and its backlog dropped (`overflow`)."""
        if self._feathers_overflowed:
            return
        server = self.server
        self._feathers_queued_bytes += size
        if self.queue.qsize() >= getattr(
            server, "feathers_max_buffered_packets", 1000
        ) or self._feathers_queued_bytes > getattr(server, "feathers_max_buffered_bytes", 1e6):
            self.overflow()
            return
        self.queue.put_nowait(pkt)

    def overflow(self) -> None:
        """Disconnect a client whose unsent data passed the bounds; drop that data now."""
        self.cut_off(
            f"{self.queue.qsize()} packets / {self._feathers_queued_bytes} bytes unsent "
            "(the client stopped reading)"
        )

    def cut_off(self, why: str) -> None:
        """End this session at once (`why` is logged): unsent data is dropped, its handler
        stops, its Socket.io connection gets its 'disconnect'."""
        if self._feathers_overflowed or self.closed:
            return
        self._feathers_overflowed = True
        server = self.server
        logger.warning("Disconnected %s: %s", self.sid, why)
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()
        self._feathers_queued_bytes = 0
        for task in (self._feathers_direct, self._feathers_reader):
            if task is not None:
                task.cancel()  # the handler then closes the session (below)
        if self._feathers_reader is None:  # polling: no websocket handler to end it
            task = asyncio.ensure_future(
                self.close(wait=False, abort=True, reason=server.reason.TRANSPORT_ERROR)
            )
            _pending_tasks.add(task)
            task.add_done_callback(_task_done)

    def send_now(self, pkt: eio_packet.Packet, frame: Any = None) -> bool:
        """Write `pkt` straight to the websocket if nothing is queued or in flight for it.

        Returns False when it did not (polling, upgrading, closing, queued or in-flight
        packets, a send still finishing): the caller queues the packet instead. `frame`
        is the packet's encoding, when the caller has it already.
        """
        ws = self._feathers_ws
        if self._feathers_overflowed:
            return True  # disconnecting: nothing more is sent to it
        if (
            ws is None
            or self._feathers_writing
            or self._feathers_direct is not None
            or self.closing
            or self.closed
            or self.upgrading
            or not self.queue.empty()
        ):
            return False
        try:
            task = run_eagerly(_send_frame(ws, pkt.encode() if frame is None else frame))
        except Exception:  # pragma: no cover - the send raised before its first await
            self._feathers_ws = None
            return True
        if task is not None:
            self._feathers_direct = task
            task.add_done_callback(self._direct_done)
        return True

    def _direct_done(self, task: asyncio.Task[Any]) -> None:
        if self._feathers_direct is task:
            self._feathers_direct = None

    async def send(self, pkt: eio_packet.Packet) -> None:
        if not await self.check_ping_timeout():
            return
        if not self.send_now(pkt):
            data = pkt.data
            self.enqueue(pkt, len(data) if isinstance(data, str | bytes) else 16)

    async def _websocket_handler(self, ws: Any) -> None:
        if self.connected:
            # An upgrade from polling: python-engineio's probe handshake, unchanged.
            upgraded = await self._feathers_upgrade(ws)
            if not upgraded:
                return
        else:
            self.connected = True
            self.upgraded = True
        server = self.server
        timeout = server.ping_interval + server.ping_timeout
        writer_task = asyncio.ensure_future(self._feathers_writer(ws, timeout))
        self._feathers_ws = ws
        self._feathers_reader = asyncio.current_task()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(loop.time() + timeout) as deadline:
                while True:
                    data = await ws.wait()
                    if data is None:
                        break  # connection closed by the client
                    if len(data) > server.max_http_buffer_size:
                        break  # python-engineio: 'packet is too large' ends the connection
                    deadline.reschedule(loop.time() + timeout)
                    try:
                        await self.receive(eio_packet.Packet(encoded_packet=data))
                    except engineio_exceptions.UnknownPacketError:  # pragma: no cover
                        pass
                    except engineio_exceptions.SocketIsClosedError:  # pragma: no cover
                        break
                    except Exception:  # pragma: no cover
                        server.logger.exception("Unknown receive error")
        except asyncio.CancelledError:
            # The server stopping, or `cut_off`: as python-engineio, end the session. After
            # `cut_off` the cancellation was ours and is taken back, so that the closing
            # below runs as in a task that was never cancelled.
            current = asyncio.current_task()
            if self._feathers_overflowed and current is not None:
                current.uncancel()
        except Exception:
            pass  # a timeout, or the websocket went away: as python-engineio, end it
        self._feathers_ws = None
        self._feathers_reader = None
        await self.queue.put(None)  # unlock the writer so it can exit
        if self._feathers_overflowed:
            writer_task.cancel()  # it may wait on a send the client will never read
        with contextlib.suppress(asyncio.CancelledError):
            await writer_task
        await self.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)

    async def _feathers_writer(self, ws: Any, timeout: float) -> None:
        queue = self.queue
        try:
            while True:
                try:
                    async with asyncio.timeout(timeout):
                        first = await queue.get()
                except TimeoutError:
                    break
                # Same step as the `get`: nothing can be written directly from here on
                # until this batch is out.
                self._feathers_writing = True
                packets = [first]
                queue.task_done()
                while not queue.empty():
                    packets.append(queue.get_nowait())
                    queue.task_done()
                self._feathers_queued_bytes = 0  # what is taken counts as sent
                direct = self._feathers_direct
                if direct is not None:
                    await asyncio.wait([direct])  # an earlier direct send finishes first
                ended = False
                try:
                    for pkt in packets:
                        if pkt is None:
                            ended = True
                            break
                        await ws.send(pkt.encode())
                except Exception:
                    break
                if ended:
                    break
                self._feathers_writing = False
        finally:
            self._feathers_ws = None
            self._feathers_writing = True  # no direct writes after the writer ends
            if not self._feathers_overflowed:
                # (a client that stopped reading would hold a close forever: its connection
                # is left to uvicorn, which closes it once the handler has returned)
                await ws.close()

    async def _feathers_upgrade(self, ws: Any) -> bool:
        # python-engineio 4.15.1's upgrade handshake (probe ping/pong, then UPGRADE).
        self.upgrading = True  # hold packet sends during the upgrade
        try:
            data = await ws.wait()
        except OSError:  # pragma: no cover
            return False
        decoded = eio_packet.Packet(encoded_packet=data)
        if decoded.packet_type != eio_packet.PING or decoded.data != "probe":
            self.server.logger.info("%s: Failed websocket upgrade, no PING packet", self.sid)
            self.upgrading = False
            return False
        await ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
        await self.queue.put(eio_packet.Packet(eio_packet.NOOP))  # end the pending poll
        try:
            data = await ws.wait()
        except OSError:  # pragma: no cover
            self.upgrading = False
            return False
        decoded = eio_packet.Packet(encoded_packet=data)
        if decoded.packet_type != eio_packet.UPGRADE:
            self.upgraded = False
            self.server.logger.info(
                "%s: Failed websocket upgrade, expected UPGRADE packet", self.sid
            )
            self.upgrading = False
            return False
        self.upgraded = True
        self.upgrading = False
        return True


ENGINE_FAST_PATH = _engine_shape_ok()
"""Whether sockets get `FeathersEngineSocket` (the installed python-engineio is as expected)."""


def track_ping_tasks(eio_server: Any) -> None:
    """Make `eio_server` remember each socket's ping task on the socket (`_feathers_ping`).

    python-engineio's ping task sleeps `ping_interval` (25 s) before it looks at its socket
    again, so every closed socket would stay in memory with its task for up to 25 s;
    `FeathersEngineSocket.close` cancels it instead. The first ping is scheduled before the
    socket gets its Feathers class (python-engineio < 4.14), hence this hook on the server's
    public `start_background_task` rather than on the socket.
    """
    start = eio_server.start_background_task

    def start_background_task(target: Any, *args: Any, **kwargs: Any) -> Any:
        task = start(target, *args, **kwargs)
        if getattr(target, "__name__", None) == "_send_ping":
            owner = getattr(target, "__self__", None)
            if owner is not None:
                owner._feathers_ping = task
        return task

    eio_server.start_background_task = start_background_task


def adopt_engine_socket(session: Any) -> None:
    """Give a new stock Engine.IO socket the fast paths (before its websocket handler runs)."""
    if ENGINE_FAST_PATH and type(session) is engineio_async_socket.AsyncSocket:
        session.__class__ = FeathersEngineSocket
