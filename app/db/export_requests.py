"""Reads of the `exportProcessOverview` use case: how large the download is, how many of the
user's downloads still wait, and the export row as the build left it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.queries import process_overview
from app.db.reads import Reader
from app.domain.authz import Principal


async def matching_up_to(
    session: AsyncSession, principal: Principal, f: process_overview.OverviewFilter, limit: int
) -> int:
    """How many requests of the overview the principal may see match `f`, counted up to
    `limit` (enough to tell a small download from a large one)."""
    count: int | None = await session.scalar(process_overview.count_of(principal, f, limit=limit))
    return count or 0


async def waiting_exports(session: AsyncSession, user_id: int) -> int:
    """The user's downloads waiting for or being built by a background worker."""
    stmt = (
        select(func.count())
        .select_from(m.Export)
        .where(
            m.Export.user_id == user_id,
            m.Export.status.in_([m.ExportStatus.PENDING, m.ExportStatus.RUNNING]),
        )
    )
    return await session.scalar(stmt) or 0


async def employer_name(session: AsyncSession, employer_id: int) -> str | None:
    name: str | None = await session.scalar(
        select(m.Employer.name).where(m.Employer.id == employer_id)
    )
    return name


async def export_now(reader: Reader, export_id: int) -> m.Export:
    """The export as it is in the database now (the build committed it in its own sessions),
    not as the request's session last saw it."""
    row: m.Export = await reader.scalar(
        select(m.Export).where(m.Export.id == export_id).execution_options(populate_existing=True)
    )
    return row
