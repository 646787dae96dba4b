"""The component use cases without HTTP: setEmployeeComponentSet and setComponentLabel."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.manage_components import (
    SetComponentLabel,
    SetEmployeeComponentSet,
    set_component_label,
    set_employee_component_set,
)
from app.schema.ids import decode_id, to_global_id
from tests import factories


async def employee_row(db, number: int) -> m.Employee:
    async with db.reader() as session:
        return await session.scalar(select(m.Employee).where(m.Employee.employee_number == number))


async def deviating_set(db, employer: str) -> int:
    async with db.reader() as session:
        return await session.scalar(
            select(m.ComponentSet.id).where(
                m.ComponentSet.employer_id == decode_id(employer, "Employer"),
                m.ComponentSet.is_default.is_(False),
            )
        )


async def test_a_deviating_set_then_excluded(use_case, db, ids):
    employee, set_id = await ids.employee(1), await deviating_set(db, await ids.employer())
    command = SetEmployeeComponentSet(employee, to_global_id("ComponentSet", set_id))
    assert await use_case("werkgever.hr", set_employee_component_set, command) == decode_id(
        employee, "Employee"
    )
    row = await employee_row(db, 1)
    assert (row.component_set_id, row.excluded_from_declaring) == (set_id, False)

    command = SetEmployeeComponentSet(employee, None, excluded_from_declaring=True)
    await use_case("werkgever.hr", set_employee_component_set, command)
    row = await employee_row(db, 1)
    assert (row.component_set_id, row.excluded_from_declaring) == (None, True)


async def test_a_set_of_another_employer_is_not_found(use_case, db, ids):
    other = await factories.employer(db, "Buur B.V.")
    async with db.writer() as session:
        foreign = m.ComponentSet(employer_id=decode_id(other, "Employer"), name="Eigen")
        session.add(foreign)
        await session.flush()
        foreign_id = to_global_id("ComponentSet", foreign.id)
    command = SetEmployeeComponentSet(await ids.employee(1), foreign_id)
    with pytest.raises(DomainError) as refused:
        await use_case("werkgever.hr", set_employee_component_set, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_FOUND, ["componentSetId"])
    assert (await employee_row(db, 1)).component_set_id is None


async def fuel(db) -> m.Component:
    async with db.reader() as session:
        return await session.scalar(
            select(m.Component).where(m.Component.name == "Brandstofkosten")
        )


async def test_label_and_back_to_the_name(use_case, db):
    component_id = to_global_id("Component", (await fuel(db)).id)
    labelled = await use_case(
        "werkgever.hr", set_component_label, SetComponentLabel(component_id, "  Benzine ")
    )
    assert labelled.label == "Benzine"
    assert (await fuel(db)).label == "Benzine"

    await use_case("werkgever.hr", set_component_label, SetComponentLabel(component_id, "  "))
    assert (await fuel(db)).label is None


async def test_a_label_with_control_characters_is_refused(use_case, db):
    before = await fuel(db)
    component_id = to_global_id("Component", before.id)
    with pytest.raises(DomainError) as refused:
        await use_case(
            "werkgever.hr", set_component_label, SetComponentLabel(component_id, "Ben\x07zine")
        )
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_VALUE, ["label"])
    assert (await fuel(db)).label == before.label
