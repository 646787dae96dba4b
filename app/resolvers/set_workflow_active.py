from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.db.definitions import current_steps, save_version
from app.db.queries.definitions import DefinitionView
from app.domain.catalogue import WorkflowType, missing_products, products_missing_error
from app.domain.definitions import default_steps
from app.domain.errors import DomainError
from app.resolvers.common import get_visible, input_pk, write
from app.schema.enums import WorkflowType as WorkflowTypeEnum
from app.schema.errors import UserError
from app.schema.types.workflow import WorkflowDefinition


@strawberry.input
class SetWorkflowActiveInput:
    employer_id: strawberry.ID
    type: WorkflowTypeEnum
    active: bool


@strawberry.type
class WorkflowDefinitionPayload:
    definition: WorkflowDefinition | None = None
    errors: list[UserError]


async def definition_row(session, employer_id: int, workflow: WorkflowType, *, create: bool):
    """The definition row, locked for this transaction; created (inactive) if asked."""
    row = await session.scalar(
        select(m.WorkflowDefinition)
        .where(
            m.WorkflowDefinition.employer_id == employer_id, m.WorkflowDefinition.type == workflow
        )
        .with_for_update()
    )
    if row is None and create:
        row = m.WorkflowDefinition(employer_id=employer_id, type=workflow, active=False)
        session.add(row)
        await session.flush()
    return row


async def set_workflow_active(
    info: strawberry.Info, input: SetWorkflowActiveInput
) -> WorkflowDefinitionPayload:
    """Switch a workflow on or off at an employer. On: the products it needs must be active; the
    first time it gets the default configuration as version 1, later the last version applies
    again. Off: no new requests; running ones go on to their end."""

    async def apply(session, principal) -> DefinitionView:
        pk = input_pk(input.employer_id, "Employer", "employerId")
        employer = await get_visible(session, principal, m.Employer, pk, "employerId")
        workflow = WorkflowType(input.type)
        row = await definition_row(session, employer.id, workflow, create=input.active)
        if input.active:
            active = await session.scalars(
                select(m.ProductActivation.product).where(
                    m.ProductActivation.employer_id == employer.id, m.ProductActivation.active
                )
            )
            if missing := missing_products(workflow, active):
                raise products_missing_error(workflow, missing)
            if await current_steps(session, row.id) is None:
                await save_version(session, row, default_steps(workflow), principal.user_id)
        if row is not None and row.active != input.active:
            row.active = input.active
            row.active_changed_at, row.active_changed_by_id = m.utcnow(), principal.user_id
        return DefinitionView(employer, workflow, row)

    try:
        return WorkflowDefinitionPayload(definition=await write(info, apply), errors=[])
    except DomainError as error:
        return WorkflowDefinitionPayload(errors=[UserError.of(error)])
