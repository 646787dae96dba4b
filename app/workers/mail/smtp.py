"""Speaking to the mail server: its URL, the message of an outbox row with its stable
Message-ID, and one SMTP connection per round of e-mails."""

from __future__ import annotations

import string
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from app.db.models import OutboxEmail

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
