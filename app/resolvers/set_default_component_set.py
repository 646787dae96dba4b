"""Make a component set the employer's default set (DOMAIN.md section 8)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, component_sets
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.components import SetDefaultComponentSetInput
from app.schema.payloads.components import ComponentSetPayload
from app.schema.runner import mutate
from app.schema.types.declaration import ComponentSet


@dataclass(frozen=True)
class SetDefaultComponentSet:
    component_set_id: str


async def set_default_component_set(
    session: Session, principal: Principal, command: SetDefaultComponentSet
) -> component_sets.SetView:
    """Afterwards exactly this set is the employer's default. Already the default: nothing
    changes (and nothing is logged)."""
    pk = input_pk(command.component_set_id, "ComponentSet", "componentSetId")
    row = await visible(session, principal, m.ComponentSet, pk, "componentSetId")
    sets = await component_sets.sets_of_employer(session, row.employer_id, for_update=True)
    previous = [s for s in sets if s.is_default and s.id != row.id]
    if previous or not row.is_default:
        for s in previous:
            s.is_default = False
        # The old default goes first: at most one default per employer, at every statement.
        await session.flush()
        row.is_default = True
        await session.flush()
        administration.log(
            session,
            principal.user_id,
            "setDefaultComponentSet",
            row,
            provider_id=await component_sets.provider_of(session, row.employer_id),
            employer_id=row.employer_id,
            changed=["isDefault"],
            previous_default_set_ids=[s.id for s in previous],
        )
    return await component_sets.view_of(session, row)


async def resolve_set_default_component_set(
    info: strawberry.Info, input: SetDefaultComponentSetInput
) -> ComponentSetPayload:
    """Make this set the employer's default set: every employee without a deviating set
    (`setEmployeeComponentSet`) declares from it from now on. The previous default becomes an
    ordinary set; claims already submitted keep their component and amount."""
    command = SetDefaultComponentSet(component_set_id=input.component_set_id)
    return await mutate(
        info,
        set_default_component_set,
        command,
        ComponentSetPayload,
        lambda view: {"component_set": ComponentSet.of(view.row, view.components)},
    )
