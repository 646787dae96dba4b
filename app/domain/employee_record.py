"""One employee record (werknemer) as the office enters it: by hand (`upsertEmployee`) or as a
row of an Excel import (issue 16 points 2 and 4). Pure: no database, no GraphQL, no I/O; the
caller resolves the department (an ID, or a name in a sheet) to the employer's department first.

A record is keyed by employer + employee number and given as a mapping from input field names
(`FIELDS`, as the GraphQL input spells them) to raw values. `plan(raw, current, today)` checks
every field at once and returns what to write, or every field error (each a `DomainError` whose
`field` is the input path, e.g. ["address", "postcode"]), so that a form or an import row can
name them all.

Decisions:
- Update semantics (the same for the API and the import): a field left out keeps its value; a
  field given as null (an empty cell) clears it. Name, department, employment start and on-call
  cannot be cleared (null is refused); a new employee needs a name, a department and an
  employment start (on-call defaults to no). The address is one field: given, it replaces
  street, house number, postcode, city and country together; null clears it (country back to NL).
- An update that changes nothing writes nothing: `Plan.changed` is empty.
- Employee number: a whole number 1..2147483647.
- Name: visible characters, spaces collapsed, NFC, at most 200 characters (the column).
- Dates lie in 1900..2100 (typos such as 0202 or 20260 are refused); the date of birth is not in
  the future and lies before the employment start; the employment end and the contract end are
  not before the employment start. An order is only checked when the update gives one of its two
  dates, so that an unrelated update never fails on what is stored.
- Address: NL (the default) takes a Dutch postcode ("1234 AB") and a Dutch house number; another
  country (an ISO 3166 two-letter code that has a telephone region, e.g. BE, DE) takes a postcode
  of 1..10 characters. Street at most 200 characters, city at most 100.
- Phone numbers are parsed as Dutch numbers unless they start with +, and stored as E.164; an
  e-mail address is checked and normalised as submissions do (no DNS look-up).
- IBAN: ISO 13616 with its country's layout, stored compact; BSN: 9 digits and the 11-proof.
  Their error messages never repeat the value (personal data).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from app.domain import changes
from app.domain import validation as v
from app.domain.errors import DomainError, ErrorCode

NAME_MAX = 200
STREET_MAX = 200
CITY_MAX = 100
FOREIGN_POSTCODE_MAX = 10
EMPLOYEE_NUMBER_MAX = 2**31 - 1
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)

# The fields of a record, in the order of the form (and of error lists).
NAME = "name"
DATE_OF_BIRTH = "dateOfBirth"
DEPARTMENT = "departmentId"
PRIVATE_EMAIL = "privateEmail"
PHONE = "phone"
MOBILE_PHONE = "mobilePhone"
ADDRESS = "address"
IBAN = "iban"
BSN = "bsn"
EMPLOYMENT_START = "employmentStart"
EMPLOYMENT_END = "employmentEnd"
CONTRACT_END = "contractEnd"
ON_CALL = "onCall"
FIELDS = (
    NAME, DATE_OF_BIRTH, DEPARTMENT, PRIVATE_EMAIL, PHONE, MOBILE_PHONE, ADDRESS, IBAN, BSN,
    EMPLOYMENT_START, EMPLOYMENT_END, CONTRACT_END, ON_CALL,
)  # fmt: skip
# Always have a value: null is refused, and a new employee needs them (on-call has a default).
NOT_CLEARABLE = frozenset({NAME, DEPARTMENT, EMPLOYMENT_START, ON_CALL})
REQUIRED_ON_CREATE = (NAME, DEPARTMENT, EMPLOYMENT_START)
DEFAULTS: Mapping[str, Any] = {ON_CALL: False}

_WHAT = {
    NAME: "een naam",
    DEPARTMENT: "een afdeling",
    EMPLOYMENT_START: "de datum in dienst",
    ON_CALL: "of dit een oproepkracht is",
}


@dataclass(frozen=True)
class Address:
    street: str
    house_number: str
    postcode: str
    city: str
    country: str = "NL"


@dataclass(frozen=True)
class Plan:
    """What an upsert writes: `values` (field name -> clean value, None clears) for the fields
    that differ from the current record (for a new one: every field it gets, defaults included),
    `changed` their names in `FIELDS` order; or `errors`, one per refused field."""

    values: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()
    errors: tuple[DomainError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


class InvalidRecord(DomainError):
    """Every field error of one record; as a `DomainError` it is the first of them."""

    def __init__(self, errors: tuple[DomainError, ...] | list[DomainError]):
        first = errors[0]
        super().__init__(first.code, first.message, first.field)
        self.errors = tuple(errors)


def _fail(code: ErrorCode, message: str, *path: str) -> DomainError:
    return DomainError(code, message, list(path))


def employee_number(value: Any, field_name: str = "employeeNumber") -> int:
    """A whole number 1..2147483647 (an int, or its digits as text)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 1 <= value <= EMPLOYEE_NUMBER_MAX
    ):
        raise _fail(
            ErrorCode.INVALID_VALUE,
            "Een personeelsnummer is een geheel getal groter dan 0.",
            field_name,
        )
    return value


