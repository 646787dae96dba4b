"""The office's set-up through HTTP (issue 16): createEmployer, updateEmployer, createDepartment,
renameDepartment, setDepartmentManagers, setMijnLoketAddendum. What the user sees, what the
database holds, and the administration log."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.schema.ids import decode_id, to_global_id
from tests.conftest import errors_of

CREATE_EMPLOYER = """
mutation ($name: String!) {
  createEmployer(input: {name: $name}) {
    employer { id name departments { name } mijnLoketAddendum { signed } }
    errors { code message field }
  }
}
"""
UPDATE_EMPLOYER = """
mutation ($id: ID!, $name: String!) {
  updateEmployer(input: {employerId: $id, name: $name}) {
    employer { id name } errors { code message field }
  }
}
"""
CREATE_DEPARTMENT = """
mutation ($e: ID!, $name: String!) {
  createDepartment(input: {employerId: $e, name: $name}) {
    department { id name } errors { code message field }
  }
}
"""
RENAME_DEPARTMENT = """
mutation ($d: ID!, $name: String!) {
  renameDepartment(input: {departmentId: $d, name: $name}) {
    department { id name } errors { code message field }
  }
}
"""
SET_MANAGERS = """
mutation ($d: ID!, $u: [ID!]!) {
  setDepartmentManagers(input: {departmentId: $d, userIds: $u}) {
    department { name managers { username } } errors { code message field }
  }
}
"""
SET_ADDENDUM = """
mutation ($signed: Boolean!, $who: String, $on: Date) {
  setMijnLoketAddendum(input: {signed: $signed, signatory: $who, signedOn: $on}) {
    addendum { signed signatory signedOn } errors { code message field }
  }
}
"""
EMPLOYER = """
query ($id: ID!) { node(id: $id) { ... on Employer {
  name departments { name } mijnLoketAddendum { signed signatory signedOn } } } }
