"""An employee list as a spreadsheet (issue 16 point 4): its Dutch columns, and each row's cells
mapped onto the raw record of app/domain/employee_record.py. Pure: the caller reads the cells
(openpyxl) and resolves the department's name to its id.

Decisions:
- The first row holds the headers (case and surrounding spaces ignored); only `personeelsnummer`
  is required. A column left out of the sheet leaves its field as it is (an update of some
  fields only); an empty cell in a present column clears the field, as null does in
  `upsertEmployee` (name, department, employment start and on-call cannot be cleared). The five
  address columns are one field: all empty clears the address, any of them given replaces it.
  An unknown or repeated header refuses the whole file (a typo would otherwise be ignored).
- Completely empty rows are skipped; they count for no limit and get no report line.
- Dates: a date cell, or text dd-mm-jjjj, d-m-jjjj, dd/mm/jjjj or jjjj-mm-dd. BSN and phone
  numbers may be numbers in the sheet: a BSN number gets its leading zeros back (9 digits), a
  phone number as a number lost its leading 0 and gets it back when it has 9 digits (a Dutch
  number). On-call: ja/nee, true/false, 1/0, yes/no, j/n; empty: no for a new employee, kept
  for an existing one.
- A cell's error names the column by its Dutch header.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain import employee_record as rec
from app.domain.errors import DomainError, ErrorCode

MAX_ROWS = 10_000
REPORT_ROWS = 1_000  # rows in the report: refused ones first


class ImportOutcome(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    REFUSED = "REFUSED"


NUMBER = "personeelsnummer"
DEPARTMENT = "afdeling"
ADDRESS_COLUMNS = {
    "straat": "street",
    "huisnummer": "houseNumber",
    "postcode": "postcode",
    "plaats": "city",
    "land": "country",
}
# Dutch header -> record field (the address columns: see ADDRESS_COLUMNS).
COLUMNS: dict[str, str] = {
    NUMBER: "employeeNumber",
    "naam": rec.NAME,
    "geboortedatum": rec.DATE_OF_BIRTH,
    DEPARTMENT: rec.DEPARTMENT,
    "privé e-mail": rec.PRIVATE_EMAIL,
    "telefoon": rec.PHONE,
    "mobiel": rec.MOBILE_PHONE,
    **{header: rec.ADDRESS for header in ADDRESS_COLUMNS},
    "iban": rec.IBAN,
    "bsn": rec.BSN,
    "datum in dienst": rec.EMPLOYMENT_START,
    "datum uit dienst": rec.EMPLOYMENT_END,
    "einde contract": rec.CONTRACT_END,
    "oproepkracht": rec.ON_CALL,
}
# The headers as the template writes them.
HEADERS = (
    "Personeelsnummer", "Naam", "Geboortedatum", "Afdeling", "Privé e-mail", "Telefoon",
    "Mobiel", "Straat", "Huisnummer", "Postcode", "Plaats", "Land", "IBAN", "BSN",
    "Datum in dienst", "Datum uit dienst", "Einde contract", "Oproepkracht",
)  # fmt: skip
# What each column holds (the template's second sheet).
EXPLAINED = {
    "Personeelsnummer": "Verplicht. Een geheel getal groter dan 0; de sleutel van de werknemer.",
    "Naam": "Verplicht voor een nieuwe werknemer.",
    "Geboortedatum": "Een datum (dd-mm-jjjj of jjjj-mm-dd), niet in de toekomst.",
    "Afdeling": "Verplicht voor een nieuwe werknemer: de naam van een afdeling van de werkgever.",
    "Privé e-mail": "Een e-mailadres.",
    "Telefoon": "Nederlands, of internationaal met +.",
    "Mobiel": "Nederlands, of internationaal met +.",
    "Straat": "Adres: straat, huisnummer, postcode en plaats horen bij elkaar.",
    "Huisnummer": "Bijvoorbeeld 7 of 12a.",
    "Postcode": "In Nederland 1234 AB.",
    "Plaats": "",
    "Land": "Landcode van twee letters; leeg: NL.",
    "IBAN": "Rekeningnummer (IBAN).",
    "BSN": "Burgerservicenummer: 9 cijfers, elfproef.",
    "Datum in dienst": "Verplicht voor een nieuwe werknemer.",
    "Datum uit dienst": "Niet vóór de datum in dienst.",
    "Einde contract": "Niet vóór de datum in dienst; leeg: onbepaalde tijd.",
    "Oproepkracht": "ja of nee; leeg: nee.",
}
EXAMPLE = (
    1001, "Jan Jansen", dt.date(1985, 3, 14), "Verkoop", "jan@prive.example.nl", "030 123 4567",
    "06 12345678", "Kerkstraat", "7", "3511 AB", "Utrecht", "NL", "NL91ABNA0417164300",
    "111222333", dt.date(2024, 1, 1), None, None, "nee",
)  # fmt: skip

_RECORD_HEADER = {
    record_field: header
    for header, record_field in zip(HEADERS, (COLUMNS[h.lower()] for h in HEADERS), strict=True)
    if record_field != rec.ADDRESS
}
_ADDRESS_HEADER = {part: header.capitalize() for header, part in ADDRESS_COLUMNS.items()}
_TRUE = {"ja", "j", "true", "waar", "yes", "y", "1", "x"}
_FALSE = {"nee", "n", "false", "onwaar", "no", "0"}
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass(frozen=True)
class CellError:
    column: str  # the Dutch header
    code: ErrorCode
    message: str


@dataclass(frozen=True)
class SheetRow:
    """One row of the sheet: its row number, the employee number (None when not valid), the
    raw record (department as its name) and the errors found in the cells themselves."""

    row: int
    employee_number: int | None
    raw: dict[str, Any] = field(default_factory=dict)
    errors: tuple[CellError, ...] = ()


def _fail(message: str, code: ErrorCode = ErrorCode.INVALID_FILE) -> DomainError:
    return DomainError(code, message, ["file"])


def columns_of(header_row: Sequence[Any]) -> dict[int, str]:
    """Cell index -> normalised header, or a DomainError (INVALID_FILE) naming the header."""
    found: dict[int, str] = {}
    for index, cell in enumerate(header_row):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        header = " ".join(str(cell).split()).lower()
        if header not in COLUMNS:
            raise _fail(
                f"Onbekende kolom '{str(cell)[:50]}'; gebruik de kolommen van het sjabloon."
            )
        if header in found.values():
            raise _fail(f"De kolom '{str(cell)[:50]}' staat er twee keer in.")
        found[index] = header
    if NUMBER not in found.values():
        raise _fail("De kolom 'Personeelsnummer' ontbreekt (de eerste rij bevat de kolomnamen).")
    return found


def is_empty(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def column_of(path: Sequence[str] | None) -> str:
    """The Dutch header of a record field path (e.g. ["address", "postcode"] -> Postcode)."""
    if not path:
        return ""
    if path[0] == rec.ADDRESS:
        return _ADDRESS_HEADER.get(path[1] if len(path) > 1 else "street", "Straat")
    if path[0] == "employeeNumber":
        return HEADERS[0]
    return _RECORD_HEADER.get(path[0], path[0])


def text(value: Any) -> str | None:
    """A cell as text: None for empty; whole numbers without ".0"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    result = str(value).strip()
    return result or None


