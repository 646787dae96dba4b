"""What every mutation does the same way: one transaction, ids from input, UserErrors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.db.scoping import restrict
from app.domain.authz import Principal, Right
from app.domain.errors import DomainError, ErrorCode
from app.schema.ids import decode_id

T = TypeVar("T")


async def write(
    info: strawberry.Info, work: Callable[[AsyncSession, Principal], Awaitable[T]]
) -> T:
    """Run `work` in one write transaction: all of it commits, or (on any error) none of it.
    `work` may run twice (see below), so it must read what it decides on inside the session."""
    ctx = info.context
    principal = ctx.require_principal()
    for attempt in (1, 2):
        try:
            async with ctx.db.writer() as session:
                result = await work(session, principal)
            break
        except (IntegrityError, StaleDataError) as exc:
            # A concurrent request won a race our checks could not see (on PostgreSQL two
            # transactions can both find "not there yet", or a request moved on while we read
            # it); nothing was written. Once more: the
            # work reads again and now sees the winner's row (linking again is a no-op, ...).
            if attempt == 2:
                raise DomainError(
                    ErrorCode.CONFLICT,
                    "Iemand anders wijzigde dit tegelijkertijd. Probeer het opnieuw.",
                ) from exc
    await ctx.after_write()
    ctx.wake_publisher()
    return result


def input_pk(value: str | None, type_name: str, field: str) -> int:
    """The primary key behind an ID in the input, or an INVALID_ID UserError on `field`."""
    pk = decode_id(value, type_name) if value is not None else None
    if pk is None:
        raise DomainError(
            ErrorCode.INVALID_ID, f"Dit is geen geldig {_WHAT[type_name]}-ID.", [field]
        )
    return pk


async def get_visible(
    session: AsyncSession,
    principal: Principal,
    model: type,
    pk: int,
    field: str | list[str],
    *,
    right: Right | None = None,
    for_update: bool = False,
) -> Any:
    """The row if the principal may see it, else a NOT_FOUND UserError on `field` (a name or
    a whole path)."""
    stmt = restrict(select(model).where(model.id == pk), principal, model, right=right)
    row = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if row is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"{_WHAT[model.__name__].capitalize()} niet gevonden.",
            [field] if isinstance(field, str) else field,
        )
    return row


_WHAT = {
    "Employer": "werkgever",
    "Employee": "werknemer",
    "User": "gebruiker",
    "Role": "rol",
    "RoleLink": "rolkoppeling",
    "Department": "afdeling",
    "WorkflowInstance": "aanvraag",
    "InstanceStep": "taak",
    "Task": "taak",
    "Component": "component",
    "ComponentSet": "componentenset",
}


def clean_name(value: str, field: str, max_length: int = 100) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise DomainError(ErrorCode.INVALID_VALUE, "Vul een naam in.", [field])
    if len(name) > max_length:
        raise DomainError(
            ErrorCode.INVALID_VALUE, f"Een naam is hoogstens {max_length} tekens lang.", [field]
        )
    if not name.isprintable():  # control characters; NUL is refused by PostgreSQL itself
        raise DomainError(
            ErrorCode.INVALID_VALUE, "Een naam bestaat uit gewone, zichtbare tekens.", [field]
        )
    return name
