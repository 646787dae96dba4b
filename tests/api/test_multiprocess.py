"""Several server processes behind a load balancer (issue 6): a mutation handled by one process
reaches a subscriber on another, through Redis or PostgreSQL as broker; when the broker
connection is cut, the subscriber catches up with nothing missed.

These need Redis at 127.0.0.1:6379 and PostgreSQL at 127.0.0.1:5432. Without them the tests are
skipped, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import uuid

import asyncpg
import pytest
import redis.asyncio as redis
from sqlalchemy import select

from app.db import models as m
from app.schema.ids import to_global_id
from tests.api.live import post, serve_process, subscribe
from tests.api.test_requests import CLAIM, component_id

REDIS = "redis://127.0.0.1:6379/0"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
OVERVIEW = """subscription ($employerId: ID!, $after: Int) {
  processOverviewChanged(employerId: $employerId, after: $after) {
  eventId kind instance { id } } }"""


async def _reachable(url: str) -> bool:
    try:
        if url.startswith("redis"):
            client = redis.from_url(url)
            try:
                await client.ping()
            finally:
                await client.aclose()
        else:
            connection = await asyncpg.connect(url, timeout=3)
            await connection.close()
        return True
    except Exception:
        return False


async def _need(url: str) -> None:
    if await _reachable(url):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{url} is not reachable; CI must provide it")
    pytest.skip(f"{url} is not reachable")


async def _cut_broker(url: str) -> int:
    """Kill the brokers' subscriber connections, as a network failure would; how many."""
    if url.startswith("redis"):
        client = redis.from_url(url)
        try:
            return await client.client_kill_filter(_type="pubsub")
        finally:
            await client.aclose()
    connection = await asyncpg.connect(url)
    try:
        # broadcaster's LISTEN connections (asyncpg, no application name), not ours.
        killed = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = 'postgres' AND pid <> pg_backend_pid() "
            "AND application_name = '' AND backend_type = 'client backend'"
        )
        return len(killed)
    finally:
        await connection.close()


@pytest.mark.parametrize("broker", [REDIS, POSTGRES], ids=["redis", "postgres"])
async def test_an_event_crosses_processes_and_survives_a_lost_broker(broker, settings, db, token):
    await _need(broker)
    env = {
        "LOKETFLOW_DATABASE_URL": settings.database_url,
        "LOKETFLOW_DATA_DIR": str(settings.data_dir),
        "LOKETFLOW_JWT_SECRET": settings.jwt_secret,
        "LOKETFLOW_BROADCAST_URL": broker,
        "LOKETFLOW_BROADCAST_CHANNEL": f"test_{uuid.uuid4().hex[:12]}",
        "LOKETFLOW_EVENTS_CHECK_SECONDS": "0.5",
        "LOKETFLOW_BROKER_TIMEOUT_SECONDS": "1",
    }
    async with db.reader() as s:
        employer = to_global_id("Employer", await s.scalar(select(m.Employer.id)))
    component = await component_id(db, "Kilometers onbelast")

    async def submit(base: str, user: str) -> str:
        variables = {"input": {"componentId": component, "value": "10"}}
        result = await post(base, token(user), CLAIM, variables)
        assert result["data"]["submitExpenseClaim"]["errors"] == [], result
        return result["data"]["submitExpenseClaim"]["instance"]["id"]

    async with serve_process(env) as a, serve_process(env) as b:
        variables = {"employerId": employer, "after": 0}
        async with subscribe(b, token("werkgever.hr"), OVERVIEW, variables) as sub:
            first = await submit(a, "wn001")
            event = (await sub.next(within=3))["payload"]["data"]["processOverviewChanged"]
            assert event["instance"]["id"] == first

            assert await _cut_broker(broker) >= 2  # one per process at least
            during = await submit(a, "wn005")  # while the broker connections are down
            caught = (await sub.next(within=10))["payload"]["data"]["processOverviewChanged"]
            assert caught["instance"]["id"] == during
            after = await submit(a, "wn006")
            live = (await sub.next(within=10))["payload"]["data"]["processOverviewChanged"]
            assert live["instance"]["id"] == after
            # Nothing missed, nothing twice.
            assert [event["eventId"], caught["eventId"], live["eventId"]] == [
                event["eventId"],
                event["eventId"] + 1,
                event["eventId"] + 2,
            ]
            await sub.nothing(1.0)
