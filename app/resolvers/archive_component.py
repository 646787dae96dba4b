"""Archive a component: no longer declarable, never deleted (DOMAIN.md section 8)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, component_sets
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.components import ArchiveComponentInput
from app.schema.payloads.components import ComponentPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class ArchiveComponent:
    component_id: str


async def archive_component(
    session: Session, principal: Principal, command: ArchiveComponent
) -> m.Component:
    """Already archived: nothing changes (it keeps its first `archivedAt`)."""
    pk = input_pk(command.component_id, "Component", "componentId")
    row = await visible(session, principal, m.Component, pk, "componentId")
    if row.archived_at is None:
        row.archived_at = m.utcnow()
        administration.log(
            session,
            principal.user_id,
            "archiveComponent",
            row,
            provider_id=await component_sets.provider_of(session, row.employer_id),
            employer_id=row.employer_id,
            changed=["archivedAt"],
        )
    return row


async def resolve_archive_component(
    info: strawberry.Info, input: ArchiveComponentInput
) -> ComponentPayload:
    """Archive a component: employees no longer see it among their `declarableComponents` and
    `submitExpenseClaim` refuses it (COMPONENT_NOT_DECLARABLE). Nothing is deleted: requests
    that name it keep it, with their amounts; staff still see it in `Employer.componentSets`
    with `archived` true. Archiving an archived component changes nothing."""
    command = ArchiveComponent(component_id=input.component_id)
    return await mutate(
        info, archive_component, command, ComponentPayload, lambda c: {"component": c}
    )
