"""The outbox e-mail relay against a real SMTP server (aiosmtpd on 127.0.0.1).

What matters is what a recipient and an administrator see: each e-mail arrives once with the
right headers, failures are retried with backoff and eventually given up, a crash mid-send is
recovered after the lease, and without SMTP settings the e-mail shows up in the log instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
import threading

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.db import models as m
from app.db.session import Database
from app.workers.mail import OutboxRelay, message_id, parse_smtp_url
from tests.api.conftest import Collector, free_port

BODY = "Beste Jan,\n\nUw declaratie van € 12,50 is goedgekeurd.\n"


async def add_email(db: Database, key: str, **values) -> int:
    row = m.OutboxEmail(
        dedupe_key=key,
        to_address=values.pop("to_address", f"{key.replace(':', '-')}@example.nl"),
        subject=values.pop("subject", f"Onderwerp {key}"),
        body=values.pop("body", BODY),
        **values,
    )
    async with db.writer() as session:
        session.add(row)
    return row.id


async def stored(db: Database, email_id: int) -> m.OutboxEmail:
    async with db.reader() as session:
        row = await session.get(m.OutboxEmail, email_id)
    assert row is not None
    return row


def test_parse_smtp_url():
    plain = parse_smtp_url("smtp://mail.example.nl:2525")
    assert (plain.hostname, plain.port, plain.use_tls, plain.start_tls) == (
        "mail.example.nl",
        2525,
        False,
        None,
    )
    auth = parse_smtp_url("smtp://relay%40x.nl:p%3Ass@mail.example.nl?starttls=1")
    assert (auth.username, auth.password, auth.port, auth.start_tls) == (
        "relay@x.nl",
        "p:ss",
        587,
        True,
    )
    implicit = parse_smtp_url("smtps://mail.example.nl")
    assert (implicit.port, implicit.use_tls, implicit.start_tls) == (465, True, False)
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example.nl")


def test_message_id_is_stable_valid_and_distinct():
    assert message_id("instance:1:step:2") == "<instance=3A1=3Astep=3A2@loketflow>"
    assert message_id("a:b") != message_id("a-b")
    assert message_id("a b<é>") == "<a=20b=3C=C3=A9=3E@loketflow>"


async def test_pending_email_is_delivered_once_and_marked_sent(db, mail_settings, smtp_server):
    _, collector = smtp_server
    email_id = await add_email(
        db, "instance:7:step:1:user:3", to_address="jan@example.nl", subject="Declaratie €"
    )
    relay = OutboxRelay(db, mail_settings)

    assert await relay.run_once() == 1
    assert await relay.run_once() == 0

    assert len(collector.messages) == 1
    message = collector.messages[0]
    assert message["To"] == "jan@example.nl"
    assert message["From"] == mail_settings.smtp_from
    assert message["Subject"] == "Declaratie €"
    assert message["Message-ID"] == "<instance=3A7=3Astep=3A1=3Auser=3A3@loketflow>"
    assert message.get_content().replace("\r\n", "\n") == BODY  # CRLF on the wire
    assert collector.envelopes[0] == ("no-reply@loketflow.invalid", ["jan@example.nl"])

    row = await stored(db, email_id)
    assert row.status is m.EmailStatus.SENT
    assert row.sent_at is not None and row.sent_at <= m.utcnow()
    assert row.claimed_until is None
    assert row.attempts == 0


async def test_two_relays_deliver_each_email_exactly_once(db, mail_settings, smtp_server):
    _, collector = smtp_server
    ids = [await add_email(db, f"bulk:{i}") for i in range(12)]
    # A second Database: its own engines and connections, as a second process would have.
    other_db = Database(mail_settings)
    try:
        relays = [OutboxRelay(db, mail_settings), OutboxRelay(other_db, mail_settings)]
        counts = await asyncio.gather(*(r.run_once() for r in relays))
    finally:
        await other_db.dispose()

    assert sum(counts) == 12
    assert sorted(msg["To"] for msg in collector.messages) == sorted(
        f"bulk-{i}@example.nl" for i in range(12)
    )
    async with db.reader() as session:
        statuses = set(
            await session.scalars(select(m.OutboxEmail.status).where(m.OutboxEmail.id.in_(ids)))
        )
    assert statuses == {m.EmailStatus.SENT}


async def test_unreachable_server_is_retried_later(db, settings):
    closed = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    email_id = await add_email(db, "unreachable")
    relay = OutboxRelay(db, closed)

    before = m.utcnow()
    assert await relay.run_once() == 0
    after = m.utcnow()

    row = await stored(db, email_id)
    assert row.status is m.EmailStatus.PENDING
    assert row.attempts == 1
    # The first retry waits the base backoff (30 seconds by default).
    backoff = dt.timedelta(seconds=closed.mail_backoff_seconds)
    assert before + backoff <= row.next_attempt_at <= after + backoff
    assert row.claimed_until is None
    assert row.last_error and len(row.last_error) <= 500
    # Not due yet, so a second round leaves it alone.
    assert await relay.run_once() == 0
    assert (await stored(db, email_id)).attempts == 1


async def test_gives_up_after_the_last_attempt(db, settings):
    closed = settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{free_port()}", "mail_max_attempts": 3}
    )
    email_id = await add_email(db, "hopeless", attempts=2)

    await OutboxRelay(db, closed).run_once()

    row = await stored(db, email_id)
    assert row.status is m.EmailStatus.FAILED
    assert row.attempts == 3
    assert row.sent_at is None


async def test_expired_claim_is_sent_again_after_a_crash(db, mail_settings, smtp_server):
    _, collector = smtp_server
    now = m.utcnow()
    crashed = await add_email(db, "crashed", claimed_until=now - dt.timedelta(seconds=1))
    busy = await add_email(db, "busy", claimed_until=now + dt.timedelta(minutes=5))

    assert await OutboxRelay(db, mail_settings).run_once() == 1

    assert [msg["To"] for msg in collector.messages] == ["crashed@example.nl"]
    assert (await stored(db, crashed)).status is m.EmailStatus.SENT
    assert (await stored(db, busy)).status is m.EmailStatus.PENDING


async def test_without_smtp_the_email_is_logged_once_and_stays_pending(db, settings, caplog):
    assert settings.smtp_url is None
    email_id = await add_email(db, "log:1", to_address="piet@example.nl", subject="Nieuwe taak")
    relay = OutboxRelay(db, settings)
    caplog.set_level(logging.INFO, logger="loketflow.mail")

    assert await relay.run_once() == 0
    await relay.run_once()

    logged = [r.getMessage() for r in caplog.records if r.name == "loketflow.mail"]
    assert len(logged) == 1
    assert "piet@example.nl" in logged[0]
    assert "Nieuwe taak" in logged[0]
    assert "€ 12,50" in logged[0]
    row = await stored(db, email_id)
    assert row.status is m.EmailStatus.PENDING
    assert row.attempts == 0


async def test_start_and_stop_run_the_loop_in_the_background(db, mail_settings, smtp_server):
    _, collector = smtp_server
    await add_email(db, "background")
    relay = OutboxRelay(db, mail_settings.model_copy(update={"mail_poll_seconds": 0.05}))

    relay.start()
    try:
        for _ in range(200):  # a generous wait: up to 10 seconds
            if collector.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        await relay.stop()

    assert [msg["To"] for msg in collector.messages] == ["background@example.nl"]
    assert relay._task is None


class RefusingHandler:
    """An SMTP server that does not know the recipient: a permanent 550."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Mailbox unknown"


