"""The extension point of `sync` (`SyncBackend`) and its Redis implementation.

Private: `sync` re-exports both. redis-py is imported only when a `RedisBackend` is made, so
the runtime imports without it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

__all__ = ["RedisBackend", "SyncBackend"]

# Milliseconds a read waits on Redis for new messages before it returns empty.
READ_BLOCK_MS = 1000
READ_COUNT = 1000


class SyncBackend:
    """Where sync messages go and come from; subclass it for another message system.

    Messages are opaque bytes. `publish` stores a batch in order, or raises (the caller then
    retries the whole batch; receivers drop what they already had). `read` waits up to about
    a second and returns the messages published since its last read (since the backend was
    made, on the first), each once and in order, or raises while the system is unreachable
    (the caller retries with backoff). `close` releases the connections.
    """

    async def publish(self, messages: Sequence[bytes]) -> None:
        """Store `messages`, in order, for every process to read."""
        raise NotImplementedError

    async def read(self) -> list[bytes]:
        """The messages published since the last read (may wait about a second)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Release connections; the backend may be used again afterwards."""
        return None

    def socketio_manager(self) -> Any:
        """A python-socketio client manager for `app.io` to share its emits, or None."""
        return None


class RedisBackend(SyncBackend):
    """Sync through a Redis stream (`XADD`, `XREAD`) named after the app's `key`.

    A stream rather than pub/sub: a process that lost its connection for a moment reads on
    from its last message when it is back, where a pub/sub subscriber would miss what was
    published meanwhile. The stream keeps about `stream_length` messages; a process that
    falls further behind than that misses the oldest (counted as `lost` by `Sync`).
    """

    def __init__(
        self,
        url: str,
        key: str,
        *,
        stream_length: int = 10_000,
        redis_options: dict[str, Any] | None = None,
        socketio: bool = True,
    ) -> None:
        try:
            from redis import asyncio as aioredis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
        except ImportError:  # pragma: no cover - redis is the 'sync' extra
            raise RuntimeError("feathers.sync needs redis-py: pip install 'redis>=5'") from None
        if redis_options is not None and not isinstance(redis_options, dict):
            raise TypeError("The sync 'redis_options' must be a dict")
        self.url = url
        self.key = key
        self.stream_length = stream_length
        self.socketio = socketio
        self.redis_options = dict(redis_options or {})
        # Sync retries with its own backoff: a command that fails must fail fast.
        options = {
            "socket_connect_timeout": 5,
            "socket_timeout": 10,
            "retry": Retry(NoBackoff(), 0),
            **self.redis_options,
        }
        self._make_client = lambda: aioredis.Redis.from_url(url, **options)
        self._client: Any = None
        # Stream ids are Redis's clock in ms: read what is published from now on.
        self.position = f"{int(time.time() * 1000)}-0"

    @property
    def client(self) -> Any:
        """The redis-py client (made on first use)."""
        if self._client is None:
            self._client = self._make_client()
        return self._client

    async def publish(self, messages: Sequence[bytes]) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.xadd(self.key, {"m": message}, maxlen=self.stream_length, approximate=True)
            await pipe.execute()

    async def read(self) -> list[bytes]:
        response = await self.client.xread(
            {self.key: self.position}, count=READ_COUNT, block=READ_BLOCK_MS
        )
        if isinstance(response, dict):  # RESP3
            response = list(response.items())
        messages = []
        for _, entries in response or ():
            for entry_id, fields in entries:
                self.position = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                message = fields.get(b"m", fields.get("m"))
                if message is not None:
                    messages.append(message)
        return messages

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def socketio_manager(self) -> Any:
        if not self.socketio:
            return None
        import socketio as python_socketio

        return python_socketio.AsyncRedisManager(
            self.url, channel=f"{self.key}:socketio", redis_options=dict(self.redis_options)
        )
