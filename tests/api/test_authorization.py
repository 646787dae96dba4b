"""Every Node type, for an anonymous, an out-of-scope and a permitted caller."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import models as m
from app.domain.authz import UserType
from app.schema import schema
from app.schema.ids import to_global_id
from tests import factories
from tests.authz import assert_node_access


async def _pk(db, stmt) -> int:
    async with db.reader() as s:
        return await s.scalar(stmt)


async def _other_office(db) -> str:
    """A second office with its own employer and staff user, who sees nothing of the demo."""
    office = await factories.provider(db, "Kantoor Y")
    await factories.user(
        db,
        "kantoor.y",
        UserType.PROVIDER,
        provider_id=office,
        rights=tuple(m.Right),  # every right, but at the other office
    )
    return office


async def _case_employer(db):
    return (
        await _pk(db, select(m.Employer.id)),
        ["kantoor.admin", "werkgever.hr", "wn001"],
        ["kantoor.y"],
    )


async def _case_department(db):
    pk = await _pk(db, select(m.Department.id).where(m.Department.name == "Magazijn"))
    return pk, ["kantoor.salaris", "manager.verkoop"], ["kantoor.y"]


async def _case_employee(db):
    pk = await _pk(db, select(m.Employee.id).where(m.Employee.employee_number == 2))
    # wn002 works in Administratie: out of the Verkoop manager's scope; kantoor.salaris lacks
    # VIEW_EMPLOYEES; another employee sees only its own record.
    return (
        pk,
        ["werkgever.hr", "werkgever.directie", "kantoor.admin", "wn002"],
        [
            "manager.verkoop",
            "kantoor.salaris",
            "wn001",
            "kantoor.y",
        ],
    )


async def _case_user(db):
    pk = await _pk(db, select(m.User.id).where(m.User.username == "werkgever.directie"))
    # manager.verkoop follows requests in process management, and sees by name the staff who
    # act on them (werkgever.directie is the deviating approver of a Verkoop employee).
    return (
        pk,
        ["werkgever.directie", "werkgever.hr", "kantoor.admin", "manager.verkoop"],
        ["wn001", "kantoor.y"],
    )


async def _case_export(db):
    # Only its owner sees an export, not even an office administrator with every right.
    owner = await _pk(db, select(m.User.id).where(m.User.username == "werkgever.hr"))
    async with db.writer() as s:
        row = m.Export(
            user_id=owner, query={"tab": "OPEN"}, token="t" * 43, file_name="procesbeheer.xlsx"
        )
        s.add(row)
        await s.flush()
        pk = row.id
    return pk, ["werkgever.hr"], ["kantoor.admin", "manager.verkoop", "wn002", "kantoor.y"]


async def _case_role(db):
    pk = await _pk(db, select(m.Role.id).where(m.Role.name == "HR"))
    return pk, ["kantoor.admin", "werkgever.directie"], ["wn001", "kantoor.y"]


async def _case_role_link(db):
    pk = await _pk(
        db,
        select(m.RoleLink.id)
        .join(m.User, m.User.id == m.RoleLink.user_id)
        .where(m.User.username == "werkgever.directie"),
    )
    return (
        pk,
        ["werkgever.directie", "werkgever.hr", "kantoor.admin"],
        [
            "manager.verkoop",
            "wn001",
            "kantoor.y",
        ],
    )


async def _case_workflow_definition(db):
    employer = await _pk(db, select(m.Employer.id))
    # Readable with VIEW_ or MANAGE_WORKFLOW_EDITOR (provider or employer level), by nobody else.
    return (
        f"{employer}.EXPENSE_CLAIM",
        ["werkgever.hr", "kantoor.salaris", "kantoor.admin"],
        [
            "werkgever.directie",
            "manager.verkoop",
            "wn001",
            "kantoor.y",
        ],
    )


async def _case_workflow_instance(db):
    # wn001's claim waits for manager.verkoop (all-users mode); the office may act on it too.
    pk = await factories.submitted_claim(db, 1)
    return (
        pk,
        ["wn001", "manager.verkoop", "werkgever.hr", "kantoor.admin", "kantoor.salaris"],
        ["wn003", "werkgever.directie", "kantoor.y"],
    )


async def _case_task(db):
    instance, permitted, out_of_scope = await _case_workflow_instance(db)
    pk = await _pk(db, select(m.InstanceStep.id).where(m.InstanceStep.instance_id == instance))
    return pk, permitted, out_of_scope


async def _case_component(db):
    pk = await _pk(db, select(m.Component.id).where(m.Component.name == "Brandstofkosten"))
    return pk, ["wn001", "werkgever.directie", "manager.verkoop", "kantoor.admin"], ["kantoor.y"]


async def _case_collective_action(db):
    # The message centre: COLLECTIVE_ACTIONS at the employer (kantoor.admin), nobody else.
    async with db.writer() as s:
        admin = await s.scalar(select(m.User.id).where(m.User.username == "kantoor.admin"))
        employer = await s.scalar(select(m.Employer.id).where(m.Employer.name.like("De Id%")))
        row = m.CollectiveAction(employer_id=employer, started_by_id=admin)
        s.add(row)
        await s.flush()
        pk = row.id
    return pk, ["kantoor.admin"], ["werkgever.hr", "manager.verkoop", "wn001", "kantoor.y"]


CASES = {
    "WorkflowInstance": _case_workflow_instance,
    "Task": _case_task,
    "Component": _case_component,
    "Employer": _case_employer,
    "Department": _case_department,
    "Employee": _case_employee,
    "User": _case_user,
    "Role": _case_role,
    "RoleLink": _case_role_link,
    "WorkflowDefinition": _case_workflow_definition,
    "Export": _case_export,
    "CollectiveAction": _case_collective_action,
}


def test_every_node_type_has_an_authorization_case():
    node_types = {
        t.name
        for t in schema._schema.type_map.values()
        if hasattr(t, "interfaces") and any(i.name == "Node" for i in t.interfaces)
    }
    assert node_types == set(CASES), "add a case to CASES for every new Node type"


@pytest.mark.parametrize("typename", sorted(CASES))
async def test_node_access(graphql, db, typename):
    await _other_office(db)
    pk, permitted, out_of_scope = await CASES[typename](db)
    await assert_node_access(
        graphql,
        to_global_id(typename, pk),
        typename,
        permitted=permitted,
        out_of_scope=out_of_scope,
    )


async def test_malformed_and_foreign_ids_are_not_found(graphql):
    for bad in ("", "garbage", to_global_id("Nonsense", 1), to_global_id("Employee", 10**9)):
        result = await graphql(
            "query ($id: ID!) { node(id: $id) { id } }", {"id": bad}, as_user="kantoor.admin"
        )
        assert result["data"]["node"] is None
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"], bad


async def test_employers_are_scoped_to_the_office(graphql, db):
    await _other_office(db)
    await factories.employer(db, "Tweede Klant B.V.")
    query = "{ employers { totalCount edges { node { name } } } }"
    admin = (await graphql(query, as_user="kantoor.admin"))["data"]["employers"]
    assert [e["node"]["name"] for e in admin["edges"]] == [
        "De Ideale Klant B.V.",
        "Tweede Klant B.V.",
    ]
    hr = (await graphql(query, as_user="werkgever.hr"))["data"]["employers"]
    assert hr["totalCount"] == 1
    other = (await graphql(query, as_user="kantoor.y"))["data"]["employers"]
    assert other == {"totalCount": 0, "edges": []}
    searched = await graphql(
        '{ employers(search: "tweede") { edges { node { name } } } }', as_user="kantoor.admin"
    )
    assert searched["data"]["employers"]["edges"] == [{"node": {"name": "Tweede Klant B.V."}}]
