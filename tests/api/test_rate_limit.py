"""Mutations are rate limited per user (issue 8), in memory or in Redis for several processes,
as a token bucket: no window boundary lets a double burst through (issue 13.10)."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
import redis.asyncio as redis
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from app.db import models as m
from app.server import create_app
from app.web import ratelimit

CREATE = """mutation ($name: String!) { createRole(input: {name: $name}) {
  role { id } errors { code } } }"""
REDIS = "redis://127.0.0.1:6379/0"


class Clock:
    """The limiter's clock, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a minute (30,000,000 x 60 s)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ratelimit, "clock", fake)
    return fake


@pytest.fixture
def limited(settings, db, token):
    """Two apps (two processes, as far as the limit knows) with 3 mutations per minute."""

    async def start(url: str = "", deployment: str = "loketflow_events"):
        custom = settings.model_copy(
            update={
                "rate_limit_mutations_per_minute": 3,
                "rate_limit_url": url,
                "broadcast_channel": deployment,
            }
        )
        return create_app(custom), create_app(custom)

    return start


async def _post(client, token, user, query, variables):
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token(user)}"},
    )


async def _roles(db, prefix: str) -> int:
    async with db.reader() as s:
        return await s.scalar(
            select(func.count()).select_from(m.Role).where(m.Role.name.startswith(prefix))
        )


async def test_a_user_gets_a_few_mutations_per_minute(limited, token, db, clock):
    one, _ = await limited()
    async with LifespanManager(one):
        transport = httpx.ASGITransport(app=one)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for n in range(3):
                ok = await _post(client, token, "kantoor.admin", CREATE, {"name": f"Rol {n}"})
                assert ok.json()["data"]["createRole"]["errors"] == []
            refused = await _post(client, token, "kantoor.admin", CREATE, {"name": "Rol 4"})
            assert refused.status_code == 429
            # 3 a minute: the next one in 20 seconds.
            assert refused.headers["retry-after"] == "20"
            [error] = refused.json()["errors"]
            assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 20}
            assert "over 20 seconden" in error["message"]
            # Nothing was executed; queries are not limited; another user has its own budget.
            assert await _roles(db, "Rol 4") == 0
            query = await _post(client, token, "kantoor.admin", "{ viewer { id } }", {})
            assert query.status_code == 200 and "errors" not in query.json()
            other = await _post(
                client,
                token,
                "werkgever.hr",
                """mutation { setWorkflowActive(input: {employerId: "x", type: EXPENSE_CLAIM,
                active: true}) { errors { code } } }""",
                {},
            )
            assert other.status_code == 200
            # When Retry-After says, it goes through.
            clock.now += 20
            again = await _post(client, token, "kantoor.admin", CREATE, {"name": "Rol 4"})
            assert again.status_code == 200 and await _roles(db, "Rol 4") == 1


async def _need_redis(url: str) -> None:
    try:
        client = redis.from_url(url)
        await client.ping()
        await client.aclose()
    except Exception:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable; CI must provide it")
        pytest.skip("Redis is not reachable")


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_a_burst_across_a_minute_boundary_is_refused(limited, token, db, clock, store):
    """A fixed window per minute let 3 through at 0:59.9 and 3 more at 1:00.1. The bucket lets
    the second burst have only what refilled since: one mutation per 20 seconds."""
    url = REDIS if store == "redis" else ""
    if url:
        await _need_redis(url)
    suffix = uuid.uuid4().hex[:8]
    one, _ = await limited(url, deployment=f"test_{suffix}")
    name = f"B{suffix}"
    async with LifespanManager(one):
        transport = httpx.ASGITransport(app=one)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def create(n: int) -> int:
                response = await _post(
                    client, token, "kantoor.admin", CREATE, {"name": name + str(n)}
                )
                return response.status_code

            clock.now += 59.9  # the last tenth of a second of the minute
            assert [await create(n) for n in range(3)] == [200, 200, 200]
            clock.now += 0.2  # the next minute has begun
            assert [await create(n) for n in range(3, 6)] == [429, 429, 429]
            clock.now += 20  # 20.1 s after the burst: one mutation has refilled, not more
            assert [await create(n) for n in range(6, 8)] == [200, 429]
    assert await _roles(db, name) == 4


async def _statuses(one, two, order: str, token, name: str) -> list[int]:
    """Create a role per letter of `order` as kantoor.admin, through app `one` (a) or `two` (b)."""
    async with LifespanManager(one), LifespanManager(two):
        a = httpx.AsyncClient(transport=httpx.ASGITransport(app=one), base_url="http://t")
        b = httpx.AsyncClient(transport=httpx.ASGITransport(app=two), base_url="http://t")
        async with a, b:
            statuses = []
            for n, letter in enumerate(order):
                client = a if letter == "a" else b
                response = await _post(
                    client, token, "kantoor.admin", CREATE, {"name": f"{name}{n}"}
                )
                statuses.append(response.status_code)
    return statuses


async def test_with_redis_the_limit_holds_across_processes(limited, token, db, clock):
    await _need_redis(REDIS)
    # A deployment of its own (the key prefix): a run just before has used up the budget of
    # kantoor.admin in the default one.
    suffix = uuid.uuid4().hex[:8]
    one, two = await limited(REDIS, deployment=f"test_{suffix}")
    assert await _statuses(one, two, "abab", token, f"R{suffix}") == [200, 200, 200, 429]
    assert await _roles(db, f"R{suffix}") == 3


async def test_with_redis_deployments_count_apart(limited, token, clock):
    """Two deployments on one Redis: each has its own budget for the same user."""
    await _need_redis(REDIS)
    suffix = uuid.uuid4().hex[:8]
    first, _ = await limited(REDIS, deployment=f"test_{suffix}_a")
    second, _ = await limited(REDIS, deployment=f"test_{suffix}_b")
    assert await _statuses(first, second, "aaab", token, f"D{suffix}") == [200, 200, 200, 200]


async def test_without_redis_the_service_still_serves(limited, token, db, caplog):
    """The limits protect the service; a Redis that cannot be reached must not stop it."""
    one, _ = await limited("redis://127.0.0.1:1/0")  # nothing listens on port 1
    async with LifespanManager(one):
        transport = httpx.ASGITransport(app=one)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            statuses = [
                (await _post(client, token, "kantoor.admin", CREATE, {"name": f"U{n}"})).status_code
                for n in range(4)
            ]
    assert statuses == [200, 200, 200, 200] and await _roles(db, "U") == 4
    assert "rate limit store unreachable" in caplog.text
