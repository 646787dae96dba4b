"""The deviating-approver use case without HTTP (setDeviatingApprover)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.set_deviating_approver import SetDeviatingApprover, set_deviating_approver
from app.schema.ids import decode_id


async def approver_of(db, number: int) -> int | None:
    async with db.reader() as session:
        return await session.scalar(
            select(m.Employee.deviating_approver_id).where(m.Employee.employee_number == number)
        )


async def test_set_and_remove_the_deviating_approver(use_case, db, ids):
    employee, directie = await ids.employee(1), await ids.user("werkgever.directie")
    changed = await use_case(
        "werkgever.hr", set_deviating_approver, SetDeviatingApprover(employee, directie)
    )
    assert (changed.employee_number, changed.deviating_approver_id) == (
        1,
        decode_id(directie, "User"),
    )
    assert await approver_of(db, 1) == decode_id(directie, "User")

    removed = await use_case("werkgever.hr", set_deviating_approver, SetDeviatingApprover(employee))
    assert removed.deviating_approver_id is None
    assert await approver_of(db, 1) is None


async def test_an_employee_is_not_its_own_deviating_approver(use_case, db, ids):
    """werkgever.hr is the same person as employee 2."""
    command = SetDeviatingApprover(await ids.employee(2), await ids.user("werkgever.hr"))
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", set_deviating_approver, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.SELF_APPROVAL, ["userId"])
    assert await approver_of(db, 2) is None


async def test_an_employee_account_is_not_at_the_employer(use_case, db, ids):
    command = SetDeviatingApprover(await ids.employee(1), await ids.user("wn003"))
    with pytest.raises(DomainError) as refused:
        await use_case("werkgever.hr", set_deviating_approver, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.USER_NOT_AT_EMPLOYER, ["userId"])
    assert await approver_of(db, 1) is None
