"""The cells of an employee sheet mapped onto the raw record (app/domain/employee_sheet.py):
pure, no workbook needed."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain import employee_record as rec
from app.domain import employee_sheet as sheet
from app.domain.errors import DomainError, ErrorCode


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.datetime(2024, 2, 1), dt.date(2024, 2, 1)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 1)),
        ("01-02-2024", dt.date(2024, 2, 1)),
        ("1-2-2024", dt.date(2024, 2, 1)),
        ("01/02/2024", dt.date(2024, 2, 1)),
        (" 2024-02-01 ", dt.date(2024, 2, 1)),
        ("31-02-2024", "31-02-2024"),  # not a date: left for the record's check to refuse
        ("morgen", "morgen"),
        (dt.datetime(2024, 2, 1, 12, 30), dt.datetime(2024, 2, 1, 12, 30)),
    ],
)
def test_dates(cell, expected):
    assert sheet.a_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ja", True), ("Nee", False), ("TRUE", True), ("false", False), (1, True), (0, False),
        (True, True), (1.0, True), ("j", True), ("n", False), ("misschien", "misschien"), (2, 2),
    ],
)  # fmt: skip
def test_yes_no(cell, expected):
    assert sheet.yes_no(cell) == expected


def test_numbers_become_text_and_keep_their_zeros():
    assert sheet.bsn(12345674) == "012345674"
    assert sheet.bsn(111222333.0) == "111222333"
    assert sheet.bsn(" 111222333 ") == "111222333"
    assert sheet.phone(612345678) == "0612345678"  # Excel dropped the leading 0
    assert sheet.phone(31612345678) == "31612345678"
    assert sheet.phone("+31 6 1234 5678") == "+31 6 1234 5678"
    assert sheet.text(7.0) == "7" and sheet.text("  ") is None and sheet.text(None) is None


def test_headers_are_matched_loosely_and_strictly_checked():
    columns = sheet.columns_of(["  PERSONEELSNUMMER ", "Privé  e-mail", None, "iban"])
    assert columns == {0: "personeelsnummer", 1: "privé e-mail", 3: "iban"}
    for header, words in (
        (["Personeelsnummer", "Salaris"], "Salaris"),
        (["Personeelsnummer", "Naam", "naam"], "twee keer"),
        (["Naam"], "Personeelsnummer"),
    ):
        with pytest.raises(DomainError) as refused:
            sheet.columns_of(header)
        assert refused.value.code is ErrorCode.INVALID_FILE
        assert words in refused.value.message


def test_a_row_becomes_the_raw_record():
    columns = sheet.columns_of(sheet.HEADERS)
    row = sheet.row_of(2, list(sheet.EXAMPLE), columns)
    assert (row.row, row.employee_number, row.errors) == (2, 1001, ())
    assert row.raw[rec.DEPARTMENT] == "Verkoop"  # the name: the caller resolves it
    assert row.raw[rec.ADDRESS] == {
        "street": "Kerkstraat",
        "houseNumber": "7",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "country": "NL",
    }
    assert row.raw[rec.ON_CALL] is False
    assert row.raw[rec.EMPLOYMENT_END] is None  # an empty cell clears
    assert set(row.raw) == set(rec.FIELDS)


def test_columns_left_out_are_left_out_and_an_empty_address_clears():
    columns = sheet.columns_of(["Personeelsnummer", "Straat", "Huisnummer", "Oproepkracht"])
    row = sheet.row_of(3, ["12", None, None, None], columns)
    assert row.employee_number == 12
    assert row.raw == {rec.ADDRESS: None}  # on-call empty: left out


def test_a_bad_employee_number_is_a_cell_error():
    columns = sheet.columns_of(["Personeelsnummer", "Naam"])
    row = sheet.row_of(4, ["abc", "Jan"], columns)
    assert row.employee_number is None
    assert [(e.column, e.code) for e in row.errors] == [
        ("Personeelsnummer", ErrorCode.INVALID_VALUE)
    ]


def test_field_paths_name_their_columns():
    assert sheet.column_of([rec.IBAN]) == "IBAN"
    assert sheet.column_of([rec.ADDRESS, "postcode"]) == "Postcode"
    assert sheet.column_of([rec.ADDRESS, "houseNumber"]) == "Huisnummer"
    assert sheet.column_of([rec.ADDRESS]) == "Straat"
    assert sheet.column_of([rec.DEPARTMENT]) == "Afdeling"
    assert sheet.column_of([rec.EMPLOYMENT_START]) == "Datum in dienst"
    assert sheet.column_of([rec.PRIVATE_EMAIL]) == "Privé e-mail"
    assert set(sheet.EXPLAINED) == set(sheet.HEADERS)
    assert len(sheet.EXAMPLE) == len(sheet.HEADERS)


def test_the_example_row_is_a_valid_record():
    row = sheet.row_of(2, list(sheet.EXAMPLE), sheet.columns_of(sheet.HEADERS))
    raw = {**row.raw, rec.DEPARTMENT: 1}
    plan = rec.plan(raw, None, dt.date(2026, 12, 1))
    assert plan.ok, plan.errors
