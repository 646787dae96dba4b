"""Checks on submitted request payloads (DOMAIN.md section 5, issue 4 scope 1).

Every function takes raw input and returns the normalised value, or raises a `DomainError` whose
`field` is the input field the caller names, so the client can put the Dutch message beside it.
Pure: no database, no GraphQL, no I/O. Standard numbers go through python-stdnum, not home-made
check-digit code.

Decisions:
- Expense bounds per declaration (inclusive), to stop typos such as 23000 km rather than to
  police spending: EUR ≤ 10.000,00; KM ≤ 10.000; HOURS ≤ 744 (31 days × 24 h); DAYS ≤ 31.
  Every unit takes at most 2 decimals; the result is quantised to 2 decimals.
- Only ASCII letters and digits are taken in IBANs, postcodes and house numbers: some Unicode
  digits and letters upper-case or convert into ASCII ones ('ß' → 'SS') and would slip through.
- Free text is NFC-normalised and may hold no control characters at all (not even newlines or
  tabs) nor bidirectional overrides, which could disguise text in the task centre and e-mails.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode

from app.domain.errors import DomainError, ErrorCode

IBAN_MAX = 34  # ISO 13616 upper bound for any country
HOUSE_NUMBER_MAX = 20
IDEMPOTENCY_KEY_MAX = 100

_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")
# The form a person types: four digits, optional spaces, two letters (no "NL-" prefix, no hyphen).
_POSTCODE_SHAPE = re.compile(r"[0-9]{4} ?[A-Za-z]{2}")
# 1..99999, then an addition: letters straight after the number ("12a"), or any letters/digits
# after a space or hyphen ("12-2", "12 bis"). A digit may not follow directly, so "123456" fails.
_HOUSE_NUMBER = re.compile(
    r"[1-9][0-9]{0,4}(?:[A-Za-z][A-Za-z0-9]*|[ -][A-Za-z0-9]+)?(?:[ -][A-Za-z0-9]+)*"
)
_BSN_SEPARATORS = re.compile(r"[\s.\-]")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_FOUR_WEEKS = re.compile(r"([0-9]{4})-[Pp]([0-9]{2})")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _fail(code: ErrorCode, message: str, field: str) -> DomainError:
    return DomainError(code, message, [field])


def iban(value: str, field: str = "iban") -> str:
    """ISO 13616 IBAN, returned compact and upper-case ("NL91ABNA0417164300")."""
    expected = "Vul een geldig IBAN in, zoals NL91 ABNA 0417 1643 00."
    compact = "".join(value.split()).upper() if isinstance(value, str) else ""
    # Refuse junk before the library does arithmetic on it.
    if len(compact) > IBAN_MAX or not compact.isascii() or not _IBAN_SHAPE.fullmatch(compact):
        raise _fail(ErrorCode.INVALID_IBAN, expected, field)
    try:
        # check_country: the BBAN must have its country's layout (and national check digits).
        return stdnum_iban.validate(compact, check_country=True)
    except InvalidChecksum:
        raise _fail(
            ErrorCode.INVALID_IBAN, "Dit IBAN klopt niet; controleer het op typefouten.", field
        ) from None
    except ValidationError:
        raise _fail(ErrorCode.INVALID_IBAN, expected, field) from None


def dutch_postcode(value: str, field: str = "postcode") -> str:
    """Dutch postcode, returned as "1234 AB"; 1000-9999, never SA, SD or SS."""
    expected = "Vul een geldige postcode in, zoals 1234 AB."
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text.isascii() or not _POSTCODE_SHAPE.fullmatch(text):
        raise _fail(ErrorCode.INVALID_POSTCODE, expected, field)
    try:
        # The library refuses the leading 0 and the letter pairs PostNL never issues, and
        # returns the canonical "1234 AB".
        return stdnum_postcode.validate(text)
    except ValidationError:
        raise _fail(ErrorCode.INVALID_POSTCODE, expected, field) from None


def house_number(value: str, field: str = "houseNumber") -> str:
    """House number 1..99999 with an optional addition ("12", "12a", "12-2", "12 bis")."""
    text = " ".join(value.split()) if isinstance(value, str) else ""
    text = re.sub(r" ?- ?", "-", text)  # "12 - 2" → "12-2"
    if len(text) > HOUSE_NUMBER_MAX or not text.isascii() or not _HOUSE_NUMBER.fullmatch(text):
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een huisnummer in, zoals 12, 12a of 12-2.", field)
    return text


def bsn(value: str, field: str = "bsn") -> str:
    """Burgerservicenummer: 9 digits passing the 11-proof; dots, hyphens and spaces are dropped."""
    digits = _BSN_SEPARATORS.sub("", value) if isinstance(value, str) else ""
    # Require 9 digits ourselves: stdnum pads shorter numbers with zeros.
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een burgerservicenummer van 9 cijfers in.", field)
    try:
        return stdnum_bsn.validate(digits)
    except ValidationError:
        raise _fail(
            ErrorCode.INVALID_VALUE, "Dit burgerservicenummer klopt niet (elfproef).", field
        ) from None


def name(value: str, field: str, max_length: int = 100) -> str:
    """A name (of a role, a component label, ...): spaces collapsed, visible characters only."""
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise DomainError(ErrorCode.INVALID_VALUE, "Vul een naam in.", [field])
    if len(cleaned) > max_length:
        raise DomainError(
            ErrorCode.INVALID_VALUE, f"Een naam is hoogstens {max_length} tekens lang.", [field]
        )
    if not cleaned.isprintable():  # control characters; NUL is refused by PostgreSQL itself
        raise DomainError(
            ErrorCode.INVALID_VALUE, "Een naam bestaat uit gewone, zichtbare tekens.", [field]
        )
    return cleaned


def required_text(value: str, field: str, max_length: int) -> str:
    """Trimmed text with single spaces, 1..max_length characters, no control characters."""
    if not isinstance(value, str) or any(
        unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI_CONTROLS for c in value
    ):
        raise _fail(
            ErrorCode.INVALID_VALUE, "Gebruik alleen gewone tekens, zonder tabs of enters.", field
        )
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text or len(text) > max_length:
        raise _fail(ErrorCode.INVALID_VALUE, f"Vul 1 tot {max_length} tekens in.", field)
    return text


COMMENT_MAX = 2000


def comment_text(
    value: str | None, field: str = "comment", max_length: int = COMMENT_MAX
) -> str | None:
    """A comment: None when blank; else at most `max_length` characters of NFC text where line
    breaks are the only control characters allowed (no NUL, tabs or bidirectional overrides)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if any(
        (unicodedata.category(c) in ("Cc", "Cs") and c != "\n") or c in _BIDI_CONTROLS for c in text
    ):
        raise _fail(ErrorCode.INVALID_VALUE, "Gebruik alleen gewone tekens en enters.", field)
    if len(text) > max_length:
        raise _fail(ErrorCode.INVALID_VALUE, f"Schrijf hoogstens {max_length} tekens.", field)
    return text or None


