"""The outbox relay: a polling worker that claims due e-mails one at a time and sends them
(delivery at least once, see app/workers/mail/__init__.py), or without SMTP logs them once."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from email.utils import parseaddr

import aiosmtplib
from sqlalchemy import or_, select, update

from app.db import mijnloket
from app.db.models import EmailStatus, OutboxEmail, utcnow
from app.db.session import Database
from app.settings import ConfigurationError, Settings
from app.workers.base import PollingWorker
from app.workers.mail.marks import SentMark, SqliteMarks
from app.workers.mail.smtp import SmtpConnection, build_message, parse_smtp_url

log = logging.getLogger("loketflow.mail")

MAX_BACKOFF = dt.timedelta(hours=1)


class Undeliverable(Exception):
    """Nothing left to send (an invitation used or expired before its e-mail left): given up
    at once, like a permanent SMTP refusal."""


class OutboxRelay(PollingWorker):
    """Sends due outbox e-mails over SMTP, or without SMTP settings logs them once.

    Stopping finishes the e-mail in hand. Cut off mid-conversation, it would wait out its lease
    and could go out twice (if the server had it already). An SMTP conversation is bounded by
    its timeout, and marking it sent by a few short retries."""

    name, label, log = "loketflow-outbox-relay", "outbox relay", log
    overrun = "did not finish in time; the e-mail in hand is retried"
    cancel_wait = None

    def __init__(self, db: Database, settings: Settings, *, batch_size: int = 50):
        super().__init__()
        self.db, self.settings, self.batch_size = db, settings, batch_size
        try:
            self.smtp = parse_smtp_url(settings.smtp_url) if settings.smtp_url else None
        except ValueError as error:
            raise ConfigurationError(f"LOKETFLOW_SMTP_URL: {error}") from error
        self._sender = parseaddr(settings.smtp_from)[1]
        # Logging mode only: rows up to this id were logged by this process.
        self._logged_up_to = 0

    @property
    def poll_seconds(self) -> float:
        return self.settings.mail_poll_seconds

    @property
    def finish_seconds(self) -> float:
        return self.settings.smtp_timeout_seconds + 5

    async def round(self, woken: bool) -> bool:
        return await self.run_once() >= self.batch_size

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
                if self.stopping:
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
