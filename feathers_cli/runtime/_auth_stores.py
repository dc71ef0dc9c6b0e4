"""Where authentication keeps its state between requests: failed logins and revoked tokens.

Private: `authentication` re-exports the names users touch. A store is anything with the
five methods of `AuthStore`; three come with the runtime:

- `MemoryAuthStore`: one process, the default (state is lost on restart).
- `SQLAuthStore(engine)`: the app's SQLAlchemy async engine; creates two tables on setup,
  `feathers_auth_failures(key, count, window_end)` and `feathers_auth_revoked(jti,
  expires_at)` (times in seconds since the epoch).
- `RedisAuthStore(client_or_url)`: redis-py asyncio; keys `feathers:auth:failures:<key>`
  and `feathers:auth:revoked:<jti>`, each expiring with its window or its token.
"""

from __future__ import annotations

import time
from typing import Any, Protocol, runtime_checkable

__all__ = ["AuthStore", "MemoryAuthStore", "RedisAuthStore", "SQLAuthStore"]


@runtime_checkable
class AuthStore(Protocol):
    """The store protocol: a failure counter per key and a set of revoked token ids."""

    async def failures(self, key: str) -> int:
        """How many failures `key` has in its current window (0 once the window passed)."""
        ...

    async def add_failure(self, key: str, window: float) -> int:
        """Count one failure of `key`; a first failure opens a window of `window` seconds."""
        ...

    async def clear_failures(self, key: str) -> None:
        """Forget the failures of `key` (after a successful login)."""
        ...

    async def revoke(self, jti: str, expires_at: float) -> None:
        """Refuse the token `jti` until `expires_at` (seconds since the epoch)."""
        ...

    async def is_revoked(self, jti: str) -> bool:
        """Whether the token `jti` was revoked (and has not expired yet)."""
        ...


class MemoryAuthStore:
    """The in-process store (the default): dictionaries, pruned as entries expire."""

    def __init__(self) -> None:
        self._failures: dict[str, tuple[int, float]] = {}
        self._revoked: dict[str, float] = {}

    async def failures(self, key: str) -> int:
        count, window_end = self._failures.get(key, (0, 0.0))
        if window_end <= time.time():
            self._failures.pop(key, None)
            return 0
        return count

    async def add_failure(self, key: str, window: float) -> int:
        now = time.time()
        count, window_end = self._failures.get(key, (0, 0.0))
        if window_end <= now:
            count, window_end = 0, now + window
        self._failures[key] = (count + 1, window_end)
        if len(self._failures) > 10_000:
            self._prune(now)
        return count + 1

    async def clear_failures(self, key: str) -> None:
        self._failures.pop(key, None)

    async def revoke(self, jti: str, expires_at: float) -> None:
        now = time.time()
        if expires_at > now:
            self._revoked[jti] = expires_at
        if len(self._revoked) > 10_000:
            self._prune(now)

    async def is_revoked(self, jti: str) -> bool:
        expires_at = self._revoked.get(jti)
        if expires_at is None:
            return False
        if expires_at <= time.time():
            del self._revoked[jti]
            return False
        return True

    def _prune(self, now: float) -> None:
        self._failures = {k: v for k, v in self._failures.items() if v[1] > now}
        self._revoked = {k: v for k, v in self._revoked.items() if v > now}


