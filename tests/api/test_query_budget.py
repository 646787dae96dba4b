"""Queries and subscriptions spend a budget of cost points per user per minute (issue 13.9):
many operations, each within LOKETFLOW_MAX_QUERY_COST, cannot hold a process either."""

from __future__ import annotations

import contextlib
import uuid

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from app.db import models as m
from app.server import create_app
from app.settings import Settings
from app.web import ratelimit
from tests.api.live import serve, subscribe
from tests.api.test_rate_limit import REDIS, Clock, _need_redis

VIEWER = "{ viewer { id username } }"  # 3 points
CREATE = """mutation ($name: String!) { createRole(input: {name: $name}) { errors { code } } }"""


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ratelimit, "clock", fake)
    return fake


@contextlib.asynccontextmanager
async def _clients(settings, token, count: int = 1, **update):
    """`count` apps (processes) with these settings; a poster per app."""
    async with contextlib.AsyncExitStack() as stack:
        posters = []
        for _ in range(count):
            application = create_app(settings.model_copy(update=update))
            await stack.enter_async_context(LifespanManager(application))
            transport = httpx.ASGITransport(app=application)
            client = httpx.AsyncClient(transport=transport, base_url="http://t")
            await stack.enter_async_context(client)

            async def post(query, user, variables=None, client=client) -> httpx.Response:
                return await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {token(user)}"},
                )

            posters.append(post)
        yield posters


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_queries_spend_a_budget_of_cost_per_minute(settings, db, token, clock, store):
    url = REDIS if store == "redis" else ""
    if url:
        await _need_redis(url)
    # 9 points a minute: three `viewer { id username }`; with Redis two processes share them.
    budget = {"rate_limit_query_cost_per_minute": 9, "rate_limit_url": url}
    deployment = {"broadcast_channel": f"test_{uuid.uuid4().hex[:8]}"}
    async with _clients(settings, token, 2, **budget, **deployment) as (one, two):
        other = one if store == "memory" else two
        statuses = [(await p(VIEWER, "kantoor.admin")).status_code for p in (one, other, one)]
        assert statuses == [200, 200, 200]
        refused = await other(VIEWER, "kantoor.admin")
        assert refused.status_code == 429
        # 3 points at 9 a minute: 20 seconds.
        assert refused.headers["retry-after"] == "20"
        [error] = refused.json()["errors"]
        assert error["extensions"] == {"code": "QUERY_BUDGET_EXCEEDED", "retryAfter": 20}
        assert "9 punten per minuut" in error["message"] and "20 seconden" in error["message"]
        assert "data" not in refused.json() or refused.json()["data"] is None
        # Another user has a budget of its own; mutations count apart and still run.
        assert (await one(VIEWER, "werkgever.hr")).json()["data"]["viewer"]["username"]
        created = await one(CREATE, "kantoor.admin", {"name": "Budget"})
        assert created.json()["data"]["createRole"]["errors"] == []
        async with db.reader() as s:
            roles = await s.scalar(
                select(func.count()).select_from(m.Role).where(m.Role.name == "Budget")
            )
        assert roles == 1
        # It refills as time passes: after 20 seconds, 3 points again.
        clock.now += 19.9
        assert (await one(VIEWER, "kantoor.admin")).status_code == 429
        clock.now += 0.1
        assert (await one(VIEWER, "kantoor.admin")).status_code == 200


async def test_a_costly_query_spends_more(settings, db, token, clock):
    """The budget counts points, not queries: one query of 60 points spends what twenty of 3
    would."""
    employees = "{ employers(first: 1) { edges { node { employees(first: 19) { totalCount } } } } }"
    # employers 1 + 1 x (edges 1 + node 1 + employees (1 + 19 x totalCount 1)) = 23
    async with _clients(settings, token, rate_limit_query_cost_per_minute=26) as (post,):
        assert (await post(employees, "kantoor.admin")).status_code == 200
        assert (await post(VIEWER, "kantoor.admin")).status_code == 200  # 26 spent
        refused = await post(VIEWER, "kantoor.admin")
        # 3 points at 26 a minute: 6.9 seconds, said as 7.
        assert refused.status_code == 429 and refused.headers["retry-after"] == "7"


TASKS = "subscription { taskCentreChanged { kind } }"


async def test_a_subscription_spends_its_cost(settings, db, token, clock):
    """Over WebSocket, starting a subscription spends its cost; refused, the client gets an
    `error` message with the code and the seconds to wait (there are no headers)."""
    budget = settings.model_copy(update={"rate_limit_query_cost_per_minute": 3})
    async with serve(budget) as base, subscribe(base, token("werkgever.hr"), TASKS) as first:
        await first.nothing(0.3)  # running: no error
        async with subscribe(base, token("werkgever.hr"), TASKS) as second:
            refused = await second.next()
    assert refused["type"] == "error"
    [error] = refused["payload"]
    assert error["extensions"]["code"] == "QUERY_BUDGET_EXCEEDED"
    assert error["extensions"]["retryAfter"] == 20  # 1 point short, at 3 a minute


# A busy minute of a frontend (bench/limits.py prints what each screen costs).
VIEWER_FULL = """{ viewer { id username userType rights employers { id name }
  access { employer { id name } rights roles { id name } } employments { id name } } }"""
TASK_CENTRE = """{ taskCentre(first: 50) { totalCount countsPerType { type count }
  edges { node { id kind name instance { id type status employee { id name } } } } } }"""
OVERVIEW = """query ($e: ID!) { processOverview(employerId: $e, tab: OPEN, first: 50) {
  totalCount columns { column header } countsPerStatus { status count }
  edges { node { id displayName statusLabel submittedAt nextActionBy employee { name }
  submitter { displayName } expenseClaim { component { name } value payrollPeriod } } } } }"""


async def test_the_default_budget_holds_a_busy_frontend(settings, db, token, ids, clock):
    default = Settings.model_fields["rate_limit_query_cost_per_minute"].default
    screens = [(VIEWER_FULL, 2), (TASK_CENTRE, 20), (OVERVIEW, 20)]
    variables = {"e": await ids.employer()}
    async with _clients(settings, token, rate_limit_query_cost_per_minute=default) as (post,):
        for query, times in screens:
            for _ in range(times):
                response = await post(query, "kantoor.admin", variables if "$e" in query else None)
                assert response.status_code == 200 and "errors" not in response.json()
