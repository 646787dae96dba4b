"""The e-mail outbox of an employer as `outboxEmails` lists it, scoped by `restrict`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import models as m
from app.db.queries.pagination import Page, keyset_page
from app.db.reads import Reader
from app.db.scoping import restrict
from app.domain.authz import Principal


async def outbox_page(
    reader: Reader,
    principal: Principal | None,
    employer_id: int | None,
    status: m.EmailStatus | None,
    *,
    first: int | None,
    after: str | None,
) -> Page:
    """The e-mails the employer's requests wrote to the outbox, newest first."""
    stmt = restrict(
        select(m.OutboxEmail).where(m.OutboxEmail.employer_id == employer_id),
        principal,
        m.OutboxEmail,
    )
    if status is not None:
        stmt = stmt.where(m.OutboxEmail.status == m.EmailStatus(status))
    order: tuple[Any, ...] = (m.OutboxEmail.id,)
    return await keyset_page(
        reader, stmt, order, lambda e: (e.id,), first=first, after=after, descending=True
    )
