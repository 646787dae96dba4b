"""The demo office of API.md "Demo data" (seed 002, "de ideale klant"): `loketflow demo load`.

Idempotent: every row is looked up by its natural key and created or brought back to the demo
values, so loading twice leaves exactly the same data. Everything is derived from the employee
number and fixed timestamps (no randomness, no clock), which is what makes the second run a no-op.
Runs inside the caller's transaction; it only flushes to get ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Department,
    Employee,
    Employer,
    Person,
    ProductActivation,
    ProductEvent,
    ProductEventKind,
    Provider,
    RightGrant,
    Role,
    RoleLink,
    User,
    UserDepartment,
)
from app.demo.components import load_demo_components
from app.demo.people import (
    DEPARTMENTS,
    MIJNLOKET_COUNT,
    birth_date,
    department_of,
    employee_values,
    person_name,
)
from app.demo.workflows import load_demo_workflows
from app.domain.authz import Right, UserType
from app.domain.catalogue import Product, derive_variant

M = TypeVar("M")

PROVIDER_NAME = "Accountantskantoor X"
EMPLOYER_NAME = "De Ideale Klant B.V."
ROLES = ("HR", "Directie", "Salarisprofessional")
EMPLOYEE_COUNT = 50
# A fixed moment for every created_at/granted_at/changed_at: a clock would differ per run.
DEMO_AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

DEVIATING_APPROVAL = (3, "werkgever.directie")  # (employee number, approver username)


@dataclass(frozen=True)
class StaffUser:
    user_type: UserType
    display_name: str | None  # None: the name of its person
    person: int | tuple[str, dt.date] | None  # an employee number, a (name, birth date), none
    provider_rights: tuple[Right, ...] = ()
    employer_rights: tuple[Right, ...] = ()
    roles: tuple[str, ...] = ()  # linked at the demo employer
    departments: tuple[str, ...] = ()  # department managers only


STAFF: dict[str, StaffUser] = {
    "kantoor.admin": StaffUser(
        UserType.PROVIDER, "Kantoorbeheerder", None, provider_rights=tuple(Right)
    ),
    "kantoor.salaris": StaffUser(
        UserType.PROVIDER, "Salarisprofessional Kantoor X", None,
        provider_rights=(Right.PROCESS_MANAGEMENT, Right.VIEW_WORKFLOW_EDITOR),
        roles=("Salarisprofessional",),
    ),
    # The HR contact is also employee wn002: its own requests must never reach it for approval.
    "werkgever.hr": StaffUser(
        UserType.EMPLOYER, None, 2,
        employer_rights=(Right.PROCESS_MANAGEMENT, Right.VIEW_WORKFLOW_EDITOR,
                         Right.MANAGE_WORKFLOW_EDITOR, Right.VIEW_EMPLOYEES),
        roles=("HR",),
    ),
    "werkgever.directie": StaffUser(
        UserType.EMPLOYER, None, ("Pieter van der Laan", dt.date(1968, 4, 12)),
        employer_rights=(Right.VIEW_EMPLOYEES,), roles=("Directie",),
    ),
    "manager.verkoop": StaffUser(
        UserType.DEPARTMENT_MANAGER, None, ("Karin Willems", dt.date(1979, 9, 3)),
        employer_rights=(Right.PROCESS_MANAGEMENT, Right.VIEW_EMPLOYEES), departments=("Verkoop",),
    ),
}  # fmt: skip

# MijnLoket Pro (Preboarding, Management Self Service) and Qwoater (seed 002).
PRODUCTS = (
    Product.MIJNLOKET, Product.MIJNLOKET_DOCUMENTS, Product.MIJNLOKET_VIEW_PERSONAL_DATA,
    Product.MIJNLOKET_EXPENSE_CLAIMS, Product.MIJNLOKET_CHANGE_PERSONAL_DATA,
    Product.MIJNLOKET_PREBOARDING, Product.MANAGEMENT_SELF_SERVICE, Product.WORKFLOW_EDITOR,
    Product.QWOATER_EXTENDED,
)  # fmt: skip


@dataclass(frozen=True)
class DemoSummary:
    employers: int
    departments: int
    employees: int
    users: int
    roles: int
    right_grants: int
    products: int
    workflows: int


async def _upsert(session: AsyncSession, model: type[M], key: dict[str, Any], **values: Any) -> M:
    """The row with this natural key, set to the demo values; created (and flushed) if missing."""
    row = await session.scalar(select(model).filter_by(**key))  # `== None` renders IS NULL
    if row is None:
        row = model(**key, **values)
        session.add(row)
        await session.flush()  # callers need its id
        return row
    for name, value in values.items():  # back to the demo values if someone changed them
        setattr(row, name, value)
    return row


async def _person(session: AsyncSession, person_id: int | None, name: str, born: dt.date) -> Person:
    """Persons have no natural key: they are found through the employee or user they belong to."""
    person = await session.get(Person, person_id) if person_id is not None else None
    if person is None:
        person = Person()
        session.add(person)
    person.name, person.date_of_birth = name, born
    await session.flush()
    return person


async def load_demo(session: AsyncSession) -> DemoSummary:
    """Create or restore the demo data in the caller's transaction (the caller commits)."""
    key = {"name": PROVIDER_NAME}
    provider = await _upsert(
        session, Provider, key, mijnloket_addendum_signed=True, created_at=DEMO_AT
    )
    key = {"provider_id": provider.id, "name": EMPLOYER_NAME}
    employer = await _upsert(session, Employer, key, created_at=DEMO_AT)
    departments = {
        name: await _upsert(session, Department, {"employer_id": employer.id, "name": name})
        for name in DEPARTMENTS
    }
    for name in ROLES:
        await _upsert(session, Role, {"provider_id": provider.id, "name": name}, created_at=DEMO_AT)

    # Persons first: werkgever.hr needs wn002's person, and the employees need the staff users.
    persons: dict[int, Person] = {}
    for n in range(1, EMPLOYEE_COUNT + 1):
        key = {"employer_id": employer.id, "employee_number": n}
        existing = await session.scalar(select(Employee.person_id).filter_by(**key))
        persons[n] = await _person(session, existing, " ".join(person_name(n)), birth_date(n))
    staff = {
        username: await _staff_user(session, username, spec, employer, persons)
        for username, spec in STAFF.items()
    }

    approver_number, approver = DEVIATING_APPROVAL
    for n in range(1, EMPLOYEE_COUNT + 1):
        values = employee_values(n)
        account = None
        if n <= MIJNLOKET_COUNT:
            # No login e-mail on the account: the MijnLoket address is a field-level secret
            # (VIEW_MIJNLOKET_EMAIL) and lives on the employee only.
            account = await _upsert(
                session,
                User,
                {"username": f"wn{n:03d}"},
                display_name=values["name"],
                user_type=UserType.EMPLOYEE,
                provider_id=None,
                employer_id=None,
                person_id=persons[n].id,
                email=None,
                active=True,
                created_at=DEMO_AT,
            )
        await _upsert(
            session,
            Employee,
            {"employer_id": employer.id, "employee_number": n},
            person_id=persons[n].id,
            department_id=departments[department_of(n)].id,
            mijnloket_account_id=account.id if account else None,
            deviating_approver_id=staff[approver].id if n == approver_number else None,
            **values,
        )

    await _activate_products(session, employer.id, staff["kantoor.admin"].id)
    workflows = await load_demo_workflows(session, employer, staff["kantoor.admin"].id, DEMO_AT)
    await load_demo_components(session, employer.id)
    return DemoSummary(
        employers=1,
        departments=len(DEPARTMENTS),
        employees=EMPLOYEE_COUNT,
        users=len(STAFF) + MIJNLOKET_COUNT,
        roles=len(ROLES),
        right_grants=sum(len(s.provider_rights) + len(s.employer_rights) for s in STAFF.values()),
        products=len(PRODUCTS),
        workflows=workflows,
    )


