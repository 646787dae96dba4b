"""The relay that sends the e-mails of the transactional outbox.

Request handlers only write an `OutboxEmail` row, in the transaction of the change it announces,
so no e-mail leaves for a change that was rolled back and a slow or absent mail server never
slows or fails a request. This relay sends those rows afterwards, in the background.

Delivery is at-least-once. Each row is claimed (``claimed_until = now + lease``) by a conditional
UPDATE in its own short transaction before it is sent, so two relays (two processes) never send
the same row while the lease holds. The SMTP server's 250 after the end of DATA is the moment it
has the message; a crash between that reply and the commit of the SENT mark leaves the row
claimed until the lease expires, after which it is sent again. That window cannot be closed
(the server may take the message and the client die before it reads the 250), so it is kept
to what the protocol leaves:

- one SMTP connection per round: each e-mail's mark is committed right after its 250, before
  the next MAIL or the QUIT (a conversation per e-mail put a QUIT and a teardown in the window);
- everything else is done before the DATA: the link minted, the message built and, on
  PostgreSQL, the UPDATE to SENT executed in an open transaction, so that after the 250 only
  its COMMIT is left. SQLite cannot do that: the UPDATE would hold the one write lock of every
  process across network I/O, so there the short write transaction begins after the 250, on a
  connection of the relay's own that takes the lock the moment it is free (`SqliteMarks`).

A resend carries the same Message-ID (derived from the row's ``dedupe_key``), so that receiving
servers and mail clients can drop it. bench/mail_crash.py measures what is left: duplicates per
100 ``kill -9`` of a relay under a steady flow of e-mail.

Without ``LOKETFLOW_SMTP_URL`` nothing is sent: each pending e-mail is written to the log once
(logger ``loketflow.mail``) and stays PENDING in the outbox, readable there.

A MijnLoket invitation or reminder holds a placeholder where its activation link goes; the link
is minted just before the e-mail leaves (`app.db.mijnloket.fill_link`), so the outbox never
holds a usable token. Without SMTP that happens only in development, where the log is the
developer's inbox; in production the log shows the placeholder.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import string
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import mijnloket
from app.db.models import EmailStatus, OutboxEmail, utcnow
from app.db.session import Database
from app.settings import ConfigurationError, Settings

log = logging.getLogger("loketflow.mail")

MAX_BACKOFF = dt.timedelta(hours=1)
_MESSAGE_ID_SAFE = frozenset(string.ascii_letters + string.digits + "-_")


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # implicit TLS from the first byte (smtps://)
    start_tls: bool | None = None  # None: STARTTLS if the server offers it (aiosmtplib's default)


def parse_smtp_url(url: str) -> SmtpServer:
    """``smtp://[user:pass@]host[:port][?starttls=1|0]`` or ``smtps://...`` (implicit TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"not an smtp:// or smtps:// URL with a host: {parts.scheme}://...")
    implicit_tls = parts.scheme == "smtps"
    flag = parse_qs(parts.query).get("starttls")
    start_tls = None if not flag else flag[-1].lower() in ("1", "true", "yes", "on")
    if implicit_tls:
        start_tls = False  # already encrypted; STARTTLS on top would be refused
    default_port = 465 if implicit_tls else 587 if start_tls else 25
    return SmtpServer(
        hostname=parts.hostname,
        port=parts.port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit_tls,
        start_tls=start_tls,
    )


def message_id(dedupe_key: str) -> str:
    """A stable Message-ID per outbox row; other characters escaped as =XX, so it stays unique."""
    local = "".join(
        c if c in _MESSAGE_ID_SAFE else "".join(f"={b:02X}" for b in c.encode()) for c in dedupe_key
    )
    return f"<{local}@loketflow>"


class Undeliverable(Exception):
    """Nothing left to send (an invitation used or expired before its e-mail left): given up
    at once, like a permanent SMTP refusal."""


