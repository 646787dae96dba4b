"""Reads of components and component sets for the component use cases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m


async def component_set_of(session: AsyncSession, set_id: int, employer_id: int) -> int | None:
    """The set's id if it belongs to this employer, else None."""
    return await session.scalar(
        select(m.ComponentSet.id).where(
            m.ComponentSet.id == set_id, m.ComponentSet.employer_id == employer_id
        )
    )
