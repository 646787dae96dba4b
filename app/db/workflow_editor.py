"""Reads and writes of the workflow editor's use cases: definition rows and active products."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain.catalogue import Product, WorkflowType


async def definition_row(
    session: AsyncSession, employer_id: int, workflow: WorkflowType, *, create: bool
) -> m.WorkflowDefinition | None:
    """The definition row, locked for this transaction; created (inactive) if asked."""
    row = await session.scalar(
        select(m.WorkflowDefinition)
        .where(
            m.WorkflowDefinition.employer_id == employer_id, m.WorkflowDefinition.type == workflow
        )
        .with_for_update()
    )
    if row is None and create:
        row = m.WorkflowDefinition(employer_id=employer_id, type=workflow, active=False)
        session.add(row)
        await session.flush()
    return row


async def active_products(session: AsyncSession, employer_id: int) -> list[Product]:
    """The products switched on at the employer."""
    rows = await session.scalars(
        select(m.ProductActivation.product).where(
            m.ProductActivation.employer_id == employer_id, m.ProductActivation.active
        )
    )
    return list(rows)
