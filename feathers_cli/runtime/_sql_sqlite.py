"""SQLite work on dedicated connection threads, one thread hop per service call (`sql.py`).

    runner = SQLiteRunner(engine.url, readers=2, configure=configure_sqlite)
    rows = await runner.run(lambda connection: connection.execute(statement).all())

Through SQLAlchemy's async bridge and aiosqlite, one call makes a thread round trip for every
database step (check out a connection, BEGIN, execute, fetch, COMMIT, check it in), and each
hop waits for the event loop and the GIL. Here a call's whole transaction is one function run
on a worker thread that owns its connection (SQLAlchemy's synchronous pysqlite driver, so
compiled-statement caching, type conversion and exceptions are SQLAlchemy's as before).

One writer connection takes every write (SQLite allows one writer at a time; waiting for
another process's write lock happens on that thread, never on the loop) and `readers`
connections take reads (write-ahead logging lets them run beside the writer). A worker takes
every job queued when it wakes, runs each in its own transaction, and hands all results back
to the event loop at once, so a busy server pays one loop wake-up per batch, not per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

__all__ = ["SQLiteRunner"]

T = TypeVar("T")
Work = Callable[[sa.Connection], Any]
_STOP = object()
IDLE_SECONDS = 60.0
"""A worker thread with nothing to do for this long closes its connection and ends."""


class SQLiteRunner:
    """Worker threads for one SQLite database file: one writer and `readers` readers."""

    def __init__(
        self, url: sa.URL, readers: int, configure: Callable[[sa.Engine], None], write_option: str
    ) -> None:
        self.engine = sa.create_engine(
            url.set(drivername="sqlite+pysqlite"), poolclass=sa.pool.NullPool
        )
        configure(self.engine)
        self._writer = _Worker(self.engine, "feathers-sqlite-writer", {write_option: True})
        self._readers = [
            _Worker(self.engine, f"feathers-sqlite-reader-{n}", {}) for n in range(max(readers, 1))
        ]

    async def run(self, work: Callable[[sa.Connection], T], write: bool = False) -> T:
        """`work(connection)` in a transaction on a worker thread (the writer when `write`)."""
        worker = self._writer if write else min(self._readers, key=_Worker.backlog)
        return await worker.submit(work)

    def close_on_dispose(self, _engine: Any) -> None:
        """The listener of the async engine's `engine_disposed` event."""
        self.close()

    def close(self) -> None:
        """Stops the threads after the work queued so far; they start again on the next call."""
        for worker in (self._writer, *self._readers):
            worker.stop()


class _Worker:
    """A thread owning one connection, running queued work in order, one transaction each."""

    def __init__(self, engine: sa.Engine, name: str, options: dict[str, Any]) -> None:
        self._engine, self._name, self._options = engine, name, options
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        # calls submitted during one pass of an event loop, handed over together at its end
        self._pending: dict[asyncio.AbstractEventLoop, list[Any]] = {}

    def backlog(self) -> int:
        return self._queue.qsize() + sum(len(jobs) for jobs in self._pending.values())

    def submit(self, work: Work) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        jobs = self._pending.get(loop)
        if jobs is None:
            jobs = self._pending[loop] = []
            loop.call_soon(self._hand_over, loop)
        jobs.append((work, future))
        return future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """One queue put (one thread wake-up) for all the calls of this loop pass."""
        jobs = self._pending.pop(loop, [])
        with self._start_lock:
            if self._thread is None:
                self._queue = queue.SimpleQueue()
                self._thread = threading.Thread(
                    target=self._main, args=(self._queue,), name=self._name, daemon=True
                )
                self._thread.start()
            self._queue.put(jobs)

    def stop(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                self._queue.put(_STOP)
                self._thread = None

    def _next_batch(self, jobs: queue.SimpleQueue[Any]) -> list[Any] | None:
        """The jobs queued now (waiting for one), or None when idle for IDLE_SECONDS."""
        try:
            items = [jobs.get(timeout=IDLE_SECONDS)]
        except queue.Empty:
            with self._start_lock:  # no hand-over can queue while the thread decides to end
                if jobs.empty() and self._queue is jobs:
                    self._thread = None
                    return None
            items = []
        while True:
            try:
                items.append(jobs.get_nowait())
            except queue.Empty:
                break
        batch: list[Any] = []
        for item in items:
            if item is _STOP:
                batch.append(_STOP)
            else:
                batch.extend(item)
        return batch

    def _main(self, jobs: queue.SimpleQueue[Any]) -> None:
        connection: sa.Connection | None = None
        try:
            while (batch := self._next_batch(jobs)) is not None:
                outcomes = []
                for job in batch:
                    if job is _STOP:
                        _deliver(outcomes)
                        return
                    work, future = job
                    if future.done():  # cancelled while queued: not started at all
                        continue
                    connection, outcome = self._execute(connection, work)
                    outcomes.append((future, *outcome))
                _deliver(outcomes)
        finally:
            if connection is not None:
                connection.close()

    def _execute(
        self, connection: sa.Connection | None, work: Work
    ) -> tuple[sa.Connection | None, tuple[Any, BaseException | None]]:
        try:
            if connection is None:
                connection = self._engine.connect().execution_options(**self._options)
            with connection.begin():
                return connection, (work(connection), None)
        except BaseException as error:
            if connection is not None and (connection.invalidated or connection.closed):
                connection.close()
                connection = None
            return connection, (None, error)


def _deliver(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    """Settles the futures on their loops, one wake-up per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Any]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].get_loop(), []).append(outcome)
    for loop, settled in by_loop.items():
        # RuntimeError: the loop has closed, so nobody waits for these any more
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, settled)


def _settle(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in outcomes:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
