from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.domain.catalogue import activation_blockers, deactivation_blockers, derive_variant
from app.domain.errors import DomainError
from app.resolvers.common import get_visible, input_pk, write
from app.schema.enums import Product
from app.schema.errors import UserError
from app.schema.types.employer import Employer


@strawberry.input
class SetProductActiveInput:
    employer_id: strawberry.ID
    product: Product
    active: bool


@strawberry.type
class SetProductActivePayload:
    employer: Employer | None = None
    errors: list[UserError]


async def set_product_active(
    info: strawberry.Info, input: SetProductActiveInput
) -> SetProductActivePayload:
    """Switch a product on or off at an employer. The MijnLoket variant follows from the active
    products; MijnLoket needs the office's signed addendum and its features need MijnLoket.
    The change and any variant change are recorded in `Employer.productHistory`."""
    try:
        employer = await write(info, lambda session, principal: _apply(session, principal, input))
    except DomainError as error:
        return SetProductActivePayload(errors=[UserError.of(error)])
    return SetProductActivePayload(employer=employer, errors=[])


async def _apply(session, principal, input: SetProductActiveInput) -> m.Employer:
    pk = input_pk(input.employer_id, "Employer", "employerId")
    # Locked: two changes at one employer must derive the variant one after the other.
    employer = await get_visible(session, principal, m.Employer, pk, "employerId", for_update=True)
    rows = await session.scalars(
        select(m.ProductActivation).where(m.ProductActivation.employer_id == employer.id)
    )
    state = {row.product: row for row in rows}
    active = {p for p, row in state.items() if row.active}
    product = m.Product(input.product)
    if (product in active) == input.active:
        return employer  # already so: nothing changes, nothing to record

    if input.active:
        provider = await session.get(m.Provider, employer.provider_id)
        blocker = activation_blockers(
            product, active, addendum_signed=provider.mijnloket_addendum_signed
        )
    else:
        blocker = deactivation_blockers(product, active)
    if blocker is not None:
        blocker.field = ["product"]
        raise blocker

    before = derive_variant(active)
    after = derive_variant(active | {product} if input.active else active - {product})
    now = m.utcnow()
    row = state.get(product) or m.ProductActivation(employer_id=employer.id, product=product)
    row.active, row.changed_at, row.changed_by_id = input.active, now, principal.user_id
    session.add(row)
    kind = m.ProductEventKind.ACTIVATED if input.active else m.ProductEventKind.DEACTIVATED
    session.add(
        m.ProductEvent(
            employer_id=employer.id, kind=kind, product=product, user_id=principal.user_id, at=now
        )
    )
    if after is not before:
        session.add(
            m.ProductEvent(
                employer_id=employer.id,
                kind=m.ProductEventKind.VARIANT_CHANGED,
                variant_before=before,
                variant_after=after,
                user_id=principal.user_id,
                at=now,
            )
        )
    return employer
