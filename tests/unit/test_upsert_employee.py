"""upsertEmployee without HTTP: the record's rules (app/domain/employee_record.py, pure) and the
use case (app/resolvers/upsert_employee.py): what it returns, refuses and writes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.domain import employee_record as rec
from app.domain.errors import DomainError, ErrorCode, Forbidden
from app.domain.events import EventKind
from app.resolvers.upsert_employee import UpsertEmployee, upsert_employee
from app.schema.ids import decode_id, to_global_id
from tests import factories

TODAY = dt.date(2026, 12, 3)
WN001_BSN, WN001_BORN = "112345670", dt.date(1969, 2, 6)  # app/demo/people.py
ADDRESS = {"street": "Dorpsstraat", "houseNumber": "12a", "postcode": "1234ab", "city": "Ede"}


def fields_of(errors) -> list[list[str] | None]:
    return [e.field for e in errors]


# --- The record, without a database -----------------------------------------------------------


def test_a_new_record_gets_clean_values_and_the_default():
    plan = rec.plan(
        {
            "name": "  Anna   de Wit ",
            "departmentId": 7,
            "employmentStart": dt.date(2026, 1, 1),
            "iban": "nl91 abna 0417 1643 00",
            "bsn": "1123.45.670",
            "phone": "020 123 4567",
            "privateEmail": "anna@Example.NL",
            "address": ADDRESS,
            "contractEnd": None,
        },
        None,
        TODAY,
    )
    assert plan.ok
    assert plan.values == {
        "name": "Anna de Wit",
        "departmentId": 7,
        "privateEmail": "anna@example.nl",
        "phone": "+31201234567",
        "address": rec.Address("Dorpsstraat", "12a", "1234 AB", "Ede", "NL"),
        "iban": "NL91ABNA0417164300",
        "bsn": "112345670",
        "employmentStart": dt.date(2026, 1, 1),
        "onCall": False,
    }
    assert plan.changed == tuple(plan.values)  # contractEnd: null is nothing new


def test_a_new_record_names_every_missing_and_bad_field_at_once():
    plan = rec.plan(
        {
            "iban": "NL91ABNA0417164301",
            "bsn": "123456789",
            "address": {**ADDRESS, "postcode": "1234 SS", "city": " "},
            "privateEmail": "x@",
            "onCall": None,
        },
        None,
        TODAY,
    )
    assert not plan.ok and plan.values == {}
    assert fields_of(plan.errors) == [
        ["name"],
        ["departmentId"],
        ["privateEmail"],
        ["address", "postcode"],
        ["address", "city"],
        ["iban"],
        ["bsn"],
        ["employmentStart"],
        ["onCall"],
    ]
    codes = {tuple(e.field): e.code for e in plan.errors}
    assert codes["iban",] is ErrorCode.INVALID_IBAN
    assert codes["address", "postcode"] is ErrorCode.INVALID_POSTCODE
    # Personal data is never echoed back.
    assert not any("123456789" in e.message or "0417" in e.message for e in plan.errors)


CURRENT = {
    "name": "Anna de Wit",
    "dateOfBirth": dt.date(1990, 5, 1),
    "departmentId": 7,
    "privateEmail": None,
    "phone": None,
    "mobilePhone": None,
    "address": None,
    "iban": "NL91ABNA0417164300",
    "bsn": None,
    "employmentStart": dt.date(2020, 1, 1),
    "employmentEnd": None,
    "contractEnd": dt.date(2027, 6, 30),
    "onCall": False,
}


def test_an_update_keeps_what_is_left_out_and_clears_what_is_null():
    plan = rec.plan({"iban": None, "contractEnd": None, "name": "Anna de Wit"}, CURRENT, TODAY)
    assert (plan.values, plan.changed) == (
        {"iban": None, "contractEnd": None},
        ("iban", "contractEnd"),
    )
    assert rec.plan({"name": "Anna  de Wit", "onCall": False}, CURRENT, TODAY).changed == ()


def test_what_cannot_be_cleared_is_refused():
    plan = rec.plan({"name": None, "departmentId": None, "employmentStart": None}, CURRENT, TODAY)
    assert fields_of(plan.errors) == [["name"], ["departmentId"], ["employmentStart"]]


def test_dates_in_order_checked_against_the_stored_ones():
    later_start = rec.plan({"employmentStart": dt.date(2028, 1, 1)}, CURRENT, TODAY)
    assert [(e.code, e.field) for e in later_start.errors] == [
        (ErrorCode.INVALID_DATE_ORDER, ["employmentStart"])  # the contract ends 2027-06-30
    ]
    early_end = rec.plan({"employmentEnd": dt.date(2019, 12, 31)}, CURRENT, TODAY)
    assert fields_of(early_end.errors) == [["employmentEnd"]]
    born_later = rec.plan({"dateOfBirth": dt.date(2020, 1, 1)}, CURRENT, TODAY)
    assert fields_of(born_later.errors) == [["dateOfBirth"]]
    future = rec.plan({"dateOfBirth": dt.date(2026, 12, 4)}, CURRENT, TODAY)
    assert [e.message for e in future.errors] == ["Een geboortedatum ligt niet in de toekomst."]
    typo = rec.plan({"employmentEnd": dt.date(2202, 1, 1)}, CURRENT, TODAY)
    assert [(e.code, e.field) for e in typo.errors] == [
        (ErrorCode.INVALID_VALUE, ["employmentEnd"])
    ]
    # What the update does not touch is not checked again.
    stored_wrong = {**CURRENT, "employmentEnd": dt.date(2000, 1, 1)}
    assert rec.plan({"phone": "0612345678"}, stored_wrong, TODAY).ok


def test_addresses_abroad_and_clearing_the_address():
    abroad = {**ADDRESS, "postcode": "B-1000", "country": "be"}
    plan = rec.plan({"address": abroad}, CURRENT, TODAY)
    assert plan.values == {"address": rec.Address("Dorpsstraat", "12a", "B-1000", "Ede", "BE")}
    bad = rec.plan({"address": {**ADDRESS, "country": "XX", "houseNumber": "0"}}, CURRENT, TODAY)
    assert fields_of(bad.errors) == [["address", "country"], ["address", "houseNumber"]]
    stored = {**CURRENT, "address": rec.Address("Dorpsstraat", "12a", "1234 AB", "Ede")}
    assert rec.plan({"address": None}, stored, TODAY).values == {"address": None}
    assert rec.plan({"address": ADDRESS}, stored, TODAY).changed == ()


@pytest.mark.parametrize("number", [0, -1, 2**31, True, "1.5", None])
def test_an_employee_number_is_a_positive_whole_number(number):
    with pytest.raises(DomainError) as refused:
        rec.employee_number(number)
    assert refused.value.field == ["employeeNumber"]
    assert rec.employee_number(" 42 ") == 42


# --- The use case ------------------------------------------------------------------------------


async def department_id(db, name: str, employer: str = "De Ideale Klant B.V.") -> str:
    async with db.reader() as s:
        pk = await s.scalar(
            select(m.Department.id)
            .join(m.Employer)
            .where(m.Department.name == name, m.Employer.name == employer)
        )
    return to_global_id("Department", pk)


async def employee_row(db, number: int, employer: str = "De Ideale Klant B.V.") -> m.Employee:
    async with db.reader() as s:
        return await s.scalar(
            select(m.Employee)
            .join(m.Employer)
            .where(m.Employee.employee_number == number, m.Employer.name == employer)
        )


async def log_entries(db) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        stmt = select(m.AdministrationEntry).where(m.AdministrationEntry.action == "upsertEmployee")
        return list(await s.scalars(stmt.order_by(m.AdministrationEntry.id)))


async def events(db, kind: EventKind) -> list[m.OutboxEvent]:
    async with db.reader() as s:
        return list(await s.scalars(select(m.OutboxEvent).where(m.OutboxEvent.kind == kind)))


async def person_count(db) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(m.Person))


async def test_create_then_update_then_nothing(use_case, db, ids):
    employer = await ids.employer()
    fields = {
        "name": "Anna de Wit",
        "dateOfBirth": dt.date(1990, 5, 1),
        "departmentId": await department_id(db, "Magazijn"),
        "employmentStart": dt.date(2026, 1, 1),
        "iban": "NL91 ABNA 0417 1643 00",
        "bsn": "111222333",
        "address": ADDRESS,
    }
    persons = await person_count(db)
    done = await use_case("kantoor.admin", upsert_employee, UpsertEmployee(employer, 501, fields))
    assert done.created
    assert done.changed_fields == (
        "name", "dateOfBirth", "departmentId", "address", "iban", "bsn", "employmentStart", "onCall"
    )  # fmt: skip
    row = await employee_row(db, 501)
    assert (row.name, row.iban, row.bsn, row.postcode, row.house_number, row.is_on_call) == (
        "Anna de Wit", "NL91ABNA0417164300", "111222333", "1234 AB", "12a", False
    )  # fmt: skip
    async with db.reader() as s:
        person = await s.get(m.Person, row.person_id)
    assert (person.name, person.date_of_birth) == ("Anna de Wit", dt.date(1990, 5, 1))
    assert await person_count(db) == persons + 1  # nobody in the office has this BSN
    [entry] = await log_entries(db)
    assert (entry.subject_type, entry.subject_id, entry.employer_id) == (
        "Employee",
        row.id,
        row.employer_id,
    )
    assert entry.details == {
        "employeeNumber": 501,
        "created": True,
        "fields": list(done.changed_fields),
    }
    assert entry.actor_id == decode_id(await ids.user("kantoor.admin"), "User")

    command = UpsertEmployee(
        employer, 501, {"iban": None, "phone": "06 1234 5678", "name": "Anna de Wit"}
    )
    updated = await use_case("kantoor.admin", upsert_employee, command)
    assert (updated.created, updated.changed_fields) == (False, ("phone", "iban"))
    row = await employee_row(db, 501)
    assert (row.iban, row.phone, row.bsn) == (None, "+31612345678", "111222333")
    assert [e.details for e in await log_entries(db)][1] == {
        "employeeNumber": 501, "created": False, "fields": ["phone", "iban"]
    }  # fmt: skip

    again = await use_case("kantoor.admin", upsert_employee, command)
    assert (again.created, again.changed_fields) == (False, ())
    assert len(await log_entries(db)) == 2  # nothing written for an unchanged record


async def test_every_field_error_at_once_and_nothing_written(use_case, db, ids):
    command = UpsertEmployee(
        await ids.employer(),
        1,
        {"iban": "NL00ABNA0417164300", "bsn": "111222334", "privateEmail": "a b@c.nl", "name": ""},
    )
    with pytest.raises(rec.InvalidRecord) as refused:
        await use_case("kantoor.admin", upsert_employee, command)
    assert fields_of(refused.value.errors) == [["name"], ["privateEmail"], ["iban"], ["bsn"]]
    row = await employee_row(db, 1)
    assert row.iban != "NL00ABNA0417164300" and row.bsn == WN001_BSN
    assert await log_entries(db) == []


async def test_a_new_employee_needs_name_department_and_start(use_case, db, ids):
    command = UpsertEmployee(await ids.employer(), 777, {"phone": "0612345678"})
    with pytest.raises(rec.InvalidRecord) as refused:
        await use_case("kantoor.admin", upsert_employee, command)
    assert fields_of(refused.value.errors) == [["name"], ["departmentId"], ["employmentStart"]]
    assert await employee_row(db, 777) is None


async def test_a_department_of_another_employer_is_not_found(use_case, db, ids):
    await factories.employer(db, "Tweede Klant B.V.")
    other = await department_id(db, "Algemeen", "Tweede Klant B.V.")
    for department, code in ((other, ErrorCode.NOT_FOUND), ("nope", ErrorCode.INVALID_ID)):
        command = UpsertEmployee(
            await ids.employer(), 888, {"name": "X", "departmentId": department}
        )
        with pytest.raises(rec.InvalidRecord) as refused:
            await use_case("kantoor.admin", upsert_employee, command)
        # The department's own error, not "missing" as well; the start date is missing.
        assert [(e.code, e.field) for e in refused.value.errors] == [
            (code, ["departmentId"]),
            (ErrorCode.INVALID_VALUE, ["employmentStart"]),
        ]


async def test_an_employment_date_order_against_the_stored_start(use_case, db, ids):
    start = (await employee_row(db, 1)).employment_start
    command = UpsertEmployee(await ids.employer(), 1, {"contractEnd": start - dt.timedelta(days=1)})
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", upsert_employee, command)
    assert (refused.value.code, refused.value.field) == (
        ErrorCode.INVALID_DATE_ORDER,
        ["contractEnd"],
    )


@pytest.mark.parametrize("username", ["werkgever.hr", "manager.verkoop", "wn001"])
async def test_only_employee_managers_who_are_no_department_managers(use_case, db, ids, username):
    command = UpsertEmployee(await ids.employer(), 1, {"name": "Ander"})
    with pytest.raises((Forbidden, DomainError)):
        await use_case(username, upsert_employee, command)
    assert (await employee_row(db, 1)).name != "Ander"


async def test_the_same_human_elsewhere_in_the_office_is_one_person(use_case, db, ids):
    """wn001 also starts at a second employer of the office: same BSN and date of birth, so the
    same person, whose MijnLoket account now reaches that employer (and hears of it)."""
    second = await factories.employer(db, "Tweede Klant B.V.")
    wn001 = await employee_row(db, 1)
    fields = {
        "name": wn001.name,
        "departmentId": await department_id(db, "Algemeen", "Tweede Klant B.V."),
        "employmentStart": dt.date(2026, 12, 1),
        "bsn": WN001_BSN,
        "dateOfBirth": WN001_BORN,
    }
    done = await use_case("kantoor.admin", upsert_employee, UpsertEmployee(second, 1, fields))
    assert done.created and done.employee.person_id == wn001.person_id
    account = decode_id(await ids.user("wn001"), "User")
    assert [e.user_id for e in await events(db, EventKind.ACCESS_CHANGED)] == [account]

    # Another date of birth: another person, whatever the BSN says.
    other = {**fields, "dateOfBirth": dt.date(1970, 1, 1)}
    done = await use_case("kantoor.admin", upsert_employee, UpsertEmployee(second, 2, other))
    assert done.employee.person_id != wn001.person_id


async def test_another_office_never_shares_a_person(use_case, db):
    office = await factories.provider(db, "Kantoor Y")
    await factories.user(
        db, "y.admin", m.UserType.PROVIDER, provider_id=office, rights=tuple(m.Right)
    )
    employer = await factories.employer(db, "Vreemd B.V.", provider_id=office)
    fields = {
        "name": "Iemand",
        "departmentId": await department_id(db, "Algemeen", "Vreemd B.V."),
        "employmentStart": dt.date(2026, 12, 1),
        "bsn": WN001_BSN,
        "dateOfBirth": WN001_BORN,
    }
    done = await use_case("y.admin", upsert_employee, UpsertEmployee(employer, 1, fields))
    assert done.employee.person_id != (await employee_row(db, 1)).person_id
    assert await events(db, EventKind.ACCESS_CHANGED) == []


async def test_moving_an_employee_tells_the_managers_of_both_departments(use_case, db, ids):
    magazijn = await department_id(db, "Magazijn")
    command = UpsertEmployee(await ids.employer(), 1, {"departmentId": magazijn})  # from Verkoop
    done = await use_case("kantoor.admin", upsert_employee, command)
    assert done.changed_fields == ("departmentId",)
    assert (await employee_row(db, 1)).department_id == decode_id(magazijn, "Department")
    manager = decode_id(await ids.user("manager.verkoop"), "User")
    assert [e.user_id for e in await events(db, EventKind.ACCESS_CHANGED)] == [manager]
    assert len(await events(db, EventKind.ASSIGNMENT_CHANGED)) == 1


def test_a_spreadsheet_date_at_midnight_is_a_date():
    assert rec.a_date(dt.datetime(2026, 1, 1), "x") == dt.date(2026, 1, 1)
    with pytest.raises(DomainError):
        rec.a_date(dt.datetime(2026, 1, 1, 12), "x")
