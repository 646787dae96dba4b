"""A relay killed (SIGKILL) in the middle of sending: two `loketflow serve` processes, one
database, a real SMTP server (aiosmtpd) in the test.

The server's 250 after the end of DATA is the moment it has the message. Killed just after
that, when the relay speaks again, the relay has already recorded the e-mail as SENT: it never
goes twice. Killed just before, the server has it and the relay does not know: the other process
sends it again after the lease, under the same Message-ID, so that mail clients drop it. In
both cases nothing is lost. bench/mail_crash.py measures the rate under random kills.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING
from sqlalchemy import select

from app.db import models as m
from app.workers.mail import message_id
from tests.api.conftest import Collector, free_port
from tests.api.live import serve_process
from tests.api.test_mail_relay import add_email

LEASE = 2  # seconds: how long a killed relay's e-mail in hand waits for the other process


class Killer:
    """An SMTP server's handler that kills the relay process talking to it with SIGKILL, once,
    at `moment` of its first e-mail: "taken" as the server takes the message (before its 250
    reaches the relay), "next" when the relay speaks again after the 250 (its next MAIL or its
    QUIT). Accepted messages go to `shared`, so both servers' messages are seen together."""

    def __init__(self, shared: Collector, moment: str):
        self.shared, self.moment = shared, moment
        self.pid: int | None = None
        self.killed = threading.Event()
        self._accepted = False

    def _kill(self) -> None:
        if self.pid is not None and not self.killed.is_set():
            os.kill(self.pid, signal.SIGKILL)
            self.killed.set()

    async def handle_DATA(self, server, session, envelope):
        reply = await self.shared.handle_DATA(server, session, envelope)
        if self.moment == "taken":
            self._kill()
        self._accepted = True
        return reply

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.moment == "next" and self._accepted:
            self._kill()
        return MISSING  # aiosmtpd's own handling

    async def handle_QUIT(self, server, session, envelope):
        if self.moment == "next" and self._accepted:
            self._kill()
        return MISSING


def relay_env(settings, smtp: Controller) -> dict[str, str]:
    return {
        "LOKETFLOW_DATABASE_URL": settings.database_url,
        "LOKETFLOW_DATA_DIR": str(settings.data_dir),
        "LOKETFLOW_JWT_SECRET": settings.jwt_secret,
        "LOKETFLOW_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
        "LOKETFLOW_MAIL_POLL_SECONDS": "0.1",
        "LOKETFLOW_MAIL_LEASE_SECONDS": str(LEASE),
        "LOKETFLOW_LOG_LEVEL": "WARNING",
    }


async def pending(db) -> int:
    async with db.reader() as session:
        rows = await session.scalars(
            select(m.OutboxEmail.id).where(m.OutboxEmail.status != m.EmailStatus.SENT)
        )
        return len(list(rows))


@pytest.fixture
def servers():
    """Two SMTP servers recording into one collector; the first one kills (`Killer`)."""
    shared = Collector()
    started: list[Controller] = []

    def start(moment: str) -> tuple[Killer, Controller, Controller, Collector]:
        killer = Killer(shared, moment)
        killing, plain = (
            Controller(handler, hostname="127.0.0.1", port=free_port())
            for handler in (killer, shared)
        )
        for controller in (killing, plain):
            controller.start()
            started.append(controller)
        return killer, killing, plain, shared

    yield start
    for controller in started:
        controller.stop()


async def crash_and_recover(settings, db, servers, moment: str) -> tuple[list[str], Collector]:
    keys = [f"crash:{moment}:{i}" for i in range(4)]
    for key in keys:
        await add_email(db, key)
    killer, killing, plain, collector = servers(moment)

    # Process A relays to the killing server and dies during its first e-mail.
    a = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from app.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
        env={**os.environ, **relay_env(settings, killing)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    killer.pid = a.pid
    try:
        await asyncio.wait_for(a.wait(), 60)
    finally:
        if a.returncode is None:
            a.kill()
            await a.wait()
    assert killer.killed.is_set() and a.returncode == -signal.SIGKILL

    # Process B takes over: the rest at once, what A had in hand once A's lease has expired.
    async with serve_process(relay_env(settings, plain)):
        async with asyncio.timeout(LEASE + 30):
            while await pending(db):  # noqa: ASYNC110 (another process writes it)
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a duplicate, if one were under way, would arrive now
    return keys, collector


async def test_a_relay_killed_after_the_servers_250_does_not_send_twice(settings, db, servers):
    keys, collector = await crash_and_recover(settings, db, servers, "next")

    received = Counter(message["Message-ID"] for message in collector.messages)
    assert received == Counter({message_id(key): 1 for key in keys})
    async with db.reader() as session:
        rows = list(
            await session.scalars(select(m.OutboxEmail).where(m.OutboxEmail.dedupe_key.in_(keys)))
        )
    assert {row.status for row in rows} == {m.EmailStatus.SENT}
    assert all(row.sent_at is not None and row.claimed_until is None for row in rows)


async def test_a_relay_killed_before_the_250_reaches_it_resends_with_the_same_message_id(
    settings, db, servers
):
    keys, collector = await crash_and_recover(settings, db, servers, "taken")

    received = Counter(message["Message-ID"] for message in collector.messages)
    # Nothing lost; the one the server took as the relay died arrives twice, the same e-mail
    # under the same Message-ID (a mail client shows it once).
    assert set(received) == {message_id(key) for key in keys}
    [twice] = [mid for mid, count in received.items() if count == 2]
    assert sum(received.values()) == len(keys) + 1
    copies = [msg for msg in collector.messages if msg["Message-ID"] == twice]
    assert [(c["To"], c["Subject"], c.get_content()) for c in copies[1:]] == [
        (copies[0]["To"], copies[0]["Subject"], copies[0].get_content())
    ]
    async with db.reader() as session:
        statuses = set(
            await session.scalars(
                select(m.OutboxEmail.status).where(m.OutboxEmail.dedupe_key.in_(keys))
            )
        )
    assert statuses == {m.EmailStatus.SENT}
