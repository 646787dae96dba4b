"""The product use case without HTTP (setProductActive)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import models as m
from app.domain.catalogue import MijnLoketVariant, Product
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.set_product_active import SetProductActive, set_product_active
from app.schema.ids import decode_id
from tests import factories


async def history(db, employer: str) -> list[tuple]:
    async with db.reader() as session:
        rows = await session.execute(
            select(m.ProductEvent.kind, m.ProductEvent.product, m.ProductEvent.variant_after)
            .where(m.ProductEvent.employer_id == decode_id(employer, "Employer"))
            .order_by(m.ProductEvent.id)
        )
        return [tuple(row) for row in rows]


async def test_switching_on_records_the_product_and_the_variant(use_case, db):
    employer = await factories.employer(db, "Start B.V.", products=(Product.MIJNLOKET,))
    command = SetProductActive(employer, Product.MIJNLOKET_EXPENSE_CLAIMS, True)
    changed = await use_case("kantoor.admin", set_product_active, command)
    assert changed.id == decode_id(employer, "Employer")
    assert await history(db, employer) == [
        (m.ProductEventKind.ACTIVATED, Product.MIJNLOKET_EXPENSE_CLAIMS, None),
        (m.ProductEventKind.VARIANT_CHANGED, None, MijnLoketVariant.PLUS),
    ]
    # Already on: nothing changes, nothing is recorded.
    await use_case("kantoor.admin", set_product_active, command)
    assert len(await history(db, employer)) == 2


async def test_mijnloket_stays_on_while_its_features_are(use_case, db):
    employer = await factories.employer(
        db, "Plus B.V.", products=(Product.MIJNLOKET, Product.MIJNLOKET_EXPENSE_CLAIMS)
    )
    command = SetProductActive(employer, Product.MIJNLOKET, False)
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", set_product_active, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.PRODUCT_IN_USE, ["product"])
    assert await history(db, employer) == []
