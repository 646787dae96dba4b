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

`smtp` speaks to the mail server (one connection per round, the message and its Message-ID),
`marks` records an e-mail SENT after the server's 250, `relay` is the polling worker that claims
due rows and sends them.
"""

from app.workers.mail.relay import OutboxRelay, Undeliverable
from app.workers.mail.smtp import SmtpServer, build_message, message_id, parse_smtp_url

__all__ = [
    "OutboxRelay",
    "SmtpServer",
    "Undeliverable",
    "build_message",
    "message_id",
    "parse_smtp_url",
]
