"""Reads and writes of the products at an employer, and their history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain.catalogue import MijnLoketVariant, Product


async def activations(
    session: AsyncSession, employer_id: int
) -> dict[Product, m.ProductActivation]:
    """The employer's product rows (switched on or off before), by product."""
    rows = await session.scalars(
        select(m.ProductActivation).where(m.ProductActivation.employer_id == employer_id)
    )
    return {row.product: row for row in rows}


async def addendum_signed(session: AsyncSession, provider_id: int) -> bool:
    """Whether the office signed the MijnLoket addendum. The office's row is locked (on
    PostgreSQL) until the commit: withdrawing the addendum (setMijnLoketAddendum locks it too)
    and activating MijnLoket at the same moment cannot both succeed."""
    provider = await session.scalar(
        select(m.Provider).where(m.Provider.id == provider_id).with_for_update()
    )
    assert provider is not None, provider_id  # an employer's office always exists
    return provider.mijnloket_addendum_signed


def record_switch(
    session: AsyncSession,
    row: m.ProductActivation | None,
    employer_id: int,
    product: Product,
    active: bool,
    variants: tuple[MijnLoketVariant, MijnLoketVariant],
    user_id: int,
) -> None:
    """Switch `product` on or off (`row`: its current row, if any) and record it in the
    employer's product history, with the variant change (before, after) if there is one."""
    now = m.utcnow()
    row = row or m.ProductActivation(employer_id=employer_id, product=product)
    row.active, row.changed_at, row.changed_by_id = active, now, user_id
    session.add(row)
    kind = m.ProductEventKind.ACTIVATED if active else m.ProductEventKind.DEACTIVATED
    session.add(
        m.ProductEvent(employer_id=employer_id, kind=kind, product=product, user_id=user_id, at=now)
    )
    before, after = variants
    if after is not before:
        session.add(
            m.ProductEvent(
                employer_id=employer_id,
                kind=m.ProductEventKind.VARIANT_CHANGED,
                variant_before=before,
                variant_after=after,
                user_id=user_id,
                at=now,
            )
        )
