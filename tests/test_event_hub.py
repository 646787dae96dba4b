"""The event hub of one process (app/events/hub.py), below the API: bounded queues that tell a
slow subscriber to resync, gaps filled from the database, duplicates dropped, a broker that
counts only once our heartbeat came back through it."""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import asyncpg
import pytest
import redis.asyncio as redis

from app.db import models as m
from app.domain.events import Event
from app.events import Events


def _event(seq: int) -> Event:
    return Event(seq=seq, kind="STEP_MOVED", at=m.utcnow(), employer_id=None)


async def test_a_slow_subscriber_is_told_to_resync_and_memory_stays_bounded(settings, db):
    events = Events(db, settings.model_copy(update={"subscriber_queue_size": 2}))
    hub = events.hub
    async with hub.listen() as slow, hub.listen() as fast:
        for seq in (1, 2, 3, 4):
            hub._dispatch([_event(seq)])
            assert (await fast.next()).seq == seq  # keeps up: unaffected by the slow one
        assert slow.queue.qsize() == 2 and slow.overflowed  # never more than its bound
        assert await slow.next() is None  # resync: the backlog is dropped
        assert slow.queue.empty()
        hub._dispatch([_event(5)])
        assert (await slow.next()).seq == 5
        assert (await fast.next()).seq == 5


async def test_gaps_are_read_from_the_database_and_duplicates_dropped(settings, db):
    events = Events(db, settings)
    hub = events.hub
    async with db.writer() as session:
        for seq in (1, 2, 3):
            session.add(m.OutboxEvent(kind="STEP_MOVED", seq=seq, published_at=m.utcnow()))
    async with hub.listen() as listener:
        # A broker message with only event 3: 1 and 2 come from the database, in order.
        await hub._on_message(json.dumps({"events": [_event(3).to_json()]}))
        assert [(await listener.next()).seq for _ in range(3)] == [1, 2, 3]
        # The same message again (another process published it too): nothing new.
        await hub._on_message(json.dumps({"events": [_event(3).to_json()]}))
        assert listener.queue.empty()
        # A hint only ("read up to 4") after event 4 was committed.
        async with db.writer() as session:
            session.add(m.OutboxEvent(kind="STEP_MOVED", seq=4, published_at=m.utcnow()))
        await hub._on_message(json.dumps({"upTo": 4}))
        assert (await listener.next()).seq == 4


async def test_the_publisher_numbers_events_in_commit_order_without_gaps(settings, db):
    events = Events(db, settings)
    async with db.writer() as session:
        for _ in range(3):
            session.add(m.OutboxEvent(kind="STEP_MOVED"))
    async with events.hub.listen() as listener:
        published = await events.publisher.publish_pending()
        assert [e.seq for e in published] == [1, 2, 3]
        assert [(await listener.next()).seq for _ in range(3)] == [1, 2, 3]
    assert await events.publisher.publish_pending() == []


@pytest.mark.parametrize(
    "broker",
    ["redis://127.0.0.1:6379/0", "postgres://postgres@127.0.0.1:5432/postgres"],
    ids=["redis", "postgres"],
)
async def test_the_broker_carries_events_between_processes(settings, db, broker):
    """Two hubs (two processes, as far as they know) on one broker: what one publishes, the
    other receives through the broker, long before any database check would find it."""
    await _need(broker)
    channel = f"test_{uuid.uuid4().hex[:12]}"
    slow_checks = settings.model_copy(
        update={"broadcast_url": broker, "broadcast_channel": channel, "events_check_seconds": 60}
    )
    one, two = Events(db, slow_checks), Events(db, slow_checks)
    # The hubs only: a running publisher in `two` could number the event first and deliver it
    # to its own listener, and the broker would carry nothing (the CI failure of 2026-11-23).
    await one.hub.start()
    await two.hub.start()
    try:
        assert one.hub.broker_ok and two.hub.broker_ok
        async with two.hub.listen() as listener:
            async with db.writer() as session:
                session.add(m.OutboxEvent(kind="STEP_MOVED"))
            await one.publisher.publish_pending()
            event = await asyncio.wait_for(listener.next(), 3)
            assert event.seq == one.hub.last_seq == two.hub.last_seq == 1
    finally:
        await one.hub.stop()
        await two.hub.stop()


async def test_the_broker_counts_only_once_our_heartbeat_came_back(settings, db, monkeypatch):
    """`broker_ok` (readyz) means subscribed and heard: a broker that does not bring our own
    heartbeat back is not ready, and the next check connects again."""
    from app.events.broker import BrokerConnection

    quick = settings.model_copy(update={"broker_timeout_seconds": 0.2, "events_check_seconds": 60})
    hub = Events(db, quick).hub
    hears = BrokerConnection._received
    deaf = [True]

    async def deaf_to_heartbeats(connection, text: str) -> None:
        if not (deaf[0] and "heartbeat" in text):
            await hears(connection, text)

    monkeypatch.setattr(BrokerConnection, "_received", deaf_to_heartbeats)
    await hub.start()
    try:
        assert not hub.broker_ok
        deaf[0] = False
        await hub.check()
        assert hub.broker_ok
    finally:
        await hub.stop()


async def _need(url: str) -> None:
    try:
        if url.startswith("redis"):
            client = redis.from_url(url)
            await client.ping()
            await client.aclose()
        else:
            connection = await asyncpg.connect(url, timeout=3)
            await connection.close()
    except Exception:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{url} is not reachable; CI must provide it")
        pytest.skip(f"{url} is not reachable")