class SQLAuthStore:
    """The store in the app's SQL database (SQLAlchemy async engine, `database_engine`)."""

    def __init__(self, engine: Any) -> None:
        import sqlalchemy as sa  # only this store needs SQLAlchemy

        self.engine = engine
        self._sa = sa
        metadata = sa.MetaData()
        self.failures_table = sa.Table(
            "feathers_auth_failures",
            metadata,
            sa.Column("key", sa.String(512), primary_key=True),
            sa.Column("count", sa.Integer, nullable=False),
            sa.Column("window_end", sa.Float, nullable=False),
        )
        self.revoked_table = sa.Table(
            "feathers_auth_revoked",
            metadata,
            sa.Column("jti", sa.String(64), primary_key=True),
            sa.Column("expires_at", sa.Float, nullable=False, index=True),
        )
        self.metadata = metadata
        self._created = False

    async def setup(self) -> None:
        """Create the two tables when they do not exist."""
        if not self._created:
            async with self.engine.begin() as conn:
                await conn.run_sync(self.metadata.create_all)
            self._created = True

    async def failures(self, key: str) -> int:
        await self.setup()
        table = self.failures_table
        query = self._sa.select(table.c.count).where(
            table.c.key == key, table.c.window_end > time.time()
        )
        async with self.engine.connect() as conn:
            count = (await conn.execute(query)).scalar()
        return int(count or 0)

    async def add_failure(self, key: str, window: float) -> int:
        await self.setup()
        for _ in range(3):  # two processes may insert the same key at once: count again
            try:
                return await self._add_failure(key, window)
            except self._sa.exc.IntegrityError:
                continue
        raise RuntimeError(f"Could not count a failed login for {key!r}")

    async def _add_failure(self, key: str, window: float) -> int:
        sa, table, now = self._sa, self.failures_table, time.time()
        columns = sa.select(table.c.count, table.c.window_end).where(table.c.key == key)
        async with self.engine.begin() as conn:
            row = (await conn.execute(columns)).first()
            if row is None:
                values = {"key": key, "count": 1, "window_end": now + window}
                await conn.execute(sa.insert(table).values(**values))
                return 1
            expired = row.window_end <= now
            count = 1 if expired else row.count + 1
            window_end = now + window if expired else row.window_end
            update = sa.update(table).where(table.c.key == key)
            await conn.execute(update.values(count=count, window_end=window_end))
            return count

    async def clear_failures(self, key: str) -> None:
        await self.setup()
        table = self.failures_table
        async with self.engine.begin() as conn:
            await conn.execute(self._sa.delete(table).where(table.c.key == key))

    async def revoke(self, jti: str, expires_at: float) -> None:
        await self.setup()
        sa, table = self._sa, self.revoked_table
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(table).where(table.c.expires_at <= time.time()))
            await conn.execute(sa.delete(table).where(table.c.jti == jti))
            await conn.execute(sa.insert(table).values(jti=jti, expires_at=expires_at))

    async def is_revoked(self, jti: str) -> bool:
        await self.setup()
        table = self.revoked_table
        query = self._sa.select(table.c.jti).where(
            table.c.jti == jti, table.c.expires_at > time.time()
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).first() is not None


class RedisAuthStore:
    """The store in Redis (redis-py asyncio): shared by every process of the app."""

    prefix = "feathers:auth:"

    def __init__(self, redis: Any) -> None:
        if isinstance(redis, str):
            import redis.asyncio as redis_asyncio  # the optional `redis` extra

            redis = redis_asyncio.from_url(redis)
        self.redis = redis

    async def failures(self, key: str) -> int:
        value = await self.redis.get(f"{self.prefix}failures:{key}")
        return int(value or 0)

    async def add_failure(self, key: str, window: float) -> int:
        name = f"{self.prefix}failures:{key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            # a first failure opens the window; INCR keeps the key's expiry
            pipe.set(name, 0, ex=max(1, int(window)), nx=True)
            pipe.incr(name)
            _, count = await pipe.execute()
        return int(count)

    async def clear_failures(self, key: str) -> None:
        await self.redis.delete(f"{self.prefix}failures:{key}")

    async def revoke(self, jti: str, expires_at: float) -> None:
        seconds = int(expires_at - time.time()) + 1
        if seconds > 0:
            await self.redis.set(f"{self.prefix}revoked:{jti}", "1", ex=seconds)

    async def is_revoked(self, jti: str) -> bool:
        return bool(await self.redis.exists(f"{self.prefix}revoked:{jti}"))

    async def close(self) -> None:
        """Close the connection pool (when the store made its own client from a URL)."""
        await self.redis.aclose()
