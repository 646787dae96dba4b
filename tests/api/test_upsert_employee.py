"""upsertEmployee through HTTP: an employee created and updated by employer + employee number,
what the caller sees (the employee as it may read it, every field error at once) and what the
database and the administration log then hold."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.domain.authz import Right, UserType
from app.schema.ids import decode_id, to_global_id
from tests import factories
from tests.conftest import errors_of

UPSERT = """
mutation ($input: UpsertEmployeeInput!) {
  upsertEmployee(input: $input) {
    employee {
      id employeeNumber name street houseNumber postcode city country phone mobilePhone
      privateEmail isOnCall employmentStart employmentEnd contractEnd iban bsn
      department { name } employer { name }
    }
    employeeId created changed changedFields
    errors { code message field }
  }
}
"""

# Without iban and bsn, for a caller who may not read them.
UPSERT_PLAIN = """
mutation ($input: UpsertEmployeeInput!) {
  upsertEmployee(input: $input) {
    employee { id name }
    employeeId created changed changedFields
    errors { code message field }
  }
}
"""


async def department(db, name: str) -> str:
    async with db.reader() as s:
        return to_global_id(
            "Department", await s.scalar(select(m.Department.id).where(m.Department.name == name))
        )


async def row(db, number: int) -> m.Employee | None:
    async with db.reader() as s:
        return await s.scalar(select(m.Employee).where(m.Employee.employee_number == number))


async def log(db) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        stmt = select(m.AdministrationEntry).where(m.AdministrationEntry.action == "upsertEmployee")
        return list(await s.scalars(stmt.order_by(m.AdministrationEntry.id)))


def payload(result: dict) -> dict:
    assert "errors" not in result, result
    return result["data"]["upsertEmployee"]


async def test_create_update_and_an_unchanged_upsert(graphql, db, ids):
    employer = await ids.employer()
    new = {
        "employerId": employer,
        "employeeNumber": 301,
        "name": " Jan  Jansen ",
        "dateOfBirth": "1985-03-14",
        "departmentId": await department(db, "Logistiek"),
        "privateEmail": "jan@prive.example.nl",
        "phone": "030 123 4567",
        "address": {
            "street": "Kerkstraat",
            "houseNumber": "7",
            "postcode": "3511ab",
            "city": "Utrecht",
        },
        "iban": "nl91 abna 0417 1643 00",
        "bsn": "111222333",
        "employmentStart": "2026-12-01",
        "contractEnd": "2027-11-30",
        "onCall": True,
    }
    created = payload(await graphql(UPSERT, {"input": new}, as_user="kantoor.admin"))
    assert created["errors"] == []
    assert (created["created"], created["changed"]) == (True, True)
    assert created["changedFields"] == [
        "name", "dateOfBirth", "departmentId", "privateEmail", "phone", "address", "iban", "bsn",
        "employmentStart", "contractEnd", "onCall",
    ]  # fmt: skip
    employee = created["employee"]
    assert employee["id"] == created["employeeId"]
    assert {k: employee[k] for k in ("name", "postcode", "phone", "iban", "bsn", "isOnCall")} == {
        "name": "Jan Jansen",
        "postcode": "3511 AB",
        "phone": "+31301234567",
        "iban": "NL91ABNA0417164300",
        "bsn": "111222333",
        "isOnCall": True,
    }
    assert employee["department"] == {"name": "Logistiek"}
    assert (employee["country"], employee["employmentEnd"]) == ("NL", None)
    stored = await row(db, 301)
    assert stored.id == decode_id(employee["id"], "Employee")
    assert (stored.city, stored.contract_end.isoformat(), stored.is_on_call) == (
        "Utrecht",
        "2027-11-30",
        True,
    )
    async with db.reader() as s:
        person = await s.get(m.Person, stored.person_id)
    assert (person.name, person.date_of_birth.isoformat()) == ("Jan Jansen", "1985-03-14")

    # Left out: kept; null: cleared.
    update = {
        "employerId": employer,
        "employeeNumber": 301,
        "contractEnd": None,
        "mobilePhone": "+32 470 12 34 56",
        "name": "Jan Jansen",
    }
    updated = payload(await graphql(UPSERT, {"input": update}, as_user="kantoor.admin"))
    assert updated["errors"] == []
    assert (updated["created"], updated["changed"]) == (False, True)
    assert updated["changedFields"] == ["mobilePhone", "contractEnd"]
    assert updated["employee"]["contractEnd"] is None
    assert updated["employee"]["mobilePhone"] == "+32470123456"
    assert updated["employee"]["iban"] == "NL91ABNA0417164300"
    stored = await row(db, 301)
    assert (stored.contract_end, stored.mobile_phone, stored.phone) == (
        None,
        "+32470123456",
        "+31301234567",
    )

    unchanged = payload(await graphql(UPSERT, {"input": update}, as_user="kantoor.admin"))
    assert (unchanged["created"], unchanged["changed"], unchanged["changedFields"]) == (
        False,
        False,
        [],
    )
    assert unchanged["employee"]["id"] == employee["id"]

    entries = await log(db)
    assert [e.details for e in entries] == [
        {"employeeNumber": 301, "created": True, "fields": created["changedFields"]},
        {"employeeNumber": 301, "created": False, "fields": ["mobilePhone", "contractEnd"]},
    ]
    admin = decode_id(await ids.user("kantoor.admin"), "User")
    assert {(e.actor_id, e.subject_type, e.subject_id) for e in entries} == {
        (admin, "Employee", stored.id)
    }
    # Field names only: no value of the record is in the log.
    assert "111222333" not in str([e.details for e in entries])


async def test_every_refused_field_is_named_and_nothing_changes(graphql, db, ids):
    before = await row(db, 3)
    bad = {
        "employerId": await ids.employer(),
        "employeeNumber": 3,
        "name": None,
        "iban": "NL91ABNA0417164301",
        "bsn": "123456789",
        "privateEmail": "@x.nl",
        "address": {"street": "Laan", "houseNumber": "1", "postcode": "1234 SA", "city": "Ede"},
        "employmentEnd": "1999-01-01",
    }
    data = payload(await graphql(UPSERT, {"input": bad}, as_user="kantoor.admin"))
    assert data["employee"] is None and data["created"] is None
    assert [(e["code"], e["field"]) for e in data["errors"]] == [
        ("INVALID_VALUE", ["name"]),
        ("INVALID_VALUE", ["privateEmail"]),
        ("INVALID_POSTCODE", ["address", "postcode"]),
        ("INVALID_IBAN", ["iban"]),
        ("INVALID_VALUE", ["bsn"]),
        ("INVALID_DATE_ORDER", ["employmentEnd"]),
    ]
    assert all(e["message"] for e in data["errors"])
    assert "123456789" not in str(data)
    after = await row(db, 3)
    assert (after.name, after.iban, after.bsn, after.employment_end) == (
        before.name,
        before.iban,
        before.bsn,
        None,
    )
    assert await log(db) == []


async def test_a_department_elsewhere_is_not_found(graphql, db, ids):
    await factories.employer(db, "Tweede Klant B.V.")
    other = await department(db, "Algemeen")
    variables = {
        "input": {"employerId": await ids.employer(), "employeeNumber": 1, "departmentId": other}
    }
    data = payload(await graphql(UPSERT, variables, as_user="kantoor.admin"))
    assert [(e["code"], e["field"]) for e in data["errors"]] == [("NOT_FOUND", ["departmentId"])]


async def test_who_may_not(graphql, db, ids):
    """No MANAGE_EMPLOYEES (werkgever.hr), a department manager, another office: refused before
    anything is read."""
    variables = {"input": {"employerId": await ids.employer(), "employeeNumber": 1, "name": "X"}}
    for user, code in (
        ("werkgever.hr", "FORBIDDEN"),
        ("manager.verkoop", "FORBIDDEN"),
        ("wn001", "FORBIDDEN"),
    ):
        result = await graphql(UPSERT_PLAIN, variables, as_user=user)
        assert errors_of(result) == [code], (user, result)
    assert errors_of(await graphql(UPSERT_PLAIN, variables)) == ["UNAUTHENTICATED"]
    assert (await row(db, 1)).name != "X"


async def test_managing_without_viewing_shows_only_the_id(graphql, db, ids):
    """MANAGE_EMPLOYEES without VIEW_EMPLOYEES: the employee is written, but the payload shows
    it as an ordinary read would (not at all), with its ID."""
    employer = await ids.employer()
    await factories.user(
        db,
        "werkgever.personeel",
        UserType.EMPLOYER,
        employer_id=decode_id(employer, "Employer"),
        rights=(Right.MANAGE_EMPLOYEES,),
        rights_at=decode_id(employer, "Employer"),
    )
    variables = {
        "input": {
            "employerId": employer,
            "employeeNumber": 302,
            "name": "Piet Puk",
            "departmentId": await department(db, "Verkoop"),
            "employmentStart": "2026-12-01",
        }
    }
    data = payload(await graphql(UPSERT_PLAIN, variables, as_user="werkgever.personeel"))
    assert data["errors"] == [] and data["employee"] is None
    assert data["created"] is True
    assert decode_id(data["employeeId"], "Employee") == (await row(db, 302)).id
