"""Rate limits through `limits`: per key, and (stricter) per IP for failed authentication.

The storage is a `limits` URL (`Settings.limits_storage_url`): `async+memory://` holds limits per
process; `async+redis://`, `async+rediss://` (TLS) and `async+redis+unix://` share them across
every process that uses the same Redis. Moving windows: "N a minute" holds for any 60 seconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from redis.asyncio import BlockingConnectionPool

_REDIS_PREFIXES = ("async+redis://", "async+rediss://", "async+redis+unix://")


def redis_client_url(storage_url: str) -> str | None:
    """The redis-py URL behind a `limits` Redis storage URL; None for any other storage."""
    if not storage_url.startswith(_REDIS_PREFIXES):
        return None
    url = storage_url.removeprefix("async+")
    return url.replace("redis+unix://", "unix://", 1) if url.startswith("redis+unix://") else url


@dataclass(frozen=True, slots=True)
class Window:
    """Where a caller stands in its current window, for the response headers."""

    policy: str
    limit: int
    remaining: int
    reset_at: float  # epoch seconds
    allowed: bool = True

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))


class RateLimiter:
    def __init__(
        self,
        storage_url: str,
        *,
        auth_failures_per_minute: int,
        redis_connections: int = 64,
        key_prefix: str = "LIMITS",
    ) -> None:
        options: dict[str, Any] = {}
        self._pool: BlockingConnectionPool | None = None
        client_url = redis_client_url(storage_url)
        if client_url is not None:
            # redis-py (installed), not limits' default coredis (not installed).
            options["implementation"] = "redispy"
            # A bounded pool that makes a burst wait for a free connection, where the default
            # pool refuses ("Too many connections") once a burst has opened its maximum. Its
            # URL's scheme picks the connection: TCP, TLS (rediss://) or a unix socket.
            self._pool = BlockingConnectionPool.from_url(
                client_url, max_connections=redis_connections, timeout=10
            )
            options["connection_pool"] = self._pool
            options["key_prefix"] = key_prefix
        storage = storage_from_string(storage_url, **options)
        assert isinstance(storage, Storage)
        self.storage: Storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._failure_item = RateLimitItemPerMinute(auth_failures_per_minute)

    async def hit_key(self, key_id: int, per_minute: int) -> Window:
        """Count one request against a key's limit."""
        item = RateLimitItemPerMinute(per_minute)
        allowed = await self._limiter.hit(item, "key", str(key_id))
        stats = await self._limiter.get_window_stats(item, "key", str(key_id))
        return Window("key", per_minute, stats.remaining, stats.reset_time, allowed)

    async def ip_window(self, ip: str) -> Window:
        """Where an address stands on failed authentications, without counting."""
        item = self._failure_item
        stats = await self._limiter.get_window_stats(item, "authfail", ip)
        return Window("auth", item.amount, stats.remaining, stats.reset_time, stats.remaining > 0)

    async def record_failure(self, ip: str) -> Window:
        """Count a failed authentication; `allowed` is False once the address is over its limit."""
        item = self._failure_item
        allowed = await self._limiter.hit(item, "authfail", ip)
        stats = await self._limiter.get_window_stats(item, "authfail", ip)
        return Window("auth", item.amount, stats.remaining, stats.reset_time, allowed)

    async def sign_in_window(self, kind: str, value: str, per_quarter_hour: int) -> Window:
        """Where a sign-in `kind` (`address`, `username`) stands on failures, without counting."""
        item = RateLimitItemPerMinute(per_quarter_hour, 15)
        stats = await self._limiter.get_window_stats(item, "signin", kind, value)
        return Window("signin", item.amount, stats.remaining, stats.reset_time, stats.remaining > 0)

    async def record_sign_in_failure(self, kind: str, value: str, per_quarter_hour: int) -> None:
        """Count a failed sign-in against `kind`'s `value` (moving 15-minute windows)."""
        await self._limiter.hit(RateLimitItemPerMinute(per_quarter_hour, 15), "signin", kind, value)

    async def ping(self) -> bool:
        return bool(await self.storage.check())

    async def reset(self) -> None:
        await self.storage.reset()

    async def close(self) -> None:
        """Close the Redis connections (the pool is ours: the client does not close it)."""
        if self._pool is not None:
            await self._pool.disconnect()
