"""Reads of collective actions for their use cases: whom an action may cover, the action just
started, and the message centre's pages (DOMAIN.md section 7)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.queries.pagination import Page, Reader, keyset_page
from app.db.scoping import restrict
from app.domain.authz import Principal, Right


async def employees_in_scope(
    session: AsyncSession, principal: Principal, employer_id: int | None, pks: Sequence[int]
) -> set[int]:
    """Which of `pks` are employees of the employer the principal may run collective actions
    for (a None employer has none)."""
    stmt = select(m.Employee.id).where(
        m.Employee.id.in_(pks), m.Employee.employer_id == employer_id
    )
    found = await session.scalars(
        restrict(stmt, principal, m.Employee, right=Right.COLLECTIVE_ACTIONS)
    )
    return set(found)


async def action(reader: Reader, action_id: int) -> m.CollectiveAction | None:
    """The action just started by this request (a system read: the payload's)."""
    found: m.CollectiveAction | None = await reader.scalar(
        select(m.CollectiveAction).where(m.CollectiveAction.id == action_id)
    )
    return found


async def message_centre(
    reader: Reader,
    principal: Principal,
    employer_id: int | None,
    *,
    first: int | None,
    after: str | None,
) -> Page:
    """One page of the employer's collective actions that the principal may see, newest first."""
    stmt = restrict(
        select(m.CollectiveAction).where(m.CollectiveAction.employer_id == employer_id),
        principal,
        m.CollectiveAction,
    )
    return await keyset_page(
        reader,
        stmt,
        (cast(ColumnElement[Any], m.CollectiveAction.id),),
        lambda a: (a.id,),
        first=first,
        after=after,
        descending=True,
    )