async def _staff_user(
    session: AsyncSession,
    username: str,
    spec: StaffUser,
    employer: Employer,
    persons: dict[int, Person],
) -> User:
    """A staff user with its person, rights, role links and departments."""
    person: Person | None = None
    if isinstance(spec.person, int):
        person = persons[spec.person]
    elif spec.person is not None:
        existing = await session.scalar(select(User.person_id).filter_by(username=username))
        person = await _person(session, existing, *spec.person)
    provider_user = spec.user_type is UserType.PROVIDER
    user = await _upsert(
        session,
        User,
        {"username": username},
        display_name=spec.display_name or person.name,
        user_type=spec.user_type,
        provider_id=employer.provider_id if provider_user else None,
        employer_id=None if provider_user else employer.id,
        person_id=person.id if person else None,
        email=f"{username}@example.nl",
        active=True,
        created_at=DEMO_AT,
    )
    for level, rights in ((None, spec.provider_rights), (employer.id, spec.employer_rights)):
        for right in rights:
            key = {"user_id": user.id, "right": right, "employer_id": level}
            await _upsert(session, RightGrant, key, granted_by_id=None, granted_at=DEMO_AT)
    for name in spec.roles:
        key = {"provider_id": employer.provider_id, "name": name}
        role_id = await session.scalar(select(Role.id).filter_by(**key))
        key = {"role_id": role_id, "user_id": user.id, "employer_id": employer.id}
        await _upsert(session, RoleLink, key, created_by_id=None, created_at=DEMO_AT)
    for name in spec.departments:
        key = {"employer_id": employer.id, "name": name}
        department_id = await session.scalar(select(Department.id).filter_by(**key))
        await _upsert(session, UserDepartment, {"user_id": user.id, "department_id": department_id})
    return user


async def _activate_products(session: AsyncSession, employer_id: int, admin_id: int) -> None:
    """Switch the demo products on, recording history only for what actually changes."""
    active_before = set(
        await session.scalars(
            select(ProductActivation.product).filter_by(employer_id=employer_id, active=True)
        )
    )
    event = {"employer_id": employer_id, "user_id": admin_id, "at": DEMO_AT}
    for product in PRODUCTS:
        key = {"employer_id": employer_id, "product": product}
        await _upsert(
            session, ProductActivation, key, active=True, changed_at=DEMO_AT, changed_by_id=admin_id
        )
        if product not in active_before:
            session.add(ProductEvent(kind=ProductEventKind.ACTIVATED, product=product, **event))
    before, after = derive_variant(active_before), derive_variant(active_before | set(PRODUCTS))
    if before != after:
        session.add(
            ProductEvent(
                kind=ProductEventKind.VARIANT_CHANGED,
                variant_before=before,
                variant_after=after,
                **event,
            )
        )
    await session.flush()
