"""The in-memory visibility rule (app/domain/visibility.py) and the SQL (app/db/scoping.py) must
decide alike: the live-update fan-out judges each subscriber in memory, every list and `node`
look-up asks the SQL, and a difference would show a request live that the list hides, or hide
one live that the list shows.

Compared for every user and every request of the demo with its four months of history, plus
requests the history lacks (a role task of a department manager, deviating approvers, restricted
mode with nobody eligible, a manager's past action on an employee who moved, a request at a
second employer of the office), for every employee under every right, and for random principals:
a user of the database turned into another type, person, set of departments and role links
(written in a transaction that is rolled back, because the task centre's SQL reads role links,
chosen users and deviating approvers by user id, and the assignment rules read the user's row),
with random grants and, as for a principal loaded before an employer was added, fewer reachable
employers than the database gives. LOKETFLOW_VISIBILITY_EXAMPLES sets the number of random
principals (default 60) for a longer hunt.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, select

from app.db import models as m
from app.db import scoping
from app.db.eligibility import may_act, open_steps_of
from app.db.principals import load_principal
from app.db.request_facts import load_request_facts
from app.db.scoping import REQUEST_SUBJECTS, restrict
from app.demo.base import PRODUCTS
from app.demo.history import load_demo_history
from app.domain.authz import Grant, Principal, Right, UserType
from app.domain.visibility import (
    USER_READER_RIGHTS,
    RequestFacts,
    is_managed_request,
    may_act_now,
    may_see_employee,
    may_see_request,
    may_see_request_subject,
    may_see_user,
)
from app.schema.ids import decode_id, from_global_id, to_global_id
from tests import factories
from tests.api.test_requests import ADDRESS, APPROVE, claim, task_ids

WI = m.WorkflowInstance
LINK_ROLE = """mutation ($r: ID!, $u: ID!, $e: ID!) { linkRole(input: {roleId: $r, userId: $u,
  employerId: $e}) { errors { code } } }"""
ACTIVATE = """mutation ($e: ID!, $t: WorkflowType!) { setWorkflowActive(input: {employerId: $e,
  type: $t, active: true}) { errors { code } } }"""
EXTEND = """mutation ($e: ID!) { submitContractExtension(input: {employeeId: $e,
  newContractEnd: "2099-01-01"}) { errors { code } } }"""
DEVIATE = """mutation ($e: ID!, $u: ID!) { setDeviatingApprover(input: {employeeId: $e,
  userId: $u}) { errors { code } } }"""
STEPS = """mutation ($input: UpdateWorkflowStepsInput!) { updateWorkflowSteps(input: $input) {
  errors { code } } }"""
EXAMPLES = int(os.environ.get("LOKETFLOW_VISIBILITY_EXAMPLES", "60"))
ADDRESS_INPUT = {"street": "Laan", "houseNumber": "1", "postcode": "1234 AB", "city": "Ede"}


@dataclasses.dataclass(frozen=True)
class EmployeeRow:
    id: int
    employer_id: int
    provider_id: int
    department_id: int
    person_id: int


@dataclasses.dataclass
class World:
    db: object
    instance_ids: list[int]
    employees: list[EmployeeRow]
    user_ids: list[int]
    employer_ids: list[int]
    provider_ids: list[int]
    department_ids: list[int]
    person_ids: list[int]
    role_ids: list[int]
    demo_employer_id: int
    demo_provider_id: int


def ok(result: dict, name: str) -> None:
    assert "errors" not in result, result
    assert result["data"][name]["errors"] == [], result


async def _contract_end_set(db, employee_pk: int) -> None:
    async with db.writer() as s:
        row = await s.get(m.Employee, employee_pk)
        row.contract_end = row.employment_start.replace(year=row.employment_start.year + 1)


async def _build_world(graphql, db, ids) -> World:
    async with db.writer() as s:
        assert await load_demo_history(s) >= 200
    employer = await ids.employer()
    # A department manager holding a role: that role's tasks only for its own department.
    role = await ids.role("Salarisprofessional")
    linked = await graphql(
        LINK_ROLE,
        {"r": role, "u": await ids.user("manager.verkoop"), "e": employer},
        as_user="kantoor.admin",
    )
    ok(linked, "linkRole")
    # Claims: with a department manager, with the demo's deviating approver (wn003), of an
    # on-call worker; address updates for the role; a deviating approver set through the API.
    ok(
        await graphql(
            DEVIATE,
            {"e": await ids.employee(7), "u": await ids.user("werkgever.hr")},
            as_user="werkgever.hr",
        ),
        "setDeviatingApprover",
    )
    claims = {}
    for user in ("wn001", "wn003", "wn007", "wn014"):
        name = "Gewerkte uren" if user == "wn014" else "Kilometers onbelast"
        claims[user] = await claim(graphql, db, user, name=name)
        assert claims[user]["errors"] == []
    for user in ("wn001", "wn003", "wn005"):
        ok(await graphql(ADDRESS, {"input": ADDRESS_INPUT}, as_user=user), "submitAddressUpdate")
    # Management actions: a step for employer users; the submitter may not approve it.
    ok(
        await graphql(ACTIVATE, {"e": employer, "t": "CONTRACT_EXTENSION"}, as_user="werkgever.hr"),
        "setWorkflowActive",
    )
    for number in (10, 3):
        await _contract_end_set(db, decode_id(await ids.employee(number), "Employee"))
        ok(
            await graphql(EXTEND, {"e": await ids.employee(number)}, as_user="kantoor.admin"),
            "submitContractExtension",
        )
    # The manager approves wn001's claim, then wn001 moves out of its department: the request
    # leaves the manager's sight, though its name stays in the audit trail.
    task = claims["wn001"]["instance"]["openTask"]["id"]
    assert task in await task_ids(graphql, "manager.verkoop")
    ok(
        await graphql(APPROVE, {"input": {"taskId": task}}, as_user="manager.verkoop"),
        "approveTask",
    )
    async with db.writer() as s:
        moved = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
        moved.department_id = await s.scalar(
            select(m.Department.id).where(m.Department.name == "Magazijn")
        )
    # Restricted mode: werkgever.hr alone may approve; nobody may on wn002's (HR's own) claim.
    definition = to_global_id("WorkflowDefinition", f"{from_global_id(employer)[1]}.EXPENSE_CLAIM")
    step = {
        "kind": "APPROVAL",
        "name": "HR",
        "sendEmail": True,
        "userIds": [await ids.user("werkgever.hr")],
    }
    ok(
        await graphql(
            STEPS, {"input": {"definitionId": definition, "steps": [step]}}, as_user="werkgever.hr"
        ),
        "updateWorkflowSteps",
    )
    for user in ("wn002", "wn009"):
        assert (await claim(graphql, db, user))["errors"] == []
    # A second employer of the office, with a user of its own and a request of its own; and an
    # employer of another office.
    other = await factories.employer(db, "Werkgever B", products=PRODUCTS)
    other_pk = decode_id(other, "Employer")
    await factories.user(
        db,
        "werkgever.b",
        UserType.EMPLOYER,
        employer_id=other_pk,
        rights=(Right.PROCESS_MANAGEMENT,),
        rights_at=other_pk,
    )
    ok(
        await graphql(ACTIVATE, {"e": other, "t": "CONTRACT_EXTENSION"}, as_user="kantoor.admin"),
        "setWorkflowActive",
    )
    employee_b = await factories.employee(db, other_pk, 1, "Jan Bakker")
    await _contract_end_set(db, decode_id(employee_b, "Employee"))
    ok(await graphql(EXTEND, {"e": employee_b}, as_user="kantoor.admin"), "submitContractExtension")
    office_y = await factories.provider(db)
    employer_y = await factories.employer(db, "Werkgever Y", provider_id=office_y)
    await factories.employee(db, decode_id(employer_y, "Employer"), 1, "Yara de Vries")
    await factories.user(
        db, "y.admin", UserType.PROVIDER, provider_id=office_y, rights=tuple(Right)
    )
    return await _read_world(db, ids)


async def _read_world(db, ids) -> World:
    async with db.reader() as s:
        rows = await s.execute(
            select(
                m.Employee.id,
                m.Employee.employer_id,
                m.Employer.provider_id,
                m.Employee.department_id,
                m.Employee.person_id,
            ).join(m.Employer, m.Employer.id == m.Employee.employer_id)
        )
        return World(
            db=db,
            instance_ids=sorted(await s.scalars(select(WI.id))),
            employees=[EmployeeRow(*row) for row in rows],
            user_ids=sorted(await s.scalars(select(m.User.id))),
            employer_ids=sorted(await s.scalars(select(m.Employer.id))),
            provider_ids=sorted(await s.scalars(select(m.Provider.id))),
            department_ids=sorted(await s.scalars(select(m.Department.id))),
            person_ids=sorted(await s.scalars(select(m.Person.id))),
            role_ids=sorted(await s.scalars(select(m.Role.id))),
            demo_employer_id=decode_id(await ids.employer(), "Employer"),
            demo_provider_id=await factories.demo_provider_id(db),
        )


@pytest.fixture
async def world(graphql, db, ids) -> World:
    return await _build_world(graphql, db, ids)


async def _ids(session, stmt) -> set[int]:
    return set(await session.scalars(stmt))


async def mismatches(
    session, principal: Principal, facts: dict[int, tuple[WI, RequestFacts]], world: World
) -> tuple[list[str], Counter]:
    """Where memory and SQL disagree for this principal, and which rules decided (coverage)."""
    problems: list[str] = []
    seen: Counter = Counter()
    who = f"{principal.username} ({principal.user_type}, person {principal.person_id})"

    def compare(what: str, sql: set[int], memory: set[int], detail=lambda i: "") -> None:
        for i in sorted(sql ^ memory):
            problems.append(f"{who}: {what} {i}: SQL {i in sql}, memory {i in memory}{detail(i)}")

    visible = await _ids(session, restrict(select(WI.id), principal, WI))
    by_facts = {i: f for i, (_, f) in facts.items()}
    compare(
        "request",
        visible,
        {i for i, f in by_facts.items() if may_see_request(principal, f)},
        lambda i: f" {by_facts[i]}",
    )
    actionable = await _ids(
        session,
        open_steps_of(select(WI.id)).where(WI.open_position.is_not(None), may_act(principal)),
    )
    compare("may act on", actionable, {i for i, f in by_facts.items() if may_act_now(principal, f)})
    managed = await _ids(
        session, restrict(select(WI.id), principal, WI, right=Right.PROCESS_MANAGEMENT)
    )
    compare(
        "manages", managed, {i for i, f in by_facts.items() if is_managed_request(principal, f)}
    )

    for right in Right:
        sql = await _ids(
            session, restrict(select(m.Employee.id), principal, m.Employee, right=right)
        )
        memory = {
            e.id
            for e in world.employees
            if may_see_employee(
                principal,
                e.employer_id,
                e.department_id,
                e.person_id,
                right,
                employer_provider_id=e.provider_id,
            )
        }
        compare(f"employee under {right}", sql, memory)

    subjects = await _ids(
        session, restrict(select(m.Employee.id), principal, m.Employee, right=REQUEST_SUBJECTS)
    )
    about_visible = {by_facts[i].employee_id for i in visible}
    for e in world.employees:
        for known in {False, e.id in about_visible}:
            decided = may_see_request_subject(
                principal,
                e.employer_id,
                e.department_id,
                e.person_id,
                employer_provider_id=e.provider_id,
                visible_request=known,
            )
            seen[f"subject {decided}"] += 1
            if decided is not None and decided != (e.id in subjects):
                problems.append(f"{who}: subject {e.id} (known {known}): SQL {e.id in subjects}")

    for i, f in by_facts.items():
        if f.submitter_id == principal.user_id:
            seen["submitted"] += 1
        elif f.employee_person_id == principal.person_id:
            seen["own person"] += 1
        elif i in managed:
            seen["managed"] += 1
        elif i in actionable:
            seen["may act only"] += 1
        elif principal.user_id in f.audit_actors:
            seen["acted only" if i in visible else "acted, out of its departments"] += 1
    return problems, seen


async def test_every_user_sees_in_memory_what_the_sql_lets_it_see(world):
    coverage: Counter = Counter()
    async with world.db.reader() as s:
        facts = await load_request_facts(s, world.instance_ids)
        assert set(facts) == set(world.instance_ids)
        usernames = list(await s.scalars(select(m.User.username).order_by(m.User.id)))
        assert len(usernames) > 40
        for username in usernames:
            principal = await load_principal(s, username)
            assert principal is not None, username
            problems, seen = await mismatches(s, principal, facts, world)
            assert not problems, "\n".join(problems[:20])
            coverage += seen
            # Loaded before the demo employer was added: a provider-level right reaches it all
            # the same, a task there does not.
            stale = dataclasses.replace(
                principal,
                reachable_employer_ids=principal.reachable_employer_ids - {world.demo_employer_id},
            )
            problems, _ = await mismatches(s, stale, facts, world)
            assert not problems, "\n".join(problems[:20])
    kinds = Counter(
        ("open" if row.open_position else "finished", row.type) for row, _ in facts.values()
    )
    assert sum(kinds.values()) >= 220 and len(kinds) >= 10, kinds
    # The scenario reaches every way of seeing a request, and the undecided subject case.
    for reason in (
        "submitted",
        "own person",
        "managed",
        "may act only",
        "acted only",
        "acted, out of its departments",
        "subject True",
        "subject None",
    ):
        assert coverage[reason] > 0, (reason, coverage)
    assert any(f.actors for _, f in facts.values())


async def test_every_user_knows_in_memory_the_users_the_sql_shows_it(world):
    assert USER_READER_RIGHTS == scoping.USER_READER_RIGHTS
    async with world.db.reader() as s:
        users = list(
            await s.execute(
                select(m.User, m.Employer.provider_id).outerjoin(
                    m.Employer, m.Employer.id == m.User.employer_id
                )
            )
        )
        decided = Counter()
        for viewer in await s.scalars(select(m.User.username)):
            principal = await load_principal(s, viewer)
            shown = set(await s.scalars(restrict(select(m.User.id), principal, m.User)))
            for user, employer_provider_id in users:
                verdict = may_see_user(
                    principal,
                    user.id,
                    user.user_type,
                    user.employer_id,
                    user.provider_id,
                    employer_provider_id=employer_provider_id,
                )
                decided[verdict] += 1
                if verdict is not None:
                    assert verdict == (user.id in shown), (viewer, user.username)
    assert decided[True] and decided[False] and decided[None], decided


async def test_the_facts_cost_a_few_queries_however_many_requests(world):
    async with world.db.reader() as s:
        open_ids = list(await s.scalars(select(WI.id).where(WI.open_position.is_not(None))))
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = world.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        costs = []
        for wanted in (open_ids[:1], open_ids[-1:], world.instance_ids):
            statements.clear()
            async with world.db.reader() as s:
                await load_request_facts(s, wanted)
            costs.append(sum(q.lstrip().upper().startswith("SELECT") for q in statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(world.instance_ids) > 200
    # Each table once at most: the employees, audit trails, step configurations and chosen
    # users, employers, staff (with the further employers of employer users), their departments
    # and role links.
    assert max(costs) == costs[-1] <= 9, costs


async def test_a_deviating_manager_no_longer_approves_for_an_employee_who_moved(graphql, db, ids):
    ok(
        await graphql(
            DEVIATE,
            {"e": await ids.employee(4), "u": await ids.user("manager.verkoop")},
            as_user="werkgever.hr",
        ),
        "setDeviatingApprover",
    )
    async with db.writer() as s:
        moved = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 4))
        moved.department_id = await s.scalar(
            select(m.Department.id).where(m.Department.name == "Magazijn")
        )
    assert (await claim(graphql, db, "wn004"))["errors"] == []
    world = await _read_world(db, ids)
    async with db.reader() as s:
        facts = await load_request_facts(s, world.instance_ids)
        [(_, request)] = facts.values()
        assert request.actors  # the usual approvers, as acting on it decides
        for username in ("kantoor.admin", "kantoor.salaris", "werkgever.hr", "werkgever.directie"):
            problems, _ = await mismatches(s, await load_principal(s, username), facts, world)
            assert not problems, "\n".join(problems)


# --- random principals ---------------------------------------------------------------------


class _Undo(Exception):
    """Rolls back what an example wrote."""


async def _become(s, world: World, data: st.DataObject) -> Principal:
    """A user of the database (or a new one) made into a random principal; see the docstring."""
    draw = data.draw
    user_id = draw(st.sampled_from([None, *world.user_ids]), label="user id (None: new)")
    user_type = draw(st.sampled_from(list(UserType)), label="user type")
    person_id = draw(
        st.sampled_from(world.person_ids)
        if user_type is UserType.EMPLOYEE
        else st.none() | st.sampled_from(world.person_ids),
        label="person",
    )
    user = await s.get(m.User, user_id) if user_id else m.User(username="synthetic")
    user.display_name, user.active, user.person_id = "Synthetic", True, person_id
    user.user_type = user_type
    user.provider_id = (
        draw(st.sampled_from([world.demo_provider_id] * 3 + world.provider_ids), label="office")
        if user_type is UserType.PROVIDER
        else None
    )
    user.employer_id = (
        draw(st.sampled_from([world.demo_employer_id] * 3 + world.employer_ids), label="employer")
        if user_type in (UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER)
        else None
    )
    s.add(user)
    await s.flush()
    departments = draw(st.sets(st.sampled_from(world.department_ids), max_size=3), label="depts")
    links = draw(
        st.sets(
            st.tuples(st.sampled_from(world.role_ids), st.sampled_from(world.employer_ids)),
            max_size=3,
        ),
        label="role links",
    )
    await s.execute(delete(m.UserDepartment).where(m.UserDepartment.user_id == user.id))
    await s.execute(delete(m.RoleLink).where(m.RoleLink.user_id == user.id))
    s.add_all(m.UserDepartment(user_id=user.id, department_id=d) for d in departments)
    s.add_all(m.RoleLink(role_id=r, user_id=user.id, employer_id=e) for r, e in links)
    await s.flush()

    principal = await load_principal(s, user.username)
    assert principal is not None
    grants = draw(
        st.sets(
            st.builds(
                Grant,
                st.sampled_from(list(Right)),
                st.sampled_from([None, None, world.demo_employer_id, *world.employer_ids, 999_999]),
            ),
            max_size=12,
        ),
        label="grants",
    )
    # Loaded before an employer was added (or reach was lost): fewer reachable employers.
    reachable = principal.reachable_employer_ids
    if draw(st.booleans(), label="stale"):
        reachable = draw(st.frozensets(st.sampled_from(sorted(reachable) or [0])), label="reach")
    return dataclasses.replace(
        principal,
        grants=frozenset(grants),
        reachable_employer_ids=reachable & principal.reachable_employer_ids,
    )


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis directory in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_principals_see_in_memory_what_the_sql_lets_them_see(
    world: World, data: st.DataObject
):
    # Only the changed user is compared: changing it also changes who else may act (it may be
    # a deviating approver, a chosen user, a department's manager), and there the task centre's
    # SQL and the assignment rules still differ for cases the API cannot produce today (a
    # submitter who manages the employee's department; a deviating approver who is no longer
    # staff at the employer); see the test above for one it can.
    with contextlib.suppress(_Undo):
        async with world.db.writer() as s:
            principal = await _become(s, world, data)
            facts = await load_request_facts(s, world.instance_ids)
            problems, _ = await mismatches(s, principal, facts, world)
            assert not problems, f"{principal}\n" + "\n".join(problems[:20])
            raise _Undo


def test_a_request_needs_no_database_to_be_judged():
    """The facts alone decide: a department manager's past action counts only while the
    employee is in its departments; a provider-level right reaches a new employer."""
    manager = Principal(
        user_id=5,
        username="m",
        user_type=UserType.DEPARTMENT_MANAGER,
        provider_id=1,
        employer_id=10,
        person_id=None,
        reachable_employer_ids=frozenset({10}),
        department_ids=frozenset({100}),
    )
    facts = RequestFacts(
        instance_id=1,
        employer_id=10,
        employer_provider_id=1,
        submitter_id=9,
        employee_id=3,
        employee_person_id=30,
        employee_department_id=100,
        actors=frozenset(),
        audit_actors=frozenset({5}),
    )
    assert may_see_request(manager, facts)
    assert not may_see_request(manager, dataclasses.replace(facts, employee_department_id=200))
    office = Principal(
        user_id=6,
        username="o",
        user_type=UserType.PROVIDER,
        provider_id=1,
        employer_id=None,
        person_id=None,
        reachable_employer_ids=frozenset({10}),
        grants=frozenset({Grant(Right.PROCESS_MANAGEMENT, None)}),
    )
    new_employer = dataclasses.replace(facts, employer_id=11, audit_actors=frozenset())
    assert may_see_request(office, new_employer)
    assert not may_see_request(dataclasses.replace(office, provider_id=2), new_employer)
