"""Switch a workflow on or off at an employer."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import workflow_editor
from app.db.definitions import current_steps, save_version
from app.db.lookup import visible
from app.db.queries.definitions import DefinitionView
from app.db.session import Session
from app.domain.authz import Principal
from app.domain.catalogue import WorkflowType, missing_products, products_missing_error
from app.domain.definitions import default_steps
from app.schema.ids import input_pk
from app.schema.inputs.workflows import SetWorkflowActiveInput
from app.schema.payloads.workflows import WorkflowDefinitionPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class SetWorkflowActive:
    employer_id: str
    type: WorkflowType
    active: bool


async def set_workflow_active(
    session: Session, principal: Principal, command: SetWorkflowActive
) -> DefinitionView:
    pk = input_pk(command.employer_id, "Employer", "employerId")
    employer = await visible(session, principal, m.Employer, pk, "employerId")
    workflow = WorkflowType(command.type)
    row = await workflow_editor.definition_row(
        session, employer.id, workflow, create=command.active
    )
    if command.active:
        active = await workflow_editor.active_products(session, employer.id)
        if missing := missing_products(workflow, active):
            raise products_missing_error(workflow, missing)
        if await current_steps(session, row.id) is None:
            await save_version(session, row, default_steps(workflow), principal.user_id)
    if row is not None and row.active != command.active:
        row.active = command.active
        row.active_changed_at, row.active_changed_by_id = m.utcnow(), principal.user_id
    return DefinitionView(employer, workflow, row)


async def resolve_set_workflow_active(
    info: strawberry.Info, input: SetWorkflowActiveInput
) -> WorkflowDefinitionPayload:
    """Switch a workflow on or off at an employer. On: the products it needs must be active; the
    first time it gets the default configuration as version 1, later the last version applies
    again. Off: no new requests; running ones go on to their end."""
    command = SetWorkflowActive(employer_id=input.employer_id, type=input.type, active=input.active)
    return await mutate(
        info,
        set_workflow_active,
        command,
        WorkflowDefinitionPayload,
        lambda definition: {"definition": definition},
    )
