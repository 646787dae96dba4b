"""Rename a component set (DOMAIN.md section 8)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, component_sets
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.components import UpdateComponentSetInput
from app.schema.payloads.components import ComponentSetPayload
from app.schema.runner import mutate
from app.schema.types.declaration import ComponentSet


@dataclass(frozen=True)
class UpdateComponentSet:
    component_set_id: str
    name: str


async def update_component_set(
    session: Session, principal: Principal, command: UpdateComponentSet
) -> component_sets.SetView:
    pk = input_pk(command.component_set_id, "ComponentSet", "componentSetId")
    row = await visible(session, principal, m.ComponentSet, pk, "componentSetId")
    name = validation.name(command.name, "name")
    await component_sets.ensure_set_name_free(session, row.employer_id, name, except_id=row.id)
    if name != row.name:
        row.name = name
        administration.log(
            session,
            principal.user_id,
            "updateComponentSet",
            row,
            provider_id=await component_sets.provider_of(session, row.employer_id),
            employer_id=row.employer_id,
            changed=["name"],
        )
    return await component_sets.view_of(session, row)


async def resolve_update_component_set(
    info: strawberry.Info, input: UpdateComponentSetInput
) -> ComponentSetPayload:
    """Rename a component set. Its components, and the employees who declare from it, stay.
    Names are unique per employer (NAME_TAKEN)."""
    command = UpdateComponentSet(component_set_id=input.component_set_id, name=input.name)
    return await mutate(
        info,
        update_component_set,
        command,
        ComponentSetPayload,
        lambda view: {"component_set": ComponentSet.of(view.row, view.components)},
    )
