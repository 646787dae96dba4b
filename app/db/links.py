"""Reads and writes of role links (a role of the office, held by a user at one employer)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m


async def link_of(
    session: AsyncSession, role_id: int, user_id: int, employer_id: int
) -> m.RoleLink | None:
    """The link of this role to this user at this employer, if there is one."""
    return await session.scalar(
        select(m.RoleLink).where(
            m.RoleLink.role_id == role_id,
            m.RoleLink.user_id == user_id,
            m.RoleLink.employer_id == employer_id,
        )
    )


async def delete_link(session: AsyncSession, link_id: int) -> None:
    await session.execute(delete(m.RoleLink).where(m.RoleLink.id == link_id))
