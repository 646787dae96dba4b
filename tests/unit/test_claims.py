"""The expense claim use cases without HTTP: declaring and booking into a payroll period; what
they return, what they refuse, what the database holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.act_on_task import ActOnTask, approve_task
from app.resolvers.process_expense_claims import ProcessExpenseClaim, process_expense_claim
from app.resolvers.submit_expense_claim import SubmitExpenseClaim, submit_expense_claim
from app.schema.ids import to_global_id


async def kilometres(db) -> str:
    async with db.reader() as session:
        pk = await session.scalar(
            select(m.Component.id).where(m.Component.name == "Kilometers onbelast")
        )
    return to_global_id("Component", pk)


async def claims(db) -> list[m.ExpenseClaim]:
    async with db.reader() as session:
        return list(await session.scalars(select(m.ExpenseClaim)))


async def approved_claim(use_case, db) -> int:
    command = SubmitExpenseClaim(await kilometres(db), Decimal("42"))
    request = await use_case("wn001", submit_expense_claim, command)
    async with db.reader() as session:
        step = await session.scalar(
            select(m.InstanceStep.id).where(m.InstanceStep.instance_id == request)
        )
    await use_case("manager.verkoop", approve_task, ActOnTask(to_global_id("Task", step)))
    return request


async def test_a_claim_is_declared_with_its_amount(use_case, db):
    command = SubmitExpenseClaim(
        await kilometres(db), Decimal("42"), payroll_period="2026-11", description=" Klant "
    )
    request = await use_case("wn001", submit_expense_claim, command)
    [claim] = await claims(db)
    assert claim.instance_id == request
    assert (claim.value, claim.amount, claim.payroll_period, claim.description) == (
        Decimal("42"), Decimal("9.66"), "2026-11", "Klant"
    )  # fmt: skip


async def test_a_value_of_nothing_is_refused_and_nothing_is_written(use_case, db):
    command = SubmitExpenseClaim(await kilometres(db), Decimal("0"))
    with pytest.raises(DomainError) as refused:
        await use_case("wn001", submit_expense_claim, command)
    assert (refused.value.code, refused.value.field) == (
        ErrorCode.INVALID_EXPENSE_VALUE, ["value"]
    )  # fmt: skip
    async with db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(m.WorkflowInstance)) == 0


async def test_an_approved_claim_is_booked_into_the_period(use_case, db):
    request = await approved_claim(use_case, db)
    command = ProcessExpenseClaim(to_global_id("WorkflowInstance", request), "2026-11")
    assert await use_case("kantoor.salaris", process_expense_claim, command) == request
    [claim] = await claims(db)
    assert claim.processed_period == "2026-11"
    async with db.reader() as session:
        assert (await session.get(m.WorkflowInstance, request)).status == "PROCESSED"


async def test_department_managers_do_not_book_claims(use_case, db):
    request = await approved_claim(use_case, db)
    command = ProcessExpenseClaim(to_global_id("WorkflowInstance", request), "2026-11")
    with pytest.raises(DomainError) as refused:
        await use_case("manager.verkoop", process_expense_claim, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_ALLOWED, ["instanceIds"])
    [claim] = await claims(db)
    assert claim.processed_period is None


async def test_a_claim_still_in_progress_is_not_booked(use_case, db):
    command = SubmitExpenseClaim(await kilometres(db), Decimal("42"))
    request = await use_case("wn001", submit_expense_claim, command)
    process = ProcessExpenseClaim(to_global_id("WorkflowInstance", request), "2026-11")
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.salaris", process_expense_claim, process)
    assert refused.value.code is ErrorCode.NOT_PROCESSABLE
