"""The relay that sends the e-mails of the transactional outbox.

Request handlers only write an `OutboxEmail` row, in the transaction of the change it announces,
so no e-mail leaves for a change that was rolled back and a slow or absent mail server never
slows or fails a request. This relay sends those rows afterwards, in the background.

Delivery is at-least-once. Each row is claimed (``claimed_until = now + lease``) by a conditional
UPDATE in its own short transaction before it is sent, so two relays (two processes) never send
the same row; it is marked SENT in a second transaction afterwards. A crash or shutdown between
the SMTP server accepting the message and that mark leaves the row claimed until the lease
expires, after which it is sent again, also after a restart. That window is the only risk of a
duplicate; the Message-ID is derived from the row's ``dedupe_key`` so that receiving servers can
drop it.

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
import string
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from sqlalchemy import or_, select, update

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


class OutboxRelay:
    """Sends due outbox e-mails over SMTP, or without SMTP settings logs them once."""

    def __init__(self, db: Database, settings: Settings, *, batch_size: int = 50):
        self.db, self.settings, self.batch_size = db, settings, batch_size
        try:
            self.smtp = parse_smtp_url(settings.smtp_url) if settings.smtp_url else None
        except ValueError as error:
            raise ConfigurationError(f"LOKETFLOW_SMTP_URL: {error}") from error
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
        sent = 0
        for email_id in due_ids:
            if self._stopping.is_set():
                break  # shutting down: the rest stay unclaimed for the next relay
            # Claimed one at a time, just before sending: the lease only has to outlast one
            # SMTP conversation (bounded by the timeout), not a whole batch.
            row = await self._claim(email_id)
            if row is None:
                continue  # another relay got it first, or it is no longer due
            try:
                await self._send(row, await self._body(row))
            except Exception as error:
                await self._record_failure(row, error)
            else:
                sent += 1
                await self._mark_sent_retrying(row)
        return sent

    async def _mark_sent_retrying(self, row: OutboxEmail) -> None:
        """The SMTP server has the message: recording that must not fail on a passing database
        hiccup, or the row would be sent again when its lease expires."""
        for attempt in range(3):
            try:
                await self._mark_sent(row)
                return
            except Exception:
                if attempt == 2:
                    raise
                log.warning("marking e-mail %s as sent failed; trying again", row.id)
                await asyncio.sleep(0.5 * (attempt + 1))

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

    async def _send(self, row: OutboxEmail, body: str) -> None:
        smtp = self.smtp
        assert smtp is not None
        await aiosmtplib.send(
            build_message(row, self.settings.smtp_from, body),
            sender=parseaddr(self.settings.smtp_from)[1],
            recipients=[row.to_address],
            hostname=smtp.hostname,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            use_tls=smtp.use_tls,
            start_tls=smtp.start_tls,
            timeout=self.settings.smtp_timeout_seconds,
        )

    async def _mark_sent(self, row: OutboxEmail) -> None:
        async with self.db.writer() as session:
            # Conditional on PENDING: if a second relay also sent it (lease expired), the row
            # is still marked once, with the first time it was sent.
            await session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.id == row.id, OutboxEmail.status == EmailStatus.PENDING)
                .values(status=EmailStatus.SENT, sent_at=utcnow(), claimed_until=None)
                .execution_options(synchronize_session=False)
            )

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
