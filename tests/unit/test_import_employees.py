"""importEmployees without HTTP: the use case (app/resolvers/import_employees.py) on rows as the
sheet gives them (app/domain/employee_sheet.py), and the reading of the .xlsx itself."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.db import models as m
from app.domain.employee_sheet import HEADERS, ImportOutcome, SheetRow
from app.domain.errors import DomainError, ErrorCode, Forbidden
from app.domain.events import EventKind
from app.resolvers import import_employees as importing
from app.resolvers.import_employees import (
    ImportEmployees,
    Refused,
    import_employees,
    read_sheet,
)
from app.schema.ids import decode_id
from tests import factories

WN001_BSN, WN001_BORN = "112345670", dt.date(1969, 2, 6)  # app/demo/people.py


def row(number: int, line: int = 2, **fields) -> SheetRow:
    raw = {
        "name": f"Nieuw {number}",
        "departmentId": "Algemeen",
        "employmentStart": dt.date(2026, 1, 1),
    }
    return SheetRow(line, number, {**raw, **fields})


async def employee(db, employer_pk: int, number: int) -> m.Employee | None:
    async with db.reader() as s:
        return await s.scalar(
            select(m.Employee).where(
                m.Employee.employer_id == employer_pk, m.Employee.employee_number == number
            )
        )


async def events(db, kind: EventKind) -> list[m.OutboxEvent]:
    async with db.reader() as s:
        return list(await s.scalars(select(m.OutboxEvent).where(m.OutboxEvent.kind == kind)))


async def test_rows_of_one_human_share_one_person_and_join_the_office(use_case, db, ids):
    """Two rows with wn001's BSN and date of birth join wn001's person (whose account hears of
    it); two new rows with the same new BSN and date of birth share one new person."""
    second = await factories.employer(db, "Tweede Klant B.V.")
    second_pk = decode_id(second, "Employer")
    same = {"bsn": "111222333", "dateOfBirth": dt.date(1990, 5, 5)}
    rows = (
        row(1, 2, bsn=WN001_BSN, dateOfBirth=WN001_BORN),
        row(2, 3, **same),
        row(3, 4, **same),
    )
    report = await use_case(
        "kantoor.admin", import_employees, ImportEmployees(second, rows=rows, file_name="x.xlsx")
    )
    assert report.applied and report.count(ImportOutcome.CREATED) == 3
    async with db.reader() as s:
        wn001 = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
    first, two, three = [await employee(db, second_pk, n) for n in (1, 2, 3)]
    assert first.person_id == wn001.person_id
    assert two.person_id == three.person_id != wn001.person_id
    account = decode_id(await ids.user("wn001"), "User")
    assert [e.user_id for e in await events(db, EventKind.ACCESS_CHANGED)] == [account]


async def test_moves_between_departments_are_announced(use_case, db, ids):
    employer = await ids.employer()
    rows = (SheetRow(2, 1, {"departmentId": "MAGAZIJN "}),)  # wn001, from Verkoop
    report = await use_case("kantoor.admin", import_employees, ImportEmployees(employer, rows=rows))
    assert [line.outcome for line in report.lines] == [ImportOutcome.UPDATED]
    manager = decode_id(await ids.user("manager.verkoop"), "User")
    assert [e.user_id for e in await events(db, EventKind.ACCESS_CHANGED)] == [manager]
    assert len(await events(db, EventKind.ASSIGNMENT_CHANGED)) == 1


@pytest.mark.parametrize("username", ["manager.verkoop", "werkgever.hr", "werkgever.directie"])
async def test_only_employee_managers_who_are_no_department_managers(use_case, ids, username):
    command = ImportEmployees(await ids.employer(), rows=(row(9001),))
    with pytest.raises(Forbidden):
        await use_case(username, import_employees, command)


async def test_another_offices_employer_is_not_found(use_case, db):
    office = await factories.provider(db, "Kantoor Y")
    employer = await factories.employer(db, "Vreemd B.V.", provider_id=office)
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", import_employees, ImportEmployees(employer, rows=(row(1),)))
    assert refused.value.code is ErrorCode.NOT_FOUND


def _xlsx(*rows) -> bytes:
    workbook = Workbook()
    for values in rows:
        workbook.active.append(list(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_reading_a_sheet_skips_empty_rows_and_counts_excel_rows():
    data = _xlsx(HEADERS[:2], (1, "Jan"), (None, None), ("", " "), (2, "Piet"))
    rows = read_sheet(data)
    assert [(r.row, r.employee_number, r.raw) for r in rows] == [
        (2, 1, {"name": "Jan"}),
        (5, 2, {"name": "Piet"}),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", ErrorCode.INVALID_FILE),
        (b"PK\x03\x04 no zip at all", ErrorCode.INVALID_FILE),
        (_xlsx(), ErrorCode.INVALID_FILE),  # an empty sheet
        (_xlsx(("Naam",), ("Jan",)), ErrorCode.INVALID_FILE),  # no Personeelsnummer
    ],
)
def test_files_that_are_refused(data, code):
    with pytest.raises(DomainError) as refused:
        read_sheet(data)
    assert refused.value.code is code
    assert refused.value.field == ["input", "file"]


async def test_a_row_refused_after_written_chunks_keeps_nothing(use_case, db, ids, monkeypatch):
    """Rows are written chunk by chunk; a refused row in a later chunk rolls back the earlier
    ones: all or nothing."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    employer = await ids.employer()
    rows = tuple(row(9100 + n, n + 2, departmentId="Verkoop") for n in range(5))
    rows = (*rows[:4], row(9104, 6, departmentId="Verkoop", iban="NL00ABNA0000000000"))
    async with db.reader() as s:
        logged = await s.scalar(select(func.count()).select_from(m.AdministrationEntry))
    with pytest.raises(Refused) as refused:
        await use_case("kantoor.admin", import_employees, ImportEmployees(employer, rows=rows))
    report = refused.value.report
    assert (report.applied, report.count(ImportOutcome.CREATED), report.total) == (False, 4, 5)
    assert (report.lines[0].row, report.lines[0].outcome) == (6, ImportOutcome.REFUSED)
    async with db.reader() as s:
        numbers = select(m.Employee).where(m.Employee.employee_number.between(9100, 9104))
        assert list(await s.scalars(numbers)) == []
        assert await s.scalar(select(func.count()).select_from(m.AdministrationEntry)) == logged


async def test_one_human_in_two_chunks_is_one_person(use_case, db, ids, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    employer = await ids.employer()
    same = {"departmentId": "Verkoop", "bsn": "111222333", "dateOfBirth": dt.date(1990, 5, 5)}
    rows = (row(9201, 2, **same), row(9202, 3, **same))
    report = await use_case("kantoor.admin", import_employees, ImportEmployees(employer, rows=rows))
    assert report.applied and report.count(ImportOutcome.CREATED) == 2
    employer_pk = decode_id(employer, "Employer")
    first, second = [await employee(db, employer_pk, n) for n in (9201, 9202)]
    assert first.person_id == second.person_id
