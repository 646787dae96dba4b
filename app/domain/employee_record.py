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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.employee_fields import _CHECKS, _WHAT, _fail

# Re-exported: callers spell a record's fields and checks `employee_record.X`.
from app.domain.employee_fields import (
    ADDRESS as ADDRESS,
)
from app.domain.employee_fields import (
    BSN as BSN,
)
from app.domain.employee_fields import (
    CONTRACT_END as CONTRACT_END,
)
from app.domain.employee_fields import (
    DATE_OF_BIRTH as DATE_OF_BIRTH,
)
from app.domain.employee_fields import (
    DEFAULTS as DEFAULTS,
)
from app.domain.employee_fields import (
    DEPARTMENT as DEPARTMENT,
)
from app.domain.employee_fields import (
    EMPLOYMENT_END as EMPLOYMENT_END,
)
from app.domain.employee_fields import (
    EMPLOYMENT_START as EMPLOYMENT_START,
)
from app.domain.employee_fields import (
    FIELDS as FIELDS,
)
from app.domain.employee_fields import (
    IBAN as IBAN,
)
from app.domain.employee_fields import (
    MOBILE_PHONE as MOBILE_PHONE,
)
from app.domain.employee_fields import (
    NAME as NAME,
)
from app.domain.employee_fields import (
    NOT_CLEARABLE as NOT_CLEARABLE,
)
from app.domain.employee_fields import (
    ON_CALL as ON_CALL,
)
from app.domain.employee_fields import (
    PHONE as PHONE,
)
from app.domain.employee_fields import (
    PRIVATE_EMAIL as PRIVATE_EMAIL,
)
from app.domain.employee_fields import (
    REQUIRED_ON_CREATE as REQUIRED_ON_CREATE,
)
from app.domain.employee_fields import (
    Address as Address,
)
from app.domain.employee_fields import (
    InvalidRecord as InvalidRecord,
)
from app.domain.employee_fields import (
    a_date as a_date,
)
from app.domain.employee_fields import (
    address as address,
)
from app.domain.employee_fields import (
    country as country,
)
from app.domain.employee_fields import (
    employee_number as employee_number,
)
from app.domain.errors import DomainError, ErrorCode


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
