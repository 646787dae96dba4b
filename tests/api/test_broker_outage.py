"""A process while its broker is down (issue 13, point 15): mutations go on, their events are
numbered in the database, and the process tries to reconnect once per check interval
(`broker_timeout_seconds` here), not once per event it fails to publish. Needs Redis at
127.0.0.1:6379 (skipped without it, except in CI)."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from app.db import models as m
from app.events.hub import EventHub
from app.server import create_app
from tests.api.live import BrokerProxy
from tests.api.test_multiprocess import REDIS, _need
from tests.api.test_requests import CLAIM, component_id

TIMEOUT = 1.0  # broker_timeout_seconds: while down, one attempt a second at most
OUTAGE = 3.0  # seconds of steady mutations with the broker cut


async def _until_broker(client: httpx.AsyncClient, state: str, within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while (await client.get("/readyz")).json()["broker"] != state:  # noqa: ASYNC110 (over HTTP)
            await asyncio.sleep(0.05)


async def test_a_broker_outage_costs_one_reconnect_per_interval(settings, db, token, monkeypatch):
    await _need(REDIS)
    attempts: list[float] = []
    connect = EventHub._connect

    async def counted(self):
        attempts.append(time.monotonic())
        return await connect(self)

    monkeypatch.setattr(EventHub, "_connect", counted)
    variables = {
        "input": {"componentId": await component_id(db, "Kilometers onbelast"), "value": "7"}
    }
    headers = {"Authorization": f"Bearer {token('wn001')}"}
    before = await _count(db, m.WorkflowInstance)
    async with BrokerProxy("127.0.0.1", 6379) as proxy:
        app = create_app(
            settings.model_copy(
                update={
                    "broadcast_url": proxy.url(REDIS),
                    "broadcast_channel": f"test_{uuid.uuid4().hex[:12]}",
                    "broker_timeout_seconds": TIMEOUT,
                    "events_check_seconds": 2.0,
                }
            )
        )
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                await _until_broker(client, "ok")
                proxy.cut()
                await _until_broker(client, "down")
                attempts.clear()
                started, submitted = time.monotonic(), 0
                while time.monotonic() - started < OUTAGE:
                    body = {"query": CLAIM, "variables": variables}
                    result = (await client.post("/graphql", json=body, headers=headers)).json()
                    assert result["data"]["submitExpenseClaim"]["errors"] == []
                    submitted += 1
                    await asyncio.sleep(0.02)  # give the publisher a turn per mutation
                elapsed = time.monotonic() - started
                assert (await client.get("/readyz")).json()["broker"] == "down"
                # Many events failed to reach the broker; the reconnects kept their pace.
                assert submitted >= 15
                assert len(attempts) <= elapsed / TIMEOUT + 1, (len(attempts), submitted)
                # Nothing lost: every event was numbered in the database all the same.
                async with asyncio.timeout(5):
                    while await _unpublished(db):  # noqa: ASYNC110 (the database)
                        await asyncio.sleep(0.05)
                # Back within one interval (or so) once the broker is.
                proxy.restore()
                await _until_broker(client, "ok", within=TIMEOUT * 3 + 2)
    assert await _count(db, m.WorkflowInstance) == before + submitted


async def _count(db, model, *where) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def _unpublished(db) -> int:
    return await _count(db, m.OutboxEvent, m.OutboxEvent.seq.is_(None))