class PeriodKind(StrEnum):
    MONTH = "MONTH"  # "2026-01": 12 per year
    FOUR_WEEKS = "FOUR_WEEKS"  # "2026-P01": 13 per year


@dataclass(frozen=True, order=True)
class PayrollPeriod:
    year: int
    kind: PeriodKind
    number: int

    def __str__(self) -> str:
        sep = "-P" if self.kind is PeriodKind.FOUR_WEEKS else "-"
        return f"{self.year}{sep}{self.number:02d}"


def payroll_period(value: str, field: str = "payrollPeriod") -> PayrollPeriod:
    """`YYYY-MM` (monthly) or `YYYY-Pnn` (4-weekly, P01..P13), years 2000..2100 (API.md)."""
    text = value.strip() if isinstance(value, str) else ""
    parsed: PayrollPeriod | None = None
    if text.isascii() and (m := _MONTH.fullmatch(text)):
        parsed = PayrollPeriod(int(m[1]), PeriodKind.MONTH, int(m[2]))
    elif text.isascii() and (m := _FOUR_WEEKS.fullmatch(text)):
        parsed = PayrollPeriod(int(m[1]), PeriodKind.FOUR_WEEKS, int(m[2]))
    last = 13 if parsed and parsed.kind is PeriodKind.FOUR_WEEKS else 12
    if parsed is None or not 2000 <= parsed.year <= 2100 or not 1 <= parsed.number <= last:
        raise _fail(
            ErrorCode.INVALID_PAYROLL_PERIOD,
            "Vul een verloningsperiode in als 2026-01 (maand) of 2026-P01 (4 weken, P01-P13).",
            field,
        )
    return parsed


