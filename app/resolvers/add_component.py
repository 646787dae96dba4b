"""Add a component to a component set (DOMAIN.md section 8)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import strawberry

from app.db import administration, component_sets
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import component_rates, validation
from app.domain.authz import Principal
from app.domain.validation import Unit
from app.schema.ids import input_pk
from app.schema.inputs.components import AddComponentInput
from app.schema.payloads.components import ComponentPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class AddComponent:
    component_set_id: str
    name: str
    unit: Unit
    rate: Decimal | None = None
    label: str | None = None  # None or blank: the component's name


async def add_component(
    session: Session, principal: Principal, command: AddComponent
) -> m.Component:
    pk = input_pk(command.component_set_id, "ComponentSet", "componentSetId")
    component_set = await visible(session, principal, m.ComponentSet, pk, "componentSetId")
    name = validation.name(command.name, "name")
    unit = Unit(command.unit)
    rate = component_rates.rate(command.rate, unit)
    label = (command.label or "").strip()
    await component_sets.ensure_component_name_free(session, component_set.id, name)
    row = m.Component(
        employer_id=component_set.employer_id,
        set_id=component_set.id,
        name=name,
        label=validation.name(label, "label") if label else None,
        unit=unit,
        rate=rate,
    )
    session.add(row)
    await session.flush()
    changed = ["name", "unit"] + (["rate"] if rate is not None else [])
    administration.log(
        session,
        principal.user_id,
        "addComponent",
        row,
        provider_id=await component_sets.provider_of(session, row.employer_id),
        employer_id=row.employer_id,
        changed=changed + (["label"] if row.label else []),
        component_set_id=component_set.id,
        unit=unit.value,
        rate=None if rate is None else str(rate),
    )
    return row


async def resolve_add_component(
    info: strawberry.Info, input: AddComponentInput
) -> ComponentPayload:
    """Add a component (looncomponent) to a component set: its payroll name (unique in the set),
    its unit, its rate in euros per unit (required for KM, such as 0.23 untaxed or 0.12 taxed;
    optional for HOURS and DAYS; none for EUR, where the declared amount counts) and the label
    employees see. Employees who declare from the set can declare it at once."""
    command = AddComponent(
        component_set_id=input.component_set_id,
        name=input.name,
        unit=input.unit,
        rate=input.rate,
        label=input.label,
    )
    return await mutate(info, add_component, command, ComponentPayload, lambda c: {"component": c})
