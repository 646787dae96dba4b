"""Mutations are rate limited per user (issue 8), in memory or in Redis for several processes."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import httpx
import pytest
import redis.asyncio as redis
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from app.db import models as m
from app.server import create_app

CREATE = """mutation ($name: String!) { createRole(input: {name: $name}) {
  role { id } errors { code } } }"""


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


async def _fresh_window() -> None:
    """The limit counts per minute: not start a test in the last seconds of one."""
    left = 60 - time.time() % 60
    if left < 5:
        await asyncio.sleep(left + 0.1)


async def _post(client, token, user, query, variables):
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token(user)}"},
    )


async def test_a_user_gets_a_few_mutations_per_minute(limited, token, db):
    one, _ = await limited()
    await _fresh_window()
    async with LifespanManager(one):
        transport = httpx.ASGITransport(app=one)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for n in range(3):
                ok = await _post(client, token, "kantoor.admin", CREATE, {"name": f"Rol {n}"})
                assert ok.json()["data"]["createRole"]["errors"] == []
            refused = await _post(client, token, "kantoor.admin", CREATE, {"name": "Rol 4"})
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) > 0
            [error] = refused.json()["errors"]
            assert error["extensions"]["code"] == "RATE_LIMITED"
            # Nothing was executed; queries are not limited; another user has its own budget.
            async with db.reader() as s:
                roles = await s.scalar(
                    select(func.count()).select_from(m.Role).where(m.Role.name == "Rol 4")
                )
            assert roles == 0
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


async def _need_redis(url: str) -> None:
    try:
        client = redis.from_url(url)
        await client.ping()
        await client.aclose()
    except Exception:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable; CI must provide it")
        pytest.skip("Redis is not reachable")


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


async def test_with_redis_the_limit_holds_across_processes(limited, token):
    url = "redis://127.0.0.1:6379/0"
    await _need_redis(url)
    # A deployment of its own (the key prefix): a run just before has used up the budget of
    # kantoor.admin in the default one for this minute.
    suffix = uuid.uuid4().hex[:8]
    one, two = await limited(url, deployment=f"test_{suffix}")
    await _fresh_window()
    assert await _statuses(one, two, "abab", token, f"R{suffix}") == [200, 200, 200, 429]


async def test_with_redis_deployments_count_apart(limited, token):
    """Two deployments on one Redis: each has its own budget for the same user."""
    url = "redis://127.0.0.1:6379/0"
    await _need_redis(url)
    suffix = uuid.uuid4().hex[:8]
    first, _ = await limited(url, deployment=f"test_{suffix}_a")
    second, _ = await limited(url, deployment=f"test_{suffix}_b")
    await _fresh_window()
    assert await _statuses(first, second, "aaab", token, f"D{suffix}") == [200, 200, 200, 200]
