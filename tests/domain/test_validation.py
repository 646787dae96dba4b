"""Payload checks for submitted requests (app/domain/validation.py, DOMAIN.md section 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain import validation as v
from app.domain.errors import DomainError, ErrorCode
from app.domain.validation import PayrollPeriod, PeriodKind, Unit

DUTCH_WORDS = (" een ", " in", " niet ", " of ", " zoals ", " klopt ", " hoogstens ", " tot ")


def refused(call, code: ErrorCode, field: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    err = info.value
    assert err.code is code
    assert err.field == [field]
    assert err.message.strip() and err.message[0].isupper()
    assert any(w in f" {err.message} " for w in DUTCH_WORDS), err.message
    return err


# --- IBAN ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "compact"),
    [
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
        ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),
        ("  nl91abna0417164300\t", "NL91ABNA0417164300"),
        ("DE89370400440532013000", "DE89370400440532013000"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("GB82WEST12345698765432", "GB82WEST12345698765432"),
        ("BE71096123456769", "BE71096123456769"),
    ],
)
def test_iban_valid(raw, compact):
    assert v.iban(raw) == compact


@pytest.mark.parametrize(
    "raw",
    [
        "NL92ABNA0417164300",  # wrong check digits
        "NL91ABNA0417164301",  # a typo in the account number
        "DE88370400440532013000",
        "GB83WEST12345698765432",
        "NL91ABNA041716430",  # too short
        "NL91ABNA04171643000",  # too long
        "NL911BNA0417164300",  # digit where the bank code needs letters
        "NL91ABNA04171643A0",  # letter in the account number
        "9L91ABNA0417164300",  # digit in the country code
        "NLAAABNA0417164300",  # letters in the check digits
        "XX91ABNA0417164300",  # no such country
        "",
        "   ",
        "NL",
        "NL91",
        "X" * 200,
        "NL91" + "1" * 196,
        "NL91-ABNA-0417-1643-00",
        "NL91ABNA041716430０",  # fullwidth digit
        "NL91ÅBNA0417164300",
        "NL91ABNA0417164300💶",
    ],
)
def test_iban_invalid(raw):
    refused(lambda: v.iban(raw), ErrorCode.INVALID_IBAN, "iban")


def test_iban_error_names_the_callers_field():
    refused(lambda: v.iban("NL00", field="newIban"), ErrorCode.INVALID_IBAN, "newIban")


def test_iban_none_is_refused_not_crashed():
    refused(lambda: v.iban(None), ErrorCode.INVALID_IBAN, "iban")  # type: ignore[arg-type]


# --- Postcode ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["1234 AB", "1234AB", "1234 ab", "1234ab", " 1234  AB ", "1234\tAB", "1234 aB", "9999 ZZ"],
)
def test_postcode_normalised(raw):
    expected = "9999 ZZ" if raw.startswith("9") else "1234 AB"
    assert v.dutch_postcode(raw) == expected


def test_postcode_lowest():
    assert v.dutch_postcode("1000aa") == "1000 AA"


@pytest.mark.parametrize(
    "raw",
    [
        "0123 AB",  # Dutch postcodes run 1000-9999
        "0999AB",
        "1234 SA",  # letter pairs PostNL never issues
        "1234 SD",
        "1234 ss",
        "1234 A",
        "1234",
        "12345",
        "12345 AB",
        "123 AB",
        "1234 ABC",
        "AB 1234",
        "1234-AB",
        "NL-1234AB",
        "1234 A1",
        "",
        "   ",
        "1234 ß",  # upper-cases to "SS"
        "１２３４ AB",
        "1234 ÄB",
        "1" * 200,
    ],
)
def test_postcode_invalid(raw):
    refused(lambda: v.dutch_postcode(raw), ErrorCode.INVALID_POSTCODE, "postcode")


# --- House number --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("1", "1"),
        ("12", "12"),
        ("12a", "12a"),
        ("12A", "12A"),
        ("12-2", "12-2"),
        ("12 - 2", "12-2"),
        ("12 bis", "12 bis"),
        ("  12   bis ", "12 bis"),
        ("12 hs", "12 hs"),
        ("12 2", "12 2"),
        ("12a-3", "12a-3"),
        ("99999", "99999"),
        ("99999 zwart", "99999 zwart"),
        ("1" + " a" * 9, "1" + " a" * 9),  # 19 characters
    ],
)
def test_house_number_valid(raw, normalised):
    assert v.house_number(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "  ",
        "0",
        "012",
        "100000",
        "123456",
        "a",
        "bis 12",
        "-12",
        "12-",
        "12 -",
        "12--2",
        "12/2",
        "12.5",
        "12 a" + "b" * 17,  # 21 characters
        "12 é",
        "١٢",  # Arabic-Indic digits
    ],
)
def test_house_number_invalid(raw):
    refused(lambda: v.house_number(raw), ErrorCode.INVALID_VALUE, "houseNumber")


# --- BSN -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("111222333", "111222333"), ("1112.22.333", "111222333"), (" 111 222 333 ", "111222333")],
)
def test_bsn_valid(raw, expected):
    assert v.bsn(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["123456789", "111222334", "11122233", "1112223330", "000000000", "", "abcdefghi", "١١١٢٢٢٣٣٣"],
)
def test_bsn_invalid(raw):
    refused(lambda: v.bsn(raw), ErrorCode.INVALID_VALUE, "bsn")


# --- Required text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dorpsstraat", "Dorpsstraat"),
        ("  Nieuwe   Binnenweg ", "Nieuwe Binnenweg"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("Cafe\u0301", "Café"),  # NFC: e + combining acute becomes one character
        ("a" * 10, "a" * 10),
        ("Den\u00a0Haag", "Den Haag"),  # non-breaking space collapses like any space
    ],
)
def test_required_text_valid(raw, expected):
    assert v.required_text(raw, "street", 10 if raw == "a" * 10 else 100) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "a" * 11,
        "Dorps\nstraat",
        "Dorps\tstraat",
        "Dorps\x00straat",
        "Dorps\x7fstraat",
        "\u202eabc",  # right-to-left override
        "abc\ud800",  # lone surrogate
    ],
)
def test_required_text_invalid(raw):
    refused(lambda: v.required_text(raw, "city", 10), ErrorCode.INVALID_VALUE, "city")


def test_required_text_message_names_the_limit():
    err = refused(
        lambda: v.required_text("x" * 101, "street", 100), ErrorCode.INVALID_VALUE, "street"
    )
    assert "100" in err.message


# --- Payroll period ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "period"),
    [
        ("2026-01", PayrollPeriod(2026, PeriodKind.MONTH, 1)),
        ("2026-12", PayrollPeriod(2026, PeriodKind.MONTH, 12)),
        ("2026-P01", PayrollPeriod(2026, PeriodKind.FOUR_WEEKS, 1)),
        ("2026-P13", PayrollPeriod(2026, PeriodKind.FOUR_WEEKS, 13)),
        ("2026-p07", PayrollPeriod(2026, PeriodKind.FOUR_WEEKS, 7)),
        (" 2026-03 ", PayrollPeriod(2026, PeriodKind.MONTH, 3)),
        ("2000-01", PayrollPeriod(2000, PeriodKind.MONTH, 1)),
        ("2100-P13", PayrollPeriod(2100, PeriodKind.FOUR_WEEKS, 13)),
    ],
)
def test_payroll_period_valid(raw, period):
    assert v.payroll_period(raw) == period


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (PayrollPeriod(2026, PeriodKind.MONTH, 1), "2026-01"),
        (PayrollPeriod(2026, PeriodKind.MONTH, 12), "2026-12"),
        (PayrollPeriod(2026, PeriodKind.FOUR_WEEKS, 1), "2026-P01"),
        (PayrollPeriod(2026, PeriodKind.FOUR_WEEKS, 13), "2026-P13"),
    ],
)
def test_payroll_period_str_round_trips(period, text):
    assert str(period) == text
    assert v.payroll_period(text) == period


def test_payroll_periods_order_chronologically_within_a_kind():
    texts = ["2027-01", "2026-12", "2026-02", "2026-10"]
    assert [str(p) for p in sorted(map(v.payroll_period, texts))] == [
        "2026-02",
        "2026-10",
        "2026-12",
        "2027-01",
    ]
    assert v.payroll_period("2026-P02") < v.payroll_period("2026-P10")


def test_payroll_period_is_frozen_and_hashable():
    period = v.payroll_period("2026-05")
    with pytest.raises(AttributeError):
        period.number = 6  # type: ignore[misc]
    assert {period, v.payroll_period("2026-05")} == {period}


@pytest.mark.parametrize(
    "raw",
    [
        "2026-13",
        "2026-00",
        "2026-P14",
        "2026-P00",
        "26-01",
        "2026/01",
        "2026-1",
        "2026-P1",
        "2026-P001",
        "2026-M01",
        "202601",
        "1999-12",
        "2101-01",
        "",
        "   ",
        "2026-01-01",
        "２０２６-01",
    ],
)
def test_payroll_period_invalid(raw):
    refused(lambda: v.payroll_period(raw), ErrorCode.INVALID_PAYROLL_PERIOD, "payrollPeriod")


def test_closed_period_refused():
    closed = {v.payroll_period("2026-01"), v.payroll_period("2026-P02")}
    err = refused(
        lambda: v.ensure_period_open(v.payroll_period("2026-01"), closed, "payrollPeriod"),
        ErrorCode.PERIOD_CLOSED,
        "payrollPeriod",
    )
    assert "2026-01" in err.message
    refused(
        lambda: v.ensure_period_open(v.payroll_period("2026-P02"), closed, "period"),
        ErrorCode.PERIOD_CLOSED,
        "period",
    )


@pytest.mark.parametrize("raw", ["2026-02", "2026-P01", "2025-01"])
def test_open_period_passes(raw):
    closed = [v.payroll_period("2026-01"), v.payroll_period("2026-P02")]
    period = v.payroll_period(raw)
    assert v.ensure_period_open(period, closed, "payrollPeriod") == period
    assert v.ensure_period_open(period, (), "payrollPeriod") == period


# --- Expense value -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("0.01", Unit.EUR, "0.01"),
        ("12.5", Unit.EUR, "12.50"),
        ("10000.00", Unit.EUR, "10000.00"),
        ("10000", "EUR", "10000.00"),
        ("42", Unit.KM, "42.00"),
        ("42.75", Unit.KM, "42.75"),
        ("10000", Unit.KM, "10000.00"),
        ("7.5", Unit.HOURS, "7.50"),
        ("744", Unit.HOURS, "744.00"),
        ("0.5", Unit.DAYS, "0.50"),
        ("31", Unit.DAYS, "31.00"),
        ("1.500", Unit.EUR, "1.50"),  # trailing zeros are not real decimals
        ("1E+1", Unit.DAYS, "10.00"),
    ],
)
def test_expense_value_valid(raw, unit, expected):
    result = v.expense_value(Decimal(raw), unit)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_expense_value_accepts_int():
    assert v.expense_value(3, Unit.DAYS) == Decimal("3.00")  # type: ignore[arg-type]


@pytest.mark.parametrize("unit", list(Unit))
@pytest.mark.parametrize(
    "raw", ["0", "0.00", "-0", "-1", "-0.01", "NaN", "sNaN", "Infinity", "-Infinity"]
)
def test_expense_value_not_positive_or_not_finite(raw, unit):
    refused(lambda: v.expense_value(Decimal(raw), unit), ErrorCode.INVALID_EXPENSE_VALUE, "value")


@pytest.mark.parametrize("unit", list(Unit))
@pytest.mark.parametrize("raw", ["1.234", "0.001", "1.2345678901234567890123456789012"])
def test_expense_value_too_many_decimals(raw, unit):
    err = refused(
        lambda: v.expense_value(Decimal(raw), unit), ErrorCode.INVALID_EXPENSE_VALUE, "value"
    )
    assert "2 decimalen" in err.message


@pytest.mark.parametrize(
    ("unit", "outside", "wording"),
    [
        (Unit.EUR, "10000.01", "10.000,00"),
        (Unit.KM, "10000.01", "10.000 kilometer"),
        (Unit.KM, "23000", "10.000 kilometer"),
        (Unit.HOURS, "744.01", "744 uur"),
        (Unit.DAYS, "31.01", "31 dagen"),
        (Unit.DAYS, "32", "31 dagen"),
        (Unit.EUR, "1E+40", "10.000,00"),  # huge exponents must not overflow quantize()
    ],
)
def test_expense_value_above_bound_names_it(unit, outside, wording):
    err = refused(
        lambda: v.expense_value(Decimal(outside), unit, field="amount"),
        ErrorCode.INVALID_EXPENSE_VALUE,
        "amount",
    )
    assert wording in err.message


@pytest.mark.parametrize("raw", [1.5, "12", None, True])
def test_expense_value_refuses_non_decimals(raw):
    refused(lambda: v.expense_value(raw, Unit.EUR), ErrorCode.INVALID_EXPENSE_VALUE, "value")


def test_expense_value_unknown_unit_is_a_bug():
    with pytest.raises(ValueError):
        v.expense_value(Decimal("1"), "LITRES")


# --- Date order ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), None),
        (date(2026, 1, 1), date(2026, 1, 1)),
        (date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_date_order_valid(start, end):
    assert v.date_order(start, end, "endDate") is None


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 1, 2), date(2026, 1, 1)), (date(2026, 1, 1), date(2025, 12, 31))],
)
def test_date_order_invalid(start, end):
    refused(lambda: v.date_order(start, end, "endDate"), ErrorCode.INVALID_DATE_ORDER, "endDate")


# --- Idempotency key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "a",
        "3f1c9a7e-2b4d-4c1a-9e8f-0a1b2c3d4e5f",
        "x" * 100,
        "!~#$%&'()*+,-./:;<=>?@[]^_`{|}",
    ],
)
def test_idempotency_key_valid(raw):
    assert v.idempotency_key(raw) == raw


@pytest.mark.parametrize(
    "raw", ["", " ", "a b", " abc", "abc\n", "x" * 101, "sleutel-é", "key\x00", "key\u00a0", "🔑"]
)
def test_idempotency_key_invalid(raw):
    refused(lambda: v.idempotency_key(raw), ErrorCode.INVALID_VALUE, "idempotencyKey")