def build_message(row: OutboxEmail, sender: str, body: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = message_id(row.dedupe_key)
    message.set_content(row.body if body is None else body, charset="utf-8")
    return message


class SmtpConnection:
    """One SMTP connection for a round of e-mails: opened for the first, QUIT after the last,
    opened again when the server hung up in between."""

    def __init__(self, server: SmtpServer, timeout: float):
        self._client = aiosmtplib.SMTP(
            hostname=server.hostname,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.use_tls,
            start_tls=server.start_tls,
            timeout=timeout,
        )

    async def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """MAIL, RCPT, DATA; returns on the 250 after the end of DATA: the server has it."""
        if not self._client.is_connected:
            await self._client.connect()  # EHLO, STARTTLS and login as configured
        await self._client.send_message(message, sender=sender, recipients=[recipient])

    async def close(self) -> None:
        if self._client.is_connected:
            try:
                await self._client.quit()
            except (aiosmtplib.SMTPException, OSError):
                self._client.close()


class SqliteMarks:
    """SQLite: a connection of the relay's own for SENT marks, used without ever waiting.

    The write lock is the one thing a mark can wait for; SQLite's busy handler would sleep 1,
    2, 5, 10 ms and longer between tries while another transaction (of any process) holds it,
    and three trips to the driver's thread come on top. Here the mark is committed at once,
    synchronously (tens of microseconds) if the lock is free, and tried again every millisecond
    while it is not, the event loop going on meanwhile."""

    def __init__(self, path: str):
        # No busy timeout: a locked database answers at once instead of blocking the loop.
        self._connection = sqlite3.connect(
            path, timeout=0, isolation_level=None, uri=path.startswith("file:")
        )
        # As the service's own connections (app/db/session.py); the checkpoint that a commit
        # runs now and then (a write of the whole log) is left to those.
        self._connection.execute("PRAGMA synchronous = NORMAL")
        self._connection.execute("PRAGMA wal_autocheckpoint = 0")

    def close(self) -> None:
        self._connection.close()

    def _try(self, sql: str) -> bool:
        try:
            self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:  # or an extended BUSY
                return False
            raise
        try:
            self._connection.execute(sql)
            self._connection.execute("COMMIT")
        except BaseException:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            raise
        return True

    async def commit(self, sql: str, patience: float = 1.0) -> bool:
        """Commit `sql` alone; False if the lock stayed taken for `patience` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while not self._try(sql):
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.001)
        return True


class SentMark:
    """Marking one claimed e-mail SENT, prepared before its DATA so that after the server's 250
    as little as possible is left to do (see the module docstring)."""

    def __init__(self, db: Database, email_id: int, sqlite: SqliteMarks | None = None):
        self.db, self.email_id, self._sqlite = db, email_id, sqlite
        # Conditional on PENDING: if a second relay also sent it (lease expired), the row is
        # still marked once, with the first time it was sent.
        self._statement = (
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, OutboxEmail.status == EmailStatus.PENDING)
            .values(status=EmailStatus.SENT, sent_at=utcnow(), claimed_until=None)
        )
        self._open: AsyncConnection | None = None
        self._sql = ""

    async def __aenter__(self) -> SentMark:
        if self._sqlite is not None:
            # Values in the SQL (our own: an id, a status, a time), rendered by the column
            # types as the ORM would bind them.
            self._sql = str(
                self._statement.compile(
                    dialect=self.db.write_engine.dialect,
                    compile_kwargs={"literal_binds": True},
                )
            )
        elif not self.db.is_sqlite:
            self._open = await self.db.write_engine.connect()
            try:
                # The COMMIT need not wait for the disk: a mark lost in a crash of the database
                # costs a duplicate at worst (the e-mail goes again after its lease), never an
                # e-mail, and waiting for the flush would widen the window.
                await self._open.execute(text("SET LOCAL synchronous_commit = off"))
                # Holds a lock on this one row, which this relay has claimed anyway.
                await self._open.execute(self._statement)
            except BaseException:
                await self._open.close()
                raise
        return self

    async def commit(self) -> None:
        """The SMTP server has the message: record that now, surviving a passing database
        hiccup, or the row would be sent again when its lease expires."""
        try:
            if self._open is not None:
                await self._open.commit()
                return
            if self._sqlite is not None and await self._sqlite.commit(self._sql):
                return
        except Exception:
            log.warning("marking e-mail %s as sent failed; trying again", self.email_id)
        for attempt in range(3):
            try:
                async with self.db.write_engine.begin() as connection:
                    await connection.execute(self._statement)
                return
            except Exception:
                if attempt == 2:
                    raise
                log.warning("marking e-mail %s as sent failed; trying again", self.email_id)
                await asyncio.sleep(0.5 * (attempt + 1))

    async def __aexit__(self, *exc_info) -> None:
        if self._open is not None:
            await self._open.close()  # rolls back unless committed: the server did not take it


class OutboxRelay:
    """Sends due outbox e-mails over SMTP, or without SMTP settings logs them once."""

    def __init__(self, db: Database, settings: Settings, *, batch_size: int = 50):
        self.db, self.settings, self.batch_size = db, settings, batch_size
        try:
            self.smtp = parse_smtp_url(settings.smtp_url) if settings.smtp_url else None
        except ValueError as error:
            raise ConfigurationError(f"LOKETFLOW_SMTP_URL: {error}") from error
        self._sender = parseaddr(settings.smtp_from)[1]
        # Logging mode only: rows up to this id were logged by this process.
        self._logged_up_to = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def run_once(self) -> int:
        """Send what is due now, one batch; returns how many the SMTP server accepted."""
        if self.smtp is None:
            await self._log_pending()
            return 0
        now = utcnow()
        async with self.db.reader() as session:
            due_ids = list(
                await session.scalars(
                    select(OutboxEmail.id)
                    .where(OutboxEmail.status == EmailStatus.PENDING)
                    .where(OutboxEmail.next_attempt_at <= now)
                    .where(
                        or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now)
                    )
                    .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
                    .limit(self.batch_size)
                )
            )
        if not due_ids:
            return 0
        sent = 0
        connection = SmtpConnection(self.smtp, self.settings.smtp_timeout_seconds)
        marks = SqliteMarks(self.db.url.database) if self.db.is_sqlite else None
        try:
            for email_id in due_ids:
                if self._stopping.is_set():
                    break  # shutting down: the rest stay unclaimed for the next relay
                # Claimed one at a time, just before sending: the lease only has to outlast
                # one e-mail (bounded by the timeout), not a whole batch.
                row = await self._claim(email_id)
                if row is None:
                    continue  # another relay got it first, or it is no longer due
                sent += await self._send(connection, row, marks)
        finally:
            await connection.close()
            if marks is not None:
                marks.close()
        return sent

    async def _send(
        self, connection: SmtpConnection, row: OutboxEmail, marks: SqliteMarks | None
    ) -> bool:
        """Send one claimed e-mail and mark it SENT; a failure is recorded for a retry."""
        failure: Exception
        try:
            message = build_message(row, self.settings.smtp_from, await self._body(row))
        except Exception as error:
            failure = error
        else:
            async with SentMark(self.db, row.id, marks) as mark:
                try:
                    await connection.send(message, self._sender, row.to_address)
                except Exception as error:
                    failure = error
                else:
                    replied = time.time()
                    await mark.commit()
                    # What a crash in between would send twice (bench/mail_crash.py reads it).
                    log.debug(
                        "e-mail %s sent as %s: 250 at %.6f, marked SENT %.3f ms later",
                        row.id,
                        message["Message-ID"],
                        replied,
                        (time.time() - replied) * 1000,
                    )
                    return True
        # After the mark's transaction ended: on PostgreSQL it held this row's lock.
        await self._record_failure(row, failure)
        return False

    async def _claim(self, email_id: int) -> OutboxEmail | None:
        now = utcnow()
        lease_until = now + dt.timedelta(seconds=self.settings.mail_lease_seconds)
        async with self.db.writer() as session:
            result = await session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.id == email_id)
                .where(OutboxEmail.status == EmailStatus.PENDING)
                .where(OutboxEmail.next_attempt_at <= now)
                .where(or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now))
                .values(claimed_until=lease_until)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return None
            # Read after the claim, in the same transaction: the values this relay now owns.
            return await session.scalar(select(OutboxEmail).where(OutboxEmail.id == email_id))

    async def _body(self, row: OutboxEmail) -> str:
        """The text to send: as written, or with a newly minted activation link in it."""
        if row.invitation_id is None:
            return row.body
        async with self.db.writer() as session:
            body = await mijnloket.fill_link(session, row, self.settings.mijnloket_activation_url)
        if body is None:
            raise Undeliverable("de uitnodiging is al gebruikt of verlopen")
        return body

    async def _record_failure(self, row: OutboxEmail, error: Exception) -> None:
        attempts = row.attempts + 1
        # A 5xx answer (mailbox unknown, message refused) will not change by trying again; a
        # lost connection or a 4xx (try later) will: those are retried up to the maximum.
        permanent = isinstance(error, (aiosmtplib.SMTPRecipientsRefused, Undeliverable)) or (
            isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500
        )
        gave_up = permanent or attempts >= self.settings.mail_max_attempts
        # Exponent capped so that a large max-attempts setting cannot overflow the arithmetic.
        backoff = self.settings.mail_backoff_seconds * 2 ** min(attempts - 1, 20)
        delay = min(dt.timedelta(seconds=backoff), MAX_BACKOFF)
        level = logging.ERROR if gave_up else logging.WARNING
        log.log(level, "e-mail %s failed (attempt %d): %s", row.id, attempts, error)
        async with self.db.writer() as session:
            # Only while the claim is still ours: after an expired lease another relay owns it.
            await session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.id == row.id, OutboxEmail.status == EmailStatus.PENDING)
                .where(OutboxEmail.claimed_until == row.claimed_until)
                .values(
                    attempts=attempts,
                    last_error=f"{type(error).__name__}: {error}"[:500],
                    next_attempt_at=utcnow() + delay,
                    claimed_until=None,
                    status=EmailStatus.FAILED if gave_up else EmailStatus.PENDING,
                )
                .execution_options(synchronize_session=False)
            )

    async def _log_pending(self) -> None:
        # By id, so each is logged once per process. On PostgreSQL a transaction that commits a
        # lower id after a higher one was logged is missed here; it is still in the outbox.
        async with self.db.reader() as session:
            rows = list(
                await session.scalars(
                    select(OutboxEmail)
                    .where(OutboxEmail.status == EmailStatus.PENDING)
                    .where(OutboxEmail.id > self._logged_up_to)
                    .order_by(OutboxEmail.id)
                    .limit(self.batch_size)
                )
            )
        for row in rows:
            body = row.body
            if row.invitation_id is not None and not self.settings.is_production:
                with contextlib.suppress(Undeliverable):
                    body = await self._body(row)  # development: the log is the inbox
            log.info(
                "e-mail %s not sent (no LOKETFLOW_SMTP_URL)\nTo: %s\nSubject: %s\n\n%s",
                row.id,
                row.to_address,
                row.subject,
                body,
            )
            self._logged_up_to = row.id

    async def run_forever(self) -> None:
        """Poll until stopped; a failing round (database down) is logged and retried."""
        while not self._stopping.is_set():
            try:
                busy = await self.run_once() >= self.batch_size
            except Exception:
                log.exception("outbox relay round failed; trying again")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.settings.mail_poll_seconds)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run_forever(), name="loketflow-outbox-relay")

    async def stop(self) -> None:
        """Finish the e-mail in hand, then stop. Cut off mid-conversation, it would wait out
        its lease and could go out twice (if the server had it already). An SMTP conversation
        is bounded by its timeout, and marking it sent by a few short retries."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        _, pending = await asyncio.wait([task], timeout=self.settings.smtp_timeout_seconds + 5)
        if pending:
            log.warning("outbox relay: did not finish in time; the e-mail in hand is retried")
            task.cancel()
            await asyncio.wait([task])
