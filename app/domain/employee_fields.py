"""The fields of an employee record and the check of each one on its own
(app/domain/employee_record.py puts them together into a plan; its docstring has the rules)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
