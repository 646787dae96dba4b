"""Reads of collective actions as the message centre shows them, scoped by `restrict`."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.db.reads import Reader
from app.db.scoping import restrict
from app.domain.authz import Principal


async def action_log(
    reader: Reader, principal: Principal | None, action_id: int
) -> list[m.ActionLogEntry]:
    """The action's append-only log, oldest first."""
    stmt = restrict(
        select(m.ActionLogEntry)
        .where(m.ActionLogEntry.action_id == action_id)
        .order_by(m.ActionLogEntry.id),
        principal,
        m.ActionLogEntry,
    )
    return await reader.scalars(stmt)


async def visible_action(
    reader: Reader, principal: Principal | None, action_id: int
) -> m.CollectiveAction | None:
    """The action as it is now, if the principal may see it."""
    action: m.CollectiveAction | None = await reader.scalar(
        restrict(
            select(m.CollectiveAction).where(m.CollectiveAction.id == action_id),
            principal,
            m.CollectiveAction,
        )
    )
    return action