def ensure_period_open(
    period: PayrollPeriod, closed: Collection[PayrollPeriod], field: str = "payrollPeriod"
) -> PayrollPeriod:
    if period in closed:
        message = f"Periode {period} is al afgesloten; kies een open periode."
        raise _fail(ErrorCode.PERIOD_CLOSED, message, field)
    return period


class Unit(StrEnum):
    EUR = "EUR"
    KM = "KM"
    HOURS = "HOURS"
    DAYS = "DAYS"


# Inclusive upper bound per declaration and its Dutch wording (see the module docstring).
_BOUNDS: dict[Unit, tuple[Decimal, str]] = {
    Unit.EUR: (Decimal("10000.00"), "€ 10.000,00"),
    Unit.KM: (Decimal("10000"), "10.000 kilometer"),
    Unit.HOURS: (Decimal("744"), "744 uur"),
    Unit.DAYS: (Decimal("31"), "31 dagen"),
}
_CENT = Decimal("0.01")


def _decimal_places(value: Decimal) -> int:
    # Exact, unlike normalize() or quantize(), which round to the context precision.
    _, digits, exponent = value.as_tuple()  # finite values only: the exponent is an int
    text = "".join(map(str, digits))
    return max(0, -(int(exponent) + len(text) - len(text.rstrip("0"))))


def expense_value(value: Decimal, unit: str, field: str = "value") -> Decimal:
    """A declared amount or quantity: > 0, at most 2 decimals, within the unit's bound.

    `unit` comes from the stored component, not from the user: an unknown unit is a bug and
    raises ValueError.
    """
    bound, wording = _BOUNDS[Unit(unit)]
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise _fail(ErrorCode.INVALID_EXPENSE_VALUE, "Vul een waarde groter dan 0 in.", field)
    if value > bound:
        raise _fail(ErrorCode.INVALID_EXPENSE_VALUE, f"Vul hoogstens {wording} in.", field)
    if _decimal_places(value) > 2:
        raise _fail(ErrorCode.INVALID_EXPENSE_VALUE, "Gebruik hoogstens 2 decimalen.", field)
    return value.quantize(_CENT)


def date_order(start: date, end: date | None, field: str) -> None:
    """An open end (None) is fine; otherwise the end may not lie before the start."""
    if end is not None and end < start:
        raise _fail(
            ErrorCode.INVALID_DATE_ORDER, "De einddatum mag niet vóór de begindatum liggen.", field
        )


def idempotency_key(value: str | None, field: str = "idempotencyKey") -> str | None:
    """None, or 1..100 printable ASCII characters without spaces."""
    if value is None:
        return None
    # "!".."~" is printable ASCII minus the space.
    ok = isinstance(value, str) and all("!" <= c <= "~" for c in value)
    if not ok or not 1 <= len(value) <= IDEMPOTENCY_KEY_MAX:
        message = f"Een idempotentiesleutel is 1 tot {IDEMPOTENCY_KEY_MAX} tekens, zonder spaties."
        raise _fail(ErrorCode.INVALID_VALUE, message, field)
    return value
