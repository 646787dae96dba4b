"""The task centre's SQL (app/db/eligibility.py) and the domain's assignment rules
(app/domain/assignment.py, used when acting) must agree for every user and every open step:
otherwise a task would be listed that cannot be acted on, or hidden from who must act."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.db.instances import assignment, staff_at, version_steps
from app.schema.ids import to_global_id
from tests.api.test_requests import ADDRESS, claim, task_ids

STAFF = [
    "kantoor.admin",
    "kantoor.salaris",
    "werkgever.hr",
    "werkgever.directie",
    "manager.verkoop",
]


async def _expected(db) -> dict[str, set[str]]:
    expected: dict[str, set[str]] = {u: set() for u in STAFF}
    async with db.reader() as s:
        users = {u.id: u.username for u in await s.scalars(select(m.User))}
        rows = await s.scalars(
            select(m.WorkflowInstance).where(m.WorkflowInstance.open_position.is_not(None))
        )
        for row in rows:
            config = await version_steps(s, row.definition_version_id)
            employee = await s.get(m.Employee, row.employee_id)
            staff = await staff_at(s, row.employer_id)
            step_id = await s.scalar(
                select(m.InstanceStep.id).where(
                    m.InstanceStep.instance_id == row.id,
                    m.InstanceStep.position == row.open_position,
                )
            )
            for user_id in assignment(row, config, row.open_position, staff, employee).actors:
                if users[user_id] in expected:
                    expected[users[user_id]].add(to_global_id("Task", step_id))
    return expected


async def test_sql_and_domain_agree_on_who_may_act(graphql, db, ids):
    # Claims in a department with a manager, without one (HR's own), with a deviating approver,
    # of an on-call worker; an address change for a role; a contract extension for employer users.
    for user in ("wn001", "wn002", "wn003", "wn014"):
        name = "Gewerkte uren" if user == "wn014" else "Kilometers onbelast"
        assert (await claim(graphql, db, user, name=name))["errors"] == []
    address = {"street": "Laan", "houseNumber": "1", "postcode": "1234 AB", "city": "Ede"}
    # A department manager holding a role: tasks of that role only for its own department.
    await graphql(
        """mutation ($r: ID!, $u: ID!, $e: ID!) { linkRole(input: {roleId: $r, userId: $u,
        employerId: $e}) { errors { code } } }""",
        {
            "r": await ids.role("Salarisprofessional"),
            "u": await ids.user("manager.verkoop"),
            "e": await ids.employer(),
        },
        as_user="kantoor.admin",
    )
    for user in ("wn001", "wn003", "wn005"):
        await graphql(ADDRESS, {"input": address}, as_user=user)
    await graphql(
        """mutation ($e: ID!) { setWorkflowActive(input: {employerId: $e,
        type: CONTRACT_EXTENSION, active: true}) { errors { code } } }""",
        {"e": await ids.employer()},
        as_user="werkgever.hr",
    )
    async with db.writer() as s:
        for number in (10, 3):
            row = await s.scalar(select(m.Employee).where(m.Employee.employee_number == number))
            row.contract_end = row.employment_start.replace(year=row.employment_start.year + 1)
    for number in (10, 3):
        result = await graphql(
            """mutation ($e: ID!) { submitContractExtension(input: {employeeId: $e,
            newContractEnd: "2099-01-01"}) { errors { code } } }""",
            {"e": await ids.employee(number)},
            as_user="kantoor.admin",
        )
        assert result["data"]["submitContractExtension"]["errors"] == []

    expected = await _expected(db)
    assert sum(map(len, expected.values())) >= 6  # the scenario really spreads tasks around
    for user in STAFF:
        assert set(await task_ids(graphql, user)) == expected[user], user
