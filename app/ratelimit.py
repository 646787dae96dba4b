"""Rate limiting of mutations per user (issue 8): a fixed window per minute.

In memory by default (per process); with LOKETFLOW_RATE_LIMIT_URL=redis://... the count is kept
in Redis, so the limit holds for a user however many processes serve it (keys named per
deployment by LOKETFLOW_BROADCAST_CHANNEL). Anonymous mutations
(activating an invitation) count per client address.
"""

from __future__ import annotations

import math
import time

import redis.asyncio as redis

WINDOW = 60.0


class MemoryLimiter:
    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window, count)

    async def hit(self, key: str) -> float | None:
        """None when allowed; else the seconds until the next window."""
        now = time.time()
        window = int(now // WINDOW)
        if len(self._counts) > 100_000:  # old windows go; memory stays bounded
            self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
        seen_window, count = self._counts.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._counts[key] = (window, count)
        if count > self.per_minute:
            return math.ceil((window + 1) * WINDOW - now)
        return None

    async def close(self) -> None:
        pass


class RedisLimiter:
    def __init__(self, url: str, per_minute: int, deployment: str):
        self.per_minute = per_minute
        self.client = redis.from_url(url)
        # Deployments may share a Redis: each counts under its own name (the broadcast channel,
        # already one per deployment), or their users would use up each other's budget.
        self.prefix = f"loketflow:{deployment}:ratelimit"

    async def hit(self, key: str) -> float | None:
        now = time.time()
        window = int(now // WINDOW)
        name = f"{self.prefix}:{key}:{window}"
        async with self.client.pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(name).expire(name, int(WINDOW) + 5).execute()
        if count > self.per_minute:
            return math.ceil((window + 1) * WINDOW - now)
        return None

    async def close(self) -> None:
        await self.client.aclose()


def limiter_for(settings):
    if settings.rate_limit_mutations_per_minute <= 0:
        return None
    if settings.rate_limit_url:
        return RedisLimiter(
            settings.rate_limit_url,
            settings.rate_limit_mutations_per_minute,
            settings.broadcast_channel,
        )
    return MemoryLimiter(settings.rate_limit_mutations_per_minute)
