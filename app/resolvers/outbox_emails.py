"""The e-mail outbox of an employer, for whoever follows its requests: what was sent, what still
waits (without SMTP settings e-mail stays here, readable), and what failed and why."""

from __future__ import annotations

import strawberry

from app.db.outbox_reads import outbox_page
from app.schema.connection import Connection
from app.schema.ids import decode_id
from app.schema.types.outbox import EmailStatus, OutboxEmail


async def outbox_emails(
    info: strawberry.Info,
    employer_id: strawberry.ID,
    status: EmailStatus | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[OutboxEmail]:
    """The e-mails the employer's requests wrote to the outbox, newest first."""
    ctx = info.context
    page = await outbox_page(
        ctx,
        ctx.principal,
        decode_id(employer_id, "Employer"),
        status,
        first=first,
        after=after,
    )
    return Connection.of(page)
