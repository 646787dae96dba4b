"""The task use cases without HTTP: completing, approving, rejecting and commenting on a task of
the task centre; what they return, what they refuse, what the database holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.act_on_task import (
    ActOnTask,
    approve_task,
    comment_on_task,
    complete_task,
    reject_task,
)
from app.resolvers.submit_expense_claim import SubmitExpenseClaim, submit_expense_claim
from app.resolvers.submit_personal_data import SubmitAddressUpdate, submit_address_update
from app.schema.ids import to_global_id

ADDRESS = SubmitAddressUpdate(
    street="Dorpsstraat", house_number="12a", postcode="1234ab", city="Ede"
)


async def open_task(db, instance_id: int) -> tuple[int, str]:
    """The open step of a request: (pk, its global ID)."""
    async with db.reader() as session:
        pk = await session.scalar(
            select(m.InstanceStep.id).where(
                m.InstanceStep.instance_id == instance_id, m.InstanceStep.state == "OPEN"
            )
        )
    assert pk is not None
    return pk, to_global_id("Task", pk)


async def claim(use_case, db) -> int:
    async with db.reader() as session:
        component = await session.scalar(
            select(m.Component.id).where(m.Component.name == "Kilometers onbelast")
        )
    command = SubmitExpenseClaim(to_global_id("Component", component), Decimal("42"))
    return await use_case("wn001", submit_expense_claim, command)


async def test_completing_the_task_applies_the_change(use_case, db):
    request = await use_case("wn001", submit_address_update, ADDRESS)
    step, task = await open_task(db, request)
    acted = await use_case("kantoor.salaris", complete_task, ActOnTask(task))
    assert (acted.task_id, acted.instance_id) == (step, request)
    async with db.reader() as session:
        row = await session.get(m.WorkflowInstance, request)
        employee = await session.get(m.Employee, row.employee_id)
    assert row.status == "PROCESSED" and employee.street == "Dorpsstraat"

    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.salaris", complete_task, ActOnTask(task))
    assert refused.value.code is ErrorCode.TASK_ALREADY_DONE


async def test_approving_and_commenting(use_case, db):
    request = await claim(use_case, db)
    step, task = await open_task(db, request)
    commented = await use_case("manager.verkoop", comment_on_task, ActOnTask(task, " Klopt. "))
    assert commented.task_id == step
    acted = await use_case("manager.verkoop", approve_task, ActOnTask(task))
    assert acted.instance_id == request
    async with db.reader() as session:
        row = await session.get(m.WorkflowInstance, request)
        comments = list(
            await session.scalars(
                select(m.AuditEntry.comment).where(
                    m.AuditEntry.instance_id == request, m.AuditEntry.comment.is_not(None)
                )
            )
        )
    assert row.status == "COMPLETED" and "Klopt." in comments


async def test_rejecting_needs_a_comment(use_case, db):
    request = await claim(use_case, db)
    _, task = await open_task(db, request)
    with pytest.raises(DomainError) as refused:
        await use_case("manager.verkoop", reject_task, ActOnTask(task))
    assert refused.value.code is ErrorCode.COMMENT_REQUIRED
    await use_case("manager.verkoop", reject_task, ActOnTask(task, "Dubbel gedeclareerd."))
    async with db.reader() as session:
        assert (await session.get(m.WorkflowInstance, request)).status == "REJECTED"


async def test_a_task_out_of_sight_is_not_found(use_case, db):
    request = await use_case("wn001", submit_address_update, ADDRESS)
    _, task = await open_task(db, request)
    with pytest.raises(DomainError) as refused:
        await use_case("wn003", complete_task, ActOnTask(task))
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_FOUND, ["taskId"])
    async with db.reader() as session:
        assert (await session.get(m.WorkflowInstance, request)).status == "IN_PROGRESS"


async def test_a_bad_id_is_invalid_id(use_case):
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.salaris", approve_task, ActOnTask("nope"))
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ID, ["taskId"])