def person_name(value: Any, field_name: str = NAME) -> str:
    if not isinstance(value, str):
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een naam in.", field_name)
    return unicodedata.normalize("NFC", v.name(value, field_name, NAME_MAX))


def a_date(value: Any, field_name: str) -> dt.date:
    """A date; a spreadsheet's date (a datetime at midnight) counts as one."""
    if isinstance(value, dt.datetime) and value.time() == dt.time() and value.tzinfo is None:
        value = value.date()
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een datum in.", field_name)
    if not FIRST_DATE <= value <= LAST_DATE:
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een datum tussen 1900 en 2100 in.", field_name)
    return value


def on_call(value: Any, field_name: str = ON_CALL) -> bool:
    if not isinstance(value, bool):
        raise _fail(ErrorCode.INVALID_VALUE, "Geef aan of dit een oproepkracht is.", field_name)
    return value


def country(value: Any, path: tuple[str, ...] = (ADDRESS, "country")) -> str:
    """NL when empty; otherwise an ISO 3166 two-letter code (one with a telephone region)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "NL"
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 2 or not code.isascii() or code not in phonenumbers.SUPPORTED_REGIONS:
        raise _fail(
            ErrorCode.INVALID_VALUE, "Vul een landcode van twee letters in, zoals NL of BE.", *path
        )
    return code


def address(raw: Any) -> Address:
    """Street, house number, postcode and city, all required, and a country (default NL)."""
    if not isinstance(raw, Mapping):
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een volledig adres in.", ADDRESS)
    errors: list[DomainError] = []

    def take(check: Callable[..., Any], key: str, *args: Any) -> Any:
        value = raw.get(key)
        try:
            if value is None or (isinstance(value, str) and not value.strip()):
                raise _fail(ErrorCode.INVALID_VALUE, "Vul dit deel van het adres in.", key)
            return check(value, key, *args)
        except DomainError as error:
            error.field = [ADDRESS, key]
            errors.append(error)
            return None

    try:
        land = country(raw.get("country"))
    except DomainError as error:
        errors.append(error)
        land = "NL"
    street = take(v.required_text, "street", STREET_MAX)
    house_number = take(v.house_number, "houseNumber")
    if land == "NL":
        postcode = take(v.dutch_postcode, "postcode")
    else:
        postcode = take(v.required_text, "postcode", FOREIGN_POSTCODE_MAX)
    city = take(v.required_text, "city", CITY_MAX)
    if errors:
        raise InvalidRecord(errors)
    return Address(street, house_number, postcode, city, land)


def _text_check(check: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    def checked(value: Any, field_name: str) -> Any:
        if not isinstance(value, str):
            raise _fail(ErrorCode.INVALID_VALUE, "Vul tekst in.", field_name)
        return check(value, field_name)

    return checked


# How each field's raw value is checked (the value is never None here).
_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    NAME: person_name,
    DEPARTMENT: lambda value, name: value,  # resolved by the caller: the department's id
    PRIVATE_EMAIL: _text_check(changes.email),
    PHONE: _text_check(changes.phone),
    MOBILE_PHONE: _text_check(changes.phone),
    IBAN: _text_check(v.iban),
    BSN: _text_check(v.bsn),
    EMPLOYMENT_START: a_date,
    EMPLOYMENT_END: a_date,
    CONTRACT_END: a_date,
    DATE_OF_BIRTH: a_date,
    ON_CALL: on_call,
}


def clean(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[DomainError]]:
    """Each given field checked on its own: (clean values, errors). Unknown keys are a bug."""
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise ValueError(f"not fields of an employee record: {sorted(unknown)}")
    values: dict[str, Any] = {}
    errors: list[DomainError] = []
    for name in FIELDS:
        if name not in raw:
            continue
        value = raw[name]
        try:
            if value is None:
                if name in NOT_CLEARABLE:
                    message = f"Vul {_WHAT[name]} in; dit gegeven kan niet leeg zijn."
                    raise _fail(ErrorCode.INVALID_VALUE, message, name)
                values[name] = None
            elif name == ADDRESS:
                values[name] = address(value)
            else:
                values[name] = _CHECKS[name](value, name)
        except InvalidRecord as several:
            errors.extend(several.errors)
        except DomainError as error:
            errors.append(error)
    return values, errors


# (earlier date, later date, the message when they are out of order)
_ORDERS = (
    (
        EMPLOYMENT_START,
        EMPLOYMENT_END,
        "De datum uit dienst mag niet vóór de datum in dienst liggen.",
    ),
    (
        EMPLOYMENT_START,
        CONTRACT_END,
        "De einddatum van het contract mag niet vóór de datum in dienst liggen.",
    ),
    (DATE_OF_BIRTH, EMPLOYMENT_START, "De geboortedatum moet vóór de datum in dienst liggen."),
)


def _order_errors(
    final: Mapping[str, Any], given: Mapping[str, Any], failed: set[str]
) -> list[DomainError]:
    errors = []
    for start, end, message in _ORDERS:
        if start in failed or end in failed or (start not in given and end not in given):
            continue
        first, last = final.get(start), final.get(end)
        if first is None or last is None:
            continue
        wrong = last <= first if start == DATE_OF_BIRTH else last < first
        if wrong:
            # Name the field the update gave (the later one when it gave both).
            blamed = end if end in given else start
            errors.append(_fail(ErrorCode.INVALID_DATE_ORDER, message, blamed))
    return errors


def plan(raw: Mapping[str, Any], current: Mapping[str, Any] | None, today: dt.date) -> Plan:
    """What to write for `raw` over `current` (None: a new employee); every error at once.

    `current` holds the stored value of every field in `FIELDS` (the address as an `Address`,
    or None). `today` decides what lies in the future."""
    values, errors = clean(raw)
    failed = {e.field[0] for e in errors if e.field}
    birth = values.get(DATE_OF_BIRTH)
    if birth is not None and birth > today:
        message = "Een geboortedatum ligt niet in de toekomst."
        errors.append(_fail(ErrorCode.INVALID_VALUE, message, DATE_OF_BIRTH))
        failed.add(DATE_OF_BIRTH)
    if current is None:
        for name in REQUIRED_ON_CREATE:
            if name not in raw:
                errors.append(_fail(ErrorCode.INVALID_VALUE, f"Vul {_WHAT[name]} in.", name))
                failed.add(name)
        before: Mapping[str, Any] = {}
        values = {**DEFAULTS, **values}
    else:
        before = current
    final = {**before, **values}
    errors += _order_errors(final, raw, failed)
    if errors:
        order = {name: i for i, name in enumerate(FIELDS)}
        errors.sort(key=lambda e: order.get(e.field[0] if e.field else "", len(FIELDS)))
        return Plan(errors=tuple(errors))
    if current is None:
        changed = {k: w for k, w in values.items() if w is not None}
    else:
        changed = {k: w for k, w in values.items() if w != current.get(k)}
    names = tuple(name for name in FIELDS if name in changed)
    return Plan(values={name: values[name] for name in names}, changed=names)
