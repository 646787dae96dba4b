"""Factories for data the demo does not have: other offices, other employers, more users."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.db import models as m
from app.db.session import Database
from app.domain.authz import Right, UserType
from app.domain.catalogue import Product
from app.schema.ids import to_global_id


async def provider(db: Database, name: str = "Kantoor Y", *, addendum: bool = True) -> int:
    async with db.writer() as s:
        row = m.Provider(name=name, mijnloket_addendum_signed=addendum)
        s.add(row)
        await s.flush()
        return row.id


async def demo_provider_id(db: Database) -> int:
    async with db.reader() as s:
        return await s.scalar(
            select(m.Provider.id).where(m.Provider.name == "Accountantskantoor X")
        )


async def employer(
    db: Database, name: str, *, provider_id: int | None = None, products: tuple[Product, ...] = ()
) -> str:
    """A new employer (global ID) with these products active and one department "Algemeen"."""
    provider_id = provider_id or await demo_provider_id(db)
    async with db.writer() as s:
        row = m.Employer(provider_id=provider_id, name=name)
        s.add(row)
        await s.flush()
        s.add(m.Department(employer_id=row.id, name="Algemeen"))
        for product in products:
            s.add(m.ProductActivation(employer_id=row.id, product=product, active=True))
        return to_global_id("Employer", row.id)


async def user(
    db: Database,
    username: str,
    user_type: UserType,
    *,
    employer_id: int | None = None,
    provider_id: int | None = None,
    person_id: int | None = None,
    rights: tuple[Right, ...] = (),
    rights_at: int | None = None,
) -> str:
    """A new user (global ID); `rights` are granted at `rights_at` (None: provider level)."""
    async with db.writer() as s:
        row = m.User(
            username=username,
            display_name=username,
            user_type=user_type,
            employer_id=employer_id,
            provider_id=provider_id,
            person_id=person_id,
        )
        s.add(row)
        await s.flush()
        for right in rights:
            s.add(m.RightGrant(user_id=row.id, right=right, employer_id=rights_at))
        return to_global_id("User", row.id)


async def employee(db: Database, employer_id: int, number: int, name: str) -> str:
    """A new employee (global ID) in the employer's first department, with its own person."""
    async with db.writer() as s:
        department_id = await s.scalar(
            select(m.Department.id).where(m.Department.employer_id == employer_id).limit(1)
        )
        person = m.Person(name=name)
        s.add(person)
        await s.flush()
        row = m.Employee(
            employer_id=employer_id,
            person_id=person.id,
            department_id=department_id,
            employee_number=number,
            name=name,
            employment_start=dt.date(2024, 1, 1),
            iban="NL91ABNA0417164300",
            bsn="111222333",
            mijnloket_email=f"{number}@example.nl",
        )
        s.add(row)
        await s.flush()
        return to_global_id("Employee", row.id)


async def submitted_claim(db: Database, employee_number: int = 1, value: str = "10") -> int:
    """An expense claim of the demo employee, started by the real engine (the instance pk)."""
    from decimal import Decimal

    from app.db.instances import carry_out, version_steps
    from app.domain.catalogue import WorkflowType
    from app.domain.workflow import InstanceStatus, StepState, start

    async with db.writer() as s:
        employee = await s.scalar(
            select(m.Employee).where(m.Employee.employee_number == employee_number)
        )
        version_id = await s.scalar(
            select(m.WorkflowDefinitionVersion.id)
            .join(m.WorkflowDefinition)
            .where(
                m.WorkflowDefinition.employer_id == employee.employer_id,
                m.WorkflowDefinition.type == WorkflowType.EXPENSE_CLAIM,
            )
            .order_by(m.WorkflowDefinitionVersion.version.desc())
            .limit(1)
        )
        component = await s.scalar(
            select(m.Component).where(m.Component.name == "Kilometers onbelast")
        )
        config = await version_steps(s, version_id)
        row = m.WorkflowInstance(
            employer_id=employee.employer_id,
            employee_id=employee.id,
            type=WorkflowType.EXPENSE_CLAIM,
            definition_version_id=version_id,
            status=InstanceStatus.IN_PROGRESS,
            submitter_id=employee.mijnloket_account_id,
        )
        s.add(row)
        await s.flush()
        s.add(m.ExpenseClaim(instance_id=row.id, component_id=component.id, value=Decimal(value)))
        steps = [
            m.InstanceStep(instance_id=row.id, position=i, kind=c.kind, state=StepState.PENDING)
            for i, c in enumerate(config, start=1)
        ]
        s.add_all(steps)
        await s.flush()
        transition = start(WorkflowType.EXPENSE_CLAIM, config, row.submitter_id)
        await carry_out(s, row, steps, config, transition, employee, submitted=True)
        return row.id
