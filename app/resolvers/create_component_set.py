"""Create a component set at an employer (DOMAIN.md section 8)."""

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
from app.schema.inputs.components import CreateComponentSetInput
from app.schema.payloads.components import ComponentSetPayload
from app.schema.runner import mutate
from app.schema.types.declaration import ComponentSet


@dataclass(frozen=True)
class CreateComponentSet:
    employer_id: str
    name: str


async def create_component_set(
    session: Session, principal: Principal, command: CreateComponentSet
) -> component_sets.SetView:
    """The new, empty set. Decision: an employer's first set (or any set while the employer has
    no default) becomes its default set, so that its employees have something to declare from."""
    pk = input_pk(command.employer_id, "Employer", "employerId")
    employer = await visible(session, principal, m.Employer, pk, "employerId")
    name = validation.name(command.name, "name")
    existing = await component_sets.sets_of_employer(session, employer.id, for_update=True)
    await component_sets.ensure_set_name_free(session, employer.id, name)
    is_default = not any(s.is_default for s in existing)
    row = m.ComponentSet(employer_id=employer.id, name=name, is_default=is_default)
    session.add(row)
    await session.flush()
    administration.log(
        session,
        principal.user_id,
        "createComponentSet",
        row,
        provider_id=employer.provider_id,
        employer_id=employer.id,
        changed=["name", "isDefault"] if is_default else ["name"],
    )
    return component_sets.SetView(row)


async def resolve_create_component_set(
    info: strawberry.Info, input: CreateComponentSetInput
) -> ComponentSetPayload:
    """Create a component set at an employer; add its components with `addComponent`. The
    employer's first set becomes its default set (see `setDefaultComponentSet`). Names are unique
    per employer (NAME_TAKEN)."""
    command = CreateComponentSet(employer_id=input.employer_id, name=input.name)
    return await mutate(
        info,
        create_component_set,
        command,
        ComponentSetPayload,
        lambda view: {"component_set": ComponentSet.of(view.row, view.components)},
    )