async def test_a_permanent_refusal_fails_at_once(db, settings):
    controller = Controller(RefusingHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        refusing = settings.model_copy(
            update={"smtp_url": f"smtp://127.0.0.1:{controller.port}", "mail_max_attempts": 55}
        )
        email_id = await add_email(db, "unknown-mailbox")
        assert await OutboxRelay(db, refusing).run_once() == 0
    finally:
        controller.stop()
    row = await stored(db, email_id)
    assert row.status == m.EmailStatus.FAILED and row.attempts == 1
    assert "550" in row.last_error


class SlowHandler(Collector):
    """Takes a second to accept a message, and says when it began."""

    def __init__(self) -> None:
        super().__init__()
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        await asyncio.sleep(1)
        return await super().handle_DATA(server, session, envelope)


async def test_stopping_finishes_the_email_in_hand_and_leaves_the_rest(db, settings):
    """A shutdown mid-conversation would leave the e-mail claimed for its lease and could send
    it twice; the relay finishes it, records it, and takes no other."""
    handler = SlowHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{controller.port}"})
        first, second = await add_email(db, "first"), await add_email(db, "second")
        relay = OutboxRelay(db, smtp)
        relay.start()
        for _ in range(200):  # up to 10 seconds for the first DATA to arrive
            if handler.receiving.is_set():
                break
            await asyncio.sleep(0.05)
        assert handler.receiving.is_set()
        await relay.stop()
    finally:
        controller.stop()
    assert [msg["To"] for msg in handler.messages] == ["first@example.nl"]
    sent, waiting = await stored(db, first), await stored(db, second)
    assert sent.status is m.EmailStatus.SENT and sent.claimed_until is None
    assert waiting.status is m.EmailStatus.PENDING and waiting.claimed_until is None


class CountingHandler(Collector):
    """Counts the SMTP connections (one EHLO each) the messages came over."""

    def __init__(self) -> None:
        super().__init__()
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses


async def test_one_smtp_connection_carries_a_round_of_emails(db, settings):
    """A connection per e-mail put its QUIT and teardown between the server's 250 and the
    SENT mark, where a crash sends the e-mail twice; one connection per round does not."""
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{controller.port}"})
        ids = [await add_email(db, f"round:{i}") for i in range(5)]
        assert await OutboxRelay(db, smtp).run_once() == 5
    finally:
        controller.stop()

    assert handler.connections == 1
    assert sorted(msg["To"] for msg in handler.messages) == [
        f"round-{i}@example.nl" for i in range(5)
    ]
    for email_id in ids:
        assert (await stored(db, email_id)).status is m.EmailStatus.SENT


class LockingHandler(Collector):
    """Takes the SQLite write lock, as another process's transaction would, as it accepts a
    message, and lets go `hold` seconds later: the relay's SENT mark has to wait for it."""

    def __init__(self, path: str, hold: float) -> None:
        super().__init__()
        self.path, self.hold = path, hold

    async def handle_DATA(self, server, session, envelope):
        writer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        writer.execute("BEGIN IMMEDIATE")

        def let_go() -> None:
            writer.execute("COMMIT")
            writer.close()

        threading.Timer(self.hold, let_go).start()
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("hold", [0.3, 1.5], ids=["short", "beyond-patience"])
async def test_the_sent_mark_waits_for_a_write_lock_held_elsewhere(db, settings, hold):
    """SQLite: the mark is tried without blocking while the lock is taken, then (after a
    second) waits for it the ordinary way; either way the e-mail ends SENT, sent once."""
    if not db.is_sqlite:
        pytest.skip("SQLite's write lock")
    handler = LockingHandler(db.url.database, hold)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{controller.port}"})
        email_id = await add_email(db, f"locked:{hold}")
        relay = OutboxRelay(db, smtp)
        assert await relay.run_once() == 1
        assert await relay.run_once() == 0
    finally:
        controller.stop()

    assert [msg["To"] for msg in handler.messages] == [f"locked-{hold}@example.nl"]
    row = await stored(db, email_id)
    assert row.status is m.EmailStatus.SENT and row.claimed_until is None
