"""A use case's one write transaction: all of it commits, or (on any error) none of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.db.session import Database
from app.domain.errors import DomainError, ErrorCode

T = TypeVar("T")


async def in_transaction(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one write transaction. `work` may run twice (see below), so it must read
    what it decides on inside the session."""
    for attempt in (1, 2):
        try:
            async with db.writer() as session:
                return await work(session)
        except (IntegrityError, StaleDataError) as exc:
            # A concurrent request won a race our checks could not see (on PostgreSQL two
            # transactions can both find "not there yet", or a request moved on while we read
            # it); nothing was written. Once more: the work reads again and now sees the
            # winner's row (linking again is a no-op, ...).
            if attempt == 2:
                raise DomainError(
                    ErrorCode.CONFLICT,
                    "Iemand anders wijzigde dit tegelijkertijd. Probeer het opnieuw.",
                ) from exc
    raise AssertionError("unreachable")
