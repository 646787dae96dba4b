"""Several server processes behind a load balancer (issue 6): a mutation handled by one process
reaches a subscriber on another through Redis or PostgreSQL as broker; when the broker goes
away, each process notices and connects again, the subscriber meanwhile gets its events from
the database, with nothing missed and nothing twice, and afterwards through the broker again.

What shows that the broker carried an event: the receiving process checks the database only
every 60 s and never numbers an event itself (its publisher looks every 60 s, and it handles no
mutation), so an event that reaches its subscriber within seconds came through the broker.

These need Redis at 127.0.0.1:6379 and PostgreSQL at 127.0.0.1:5432. Without them the tests are
skipped, except in CI (CI=true), where they fail. Only this test's own broker connections are
ever cut (through a proxy); they carry a name of their own, so that the broker can list them.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
import pytest
import redis.asyncio as redis
from sqlalchemy import select

from app.db import models as m
from app.schema.ids import to_global_id
from tests.api.live import (
    BrokerProxy,
    post,
    serve_processes,
    subscribe,
    until_broker,
    until_subscribed,
)
from tests.api.test_requests import CLAIM, component_id

REDIS = "redis://127.0.0.1:6379/0"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
BROKERS = pytest.mark.parametrize("broker", [REDIS, POSTGRES], ids=["redis", "postgres"])
OVERVIEW = """subscription ($employerId: ID!, $after: Int) {
  processOverviewChanged(employerId: $employerId, after: $after) {
  eventId kind instance { id } } }"""
LONG = "60"  # seconds: no database check or publisher round of the receiver within a test


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


def _named(url: str, name: str) -> str:
    """`url` with every connection made from it named `name`: redis-py sends `client_name` as
    CLIENT SETNAME, asyncpg sends an unknown DSN parameter such as `application_name` as a
    server setting (both through broadcaster's backends, which pass the URL on as it is)."""
    return f"{url}?{'client_name' if url.startswith('redis') else 'application_name'}={name}"


async def _connections_named(url: str, name: str) -> set:
    """The broker's connections named `name` (this test's), as the broker lists them."""
    if url.startswith("redis"):
        client = redis.from_url(url)
        try:
            return {c["id"] for c in await client.client_list() if c["name"] == name}
        finally:
            await client.aclose()
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = $1", name
        )
        return {(r["pid"], r["backend_start"]) for r in rows}
    finally:
        await connection.close()


async def _until_none_named(url: str, name: str) -> None:
    async with asyncio.timeout(10):
        while await _connections_named(url, name):  # noqa: ASYNC110 (the broker's list)
            await asyncio.sleep(0.05)


@pytest.fixture
def two_processes(settings, db, token):
    """`start(broker_url)`: a sender `a` and a receiver `b` (their base URLs) on one database
    and broker channel, the receiver unable to find an event by itself (see the docstring)."""
    channel = f"test_{uuid.uuid4().hex[:12]}"

    def env(broker_url: str, *, receiver: bool) -> dict[str, str]:
        values = {
            "LOKETFLOW_DATABASE_URL": settings.database_url,
            "LOKETFLOW_DATA_DIR": str(settings.data_dir),
            "LOKETFLOW_JWT_SECRET": settings.jwt_secret,
            "LOKETFLOW_BROADCAST_URL": broker_url,
            "LOKETFLOW_BROADCAST_CHANNEL": channel,
            "LOKETFLOW_EVENTS_CHECK_SECONDS": LONG,
            "LOKETFLOW_BROKER_TIMEOUT_SECONDS": "1",
        }
        if receiver:
            values["LOKETFLOW_EVENTS_POLL_SECONDS"] = LONG
        return values

    def start(broker_url: str):
        return serve_processes(env(broker_url, receiver=False), env(broker_url, receiver=True))

    return start


async def _overview(db) -> dict:
    async with db.reader() as s:
        return {"employerId": to_global_id("Employer", await s.scalar(select(m.Employer.id)))}


def _submitter(db, token):
    async def submit(base: str, user: str) -> str:
        variables = {"input": {"componentId": await component_id(db, "Kilometers onbelast"),
                               "value": "10"}}  # fmt: skip
        result = await post(base, token(user), CLAIM, variables)
        assert result["data"]["submitExpenseClaim"]["errors"] == [], result
        return result["data"]["submitExpenseClaim"]["instance"]["id"]

    return submit


async def _event(sub) -> dict:
    # Well within the receiver's 60 s: only the broker (or, in an outage, the hub's own
    # reading of the database) can bring it.
    message = await sub.next(within=10)
    assert message["type"] == "next", message
    return message["payload"]["data"]["processOverviewChanged"]


@BROKERS
async def test_an_event_crosses_processes_through_the_broker(broker, two_processes, db, token):
    await _need(broker)
    name = f"loketflow_test_{uuid.uuid4().hex[:12]}"
    submit = _submitter(db, token)
    async with two_processes(_named(broker, name)) as (a, b):
        await until_broker(a, "ok")
        await until_broker(b, "ok")
        assert await _connections_named(broker, name)  # the name reaches the broker
        async with subscribe(b, token("werkgever.hr"), OVERVIEW, await _overview(db)) as sub:
            await until_subscribed(b)
            first = await submit(a, "wn001")
            event = await _event(sub)
            assert (event["kind"], event["instance"]["id"]) == ("INSTANCE_SUBMITTED", first)
            second = await submit(a, "wn005")
            assert (await _event(sub))["instance"]["id"] == second
            await sub.nothing(0.5)


@BROKERS
async def test_a_lost_broker_is_noticed_caught_up_and_reconnected(broker, two_processes, db, token):
    await _need(broker)
    name = f"loketflow_test_{uuid.uuid4().hex[:12]}"
    submit = _submitter(db, token)
    broker_port = 6379 if broker == REDIS else 5432
    async with (
        BrokerProxy("127.0.0.1", broker_port) as proxy,
        two_processes(_named(proxy.url(broker), name)) as (a, b),
    ):
        await until_broker(a, "ok")
        await until_broker(b, "ok")
        before = await _connections_named(broker, name)
        assert before
        variables = {**await _overview(db), "after": 0}
        async with subscribe(b, token("werkgever.hr"), OVERVIEW, variables) as sub:
            await until_subscribed(b)
            first = await submit(a, "wn001")
            event = await _event(sub)
            assert event["instance"]["id"] == first

            proxy.cut()  # as a network failure: only this test's connections
            # Both notice at once, not at their next check (60 s away).
            await until_broker(b, "down")
            await until_broker(a, "down")
            await _until_none_named(broker, name)
            # While the broker is unreachable: the receiver reads it from the database.
            during = await submit(a, "wn005")
            caught = await _event(sub)
            assert caught["instance"]["id"] == during

            proxy.restore()
            await until_broker(b, "ok")
            await until_broker(a, "ok")
            again = await _connections_named(broker, name)
            assert again and not again & before  # new connections, made by the hubs
            after = await submit(a, "wn006")
            live = await _event(sub)  # through the broker again
            assert live["instance"]["id"] == after
            # Nothing missed, nothing twice.
            assert [caught["eventId"], live["eventId"]] == [
                event["eventId"] + 1,
                event["eventId"] + 2,
            ]
            await sub.nothing(1.0)
