"""An invitation link to MijnLoket, outside a signed-in user's request (DOMAIN.md section 7
step 5): what it leads to, and using it. The link is the key; app/db/activation.py does the
work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import activation
from app.db import models as m
from app.db.session import Database
from app.domain.errors import DomainError, ErrorCode

T = TypeVar("T")


@dataclass(frozen=True)
class LinkView:
    """What a link leads to: `refused` says why it cannot be used (INVALID_TOKEN, TOKEN_USED,
    TOKEN_EXPIRED), else the rest is filled in."""

    refused: ErrorCode | None
    email: str | None = None
    employer_name: str | None = None
    expires_at: dt.datetime | None = None
    existing_account: bool = False


async def look_up(db: Database, token: str) -> LinkView:
    """What the link with `token` leads to, without using it (a session of its own)."""
    async with db.reader() as session:
        try:
            invitation = await activation.invitation_of(session, token)
        except DomainError as error:
            return LinkView(refused=error.code)
        employee = await session.get(m.Employee, invitation.employee_id)
        assert employee is not None  # an invitation is for an employment
        employer = await session.get(m.Employer, employee.employer_id)
        assert employer is not None
        existing = await activation.existing_account(session, employee.person_id)
    return LinkView(
        refused=None,
        email=invitation.email,
        employer_name=employer.name,
        expires_at=invitation.expires_at,
        existing_account=existing is not None,
    )


async def in_one_try(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` in one write transaction, tried once: unlike app/db/transaction.in_transaction,
    a race lost (the same link used twice at the same moment) is a CONFLICT at once, where a
    second try would tell the loser the link was used."""
    try:
        async with db.writer() as session:
            return await work(session)
    except IntegrityError as exc:
        raise DomainError(
            ErrorCode.CONFLICT, "Iemand anders wijzigde dit tegelijkertijd. Probeer het opnieuw."
        ) from exc
