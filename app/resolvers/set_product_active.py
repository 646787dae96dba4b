"""Switch a product on or off at an employer."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import products
from app.db.lookup import visible
from app.db.session import Session
from app.domain.authz import Principal
from app.domain.catalogue import (
    Product,
    activation_blockers,
    deactivation_blockers,
    derive_variant,
)
from app.schema.ids import input_pk
from app.schema.inputs.products import SetProductActiveInput
from app.schema.payloads.products import SetProductActivePayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class SetProductActive:
    employer_id: str
    product: Product
    active: bool


async def set_product_active(
    session: Session, principal: Principal, command: SetProductActive
) -> m.Employer:
    pk = input_pk(command.employer_id, "Employer", "employerId")
    # Locked: two changes at one employer must derive the variant one after the other.
    employer = await visible(session, principal, m.Employer, pk, "employerId", for_update=True)
    state = await products.activations(session, employer.id)
    active = {p for p, row in state.items() if row.active}
    product = Product(command.product)
    if (product in active) == command.active:
        return employer  # already so: nothing changes, nothing to record

    if command.active:
        blocker = activation_blockers(
            product,
            active,
            addendum_signed=await products.addendum_signed(session, employer.provider_id),
        )
    else:
        blocker = deactivation_blockers(product, active)
    if blocker is not None:
        blocker.field = ["product"]
        raise blocker

    before = derive_variant(active)
    after = derive_variant(active | {product} if command.active else active - {product})
    products.record_switch(
        session,
        state.get(product),
        employer.id,
        product,
        command.active,
        (before, after),
        principal.user_id,
    )
    return employer


async def resolve_set_product_active(
    info: strawberry.Info, input: SetProductActiveInput
) -> SetProductActivePayload:
    """Switch a product on or off at an employer. The MijnLoket variant follows from the active
    products; MijnLoket needs the office's signed addendum and its features need MijnLoket.
    The change and any variant change are recorded in `Employer.productHistory`."""
    command = SetProductActive(
        employer_id=input.employer_id, product=input.product, active=input.active
    )
    return await mutate(
        info,
        set_product_active,
        command,
        SetProductActivePayload,
        lambda employer: {"employer": employer},
    )
