"""The demo data (API.md "Demo data"): loads into a fresh database, twice without any change.

Self-contained on purpose (no conftest fixtures): it builds its own database, PostgreSQL when
LOKETFLOW_TEST_DATABASE_URL is set, otherwise an SQLite file in tmp_path.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from app.db import models as m
from app.db.migrate import upgrade
from app.db.models import (
    Base,
    Department,
    Employee,
    ProductActivation,
    ProductEvent,
    RightGrant,
    User,
    WerknemerloketState,
)
from app.db.session import Database
from app.demo.base import DemoSummary, load_demo
from app.domain.authz import Right, UserType
from app.domain.catalogue import MijnLoketVariant, derive_variant
from app.settings import Settings


def passes_mod97(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def passes_elfproef(bsn: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return len(bsn) == 9 and sum(w * int(d) for w, d in zip(weights, bsn, strict=True)) % 11 == 0


@pytest.fixture
async def db(tmp_path):
    url = os.environ.get("LOKETFLOW_TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    database = Database(Settings(database_url=url, data_dir=tmp_path))
    if not database.is_sqlite:
        async with database.write_engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(database.write_engine)
    try:
        yield database
    finally:
        await database.dispose()


async def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every column of every row of every table, in primary-key order."""
    async with db.reader() as session:
        return {
            table.name: [
                tuple(row)
                for row in await session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


async def load(db: Database) -> DemoSummary:
    async with db.writer() as session:
        return await load_demo(session)


async def test_demo_loads_idempotently_with_the_documented_facts(db: Database):
    first_summary = await load(db)
    first = await snapshot(db)
    second_summary = await load(db)
    assert await snapshot(db) == first
    assert first_summary == second_summary
    assert first_summary.employees == 50 and first_summary.users == 45

    async with db.reader() as session:
        users = {u.username: u for u in await session.scalars(select(User))}
        employees = {
            e.employee_number: e
            for e in await session.scalars(select(Employee).order_by(Employee.employee_number))
        }
        departments = {d.id: d.name for d in await session.scalars(select(Department))}
        grants = list(await session.scalars(select(RightGrant)))
        active = set(
            await session.scalars(select(ProductActivation.product).filter_by(active=True))
        )
        events = list(await session.scalars(select(ProductEvent)))

    assert sorted(employees) == list(range(1, 51))
    employee_users = sorted(u for u, user in users.items() if user.user_type is UserType.EMPLOYEE)
    assert employee_users == [f"wn{n:03d}" for n in range(1, 41)]
    for n in range(1, 41):
        employee, account = employees[n], users[f"wn{n:03d}"]
        assert employee.mijnloket_account_id == account.id
        assert account.person_id == employee.person_id
        assert employee.mijnloket_email and employee.private_email
        assert employee.werknemerloket_state is WerknemerloketState.NONE
    mijnloket_emails = [e.mijnloket_email for e in employees.values() if e.mijnloket_email]
    assert len(set(mijnloket_emails)) == 40
    assert all(e.name == users[f"wn{n:03d}"].display_name for n, e in employees.items() if n <= 40)

    department_of = {n: departments[e.department_id] for n, e in employees.items()}
    assert department_of[1] == department_of[3] == "Verkoop"
    assert department_of[2] == "Administratie"
    assert Counter(department_of.values())["Verkoop"] >= 8
    assert len(set(department_of.values())) == 4
    on_call = [n for n, e in employees.items() if e.is_on_call]
    assert 6 <= len(on_call) <= 10 and not {1, 2, 3} & set(on_call)
    assert all(employees[n].contract_end for n in on_call)
    assert all(e.employment_end is None for e in employees.values())

    assert users["werkgever.hr"].person_id == employees[2].person_id
    staff_persons = {users["werkgever.directie"].person_id, users["manager.verkoop"].person_id}
    assert None not in staff_persons
    assert not staff_persons & {e.person_id for e in employees.values()}

    legacy = [e for n, e in employees.items() if n > 40]
    assert all(e.werknemerloket_state is WerknemerloketState.ACTIVE for e in legacy)
    assert all(e.mijnloket_account_id is None and e.mijnloket_email is None for e in legacy)
    assert sum(e.private_email is None for e in legacy) == 1
    private = Counter(e.private_email for e in employees.values() if e.private_email)
    assert sorted(private.values()) == [1] * 47 + [2]

    assert all(e.country == "NL" and passes_mod97(e.iban) for e in employees.values())
    assert all(passes_elfproef(e.bsn) for e in employees.values())
    assert len({e.bsn for e in employees.values()}) == 50

    approvers = {
        n: e.deviating_approver_id for n, e in employees.items() if e.deviating_approver_id
    }
    assert approvers == {3: users["werkgever.directie"].id}

    assert derive_variant(active) is MijnLoketVariant.PRO
    assert len(events) == len(active) + 1  # one ACTIVATED per product, one variant change

    admin_rights = {g.right for g in grants if g.user_id == users["kantoor.admin"].id}
    assert admin_rights == set(Right) and len(admin_rights) == 11
    assert all(g.employer_id is None for g in grants if g.user_id == users["kantoor.admin"].id)


async def test_demo_load_restores_changed_demo_values(db: Database):
    await load(db)
    loaded = await snapshot(db)
    async with db.writer() as session:
        employee = await session.scalar(select(Employee).filter_by(employee_number=3))
        employee.name, employee.deviating_approver_id = "Iemand Anders", None
        user = await session.scalar(select(User).filter_by(username="werkgever.hr"))
        user.display_name, user.active = "Gewijzigd", False
    await load(db)
    assert await snapshot(db) == loaded


async def test_demo_workflows_as_api_md_describes(db: Database):
    """Expense claims (all users), address updates (manager notified, then Salarisprofessional),
    contact details with 0 steps: active, each at version 1 after loading twice."""
    from app.db.definitions import current_steps
    from app.domain.catalogue import WorkflowType
    from app.domain.definitions import AssigneeKind, StepKind

    for _ in range(2):
        await load(db)
    async with db.reader() as s:
        rows = {r.type: r for r in await s.scalars(select(m.WorkflowDefinition))}
        assert set(rows) == {
            WorkflowType.EXPENSE_CLAIM,
            WorkflowType.ADDRESS_UPDATE,
            WorkflowType.CONTACT_DETAILS_UPDATE,
        }
        assert all(r.active for r in rows.values())
        versions = await s.scalar(select(func.count()).select_from(m.WorkflowDefinitionVersion))
        assert versions == 3
        expense = await current_steps(s, rows[WorkflowType.EXPENSE_CLAIM].id)
        assert [(st.kind, st.assignee.kind) for st in expense] == [
            (StepKind.APPROVAL, AssigneeKind.ALL_USERS)
        ]
        address = await current_steps(s, rows[WorkflowType.ADDRESS_UPDATE].id)
        assert [st.kind for st in address] == [StepKind.NOTIFICATION, StepKind.TASK]
        role = await s.scalar(select(m.Role).where(m.Role.id == address[1].assignee.role_id))
        assert role.name == "Salarisprofessional"
        assert await current_steps(s, rows[WorkflowType.CONTACT_DETAILS_UPDATE].id) == ()
