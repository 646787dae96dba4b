"""The workflow editor's use cases without HTTP: setWorkflowActive and updateWorkflowSteps."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.domain.authz import UserType
from app.domain.catalogue import Product, WorkflowType
from app.domain.definitions import StepKind
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.set_workflow_active import SetWorkflowActive, set_workflow_active
from app.resolvers.update_workflow_steps import (
    StepDraft,
    UpdateWorkflowSteps,
    update_workflow_steps,
)
from app.schema.ids import decode_id, to_global_id
from tests import factories


async def versions_of(db, definition_id: int) -> int:
    async with db.reader() as session:
        return await session.scalar(
            select(func.count())
            .select_from(m.WorkflowDefinitionVersion)
            .where(m.WorkflowDefinitionVersion.definition_id == definition_id)
        )


async def test_switch_on_then_save_steps_once(use_case, db, ids):
    employer = await ids.employer()
    on = SetWorkflowActive(employer, WorkflowType.MARITAL_STATUS_UPDATE, True)
    view = await use_case("werkgever.hr", set_workflow_active, on)
    assert (view.employer.id, view.type, view.row.active) == (
        decode_id(employer, "Employer"),
        WorkflowType.MARITAL_STATUS_UPDATE,
        True,
    )
    assert await versions_of(db, view.row.id) == 1  # the default configuration

    steps = (
        StepDraft(StepKind.TASK, "Controleren", role_id=await ids.role("HR"), send_email=True),
        StepDraft(StepKind.APPROVAL, "  Laatste   blik ", user_type=UserType.EMPLOYER),
    )
    command = UpdateWorkflowSteps(to_global_id("WorkflowDefinition", view.key), steps)
    saved = await use_case("werkgever.hr", update_workflow_steps, command)
    assert saved.row.id == view.row.id
    assert await versions_of(db, view.row.id) == 2
    # The same steps again: no new version.
    await use_case("werkgever.hr", update_workflow_steps, command)
    assert await versions_of(db, view.row.id) == 2

    off = SetWorkflowActive(employer, WorkflowType.MARITAL_STATUS_UPDATE, False)
    assert not (await use_case("werkgever.hr", set_workflow_active, off)).row.active
    assert await versions_of(db, view.row.id) == 2


async def test_switching_on_needs_the_products(use_case, db):
    employer = await factories.employer(
        db, "Nieuw B.V.", products=(Product.WORKFLOW_EDITOR, Product.MIJNLOKET)
    )
    command = SetWorkflowActive(employer, WorkflowType.EXPENSE_CLAIM, True)
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", set_workflow_active, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.PRODUCT_REQUIRED, ["type"])
    async with db.reader() as session:
        rows = await session.scalar(
            select(func.count())
            .select_from(m.WorkflowDefinition)
            .where(m.WorkflowDefinition.employer_id == decode_id(employer, "Employer"))
        )
    assert rows == 0  # the row created on the way is not kept


@pytest.mark.parametrize(
    ("step", "code", "field"),
    [
        (StepDraft(StepKind.APPROVAL, "Goedkeuren"), ErrorCode.INVALID_ASSIGNEE, ["steps", "0"]),
        (
            StepDraft(StepKind.APPROVAL, "Goedkeuren", role_id="rubbish"),
            ErrorCode.INVALID_ID,
            ["steps", "0", "roleId"],
        ),
        (
            StepDraft(StepKind.APPROVAL, "Goedkeuren", user_ids=("rubbish",)),
            ErrorCode.INVALID_ID,
            ["steps", "0", "userIds", "0"],
        ),
    ],
)
async def test_bad_steps_are_refused_with_a_field_path(use_case, db, ids, step, code, field):
    employer = await ids.employer()
    definition = to_global_id(
        "WorkflowDefinition", f"{decode_id(employer, 'Employer')}.IBAN_UPDATE"
    )
    with pytest.raises(DomainError) as refused:
        await use_case(
            "werkgever.hr", update_workflow_steps, UpdateWorkflowSteps(definition, (step,))
        )
    assert (refused.value.code, refused.value.field) == (code, field)


async def test_a_bad_definition_id_is_invalid_id(use_case):
    with pytest.raises(DomainError) as refused:
        await use_case("werkgever.hr", update_workflow_steps, UpdateWorkflowSteps("nope", ()))
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ID, ["definitionId"])