"""
EMPLOYERS = "{ viewer { employers { name } } }"


async def log(db, action: str) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        return list(
            await s.scalars(
                select(m.AdministrationEntry).where(m.AdministrationEntry.action == action)
            )
        )


async def test_onboard_an_employer_with_departments(graphql, db):
    created = await graphql(CREATE_EMPLOYER, {"name": "Nieuwe Klant B.V."}, as_user="kantoor.admin")
    payload = created["data"]["createEmployer"]
    assert payload["errors"] == []
    employer = payload["employer"]
    assert employer["name"] == "Nieuwe Klant B.V."
    assert employer["departments"] == []
    assert employer["mijnLoketAddendum"] == {"signed": True}  # the demo office signed it
    seen = await graphql(EMPLOYERS, as_user="kantoor.salaris")
    assert {"name": "Nieuwe Klant B.V."} in seen["data"]["viewer"]["employers"]

    for name in ("Kantoor", "Buitendienst"):
        result = await graphql(
            CREATE_DEPARTMENT, {"e": employer["id"], "name": name}, as_user="kantoor.admin"
        )
        assert result["data"]["createDepartment"]["errors"] == []
    buiten = result["data"]["createDepartment"]["department"]["id"]
    renamed = await graphql(
        RENAME_DEPARTMENT, {"d": buiten, "name": "Binnendienst"}, as_user="kantoor.admin"
    )
    assert renamed["data"]["renameDepartment"]["department"]["name"] == "Binnendienst"
    updated = await graphql(
        UPDATE_EMPLOYER, {"id": employer["id"], "name": "Klant B.V."}, as_user="kantoor.admin"
    )
    assert updated["data"]["updateEmployer"]["employer"]["name"] == "Klant B.V."

    shown = await graphql(EMPLOYER, {"id": employer["id"]}, as_user="kantoor.admin")
    assert shown["data"]["node"]["name"] == "Klant B.V."
    assert sorted(d["name"] for d in shown["data"]["node"]["departments"]) == [
        "Binnendienst", "Kantoor",
    ]  # fmt: skip
    employer_pk = decode_id(employer["id"], "Employer")
    async with db.reader() as s:
        row = await s.get(m.Employer, employer_pk)
        names = set(
            await s.scalars(select(m.Department.name).where(m.Department.employer_id == row.id))
        )
    assert row.name == "Klant B.V." and names == {"Binnendienst", "Kantoor"}
    admin = (await log(db, "createEmployer"))[0].actor_id
    for action, count in (
        ("createEmployer", 1), ("createDepartment", 2), ("renameDepartment", 1),
        ("updateEmployer", 1),
    ):  # fmt: skip
        entries = await log(db, action)
        assert len(entries) == count, action
        assert all(e.employer_id == employer_pk and e.actor_id == admin for e in entries)


async def test_a_taken_name_is_a_user_error(graphql, db):
    result = await graphql(
        CREATE_EMPLOYER, {"name": "de ideale klant b.v."}, as_user="kantoor.admin"
    )
    [error] = result["data"]["createEmployer"]["errors"]
    assert (error["code"], error["field"]) == ("NAME_TAKEN", ["name"])
    assert await log(db, "createEmployer") == []


async def test_only_the_office_with_manage_employers(graphql, db, ids):
    for user in ("werkgever.hr", "kantoor.salaris"):
        result = await graphql(CREATE_EMPLOYER, {"name": "Stiekem B.V."}, as_user=user)
        assert errors_of(result) == ["FORBIDDEN"], user
    result = await graphql(
        CREATE_DEPARTMENT, {"e": await ids.employer(), "name": "X"}, as_user="werkgever.hr"
    )
    assert errors_of(result) == ["FORBIDDEN"]
    async with db.reader() as s:
        assert (
            await s.scalar(select(m.Employer.id).where(m.Employer.name == "Stiekem B.V.")) is None
        )


async def test_department_managers(graphql, db, ids):
    async with db.reader() as s:
        magazijn = await s.scalar(select(m.Department.id).where(m.Department.name == "Magazijn"))
    department = to_global_id("Department", magazijn)
    karin = await ids.user("manager.verkoop")
    result = await graphql(SET_MANAGERS, {"d": department, "u": [karin]}, as_user="kantoor.admin")
    payload = result["data"]["setDepartmentManagers"]
    assert payload == {
        "department": {"name": "Magazijn", "managers": [{"username": "manager.verkoop"}]},
        "errors": [],
    }
    # The manager now sees Magazijn among its departments.
    viewer = await graphql("{ viewer { departments { name } } }", as_user="manager.verkoop")
    assert sorted(d["name"] for d in viewer["data"]["viewer"]["departments"]) == [
        "Magazijn", "Verkoop",
    ]  # fmt: skip
    [entry] = await log(db, "setDepartmentManagers")
    assert entry.subject_type == "Department" and entry.subject_id == magazijn

    # An employer user is no department manager.
    hr = await ids.user("werkgever.hr")
    result = await graphql(SET_MANAGERS, {"d": department, "u": [hr]}, as_user="kantoor.admin")
    [error] = result["data"]["setDepartmentManagers"]["errors"]
    assert (error["code"], error["field"]) == ("NOT_A_DEPARTMENT_MANAGER", ["userIds", "0"])
    # Department managers never change who manages departments, whatever their rights.
    result = await graphql(SET_MANAGERS, {"d": department, "u": []}, as_user="manager.verkoop")
    assert errors_of(result) == ["FORBIDDEN"]


async def test_the_mijnloket_addendum(graphql, db, ids):
    signed = await graphql(
        SET_ADDENDUM, {"signed": True, "who": "A. de Vries", "on": "2026-11-02"},
        as_user="kantoor.admin",
    )  # fmt: skip
    expected = {"signed": True, "signatory": "A. de Vries", "signedOn": "2026-11-02"}
    assert signed["data"]["setMijnLoketAddendum"] == {"addendum": expected, "errors": []}
    shown = await graphql(EMPLOYER, {"id": await ids.employer()}, as_user="werkgever.hr")
    assert shown["data"]["node"]["mijnLoketAddendum"] == expected
    async with db.reader() as s:
        office = await s.scalar(select(m.Provider).where(m.Provider.name == "Accountantskantoor X"))
    assert office.mijnloket_addendum_signatory == "A. de Vries"
    [entry] = await log(db, "setMijnLoketAddendum")
    assert entry.subject_id == office.id and "Vries" not in str(entry.details)

    # Not in the future; not withdrawn while the demo employer has MijnLoket.
    result = await graphql(
        SET_ADDENDUM, {"signed": True, "who": "X", "on": "2999-01-01"}, as_user="kantoor.admin"
    )
    assert result["data"]["setMijnLoketAddendum"]["errors"][0]["field"] == ["signedOn"]
    result = await graphql(SET_ADDENDUM, {"signed": False}, as_user="kantoor.admin")
    assert result["data"]["setMijnLoketAddendum"]["errors"][0]["code"] == "PRODUCT_IN_USE"
    result = await graphql(SET_ADDENDUM, {"signed": False}, as_user="werkgever.hr")
    assert errors_of(result) == ["FORBIDDEN"]
    # Employees do not read the office's addendum.
    result = await graphql(EMPLOYER, {"id": await ids.employer()}, as_user="wn001")
    assert "FORBIDDEN" in errors_of(result)
