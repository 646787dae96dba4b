"""Reads of the live subscriptions (app/resolvers/subscriptions.py and their event types),
scoped by `restrict` like every other read."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import models as m
from app.db.queries import task_centre
from app.db.reads import Reader
from app.db.scoping import restrict
from app.domain.authz import Principal


async def open_task_count(reader: Reader, principal: Principal, employer_id: int | None) -> int:
    """The principal's open tasks now (at one employer, or everywhere)."""
    stmt = task_centre.tasks(principal, task_centre.TaskFilter(employer_id=employer_id))
    count: int = await reader.scalar(select(func.count()).select_from(stmt.subquery()))
    return count


async def own_export(
    reader: Reader, principal: Principal | None, export_id: int
) -> m.Export | None:
    """The export as it is in the database now (not as the session last saw it), if the
    principal may see it (only the user who asked can)."""
    stmt = restrict(select(m.Export).where(m.Export.id == export_id), principal, m.Export)
    export: m.Export | None = await reader.scalar(stmt.execution_options(populate_existing=True))
    return export
