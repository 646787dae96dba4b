"""Change a component's name, label or rate (DOMAIN.md section 8)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from app.db import administration, component_sets
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import component_rates, validation
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.components import UpdateComponentInput
from app.schema.payloads.components import ComponentPayload
from app.schema.runner import mutate


class Keep(Enum):
    """A field left out of the command: its value stays."""

    KEEP = "KEEP"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class UpdateComponent:
    component_id: str
    name: str | Keep | None = KEEP  # None is refused: a component always has a name
    label: str | Keep | None = KEEP  # None or blank: no label (the name shows)
    rate: Decimal | Keep | None = KEEP  # None: no rate (refused for kilometres)


async def update_component(
    session: Session, principal: Principal, command: UpdateComponent
) -> m.Component:
    """Claims already submitted keep their amount: it was stored with the claim. A command that
    changes nothing writes nothing (and logs nothing)."""
    pk = input_pk(command.component_id, "Component", "componentId")
    row = await visible(session, principal, m.Component, pk, "componentId")
    name = row.name
    if command.name is not KEEP:
        name = validation.name(command.name or "", "name")
    label = row.label
    if command.label is not KEEP:
        text = (command.label or "").strip()
        label = validation.name(text, "label") if text else None
    rate = row.rate
    if command.rate is not KEEP:
        rate = component_rates.rate(command.rate, row.unit)
    if name != row.name:
        await component_sets.ensure_component_name_free(session, row.set_id, name, row.id)
    changed = [
        what
        for what, old, new in (("name", row.name, name), ("label", row.label, label))
        if old != new
    ]
    details: dict[str, Any] = {}
    if rate != row.rate:  # Decimal: 0.2300 == 0.23
        changed.append("rate")
        details["rate"] = {
            "from": None if row.rate is None else str(row.rate),
            "to": None if rate is None else str(rate),
        }
    if changed:
        row.name, row.label, row.rate = name, label, rate
        administration.log(
            session,
            principal.user_id,
            "updateComponent",
            row,
            provider_id=await component_sets.provider_of(session, row.employer_id),
            employer_id=row.employer_id,
            changed=changed,
            **details,
        )
    return row


def _given(value: Any) -> Any:
    return KEEP if value is strawberry.UNSET else value


async def resolve_update_component(
    info: strawberry.Info, input: UpdateComponentInput
) -> ComponentPayload:
    """Change a component's payroll name, label or rate: a field left out keeps its value, null
    clears it (not the name; not the rate of a KM component). The unit never changes: add
    another component for that. A new rate applies to claims submitted from now on; claims
    already submitted keep their amount."""
    command = UpdateComponent(
        component_id=input.component_id,
        name=_given(input.name),
        label=_given(input.label),
        rate=_given(input.rate),
    )
    return await mutate(
        info, update_component, command, ComponentPayload, lambda c: {"component": c}
    )