def a_date(value: Any) -> Any:
    """A date cell, or text dd-mm-jjjj / jjjj-mm-dd, as a date; anything else unchanged (the
    record's check refuses it)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if not isinstance(value, str):
        return value
    for pattern, order in ((_DAY_FIRST, (2, 1, 0)), (_YEAR_FIRST, (0, 1, 2))):
        found = pattern.match(value.strip())
        if found:
            parts = [int(found.group(i + 1)) for i in range(3)]
            try:
                return dt.date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return value
    return value


def yes_no(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return value


def bsn(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 999_999_999:
        return f"{value:09d}"
    return text(value)


def phone(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(value)
        return "0" + digits if len(digits) == 9 else digits
    return text(value)


_CELL = {
    rec.NAME: text,
    rec.DATE_OF_BIRTH: a_date,
    rec.DEPARTMENT: text,
    rec.PRIVATE_EMAIL: text,
    rec.PHONE: phone,
    rec.MOBILE_PHONE: phone,
    rec.IBAN: text,
    rec.BSN: bsn,
    rec.EMPLOYMENT_START: a_date,
    rec.EMPLOYMENT_END: a_date,
    rec.CONTRACT_END: a_date,
    rec.ON_CALL: yes_no,
}


def row_of(number: int, cells: Sequence[Any], columns: Mapping[int, str]) -> SheetRow:
    """The raw record of one sheet row (`number` as Excel counts rows)."""
    by_header = {h: (cells[i] if i < len(cells) else None) for i, h in columns.items()}
    errors: list[CellError] = []
    employee_number: int | None = None
    raw_number = by_header[NUMBER]
    if isinstance(raw_number, float) and raw_number.is_integer():
        raw_number = int(raw_number)
    try:
        employee_number = rec.employee_number(
            raw_number if not isinstance(raw_number, str) else raw_number.strip()
        )
    except DomainError as error:
        errors.append(CellError(HEADERS[0], error.code, error.message))
    raw: dict[str, Any] = {}
    address: dict[str, Any] = {}
    for header, value in by_header.items():
        record_field = COLUMNS[header]
        if header == NUMBER:
            continue
        if record_field == rec.ADDRESS:
            address[ADDRESS_COLUMNS[header]] = text(value)
            continue
        if record_field == rec.ON_CALL and text(value) is None:
            continue  # empty: left out (a new employee: no; an existing one: kept)
        raw[record_field] = _CELL[record_field](value)
        if isinstance(raw[record_field], str) and not raw[record_field].strip():
            raw[record_field] = None
    if address:
        raw[rec.ADDRESS] = None if all(v is None for v in address.values()) else address
    return SheetRow(number, employee_number, raw, tuple(errors))
