"""Rate limits per user (issue 8, 13.9-10): mutations per minute, and query cost per minute.

Each budget is a token bucket, kept as one number per key (the generic cell rate algorithm,
GCRA): the moment the bucket will be full again. It holds a minute's worth and refills
continuously, so there is no window boundary to burst across: after a full minute's budget at
once, the next point comes `60 / per_minute` seconds later, whenever the minute turns. A hit of
`cost` points is admitted whole or refused with the seconds until it would be.

In memory by default (per process); with LOKETFLOW_RATE_LIMIT_URL=redis://... in Redis, one
atomic script per hit, so a budget holds however many processes serve a user (keys named per
deployment by LOKETFLOW_BROADCAST_CHANNEL). The time comes from this process's clock
(`clock`, which tests set), not Redis's: hosts of one deployment keep their clocks in step.
When Redis cannot be reached the hit is admitted and a warning logged: the limits protect the
service, they must not take it down with Redis.
"""

from __future__ import annotations

import logging
import time

import redis.asyncio as redis

log = logging.getLogger("loketflow.ratelimit")

PERIOD = 60.0  # seconds: budgets are per minute
MUTATIONS = "mutations"
QUERY_COST = "query_cost"


def clock() -> float:
    """Now, in seconds since the epoch. Tests replace it to move time without sleeping."""
    return time.time()


def admit(full_at: float | None, now: float, cost: float, per_minute: int):
    """(new full_at, None) when `cost` fits the bucket that is full again at `full_at`, else
    (full_at, seconds until it fits). A cost over the whole budget needs a full bucket and
    empties it, rather than being refused for ever."""
    interval = PERIOD / per_minute
    start = max(full_at or now, now)
    after = start + min(cost, per_minute) * interval
    wait = after - PERIOD - now
    if wait > 1e-9:
        return full_at, wait
    return after, None


class MemoryStore:
    """Buckets of this process."""

    def __init__(self) -> None:
        self._full_at: dict[str, float] = {}

    async def hit(self, key: str, cost: float, per_minute: int, now: float) -> float | None:
        if len(self._full_at) > 100_000:  # full buckets are forgotten: memory stays bounded
            self._full_at = {k: v for k, v in self._full_at.items() if v > now}
        full_at, wait = admit(self._full_at.get(key), now, cost, per_minute)
        if wait is None:
            self._full_at[key] = full_at
        return wait

    async def close(self) -> None:
        pass


# admit() in Lua: read, decide and write in one step, whichever process asks. Numbers cross
# as strings (Redis turns a Lua number it returns into an integer).
_HIT = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cost = math.min(tonumber(ARGV[3]), tonumber(ARGV[4]))
local period = tonumber(ARGV[5])
local full_at = tonumber(redis.call('GET', KEYS[1]) or now)
local after = math.max(full_at, now) + cost * interval
local wait = after - period - now
if wait > 1e-9 then
  return string.format('%.6f', wait)
end
local ttl = math.ceil((after - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', after), 'PX', ttl)
return false
"""


class RedisStore:
    def __init__(self, url: str, deployment: str):
        # Short timeouts: a Redis that hangs must not hold every request up.
        self.client = redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        # Deployments may share a Redis: each counts under its own name (the broadcast channel,
        # already one per deployment), or their users would use up each other's budget.
        self.prefix = f"loketflow:{deployment}:ratelimit"
        self._script = self.client.register_script(_HIT)

    async def hit(self, key: str, cost: float, per_minute: int, now: float) -> float | None:
        args = [repr(now), repr(PERIOD / per_minute), repr(cost), per_minute, repr(PERIOD)]
        wait = await self._script(keys=[f"{self.prefix}:{key}"], args=args)
        return None if wait is None else float(wait)

    async def close(self) -> None:
        await self.client.aclose()


class RateLimiter:
    """The budgets of a deployment (name -> points per minute) over one store."""

    def __init__(self, store, budgets: dict[str, int]):
        self.store = store
        self.budgets = {name: n for name, n in budgets.items() if n > 0}
        self._warned_at: float | None = None

    async def hit(self, budget: str, key: str, cost: float = 1) -> float | None:
        """Spend `cost` points of `key`'s budget: None when admitted, else the seconds to wait."""
        per_minute = self.budgets.get(budget)
        if per_minute is None:
            return None
        try:
            return await self.store.hit(f"{budget}:{key}", cost, per_minute, clock())
        except (redis.RedisError, OSError):
            now = time.monotonic()
            if self._warned_at is None or now - self._warned_at > PERIOD:  # not one per hit
                self._warned_at = now
                log.warning("rate limit store unreachable: operations are admitted unlimited")
            return None

    async def close(self) -> None:
        await self.store.close()


def limiter_for(settings) -> RateLimiter | None:
    budgets = {
        MUTATIONS: settings.rate_limit_mutations_per_minute,
        QUERY_COST: settings.rate_limit_query_cost_per_minute,
    }
    if not any(n > 0 for n in budgets.values()):
        return None
    if settings.rate_limit_url:
        store = RedisStore(settings.rate_limit_url, settings.broadcast_channel)
    else:
        store = MemoryStore()
    return RateLimiter(store, budgets)
